"""The share actions: ``dataset_share_create``, ``dataset_share_delete``, ``dataset_share_list``,
``organization_shared_datasets_list``, and who may grant, revoke and edit."""
from __future__ import annotations

import pytest
import ckan.plugins.toolkit as tk

from ckanext.internalportal import settings
from tests.sharing.support import as_user, dataset, events, sees, share_rows

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]

EDITORS_MAY_SHARE = "ckanext.internalportal.sharing.editors_may_share"
SHARES_CAN_EDIT = "ckanext.internalportal.sharing.shares_can_edit"


def finds(user, pkg) -> bool:
    result = as_user(user, "package_search", q=f'name:"{pkg["name"]}"', include_private=True)
    return pkg["id"] in {r["id"] for r in result["results"]}


def share(people, pkg, by="admin", **extra):
    return as_user(people[by], "dataset_share_create", id=pkg["id"],
                   organization=people["b"]["name"], **extra)


# ------------------------------------------------------------------ create, list, delete
def test_a_private_dataset_shared_with_b_is_seen_and_found_by_b_members_only(people):
    pkg = dataset(people, "private")
    assert not sees(people["b_member"], pkg) and not finds(people["b_member"], pkg)

    result = share(people, pkg, reason="Convention 2026", expires="2099-12-31")

    assert result["organization"]["id"] == people["b"]["id"]
    assert result["state"] == "active"
    assert result["expires"] == "2100-01-01T00:00:00"
    assert result["reason"] == "Convention 2026"
    assert result["can_edit"] is False
    for reader in ("b_member", "b_editor", "b_admin"):
        assert sees(people[reader], pkg) and finds(people[reader], pkg), reader
    for stranger in ("c_agent", "nobody", None):
        who = people.get(stranger) if stranger else None
        assert not sees(who, pkg) and not finds(who, pkg), stranger
    assert events(pkg["id"]) == ["granted"]


def test_a_share_of_a_restricted_dataset_gives_b_its_data_and_c_only_its_metadata(people):
    pkg = dataset(people, "restricted")
    url = pkg["resources"][0]["url"]
    assert as_user(people["b_member"], "package_show", id=pkg["id"])["resources"][0]["url"] == ""

    share(people, pkg)

    assert as_user(people["b_member"], "package_show", id=pkg["id"])["resources"][0]["url"] == url
    found = as_user(people["b_member"], "package_search", q=f'name:"{pkg["name"]}"',
                    include_private=True)["results"]
    assert found[0]["resources"][0]["url"] == url
    assert as_user(people["c_agent"], "package_show", id=pkg["id"])["resources"][0]["url"] == ""
    as_user(people["b_member"], "resource_show", id=pkg["resources"][0]["id"])
    with pytest.raises(tk.NotAuthorized):
        as_user(people["c_agent"], "resource_show", id=pkg["resources"][0]["id"])


def test_the_share_list_names_the_shares_in_force_for_the_owner_organisation(people):
    pkg = dataset(people, "private")
    share(people, pkg, reason="Étude commune")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["c"]["id"])

    for reader in ("member", "editor", "admin", "sysadmin"):
        listed = as_user(people[reader], "dataset_share_list", id=pkg["name"])
        assert [s["organization"]["name"] for s in listed] == \
            [people["b"]["name"], people["c"]["name"]], reader
    assert listed[0]["reason"] == "Étude commune"


def test_members_of_a_receiving_organisation_do_not_see_to_whom_else_it_is_shared(people):
    pkg = dataset(people, "private")
    share(people, pkg)
    with pytest.raises(tk.NotAuthorized):
        as_user(people["b_admin"], "dataset_share_list", id=pkg["id"])


def test_organization_shared_datasets_list_gives_what_b_receives_to_b_members(people):
    private, restricted, kept = (dataset(people, level) for level in
                                 ("private", "restricted", "private"))
    share(people, private)
    share(people, restricted)

    for reader in ("b_member", "b_admin", "sysadmin"):
        listed = as_user(people[reader], "organization_shared_datasets_list",
                         id=people["b"]["name"])
        assert {row["dataset"]["id"] for row in listed} == {private["id"], restricted["id"]}
    row = next(r for r in listed if r["dataset"]["id"] == restricted["id"])
    assert row["dataset"]["access_level"] == "restricted"
    assert row["dataset"]["organization"]["id"] == people["org"]["id"]
    assert row["share"]["organization"]["id"] == people["b"]["id"]
    assert kept["id"] not in {r["dataset"]["id"] for r in listed}


@pytest.mark.parametrize("stranger", ["c_agent", "nobody", "admin"])
def test_organization_shared_datasets_list_is_refused_to_non_members(people, stranger):
    share(people, dataset(people, "private"))
    with pytest.raises(tk.NotAuthorized):
        as_user(people[stranger], "organization_shared_datasets_list", id=people["b"]["id"])


def test_revoking_a_share_removes_b_access_at_once_everywhere(people):
    pkg = dataset(people, "private")
    share(people, pkg)
    assert finds(people["b_member"], pkg)

    result = as_user(people["admin"], "dataset_share_delete", id=pkg["name"],
                     organization=people["b"]["id"], reason="Fin de la convention")

    assert result["state"] == "revoked"
    assert not sees(people["b_member"], pkg)
    assert not finds(people["b_member"], pkg)
    assert as_user(people["b_member"], "organization_shared_datasets_list",
                   id=people["b"]["id"]) == []
    assert as_user(people["admin"], "dataset_share_list", id=pkg["id"]) == []
    assert share_rows(pkg["id"]) == [(people["b"]["id"], "revoked")]
    assert events(pkg["id"]) == ["granted", "revoked"]


def test_a_revoked_share_may_be_granted_again(people):
    pkg = dataset(people, "private")
    share(people, pkg)
    as_user(people["admin"], "dataset_share_delete", id=pkg["id"],
            organization=people["b"]["id"])
    share(people, pkg)
    assert sees(people["b_member"], pkg)
    assert share_rows(pkg["id"]) == [(people["b"]["id"], "active"),
                                     (people["b"]["id"], "revoked")]


# ------------------------------------------------------------------ who may grant
@pytest.mark.parametrize("granter", ["admin", "sysadmin"])
def test_owner_admins_and_sysadmins_share_and_revoke(people, granter):
    pkg = dataset(people, "private")
    share(people, pkg, by=granter)
    assert sees(people["b_member"], pkg)
    as_user(people[granter], "dataset_share_delete", id=pkg["id"],
            organization=people["b"]["id"])
    assert not sees(people["b_member"], pkg)


@pytest.mark.parametrize("granter", ["editor", "member", "b_admin", "b_editor", "c_agent"])
def test_others_may_not_share(people, granter):
    pkg = dataset(people, "restricted")
    with pytest.raises(tk.NotAuthorized):
        as_user(people[granter], "dataset_share_create", id=pkg["id"],
                organization=people["c"]["id"])
    assert share_rows(pkg["id"]) == []


def test_anonymous_may_not_share_and_does_not_learn_the_dataset_exists(people):
    pkg = dataset(people, "private")
    with pytest.raises(tk.ObjectNotFound):
        as_user(None, "dataset_share_create", id=pkg["id"], organization=people["b"]["id"])


@pytest.mark.parametrize("revoker", ["editor", "member", "b_admin", "b_member"])
def test_others_may_not_revoke(people, revoker):
    pkg = dataset(people, "private")
    share(people, pkg)
    with pytest.raises(tk.NotAuthorized):
        as_user(people[revoker], "dataset_share_delete", id=pkg["id"],
                organization=people["b"]["id"])
    assert sees(people["b_member"], pkg)
    assert share_rows(pkg["id"]) == [(people["b"]["id"], "active")]


@pytest.mark.ckan_config(EDITORS_MAY_SHARE, "true")
def test_owner_editors_share_and_revoke_when_the_option_allows_it(people):
    pkg = dataset(people, "private")
    share(people, pkg, by="editor")
    assert sees(people["b_member"], pkg)
    as_user(people["editor"], "dataset_share_delete", id=pkg["id"],
            organization=people["b"]["id"])
    assert not sees(people["b_member"], pkg)
    with pytest.raises(tk.NotAuthorized):
        share(people, pkg, by="member")


def test_receiving_members_cannot_reshare_to_a_third_organisation(people):
    pkg = dataset(people, "private")
    share(people, pkg)
    for receiver in ("b_admin", "b_editor", "b_member"):
        with pytest.raises(tk.NotAuthorized):
            as_user(people[receiver], "dataset_share_create", id=pkg["id"],
                    organization=people["c"]["id"])
    assert not sees(people["c_agent"], pkg)


# ------------------------------------------------------------------ editing
@pytest.mark.parametrize("receiver", ["b_admin", "b_editor"])
def test_receiving_members_cannot_edit_the_dataset(people, receiver):
    pkg = dataset(people, "private")
    share(people, pkg)
    with pytest.raises(tk.NotAuthorized):
        as_user(people[receiver], "package_patch", id=pkg["id"], title="Changé")
    assert as_user(people["admin"], "package_show", id=pkg["id"])["title"] == pkg["title"]


def test_a_share_cannot_carry_editor_rights_without_the_option(people):
    pkg = dataset(people, "private")
    with pytest.raises(tk.ValidationError) as error:
        share(people, pkg, can_edit=True)
    assert "can_edit" in error.value.error_dict
    assert share_rows(pkg["id"]) == []


@pytest.mark.ckan_config(SHARES_CAN_EDIT, "true")
def test_a_share_with_editor_rights_lets_b_editors_edit_when_the_option_allows_it(people):
    pkg = dataset(people, "private")
    assert share(people, pkg, can_edit=True)["can_edit"] is True

    as_user(people["b_editor"], "package_patch", id=pkg["id"], title="Mis à jour par B")

    assert as_user(people["admin"], "package_show", id=pkg["id"])["title"] == "Mis à jour par B"
    with pytest.raises(tk.NotAuthorized):
        as_user(people["b_member"], "package_patch", id=pkg["id"], title="Non")
    # editor rights do not include sharing
    with pytest.raises(tk.NotAuthorized):
        as_user(people["b_editor"], "dataset_share_create", id=pkg["id"],
                organization=people["c"]["id"])


@pytest.mark.ckan_config(SHARES_CAN_EDIT, "true")
def test_a_reading_share_does_not_let_b_edit_even_with_the_option(people):
    pkg = dataset(people, "private")
    share(people, pkg)
    with pytest.raises(tk.NotAuthorized):
        as_user(people["b_editor"], "package_patch", id=pkg["id"], title="Non")


@pytest.mark.ckan_config(SHARES_CAN_EDIT, "true")
def test_editor_rights_end_with_the_share(people):
    pkg = dataset(people, "private")
    share(people, pkg, can_edit=True)
    as_user(people["admin"], "dataset_share_delete", id=pkg["id"],
            organization=people["b"]["id"])
    with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound)):
        as_user(people["b_editor"], "package_patch", id=pkg["id"], title="Non")
