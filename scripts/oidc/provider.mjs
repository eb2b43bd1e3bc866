// A real local OpenID Connect provider configured like ProConnect (the French State's identity
// federation), for the tests and `make demo`: the certified oidc-provider package (panva), with
// its own French login and logout pages. Nothing is mocked: discovery, authorization code flow
// with PKCE (S256, required), signed ID tokens and signed userinfo (application/jwt, RS256),
// acr "eidas1", RP-initiated logout.
//
//   node scripts/oidc/provider.mjs --config FILE.json
//
// FILE.json (written by scripts/oidc_config.py for the demo, by tests/proconnect/oidc_provider.py
// for the tests): see scripts/oidc/README.md. One line per request on stdout, errors on stderr.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

// oidc-provider 9 prints, on import, that it wants Node.js 22 LTS or later: it runs on Node 20
// (the self-test proves it), so that one warning is left out of the log.
const consoleWarn = console.warn;
console.warn = (...args) => {
  if (!String(args[0]).includes('Unsupported runtime')) consoleWarn(...args);
};
const { default: Provider, errors } = await import('oidc-provider');
// the in-memory store of oidc-provider, passed explicitly (the provider warns when it picks it
// by itself): sessions, codes and access tokens are lost when the process stops, keys are not
const { createMemoryAdapter } = await import('oidc-provider/lib/adapters/memory_adapter.js');
console.warn = consoleWarn;

const { values: args } = parseArgs({ options: { config: { type: 'string' } } });
if (!args.config) {
  console.error('usage: node scripts/oidc/provider.mjs --config FILE.json');
  process.exit(2);
}
const config = JSON.parse(readFileSync(args.config, 'utf8'));

// ProConnect's scopes, each releasing the claim of the same name
const CLAIM_SCOPES = ['email', 'given_name', 'usual_name', 'siret', 'siren', 'uid', 'idp_id',
  'organizational_unit', 'belonging_population', 'phone'];
// ProConnect's paths (its issuer is https://…/api/v2)
const ROUTES = {
  authorization: '/api/v2/authorize',
  token: '/api/v2/token',
  userinfo: '/api/v2/userinfo',
  end_session: '/api/v2/session/end',
  jwks: '/api/v2/jwks',
  // not used by ProConnect, disabled below; kept out of ProConnect's namespace
  introspection: '/api/v2/token/introspection',
  revocation: '/api/v2/token/revocation',
};
const TTL = {
  AuthorizationCode: 60,
  AccessToken: 3600,
  IdToken: 3600,
  Interaction: 1800,
  Session: 12 * 3600,
  Grant: 12 * 3600,
  ...(config.ttl || {}),
};

// ---------------------------------------------------------------- accounts
const sha256 = (s) => createHash('sha256').update(s).digest('hex');
// oidc-provider releases the accountId as `sub`: accounts are known by their sub (opaque, like
// ProConnect's: sha256 of the login unless the config gives one), and found by login at sign-in
const accounts = new Map(); // sub → account
const byLogin = new Map(); // login (lower case) → account
for (const account of config.accounts || []) {
  const claims = { ...(account.claims || {}) };
  if (!claims.sub) claims.sub = sha256(account.login.toLowerCase());
  if (!claims.siren && typeof claims.siret === 'string' && claims.siret.length >= 9) {
    claims.siren = claims.siret.slice(0, 9);
  }
  const entry = { login: account.login, password: account.password, sub: String(claims.sub), claims };
  accounts.set(entry.sub, entry);
  byLogin.set(account.login.toLowerCase(), entry);
}

async function findAccount(ctx, accountId) {
  const account = accounts.get(String(accountId));
  if (!account) return undefined;
  return {
    accountId: account.sub,
    async claims() { return { ...account.claims, sub: account.sub }; },
  };
}

// ---------------------------------------------------------------- pages (French)
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));
const STYLE = `body{font-family:Marianne,Arial,sans-serif;margin:0;color:#161616;background:#f6f6f6}
header{background:#000091;color:#fff;padding:1rem 2rem}header p{margin:0;font-weight:700}
main{max-width:28rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border:1px solid #ddd}
label{display:block;margin-top:1rem;font-weight:700}input{width:100%;box-sizing:border-box;
padding:.5rem;font-size:1rem;margin-top:.25rem}button{margin-top:1.5rem;padding:.6rem 1.2rem;
font-size:1rem;background:#000091;color:#fff;border:0;cursor:pointer}
.erreur{color:#ce0500;border-left:4px solid #ce0500;padding-left:.75rem}`;
function page(title, body) {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — ProConnect (local)</title>
<style>${STYLE}</style>
</head>
<body>
<header><p>ProConnect — fournisseur d'identité local de démonstration</p></header>
<main>
${body}
</main>
</body>
</html>`;
}

function loginPage(uid, { login = '', error = '', client = '' } = {}) {
  return page('Connexion', `<h1>Se connecter</h1>
${client ? `<p>Pour accéder à : <strong>${esc(client)}</strong></p>` : ''}
${error ? `<p class="erreur" role="alert" id="erreur">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" novalidate>
<label for="login">Adresse électronique</label>
<input id="login" name="login" type="email" autocomplete="username" required value="${esc(login)}"${error ? ' aria-describedby="erreur"' : ''}>
<label for="password">Mot de passe</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Se connecter</button>
</form>`);
}

async function logoutSource(ctx, form) {
  // the form given by oidc-provider (action + hidden xsrf) with « logout=yes » (end the
  // ProConnect session, as ProConnect does) and a visible button inside it
  const full = form.replace('</form>',
    '<input type="hidden" name="logout" value="yes">\n<button type="submit">Se déconnecter</button>\n</form>');
  ctx.type = 'html';
  ctx.body = page('Se déconnecter de ProConnect', `<h1>Se déconnecter de ProConnect</h1>
<p>Déconnexion en cours…</p>
${full}
<script>document.forms[0].submit()</script>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.body = page('Déconnexion réussie', `<h1>Vous êtes déconnecté de ProConnect</h1>
<p>Vous pouvez fermer cette page.</p>`);
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = page('Erreur', `<h1>Une erreur est survenue</h1>
<p class="erreur" role="alert"><strong>${esc(out.error)}</strong> : ${esc(out.error_description)}</p>`);
}

// ---------------------------------------------------------------- provider
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port ?? 0, config.host || '127.0.0.1', resolve);
});
const { port } = server.address();
const host = config.host || '127.0.0.1';
const issuer = config.issuer || `http://${host}:${port}`;

const clients = (config.clients || []).map((c) => ({
  token_endpoint_auth_method: 'client_secret_post',
  ...c,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  id_token_signed_response_alg: 'RS256',
  userinfo_signed_response_alg: 'RS256',
}));

const cookieKeys = config.cookie_keys
  || [sha256(`cookies:${JSON.stringify((config.jwks?.keys || []).map((k) => k.d))}`)];

const provider = new Provider(issuer, {
  adapter: createMemoryAdapter(15),
  clients,
  jwks: config.jwks,
  findAccount,
  acrValues: ['eidas1'],
  scopes: ['openid'],
  claims: {
    acr: null,
    amr: null,
    auth_time: null,
    sid: null,
    iss: null,
    // acr, amr and auth_time in every ID token, with or without acr_values / claims
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    ...Object.fromEntries(CLAIM_SCOPES.map((s) => [s, [s]])),
  },
  responseTypes: ['code'],
  clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
  pkce: { required: () => true },
  routes: ROUTES,
  ttl: TTL,
  cookies: { keys: cookieKeys },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    introspection: { enabled: false },
    revocation: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
    dPoP: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
  },
  enabledJWA: {
    idTokenSigningAlgValues: ['RS256'],
    userinfoSigningAlgValues: ['RS256'],
  },
  // confidential web clients calling from their server: no CORS
  clientBasedCORS: () => false,
  renderError,
});

for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error',
  'end_session.error', 'jwks.error', 'discovery.error', 'check_session.error']) {
  provider.on(event, (ctx, err) => {
    const detail = err?.error_description ? ` (${err.error_description})` : '';
    console.error(`${event}: ${err?.error || err?.name}: ${err?.message}${detail}`);
    if (event === 'server_error') console.error(err?.stack);
  });
}

// ProConnect refuses an authorization request without state or nonce
provider.use(async (ctx, next) => {
  if (ctx.method === 'GET' && ctx.path === ROUTES.authorization) {
    const missing = ['state', 'nonce'].filter((p) => !ctx.query[p]);
    if (missing.length) {
      ctx.status = 400;
      await renderError(ctx, {
        error: 'invalid_request',
        error_description: `paramètre obligatoire manquant : ${missing.join(', ')}`,
      });
      console.error(`authorization.error: invalid_request: missing ${missing.join(', ')}`);
      return;
    }
  }
  await next();
});

// ---------------------------------------------------------------- interactions
function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 64 * 1024) reject(new Error('request body too large'));
    });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
    req.on('error', reject);
  });
}

function sendHtml(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

// ProConnect asks no consent: the requested OIDC scopes and claims are granted
async function grantRequested(details, accountId) {
  const { params, prompt } = details;
  let grant;
  if (details.grantId) grant = await provider.Grant.find(details.grantId);
  if (!grant) grant = new provider.Grant({ accountId, clientId: params.client_id });
  const missing = prompt?.name === 'consent' ? prompt.details : {};
  const scopes = missing.missingOIDCScope
    || String(params.scope || '').split(' ').filter((s) => s === 'openid' || CLAIM_SCOPES.includes(s));
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  let claims = missing.missingOIDCClaims;
  if (!claims && params.claims) {
    try {
      const requested = JSON.parse(params.claims);
      claims = [...Object.keys(requested.id_token || {}), ...Object.keys(requested.userinfo || {})];
    } catch { claims = undefined; }
  }
  if (claims?.length) grant.addOIDCClaims(claims);
  for (const [indicator, s] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, s.join(' '));
  }
  const grantId = await grant.save();
  return details.grantId ? {} : { grantId };
}

async function interactions(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new errors.SessionNotFound('interaction session mismatch');
  const client = await provider.Client.find(details.params.client_id);
  const clientName = client?.clientName || details.params.client_id;

  if (details.prompt.name === 'consent') {
    const consent = await grantRequested(details, details.session.accountId);
    await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
    return;
  }
  if (details.prompt.name !== 'login') {
    sendHtml(res, 400, page('Erreur', `<h1>Une erreur est survenue</h1><p>Étape inconnue : ${esc(details.prompt.name)}</p>`));
    return;
  }
  if (req.method === 'GET' && !action) {
    sendHtml(res, 200, loginPage(uid, { login: details.params.login_hint, client: clientName }));
    return;
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const login = String(form.login || '').trim();
    const account = byLogin.get(login.toLowerCase());
    if (!account || account.password !== String(form.password || '')) {
      sendHtml(res, 401, loginPage(uid, {
        login,
        client: clientName,
        error: 'Adresse électronique ou mot de passe incorrect.',
      }));
      return;
    }
    const accountId = account.sub;
    const consent = await grantRequested({ ...details, grantId: undefined }, accountId);
    await provider.interactionFinished(req, res, {
      login: { accountId, acr: 'eidas1', amr: ['pwd'], remember: true },
      consent,
    }, { mergeWithLastSubmission: false });
    return;
  }
  res.statusCode = 405;
  res.end();
}

// ---------------------------------------------------------------- HTTP
const callback = provider.callback();
const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login))?\/?$/;
server.on('request', async (req, res) => {
  const path = (req.url || '/').split('?')[0];
  res.on('finish', () => console.log(`${req.method} ${path} ${res.statusCode}`));
  const m = INTERACTION.exec(path);
  if (!m) {
    callback(req, res);
    return;
  }
  try {
    await interactions(req, res, m[1], m[2]);
  } catch (err) {
    const expired = err instanceof errors.SessionNotFound;
    if (!expired) console.error(err?.stack || err);
    if (!res.headersSent) {
      sendHtml(res, expired ? 400 : 500, page('Erreur', `<h1>Une erreur est survenue</h1>
<p class="erreur" role="alert">${expired
    ? 'La demande de connexion a expiré ou est inconnue : recommencez depuis le site.'
    : 'Erreur interne du fournisseur d\'identité.'}</p>`));
    }
  }
});

if (config.port_file) {
  writeFileSync(`${config.port_file}.tmp`, `${port}\n`);
  renameSync(`${config.port_file}.tmp`, config.port_file);
}
console.log(`ProConnect local : ${issuer} (${accounts.size} comptes, ${clients.length} clients)`);

function shutdown(signal) {
  console.log(`${signal} : arrêt`);
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
