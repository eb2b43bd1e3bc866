"""The OpenID Connect client: Authlib does the protocol (authorization code with PKCE,
``state`` and ``nonce`` kept server-side and used once, ID token verified against the
provider's JWKS); this module configures it from the options and reads the userinfo answer,
which ProConnect signs (``application/jwt``) and other providers may send as plain JSON.

Every failure ends as a ``SignInError`` whose ``reason`` names the French page to show
(views.py): nothing here answers the browser.
"""
from __future__ import annotations

import logging
import threading
import time

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from authlib.common.errors import AuthlibBaseError
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from ckanext.internalportal.proconnect.options import Options

log = logging.getLogger(__name__)

NAME = "proconnect"
# the provider's metadata and keys are read again after this many seconds (a key rotation at
# the provider is also followed at once: an unknown key id fetches the keys again)
METADATA_TTL = 3600
LEEWAY = 60


class SignInError(Exception):
    """A sign-in that cannot go on. ``reason``: provider_unavailable, state, denied,
    invalid_token, missing_email, invalid_email, not_configured, account_deleted."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class RedisStateCache:
    """Authlib's cache for the authorization state: in CKAN's Redis, so that a ``state`` is
    used once even when the browser sends its old session cookie again (replay)."""

    prefix = "internalportal:proconnect:"

    def __init__(self):
        from ckan.lib.redis import connect_to_redis
        self.redis = connect_to_redis()

    def get(self, key):
        return self.redis.get(self.prefix + key)

    def set(self, key, value, expires_in):
        self.redis.set(self.prefix + key, value, ex=int(expires_in))

    def delete(self, key):
        self.redis.delete(self.prefix + key)


class _Integration(FlaskIntegration):
    # ten minutes to sign in at the provider, then the state is gone
    expires_in = 600


_lock = threading.Lock()
_apps: dict[tuple, tuple[float, FlaskOAuth2App]] = {}


def remote_app(options: Options) -> FlaskOAuth2App:
    """Authlib's client for these options (one per process, renewed every METADATA_TTL)."""
    if not options.configured:
        raise SignInError("not_configured")
    key = (options.discovery_url, options.client_id, options.client_secret, options.scopes,
           options.timeout)
    now = time.monotonic()
    with _lock:
        cached = _apps.get(key)
        if cached and now - cached[0] < METADATA_TTL:
            return cached[1]
        app = FlaskOAuth2App(
            _Integration(NAME, cache=RedisStateCache()), name=NAME,
            client_id=options.client_id, client_secret=options.client_secret,
            server_metadata_url=options.discovery_url,
            client_kwargs={"scope": options.scopes, "code_challenge_method": "S256",
                           "token_endpoint_auth_method": "client_secret_post",
                           "default_timeout": options.timeout})
        _apps.clear()
        _apps[key] = (now, app)
        return app


def reset() -> None:
    """Forget the clients (tests that change the provider)."""
    with _lock:
        _apps.clear()


def _provider_call(function, *args, **kwargs):
    """``function(*args, **kwargs)``, with the provider's network faults as SignInError."""
    try:
        return function(*args, **kwargs)
    except requests.Timeout as error:
        raise SignInError("provider_unavailable", f"délai dépassé : {error}")
    except requests.RequestException as error:
        raise SignInError("provider_unavailable", str(error))
    except ValueError as error:  # a discovery document or JWKS that is not JSON
        raise SignInError("provider_unavailable", f"réponse illisible : {error}")


def authorize_redirect(options: Options, redirect_uri: str):
    """The redirection to the provider's authorization endpoint (PKCE S256, state, nonce,
    acr_values), the state data kept by Authlib."""
    app = remote_app(options)
    extra = {"acr_values": options.acr_values} if options.acr_values else {}
    return _provider_call(app.authorize_redirect, redirect_uri, **extra)


def complete(options: Options) -> tuple[dict, str]:
    """The callback: the verified claims (ID token, then userinfo) and the raw ID token (kept
    for the logout). SignInError for any fault."""
    app = remote_app(options)
    from flask import request, session
    state = request.args.get("state") or request.form.get("state")
    if not state or app.framework.get_state_data(session, state) is None:
        # unknown, expired, used or another browser's: refused before any call to the provider
        raise SignInError("state", "état inconnu, expiré ou déjà utilisé")
    metadata = _provider_call(app.load_server_metadata)
    claims_options = {"iss": {"essential": True, "values": [metadata.get("issuer")]}}
    if options.acr_values:
        claims_options["acr"] = {"essential": True, "values": options.acr_values.split()}
    try:
        token = _provider_call(app.authorize_access_token, claims_options=claims_options,
                               leeway=LEEWAY)
    except MismatchingStateError as error:
        raise SignInError("state", str(error))
    except OAuthError as error:
        if error.error in ("access_denied", "login_required", "consent_required"):
            raise SignInError("denied", f"{error.error}: {error.description}")
        raise SignInError("invalid_token", f"{error.error}: {error.description}")
    except (JoseError, AuthlibBaseError) as error:
        raise SignInError("invalid_token", f"jeton d'identité : {error}")
    id_claims = dict(token.get("userinfo") or {})
    if not id_claims:
        raise SignInError("invalid_token", "pas de jeton d'identité (id_token)")
    userinfo = _provider_call(_userinfo, app, token, id_claims)
    return {**id_claims, **userinfo}, token.get("id_token", "")


def _keys(app: FlaskOAuth2App, force: bool = False) -> KeySet:
    return KeySet.import_key_set(app.fetch_jwk_set(force=force))


def _userinfo(app: FlaskOAuth2App, token: dict, id_claims: dict) -> dict:
    """The userinfo endpoint's claims: a signed JWT verified against the provider's keys
    (issuer, audience, expiry when present, signature), or plain JSON; its ``sub`` must be
    the ID token's (OpenID Connect Core, 5.3.2)."""
    metadata = app.load_server_metadata()
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint:
        return {}
    answer = app.get(endpoint, token=token)
    if answer.status_code >= 500:
        raise SignInError("provider_unavailable", f"userinfo : HTTP {answer.status_code}")
    if answer.status_code != 200:
        raise SignInError("invalid_token", f"userinfo : HTTP {answer.status_code}")
    kind = answer.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if kind == "application/jwt":
        claims = verify_jwt(answer.text.strip(), app, metadata)
    elif kind == "application/json":
        try:
            claims = answer.json()
        except ValueError as error:
            raise SignInError("invalid_token", f"userinfo illisible : {error}")
        if not isinstance(claims, dict):
            raise SignInError("invalid_token", "userinfo : un objet JSON est attendu")
    else:
        raise SignInError("invalid_token", f"userinfo : type {kind or '(aucun)'} inattendu")
    if claims.get("sub") != id_claims.get("sub"):
        raise SignInError("invalid_token", "userinfo : sub différent de celui du jeton")
    return claims


def verify_jwt(value: str, app: FlaskOAuth2App, metadata: dict) -> dict:
    """The claims of a JWT signed by the provider (one of its keys, one of its algorithms),
    for this client (aud), from this issuer, not expired; SignInError otherwise."""
    algorithms = metadata.get("userinfo_signing_alg_values_supported") or ["RS256", "ES256"]
    algorithms = [alg for alg in algorithms if alg != "none"]
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    try:
        try:
            decoded = jwt.decode(value, _keys(app), registry=registry)
        except InvalidKeyIdError:
            decoded = jwt.decode(value, _keys(app, force=True), registry=registry)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": metadata.get("issuer")},
            aud={"essential": True, "value": app.client_id},
            sub={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as error:
        raise SignInError("invalid_token", f"userinfo signé : {error}")
    return dict(decoded.claims)


def logout_url(options: Options, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout: id_token_hint, state,
    post_logout_redirect_uri), its state kept like a sign-in's; None when the provider has no
    end-session endpoint or cannot be reached."""
    try:
        app = remote_app(options)
        result = _provider_call(app.create_logout_url,
                                post_logout_redirect_uri=post_logout_redirect_uri,
                                id_token_hint=id_token or None)
    except (SignInError, RuntimeError) as error:
        log.warning("ProConnect : déconnexion auprès du fournisseur impossible (%s)", error)
        return None
    from flask import session
    app.framework.set_state_data(session, result["state"],
                                 {"post_logout_redirect_uri": post_logout_redirect_uri})
    return result["url"]


def logout_callback(options: Options) -> bool:
    """Whether the provider's return after logout carries the state the portal sent."""
    try:
        remote_app(options).validate_logout_response()
        return True
    except (OAuthError, SignInError):
        return False
