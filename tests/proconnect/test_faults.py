"""Faults and bad input on the way in through ProConnect: every one ends on a clear French
page (4xx or 503, never 500), with no account created or changed and no redirect outside the
portal. The provider is the real one; the fault injector in front of it (fault_proxy.py)
changes its answers, re-signing tokens with its real key (expired, wrong nonce) or another
key."""
from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from ckan import model
from ckan.tests import factories
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from ckanext.internalportal import settings
from tests.proconnect.conftest import path_of

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins")]

AGENT = "camille.durand@b.gouv.fr"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def user_count() -> int:
    return model.Session.query(model.User).filter(model.User.name != "test.internalportal"
                                                  ).count()


def refused(answer, status: int, title: str) -> str:
    """The French page of a refused sign-in; its text."""
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    assert "Location" not in answer.headers
    page = text(answer.text)
    assert title in page, page[:600]
    assert "Revenir à la page de connexion" in page
    return page


def not_signed_in(proconnect, browser) -> None:
    assert browser.get(f"{proconnect.portal}/dashboard/datasets", allow_redirects=False,
                       timeout=30).status_code != 200
    assert model.User.by_email(AGENT) is None


# --------------------------------------------------------------------- tokens re-signed
def provider_key(proconnect) -> RSAKey:
    return RSAKey.import_key(proconnect.stack.provider.private_jwks["keys"][0])


def stranger_key(proconnect) -> RSAKey:
    """A key of the same kid as the provider's, which the provider never published."""
    kid = proconnect.stack.provider.private_jwks["keys"][0]["kid"]
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256"}, private=True)


def resigned(proconnect, token: str, key: RSAKey, **changes) -> str:
    claims = dict(jwt.decode(token, KeySet([provider_key(proconnect)])).claims)
    claims.update(changes)
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def flip_one_character_of_the_payload(token: str) -> str:
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    swapped = "A" if payload[middle] != "A" else "B"
    return ".".join([header, payload[:middle] + swapped + payload[middle + 1:], signature])


def past() -> int:
    return int(time.time()) - 3600


ID_TOKEN_FAULTS = {
    "tampered": lambda p, t: flip_one_character_of_the_payload(t),
    "wrong key": lambda p, t: resigned(p, t, stranger_key(p)),
    "expired": lambda p, t: resigned(p, t, provider_key(p), exp=past(), iat=past() - 60),
    "wrong nonce": lambda p, t: resigned(p, t, provider_key(p), nonce="un-autre-nonce"),
    "another audience": lambda p, t: resigned(p, t, provider_key(p), aud="un-autre-client"),
    "another issuer": lambda p, t: resigned(p, t, provider_key(p), iss="https://faux.example"),
    "another acr": lambda p, t: resigned(p, t, provider_key(p), acr="eidas0"),
}

USERINFO_FAULTS = {
    "tampered": lambda p, t: flip_one_character_of_the_payload(t),
    "wrong key": lambda p, t: resigned(p, t, stranger_key(p)),
    "expired": lambda p, t: resigned(p, t, provider_key(p), exp=past(), iat=past() - 60),
    "another audience": lambda p, t: resigned(p, t, provider_key(p), aud="un-autre-client"),
    "another subject": lambda p, t: resigned(p, t, provider_key(p), sub="quelqu-un-d-autre"),
    "unsigned": lambda p, t: t.split(".")[0] + "." + t.split(".")[1] + ".",
}


@pytest.mark.parametrize("fault", sorted(ID_TOKEN_FAULTS))
def test_an_id_token_that_fails_its_checks_signs_nobody_in(proconnect, fault):
    before = user_count()
    change = ID_TOKEN_FAULTS[fault]
    proconnect.proxy.token_hook = lambda token: {**token, "id_token": change(
        proconnect, token["id_token"])}
    browser = proconnect.browser()
    refused(proconnect.sign_in(browser, AGENT), 400,
            "La réponse de ProConnect n'a pas pu être vérifiée")
    assert user_count() == before
    not_signed_in(proconnect, browser)


@pytest.mark.parametrize("fault", sorted(USERINFO_FAULTS))
def test_a_userinfo_that_fails_its_checks_signs_nobody_in(proconnect, fault):
    before = user_count()
    change = USERINFO_FAULTS[fault]
    proconnect.proxy.userinfo_hook = lambda body: change(proconnect, body.strip())
    browser = proconnect.browser()
    refused(proconnect.sign_in(browser, AGENT), 400,
            "La réponse de ProConnect n'a pas pu être vérifiée")
    assert user_count() == before
    not_signed_in(proconnect, browser)


def test_a_failed_sign_in_leaves_an_existing_account_as_it_was(proconnect):
    existing = factories.User(email=AGENT, fullname="Nom d'origine")
    proconnect.proxy.userinfo_hook = lambda body: USERINFO_FAULTS["expired"](
        proconnect, body.strip())
    refused(proconnect.sign_in(proconnect.browser(), AGENT), 400,
            "La réponse de ProConnect n'a pas pu être vérifiée")
    model.Session.expire_all()
    user = model.User.get(existing["id"])
    assert user.fullname == "Nom d'origine"
    assert user.get_groups("organization") == []


# --------------------------------------------------------------------- state
def test_a_replayed_callback_is_refused(proconnect):
    browser = proconnect.browser()
    callback = proconnect.sign_in(browser, AGENT, stop_at_callback=True)
    assert browser.get(callback, allow_redirects=False, timeout=30).status_code == 302
    user = model.User.by_email(AGENT)
    before = user_count()
    # the same browser, then another one with the first one's cookies (a stolen URL)
    refused(browser.get(callback, allow_redirects=False, timeout=30), 400,
            "Cette demande de connexion n'est plus valable")
    thief = proconnect.browser()
    thief.cookies.update(browser.cookies)
    refused(thief.get(callback, allow_redirects=False, timeout=30), 400,
            "Cette demande de connexion n'est plus valable")
    assert user_count() == before and model.User.by_email(AGENT).id == user.id


@pytest.mark.parametrize("query", ["code=abc", "code=abc&state=", "code=abc&state=inconnu",
                                   "", "state=inconnu"])
def test_a_callback_without_the_portal_s_state_is_refused(proconnect, query):
    before = user_count()
    answer = proconnect.browser().get(f"{proconnect.portal}/proconnect/callback?{query}",
                                      allow_redirects=False, timeout=30)
    refused(answer, 400, "Cette demande de connexion n'est plus valable")
    assert user_count() == before


def test_a_state_from_another_browser_is_refused(proconnect):
    """Login CSRF: a callback started in the attacker's browser, opened in the victim's."""
    attacker = proconnect.browser()
    callback = proconnect.sign_in(attacker, AGENT, stop_at_callback=True)
    victim = proconnect.browser()
    refused(victim.get(callback, allow_redirects=False, timeout=30), 400,
            "Cette demande de connexion n'est plus valable")
    assert model.User.by_email(AGENT) is None


def test_a_sign_in_cancelled_at_the_provider(proconnect):
    browser = proconnect.browser()
    proconnect.to_provider(browser)
    authorize = next(u for u in proconnect.visited if "/authorize" in u)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    answer = browser.get(f"{proconnect.portal}/proconnect/callback",
                         params={"error": "access_denied", "state": state},
                         allow_redirects=False, timeout=30)
    refused(answer, 400, "Connexion annulée")


# --------------------------------------------------------------------- identity
def test_an_identity_without_e_mail_opens_no_account(proconnect):
    before = user_count()
    browser = proconnect.browser()
    page = refused(proconnect.sign_in(browser, "sans.adresse"), 400,
                   "Votre adresse électronique manque")
    assert "ProConnect n'a pas transmis votre adresse électronique professionnelle" in page
    assert user_count() == before


def test_a_deleted_account_cannot_sign_in_again(proconnect):
    existing = factories.User(email=AGENT)
    from ckan.tests import helpers
    helpers.call_action("user_delete", id=existing["id"])
    before = user_count()
    refused(proconnect.sign_in(proconnect.browser(), AGENT), 403, "Ce compte a été fermé")
    assert user_count() == before


# --------------------------------------------------------------------- provider down, slow
def test_the_provider_down_before_the_sign_in(proconnect):
    proconnect.proxy.down = True
    start, page = proconnect.to_provider(proconnect.browser())
    refused(start, 503, "ProConnect ne répond pas")


def test_the_provider_unreachable(proconnect, monkeypatch):
    import ckan.plugins.toolkit as tk
    from tests.proconnect.conftest import _free_port
    monkeypatch.setitem(tk.config, "ckanext.internalportal.proconnect.discovery_url",
                        f"http://127.0.0.1:{_free_port()}/.well-known/openid-configuration")
    start, page = proconnect.to_provider(proconnect.browser())
    refused(start, 503, "ProConnect ne répond pas")


def test_the_provider_down_at_the_token_step(proconnect):
    before = user_count()
    browser = proconnect.browser()
    callback = proconnect.sign_in(browser, AGENT, stop_at_callback=True)
    proconnect.proxy.down = True
    refused(browser.get(callback, allow_redirects=False, timeout=30), 503,
            "ProConnect ne répond pas")
    assert user_count() == before


def test_the_provider_too_slow_at_the_token_step(proconnect):
    before = user_count()
    browser = proconnect.browser()
    callback = proconnect.sign_in(browser, AGENT, stop_at_callback=True)
    proconnect.proxy.delay = 3  # the portal waits 2 s (timeout of the fixture)
    started = time.monotonic()
    refused(browser.get(callback, allow_redirects=False, timeout=30), 503,
            "ProConnect ne répond pas")
    assert time.monotonic() - started < 10
    assert user_count() == before


# --------------------------------------------------------------------- came_from
@pytest.mark.parametrize("came_from", ["https://evil.example/", "//evil.example/",
                                       "/\\evil.example", "javascript:alert(1)"])
def test_came_from_outside_the_portal_never_leaves_it(proconnect, came_from):
    answer = proconnect.sign_in(proconnect.browser(), AGENT, came_from=came_from)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(proconnect.portal + "/") or location.startswith("/")
    assert path_of(location) == "/dashboard/datasets"


# --------------------------------------------------------------------- plain JSON userinfo
def userinfo_as_json(proconnect, body: str, **changes):
    """What a provider that does not sign its userinfo answers: the same claims, as JSON."""
    import json
    claims = dict(jwt.decode(body.strip(), KeySet([provider_key(proconnect)])).claims)
    claims.update(changes)
    return json.dumps(claims), "application/json; charset=utf-8"


def test_a_plain_json_userinfo_of_another_provider_is_accepted(proconnect):
    proconnect.proxy.userinfo_hook = lambda body: userinfo_as_json(proconnect, body)
    answer = proconnect.sign_in(proconnect.browser(), AGENT)
    assert answer.status_code == 302
    user = model.User.by_email(AGENT)
    assert user.fullname == "Camille Durand"
    assert {g.name for g in user.get_groups("organization")} == {"ministere-b"}


def test_a_plain_json_userinfo_about_someone_else_is_refused(proconnect):
    proconnect.proxy.userinfo_hook = lambda body: userinfo_as_json(
        proconnect, body, sub="quelqu-un-d-autre", email="autre@b.gouv.fr")
    refused(proconnect.sign_in(proconnect.browser(), AGENT), 400,
            "La réponse de ProConnect n'a pas pu être vérifiée")
    assert model.User.by_email("autre@b.gouv.fr") is None and model.User.by_email(AGENT) is None


def test_a_userinfo_of_another_type_is_refused(proconnect):
    proconnect.proxy.userinfo_hook = lambda body: ("<html>erreur</html>", "text/html")
    refused(proconnect.sign_in(proconnect.browser(), AGENT), 400,
            "La réponse de ProConnect n'a pas pu être vérifiée")


# --------------------------------------------------------------------- logout, provider down
def test_signing_out_while_the_provider_is_unreachable_still_signs_out_of_the_portal(
        proconnect):
    from ckanext.internalportal.proconnect import client
    browser = proconnect.browser()
    proconnect.sign_in(browser, AGENT)
    client.reset()  # its address book forgotten (a restart), and the provider down
    proconnect.proxy.down = True
    out = browser.get(f"{proconnect.portal}/user/_logout", allow_redirects=False, timeout=30)
    assert out.status_code == 302
    assert path_of(out.headers["Location"]).startswith("/user/logged_out_redirect")
    page = text(browser.get(out.headers["Location"], timeout=30).text)
    assert "ProConnect n'a pas pu être joint : fermez votre navigateur" in page
    assert browser.get(f"{proconnect.portal}/dashboard/datasets", allow_redirects=False,
                       timeout=30).status_code != 200


def test_a_return_from_logout_with_a_wrong_state_changes_nothing(proconnect):
    answer = proconnect.browser().get(f"{proconnect.portal}/proconnect/logged-out?state=faux",
                                      allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    assert path_of(answer.headers["Location"]).startswith("/user/logged_out_redirect")
