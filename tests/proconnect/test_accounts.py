"""Accounts of agents signed in through ProConnect (accounts.py), on the real database: found
by e-mail, created once even for two sign-ins at once, placed in their organisation, moved."""
from __future__ import annotations

import threading

import pytest
from ckan import model
from ckan.tests import factories

from ckanext.internalportal import settings
from ckanext.internalportal.proconnect import accounts, identity, mapping

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


def agent(**claims) -> identity.Identity:
    base = {"sub": "sub-1", "email": "camille.durand@interieur.gouv.fr",
            "given_name": "Camille", "usual_name": "Durand", "siret": "11000001500013"}
    return identity.from_claims({**base, **claims})


def rules(interior: dict, economy: dict | None = None) -> mapping.Mapping:
    entries = [{"organization": interior["name"], "siren": ["110000015"]}]
    if economy:
        entries.append({"organization": economy["name"], "siren": ["110000031"]})
    return mapping.parse(entries)


def capacity(user: model.User, org: dict) -> str | None:
    member = model.Session.query(model.Member).filter_by(
        group_id=org["id"], table_name="user", table_id=user.id, state="active").first()
    return member.capacity if member else None


def users_with(email: str) -> list[str]:
    return [u.name for u in model.Session.query(model.User).filter(
        model.User.email == email)]


def test_first_sign_in_creates_the_agent_in_their_ministry_then_updates_them():
    interior = factories.Organization()
    first = accounts.sign_in(agent(), rules(interior))
    assert first.created and first.user.name == "camille-durand"
    assert first.user.fullname == "Camille Durand"
    assert capacity(first.user, interior) == "member"
    assert first.matched_by == "siren"

    again = accounts.sign_in(agent(usual_name="Durand-Martin", sub="other-sub"), rules(interior))
    assert not again.created and again.user.id == first.user.id
    assert model.User.get(first.user.id).fullname == "Camille Durand-Martin"
    assert users_with("camille.durand@interieur.gouv.fr") == ["camille-durand"]


def test_an_existing_account_is_found_by_its_address_whatever_its_case():
    interior = factories.Organization()
    existing = factories.User(name="cdurand", email="Camille.Durand@Interieur.gouv.fr")
    outcome = accounts.sign_in(agent(), rules(interior))
    assert not outcome.created and outcome.user.id == existing["id"]
    assert capacity(outcome.user, interior) == "member"


def test_an_editor_keeps_their_role():
    interior = factories.Organization()
    existing = factories.User(email="camille.durand@interieur.gouv.fr")
    from ckan.plugins import toolkit as tk
    tk.get_action("organization_member_create")(
        {"ignore_auth": True, "user": existing["name"]},
        {"id": interior["id"], "username": existing["name"], "role": "editor"})
    outcome = accounts.sign_in(agent(), rules(interior))
    assert capacity(outcome.user, interior) == "editor"


def test_a_name_already_taken_gets_a_number():
    factories.User(name="camille-durand", email="someone.else@example.org")
    outcome = accounts.sign_in(agent(), mapping.EMPTY)
    assert outcome.user.name == "camille-durand-2"


def test_two_sign_ins_at_once_make_one_account():
    interior = factories.Organization()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def sign_in():
        try:
            barrier.wait(timeout=10)
            results.append(accounts.sign_in(agent(), rules(interior)).user.id)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            model.Session.remove()

    threads = [threading.Thread(target=sign_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(set(results)) == 1 and len(results) == 4
    assert users_with("camille.durand@interieur.gouv.fr") == ["camille-durand"]
    members = model.Session.query(model.Member).filter_by(
        group_id=interior["id"], table_name="user", table_id=results[0]).count()
    assert members == 1


def test_an_agent_who_moves_joins_the_new_ministry_and_leaves_the_old_one():
    interior, economy = factories.Organization(), factories.Organization()
    accounts.sign_in(agent(), rules(interior, economy))
    moved = accounts.sign_in(agent(siret="11000003100012"), rules(interior, economy))
    assert capacity(moved.user, economy) == "member"
    assert capacity(moved.user, interior) is None
    assert moved.left is not None and moved.left.id == interior["id"]


def test_an_agent_who_moves_keeps_the_old_ministry_when_the_option_says_so():
    interior, economy = factories.Organization(), factories.Organization()
    accounts.sign_in(agent(), rules(interior, economy))
    moved = accounts.sign_in(agent(siret="11000003100012"), rules(interior, economy),
                             leave_previous=False)
    assert capacity(moved.user, economy) == "member"
    assert capacity(moved.user, interior) == "member"
    assert moved.left is None


def test_a_membership_given_by_an_administrator_is_never_removed():
    interior, economy = factories.Organization(), factories.Organization()
    first = accounts.sign_in(agent(), rules(interior, economy))
    from ckan.plugins import toolkit as tk
    tk.get_action("organization_member_create")(
        {"ignore_auth": True, "user": first.user.name},
        {"id": interior["id"], "username": first.user.name, "role": "editor"})
    moved = accounts.sign_in(agent(siret="11000003100012"), rules(interior, economy))
    assert capacity(moved.user, interior) == "editor" and moved.left is None


def test_an_unknown_siret_signs_in_without_organisation_and_lands_in_the_admins_list():
    interior = factories.Organization()
    outcome = accounts.sign_in(agent(email="lou@entreprise.fr", siret="55200000000015"),
                               rules(interior))
    assert outcome.organization is None and outcome.matched_by is None
    assert capacity(outcome.user, interior) is None
    listed = accounts.unplaced()
    assert [(a["email"], a["siret"]) for a in listed] == [("lou@entreprise.fr",
                                                          "55200000000015")]
    # placed by an administrator: off the list
    from ckan.plugins import toolkit as tk
    tk.get_action("organization_member_create")(
        {"ignore_auth": True, "user": outcome.user.name},
        {"id": interior["id"], "username": outcome.user.name, "role": "member"})
    assert accounts.unplaced() == []


def test_a_deleted_account_cannot_come_back_through_proconnect():
    existing = factories.User(email="camille.durand@interieur.gouv.fr")
    from ckan.plugins import toolkit as tk
    tk.get_action("user_delete")({"ignore_auth": True}, {"id": existing["id"]})
    with pytest.raises(accounts.AccountRefused):
        accounts.sign_in(agent(), mapping.EMPTY)
    assert users_with("camille.durand@interieur.gouv.fr") == [existing["name"]]


def test_an_identity_ckan_refuses_creates_nothing(monkeypatch):
    # an address our rule lets through but CKAN's own validator refuses
    from ckanext.internalportal.proconnect import identity as identities
    refused = identities.Identity(sub="s", email="agent@exemple..fr", given_name="A",
                                  usual_name="B", siret="", uid="", idp_id="")
    with pytest.raises(accounts.AccountInvalid) as error:
        accounts.sign_in(refused, mapping.EMPTY)
    assert "email" in error.value.errors
    assert users_with("agent@exemple..fr") == []


def api_tokens(user_id: str) -> int:
    return model.Session.query(model.ApiToken).filter_by(user_id=user_id).count()


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", "true")
def test_a_self_registered_account_met_by_proconnect_loses_its_password_and_tokens():
    """Someone registered with an agent's address before the agent's first sign-in: they
    lose their way in before the agent's organisation is granted to the account."""
    interior = factories.Organization()
    squatter = factories.User(email="camille.durand@interieur.gouv.fr",
                              password="mot-de-passe-du-squatteur")
    factories.APIToken(user=squatter["name"])
    outcome = accounts.sign_in(agent(), rules(interior))
    assert outcome.secured and outcome.user.id == squatter["id"]
    model.Session.expire_all()
    user = model.User.get(squatter["id"])
    assert not user.validate_password("mot-de-passe-du-squatteur")
    assert api_tokens(user.id) == 0
    # later sign-ins leave the agent's own new tokens alone
    factories.APIToken(user=user.name)
    assert not accounts.sign_in(agent(), rules(interior)).secured
    assert api_tokens(user.id) == 1


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", "false")
def test_an_account_made_by_administrators_keeps_its_password_and_tokens():
    existing = factories.User(email="camille.durand@interieur.gouv.fr",
                              password="mot-de-passe-de-l-agent")
    factories.APIToken(user=existing["name"])
    outcome = accounts.sign_in(agent(), mapping.EMPTY)
    assert not outcome.secured
    model.Session.expire_all()
    assert model.User.get(existing["id"]).validate_password("mot-de-passe-de-l-agent")
    assert api_tokens(existing["id"]) == 1


@pytest.mark.ckan_config("ckan.auth.create_user_via_web", "true")
def test_a_sysadmin_keeps_their_password_and_tokens():
    admin = factories.Sysadmin(email="camille.durand@interieur.gouv.fr",
                               password="mot-de-passe-admin")
    factories.APIToken(user=admin["name"])
    assert not accounts.sign_in(agent(), mapping.EMPTY).secured
    model.Session.expire_all()
    assert model.User.get(admin["id"]).validate_password("mot-de-passe-admin")
    assert api_tokens(admin["id"]) == 1
