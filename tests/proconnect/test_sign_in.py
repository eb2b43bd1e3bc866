"""Signing in with ProConnect, end to end over HTTP against the real local OpenID provider:
the agent lands signed in, in their ministry, sees what is shared with it; signing out ends
both sessions."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from ckan import model

from ckanext.internalportal import settings
from tests.proconnect.conftest import forms, path_of

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def member_of(email: str) -> set[str]:
    user = model.User.by_email(email)
    if user is None:
        return set()
    return {g.name for g in user.get_groups("organization")}


def test_the_sign_in_page_shows_the_proconnect_button(proconnect):
    page = proconnect.browser().get(f"{proconnect.portal}/user/login?came_from=/dataset",
                                    timeout=30)
    assert page.status_code == 200
    assert 'class="fr-connect fr-connect--pro"' in page.text
    assert "S’identifier avec" in text(page.text) or "S'identifier avec" in text(page.text)
    assert 'name="came_from" value="/dataset"' in page.text
    assert 'id="login-form"' in page.text  # CKAN's own form stays (local_login = all)


def test_an_agent_of_ministry_b_lands_signed_in_member_of_b(proconnect):
    browser = proconnect.browser()
    answer = proconnect.sign_in(browser, "camille.durand@b.gouv.fr", came_from="/dataset/")
    assert answer.status_code == 302
    assert path_of(answer.headers["Location"]) == "/dataset/"
    assert member_of("camille.durand@b.gouv.fr") == {"ministere-b"}
    user = model.User.by_email("camille.durand@b.gouv.fr")
    assert user.fullname == "Camille Durand" and user.name == "camille-durand"
    page = browser.get(f"{proconnect.portal}/dataset/", timeout=30)
    assert ("Vous êtes connecté(e) avec ProConnect, membre de l'organisation « Ministère B »."
            in text(page.text))
    # the authorization asked what ProConnect documents
    authorize = next(u for u in proconnect.visited if "/authorize" in u)
    query = parse_qs(urlsplit(authorize).query)
    assert query["acr_values"] == ["eidas1"] and query["code_challenge_method"] == ["S256"]
    assert set("openid email given_name usual_name siret uid".split()) <= set(
        query["scope"][0].split())
    assert query["state"][0] and query["nonce"][0]


def shared_world(proconnect):
    """A third ministry's private dataset shared with B, and another one not shared."""
    from ckan.tests import factories, helpers
    from tests.factories import create_dataset, well_filled
    owner = factories.Organization(name="ministere-c", title="Ministère C")
    shared = create_dataset(owner, **well_filled(access_level="private",
                                                 title="Signalements partagés avec B"))
    helpers.call_action("dataset_share_create", id=shared["id"],
                        organization=proconnect.orgs["ministere-b"]["id"], reason="test")
    hidden = create_dataset(owner, **well_filled(access_level="private",
                                                 title="Jeu interne de C"))
    return shared, hidden


def test_b_s_shared_datasets_are_visible_at_once(proconnect):
    shared, hidden = shared_world(proconnect)
    browser = proconnect.browser()
    proconnect.sign_in(browser, "camille.durand@b.gouv.fr")
    assert browser.get(f"{proconnect.portal}/dataset/{shared['name']}",
                       timeout=30).status_code == 200
    assert browser.get(f"{proconnect.portal}/dataset/{hidden['name']}",
                       timeout=30).status_code == 404
    shared_page = text(browser.get(f"{proconnect.portal}/partages", timeout=30).text)
    assert "Signalements partagés avec B" in shared_page
    assert "Jeu interne de C" not in shared_page


def test_an_agent_of_no_ministry_sees_public_data_only_and_is_told_how_to_ask(proconnect):
    shared, hidden = shared_world(proconnect)
    browser = proconnect.browser()
    answer = proconnect.sign_in(browser, "lou.garnier@entreprise.fr")
    assert answer.status_code == 302
    assert member_of("lou.garnier@entreprise.fr") == set()
    page = text(browser.get(answer.headers["Location"], timeout=30).text)
    assert ("aucune organisation du portail ne correspond à votre établissement "
            "(SIRET 55200000000015) : vous ne voyez que les données publiques") in page
    assert "donnees@portail.example.gouv.fr" in page
    for pkg in (shared, hidden):
        assert browser.get(f"{proconnect.portal}/dataset/{pkg['name']}",
                           timeout=30).status_code == 404


def test_signing_out_ends_the_portal_s_and_the_provider_s_sessions(proconnect):
    browser = proconnect.browser()
    proconnect.sign_in(browser, "camille.durand@b.gouv.fr")
    assert browser.get(f"{proconnect.portal}/dashboard/datasets", allow_redirects=False,
                       timeout=30).status_code == 200
    out = browser.get(f"{proconnect.portal}/user/_logout", allow_redirects=False, timeout=30)
    assert out.status_code == 302
    end_session = out.headers["Location"]
    query = parse_qs(urlsplit(end_session).query)
    assert end_session.startswith(proconnect.stack.provider.url)
    assert query["post_logout_redirect_uri"] == [f"{proconnect.portal}/proconnect/logged-out"]
    assert query["id_token_hint"][0].count(".") == 2 and query["state"][0]
    # the provider's page asks to confirm (a browser submits it by itself)
    confirm = browser.get(end_session, allow_redirects=False, timeout=30)
    assert confirm.status_code == 200
    form = forms(confirm.text)[0]
    from urllib.parse import urljoin
    back = browser.post(urljoin(confirm.url, form["action"]), data=form["inputs"],
                        allow_redirects=False, timeout=30)
    landing = proconnect.follow(browser, back)
    assert landing.status_code == 200
    assert path_of(proconnect.visited[-1]).startswith("/user/logged_out_redirect")
    # signed out of the portal
    assert browser.get(f"{proconnect.portal}/dashboard/datasets", allow_redirects=False,
                       timeout=30).status_code in (302, 403)
    # and of ProConnect: signing in again asks for the password again
    start, page = proconnect.to_provider(browser)
    assert page.status_code == 200 and 'name="password"' in page.text


def test_a_second_sign_in_updates_the_same_account(proconnect):
    proconnect.sign_in(proconnect.browser(), "camille.durand@b.gouv.fr")
    user = model.User.by_email("camille.durand@b.gouv.fr")
    user.fullname = "Ancien nom"
    model.Session.commit()
    proconnect.sign_in(proconnect.browser(), "camille.durand@b.gouv.fr")
    model.Session.expire_all()
    users = model.Session.query(model.User).filter_by(email="camille.durand@b.gouv.fr").all()
    assert [u.fullname for u in users] == ["Camille Durand"]
