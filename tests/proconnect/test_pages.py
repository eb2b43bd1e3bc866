"""The pages around the sign-in, through the web app: CKAN's password form as the option
``local_login`` allows it (all, sysadmins, off), and the sysadmins' « Comptes à rattacher »."""
from __future__ import annotations

import re
from html import unescape

import pytest
from ckan.tests import factories

from ckanext.internalportal import settings
from ckanext.internalportal.proconnect import accounts, identity, mapping
from tests.sharing.support import headers

OPT = "ckanext.internalportal.proconnect."
pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.ckan_config(OPT + "client_id", "portail-tests"),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def log_in(app, login, password="correct horse battery staple", status=None):
    return app.post("/user/login", data={"login": login, "password": password},
                    follow_redirects=False, status=status)


def test_without_a_client_id_there_is_no_proconnect_button(app, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, OPT + "client_id", "")
    page = app.get("/user/login").body
    assert "fr-connect" not in page and 'id="login-form"' in page


def test_with_local_login_all_anyone_signs_in_with_a_password(app):
    user = factories.User(password="correct horse battery staple")
    page = app.get("/user/login").body
    assert "fr-connect--pro" in page and 'id="login-form"' in page
    assert log_in(app, user["name"]).status_code == 302


@pytest.mark.ckan_config(OPT + "local_login", "sysadmins")
def test_with_local_login_sysadmins_only_administrators_use_a_password(app):
    agent = factories.User(password="correct horse battery staple")
    admin = factories.Sysadmin(password="correct horse battery staple")
    page = text(app.get("/user/login").body)
    assert "La connexion par mot de passe ci-dessous est réservée aux administrateurs" in page
    refused = log_in(app, agent["name"], status=403)
    assert ("La connexion par mot de passe est réservée aux administrateurs du portail : "
            "identifiez-vous avec ProConnect.") in text(refused.body)
    # a wrong password stays CKAN's own message
    assert "Authentification échouée" in text(log_in(app, admin["name"], "faux", status=200).body)
    assert log_in(app, admin["name"]).status_code == 302


@pytest.mark.ckan_config(OPT + "local_login", "off")
def test_with_local_login_off_the_form_is_gone_and_a_post_is_refused(app):
    admin = factories.Sysadmin(password="correct horse battery staple")
    page = app.get("/user/login").body
    assert "fr-connect--pro" in page and 'id="login-form"' not in page
    refused = log_in(app, admin["name"], status=403)
    assert "La connexion par mot de passe est désactivée sur ce portail" in text(refused.body)
    # API tokens still work
    token = factories.APIToken(user=admin["name"])["token"]
    assert app.get("/api/3/action/proconnect_unplaced_account_list",
                   headers={"Authorization": token}).json["success"] is True


def unplaced_agent():
    return accounts.sign_in(identity.from_claims({
        "sub": "x", "email": "lou.garnier@entreprise.fr", "given_name": "Lou",
        "usual_name": "Garnier", "siret": "55200000000015"}), mapping.EMPTY).user


def test_sysadmins_see_the_accounts_to_place(app):
    unplaced_agent()
    admin = factories.SysadminWithToken()
    page = text(app.get("/ckan-admin/proconnect", headers=headers(admin)).body)
    assert "Comptes à rattacher" in page
    assert "Lou Garnier" in page and "lou.garnier@entreprise.fr" in page
    assert "55200000000015" in page


@pytest.mark.parametrize("who", ["anonymous", "agent", "org_admin"])
def test_nobody_else_sees_them(app, who):
    unplaced_agent()
    user = None
    if who == "agent":
        user = factories.UserWithToken()
    elif who == "org_admin":
        user = factories.UserWithToken()
        factories.Organization(users=[{"name": user["name"], "capacity": "admin"}])
    answer = app.get("/ckan-admin/proconnect", headers=headers(user) if user else {},
                     status=403)
    assert "lou.garnier@entreprise.fr" not in answer.body
    api = app.get("/api/3/action/proconnect_unplaced_account_list",
                  headers=headers(user) if user else {}, status=403)
    assert "lou.garnier" not in api.body


def test_a_bad_limit_is_refused_in_french(app):
    admin = factories.SysadminWithToken()
    answer = app.get("/api/3/action/proconnect_unplaced_account_list?limit=zero",
                     headers={"Authorization": admin["token"]}, status=409)
    assert "Indiquez un nombre entier entre 1 et 5000." in answer.body


def test_a_callback_with_an_unknown_state_is_refused_without_calling_the_provider(app):
    # the discovery URL is ProConnect's production: no network here, and none needed
    answer = app.get("/proconnect/callback?code=x&state=inconnu", status=400)
    assert "Cette demande de connexion n'est plus valable" in text(answer.body)


def test_without_a_client_id_the_proconnect_pages_say_it_is_not_available(app, ckan_config,
                                                                           monkeypatch):
    monkeypatch.setitem(ckan_config, OPT + "client_id", "")
    answer = app.get("/proconnect/login", status=404)
    assert "ProConnect n'est pas disponible sur ce portail" in text(answer.body)


def test_a_broken_mapping_file_stops_the_start_with_a_french_message(tmp_path, ckan_config,
                                                                      monkeypatch):
    from ckanext.internalportal.proconnect import registry
    from ckanext.internalportal.proconnect.plugin import ProConnectPlugin
    broken = tmp_path / "rattachement.yaml"
    broken.write_text("- organization: ministere-a\n  siret: ['123']\n", encoding="utf-8")
    monkeypatch.setitem(ckan_config, OPT + "mapping_file", str(broken))
    monkeypatch.setattr(registry, "_cache", {})
    with pytest.raises(mapping.MappingError, match="un SIRET a 14 chiffres"):
        ProConnectPlugin().configure(ckan_config)


def test_a_mapping_file_broken_while_running_keeps_the_last_good_one(tmp_path, ckan_config,
                                                                     monkeypatch):
    import os
    from ckanext.internalportal.proconnect import options, registry
    good = tmp_path / "rattachement.yaml"
    good.write_text("- organization: ministere-a\n  siren: ['110000015']\n", encoding="utf-8")
    monkeypatch.setitem(ckan_config, OPT + "mapping_file", str(good))
    monkeypatch.setattr(registry, "_cache", {})
    first = registry.current_mapping(options.read())
    good.write_text("- organization: [\n", encoding="utf-8")
    os.utime(good, (1, 1))
    assert registry.current_mapping(options.read()) == first
    good.write_text("- organization: ministere-b\n  siren: ['110000015']\n", encoding="utf-8")
    os.utime(good, (2, 2))
    assert registry.current_mapping(options.read()).siren == {"110000015": "ministere-b"}
