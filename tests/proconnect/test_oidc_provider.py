"""Self-test of the local ProConnect-like provider (scripts/oidc/provider.mjs), over real HTTP:
discovery, authorization code flow with PKCE, signed userinfo, RP-initiated logout.
No CKAN fixture (the project's pytest options still name test.ini):

    .venv/bin/python -m pytest -q -p no:logging --ckan-ini=test.ini tests/proconnect/test_oidc_provider.py
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import warnings
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import authlib.deprecate  # noqa: F401  (its import turns its warnings to « always »)
import pytest
import requests

from tests.proconnect.oidc_provider import start_provider

with warnings.catch_warnings():  # authlib.jose: deprecated for joserfc, still what Authlib uses
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

CLIENT_ID = "portail-test"
CLIENT_SECRET = "secret-" + secrets.token_urlsafe(8)
REDIRECT_URI = "http://127.0.0.1:5999/proconnect/callback"
LOGGED_OUT_URI = "http://127.0.0.1:5999/proconnect/logged-out"
LOGIN = "camille.durand@interieur.demo.gouv.fr"
PASSWORD = "mot-de-passe-" + secrets.token_urlsafe(6)
CLAIMS = {"email": LOGIN, "given_name": "Camille", "usual_name": "Durand",
          "siret": "11000001500013", "uid": "mi-0001"}
SCOPE = "openid email given_name usual_name siret uid"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    p = start_provider(
        clients=[{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                  "redirect_uris": [REDIRECT_URI],
                  "post_logout_redirect_uris": [LOGGED_OUT_URI]}],
        accounts=[{"login": LOGIN, "password": PASSWORD, "claims": CLAIMS}],
        workdir=tmp_path_factory.mktemp("oidc"))
    yield p
    p.stop()


@pytest.fixture(scope="module")
def discovery(provider):
    r = requests.get(provider.url + "/.well-known/openid-configuration", timeout=5)
    r.raise_for_status()
    return r.json()


class Forms(HTMLParser):
    """The forms of a page: action, method and inputs (name → value)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get"),
                               "inputs": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["inputs"][a["name"]] = a.get("value", "")
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse(html: str) -> Forms:
    f = Forms()
    f.feed(html)
    return f


def follow(session: requests.Session, response: requests.Response, stop_at: str) -> requests.Response | str:
    """Follow redirects by hand until one points at ``stop_at`` (returned as the URL, not
    fetched: no server there) or a page answers."""
    for _ in range(10):
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(stop_at):
            return location
        response = session.get(location, allow_redirects=False, timeout=5)
    raise AssertionError("too many redirects")


def jwks_of(discovery):
    return JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=5).json())


def login_flow(discovery, session: requests.Session):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    r = session.get(discovery["authorization_endpoint"], params={
        "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
        "scope": SCOPE, "state": state, "nonce": nonce, "acr_values": "eidas1",
        "code_challenge": challenge, "code_challenge_method": "S256",
    }, allow_redirects=False, timeout=5)
    page = follow(session, r, REDIRECT_URI)
    assert isinstance(page, requests.Response) and page.status_code == 200, page
    assert 'lang="fr"' in page.text and "<main>" in page.text
    assert "ProConnect — fournisseur d'identité local de démonstration" in page.text
    assert "Adresse électronique" in page.text and "Mot de passe" in page.text
    form = parse(page.text).forms[0]
    action = urljoin(page.url, form["action"])

    # wrong password: the same form, with an error
    bad = session.post(action, data={"login": LOGIN, "password": "faux"}, allow_redirects=False, timeout=5)
    assert bad.status_code == 401 and "incorrect" in bad.text and 'name="login"' in bad.text

    r = session.post(action, data={"login": LOGIN, "password": PASSWORD}, allow_redirects=False, timeout=5)
    back = follow(session, r, REDIRECT_URI)
    assert isinstance(back, str), back.text
    query = parse_qs(urlsplit(back).query)
    assert query["state"] == [state] and query["iss"] == [discovery["issuer"]]
    token = requests.post(discovery["token_endpoint"], data={
        "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code_verifier": verifier,
    }, timeout=5)
    assert token.status_code == 200, token.text
    return token.json(), nonce


def test_discovery(discovery, provider):
    assert discovery["issuer"] == provider.url
    assert set(SCOPE.split()) <= set(discovery["scopes_supported"])
    assert "eidas1" in discovery["acr_values_supported"]
    assert "RS256" in discovery["userinfo_signing_alg_values_supported"]
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert discovery["end_session_endpoint"].startswith(provider.url)
    assert "client_secret_post" in discovery["token_endpoint_auth_methods_supported"]
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    # the keys it publishes are the public halves of the helper's keys
    published = requests.get(discovery["jwks_uri"], timeout=5).json()["keys"]
    assert [k["kid"] for k in published] == [k["kid"] for k in provider.private_jwks["keys"]]
    assert all("d" not in k for k in published)


def test_code_flow_userinfo_and_logout(discovery):
    session = requests.Session()
    token, nonce = login_flow(discovery, session)
    keys = jwks_of(discovery)

    claims = jwt.decode(token["id_token"], keys, claims_cls=CodeIDToken,
                        claims_options={"iss": {"values": [discovery["issuer"]]}},
                        claims_params={"nonce": nonce, "client_id": CLIENT_ID})
    claims.validate()
    assert claims["aud"] == CLIENT_ID and claims["nonce"] == nonce
    assert claims["acr"] == "eidas1" and claims["amr"] == ["pwd"]
    sub = claims["sub"]
    assert sub == hashlib.sha256(LOGIN.encode()).hexdigest()

    r = requests.get(discovery["userinfo_endpoint"],
                     headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=5)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "application/jwt"
    info = jwt.decode(r.text, keys)
    info.validate()
    assert info["iss"] == discovery["issuer"] and info["aud"] == CLIENT_ID and info["sub"] == sub
    assert "exp" in info and "iat" in info
    for name, value in CLAIMS.items():
        assert info[name] == value

    # a second authorization reuses the ProConnect session: no login form, and no consent
    # page for a scope not granted yet
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    r = session.get(discovery["authorization_endpoint"], params={
        "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
        "scope": SCOPE + " siren", "state": "s2" * 10, "nonce": "n2" * 10, "acr_values": "eidas1",
        "code_challenge": challenge, "code_challenge_method": "S256"}, allow_redirects=False, timeout=5)
    assert isinstance(follow(session, r, REDIRECT_URI), str)

    # RP-initiated logout
    state = secrets.token_urlsafe(16)
    r = session.get(discovery["end_session_endpoint"], params={
        "id_token_hint": token["id_token"], "state": state,
        "post_logout_redirect_uri": LOGGED_OUT_URI}, allow_redirects=False, timeout=5)
    assert r.status_code == 200 and "Se déconnecter de ProConnect" in r.text
    form = parse(r.text).forms[0]
    assert "xsrf" in form["inputs"]
    r = session.post(urljoin(r.url, form["action"]), data=form["inputs"], allow_redirects=False, timeout=5)
    back = follow(session, r, LOGGED_OUT_URI)
    assert isinstance(back, str), back.text
    assert parse_qs(urlsplit(back).query)["state"] == [state]

    # the ProConnect session is over: the next authorization asks for the password again
    r = session.get(discovery["authorization_endpoint"], params={
        "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
        "scope": SCOPE, "state": "s3" * 10, "nonce": "n3" * 10, "prompt": "login",
        "code_challenge": challenge, "code_challenge_method": "S256"}, allow_redirects=False, timeout=5)
    page = follow(session, r, REDIRECT_URI)
    assert isinstance(page, requests.Response) and 'name="password"' in page.text


def test_pkce_and_nonce_required(discovery):
    base = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
            "scope": "openid email", "state": "x" * 20, "nonce": "y" * 20}
    r = requests.get(discovery["authorization_endpoint"], params=base, allow_redirects=False, timeout=5)
    # no code_challenge: the error goes back to the client
    assert r.status_code in (302, 303)
    assert parse_qs(urlsplit(r.headers["Location"]).query)["error"] == ["invalid_request"]
    r = requests.get(discovery["authorization_endpoint"],
                     params={**base, "nonce": "", "code_challenge": "a" * 43,
                             "code_challenge_method": "S256"}, allow_redirects=False, timeout=5)
    assert r.status_code == 400 and "nonce" in r.text


def test_account_without_email(tmp_path):
    """An account may lack the email claim (ProConnect's « e-mail claim missing » case)."""
    p = start_provider(
        clients=[{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                  "redirect_uris": [REDIRECT_URI], "post_logout_redirect_uris": [LOGGED_OUT_URI]}],
        accounts=[{"login": LOGIN, "password": PASSWORD,
                   "claims": {k: v for k, v in CLAIMS.items() if k != "email"}}],
        workdir=tmp_path)
    try:
        disc = requests.get(p.url + "/.well-known/openid-configuration", timeout=5).json()
        token, _ = login_flow(disc, requests.Session())
        r = requests.get(disc["userinfo_endpoint"],
                         headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=5)
        info = jwt.decode(r.text, jwks_of(disc))
        assert "email" not in info and info["usual_name"] == "Durand" and info["siret"] == CLAIMS["siret"]
    finally:
        p.stop()
