"""Bad input to the sharing actions, over the API as a client sends it: the status CKAN maps the
error to (409 ValidationError, 403 NotAuthorized, 404 NotFound), a French message naming the
field, and nothing changed — no share, request, audit row or activity, the same labels in the
search index, and no e-mail."""
from __future__ import annotations

from typing import Any

import pytest
from ckan import model
from ckan.tests import factories, helpers
from ckan.lib.search.common import make_connection

from ckanext.internalportal import settings
from ckanext.internalportal.sharing.model import AccessRequest, Share, SharingEvent
from tests.sharing.support import as_user, dataset, headers, world

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]

# the French the messages read in (the site's language); msgid -> French
FRENCH = {
    "unknown_org": "Organisation inconnue : {name}",
    "owner": "Le jeu de données appartient déjà à cette organisation.",
    "past": "La date d'échéance doit être dans le futur.",
    "not_a_date": "Ce n'est pas une date : indiquez-la au format AAAA-MM-JJ (par exemple "
                  "2027-03-31).",
    "public": "Un jeu de données public est vu par tous : il n'y a rien à partager.",
    "internal": "Un jeu de données interne est déjà vu par tous les agents : il n'y a rien à "
                "partager.",
    "already_shared": "Le jeu de données est déjà partagé avec cette organisation.",
    "already_read": "Vous pouvez déjà lire les données de ce jeu de données : il n'y a rien "
                    "à demander.",
    "no_right": "Seuls les administrateurs de l'organisation propriétaire du jeu de données "
                "peuvent le partager.",
    "no_revoke_right": "Seuls les administrateurs de l'organisation propriétaire du jeu de "
                       "données peuvent retirer ses partages.",
    "not_shared": "Le jeu de données n'est pas partagé avec cette organisation.",
    "pending": "Une demande pour ce jeu de données et cette organisation est déjà en attente.",
    "reason": "Indiquez pourquoi : le motif est obligatoire.",
    "decided": "Cette demande a déjà été traitée.",
    "not_found": "Jeu de données introuvable",
}


def post(app, user, action: str, status: int, **data: Any) -> dict[str, Any]:
    response = app.post(f"/api/3/action/{action}", json=data, headers=headers(user),
                        status=status)
    body = response.json
    assert body["success"] is False
    return body["error"]


def snapshot(pkg: dict[str, Any]) -> dict[str, Any]:
    """What a sharing action may change for a dataset: its rows, its activities, its labels in
    the search index."""
    from ckanext.activity.model import Activity

    model.Session.expire_all()
    query = model.Session.query
    return {
        "shares": sorted((s.group_id, s.state) for s in query(Share).filter_by(
            package_id=pkg["id"])),
        "requests": sorted((r.group_id, r.state) for r in query(AccessRequest).filter_by(
            package_id=pkg["id"])),
        "events": query(SharingEvent).filter_by(package_id=pkg["id"]).count(),
        "activities": query(Activity).filter_by(object_id=pkg["id"]).count(),
        "labels": indexed_labels(pkg),
    }


def indexed_labels(pkg: dict[str, Any]) -> list[str]:
    """The labels of the dataset's Solr document among those of the test's people (the field
    is indexed, not stored: asked one label at a time)."""
    found = []
    for label in _CANDIDATE_LABELS:
        docs = make_connection().search(q=f'id:"{pkg["id"]}"',
                                        fq=f'permission_labels:"{label}"', fl="id").docs
        if docs:
            found.append(label)
    return found


_CANDIDATE_LABELS: list[str] = []


@pytest.fixture
def people(built_world):
    people = built_world(world)
    _CANDIDATE_LABELS[:] = ["public", "agent"] + [
        f"member-{people[org]['id']}" for org in ("org", "b", "c")]
    return people


# ------------------------------------------------------------------ dataset_share_create
def test_sharing_with_an_unknown_organisation_is_refused(app, people):
    pkg = dataset(people, "private")
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_share_create", 409, id=pkg["id"],
                 organization="ministere-inexistant")
    assert snapshot(pkg) == before
    assert error["organization"] == [FRENCH["unknown_org"].format(name="ministere-inexistant")]


def test_sharing_with_a_group_that_is_not_an_organisation_is_refused(app, people):
    group = factories.Group()
    pkg = dataset(people, "private")
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_share_create", 409, id=pkg["id"],
                 organization=group["name"])
    assert snapshot(pkg) == before
    assert error["organization"] == [FRENCH["unknown_org"].format(name=group["name"])]


def test_sharing_with_the_owner_itself_is_refused(app, people):
    pkg = dataset(people, "restricted")
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_share_create", 409, id=pkg["id"],
                 organization=people["org"]["name"])
    assert snapshot(pkg) == before
    assert error["organization"] == [FRENCH["owner"]]


@pytest.mark.parametrize("expires", ["2020-01-01", "2000-12-31T23:59:00Z"])
def test_sharing_until_a_past_date_is_refused(app, people, expires):
    pkg = dataset(people, "private")
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_share_create", 409, id=pkg["id"],
                 organization=people["b"]["name"], expires=expires)
    assert snapshot(pkg) == before
    assert error["expires"] == [FRENCH["past"]]


@pytest.mark.parametrize("expires", ["31/12/2027", "bientôt", "2027-02-30"])
def test_sharing_until_something_that_is_not_a_date_is_refused(app, people, expires):
    pkg = dataset(people, "private")
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_share_create", 409, id=pkg["id"],
                 organization=people["b"]["name"], expires=expires)
    assert snapshot(pkg) == before
    assert error["expires"] == [FRENCH["not_a_date"]]


@pytest.mark.parametrize("level", ["public", "internal"])
def test_sharing_a_dataset_every_agent_reads_is_refused(app, people, level):
    pkg = dataset(people, level)
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_share_create", 409, id=pkg["id"],
                 organization=people["b"]["name"])
    assert snapshot(pkg) == before
    assert error["id"] == [FRENCH[level]]


def test_sharing_twice_with_the_same_organisation_is_refused(app, people):
    pkg = dataset(people, "private")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["id"])
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_share_create", 409, id=pkg["id"],
                 organization=people["b"]["name"])
    assert snapshot(pkg) == before
    assert error["organization"] == [FRENCH["already_shared"]]


@pytest.mark.parametrize("user", ["editor", "member", "b_admin"])
def test_sharing_without_the_right_is_forbidden(app, people, user):
    pkg = dataset(people, "restricted")
    before = snapshot(pkg)
    error = post(app, people[user], "dataset_share_create", 403, id=pkg["id"],
                 organization=people["c"]["name"])
    assert snapshot(pkg) == before
    assert FRENCH["no_right"] in error["message"]


@pytest.mark.parametrize("user", [None, "c_agent", "nobody"])
def test_sharing_a_private_dataset_one_cannot_see_answers_not_found(app, people, user):
    pkg = dataset(people, "private")
    before = snapshot(pkg)
    error = post(app, people.get(user) if user else None, "dataset_share_create", 404,
                 id=pkg["id"], organization=people["c"]["name"])
    assert snapshot(pkg) == before
    assert pkg["name"] not in error["message"]
    assert FRENCH["not_found"] in error["message"]


def test_sharing_an_unknown_dataset_answers_not_found(app, people):
    post(app, people["admin"], "dataset_share_create", 404, id="jeu-inexistant",
         organization=people["b"]["name"])


def test_sharing_without_an_organisation_is_refused_naming_the_field(app, people):
    pkg = dataset(people, "private")
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_share_create", 409, id=pkg["id"])
    assert snapshot(pkg) == before
    assert error["organization"] == ["Valeur manquante"]


# ------------------------------------------------------------------ dataset_share_delete
@pytest.mark.parametrize("organization", ["b", "c"])
def test_revoking_a_share_that_does_not_exist_is_refused(app, people, organization):
    pkg = dataset(people, "private")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["id"])
    if organization == "b":  # revoked already
        as_user(people["admin"], "dataset_share_delete", id=pkg["id"],
                organization=people["b"]["id"])
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_share_delete", 409, id=pkg["id"],
                 organization=people[organization]["name"])
    assert snapshot(pkg) == before
    assert error["organization"] == [FRENCH["not_shared"]]


def test_revoking_with_an_unknown_organisation_is_refused(app, people):
    pkg = dataset(people, "private")
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_share_delete", 409, id=pkg["id"],
                 organization="ministere-inexistant")
    assert snapshot(pkg) == before
    assert error["organization"] == [FRENCH["not_shared"]]


@pytest.mark.parametrize("user", ["editor", "b_admin"])
def test_revoking_without_the_right_is_forbidden(app, people, user):
    pkg = dataset(people, "private")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["id"])
    before = snapshot(pkg)
    error = post(app, people[user], "dataset_share_delete", 403, id=pkg["id"],
                 organization=people["b"]["name"])
    assert snapshot(pkg) == before
    assert FRENCH["no_revoke_right"] in error["message"]


# ------------------------------------------------------------------ access requests
@pytest.mark.parametrize("user, level, shared", [
    ("member", "restricted", False),     # the owner organisation has the data
    ("b_member", "restricted", True),    # shared with B already
    ("c_agent", "internal", False),      # every agent has the data of an internal dataset
    ("sysadmin", "restricted", False),
])
def test_asking_for_a_dataset_one_can_already_read_is_refused(app, people, smtp_sink, user,
                                                              level, shared):
    pkg = dataset(people, level)
    if shared:
        as_user(people["admin"], "dataset_share_create", id=pkg["id"],
                organization=people["b"]["id"])
    before = snapshot(pkg)
    error = post(app, people[user], "dataset_access_request_create", 409, id=pkg["id"],
                 reason="Pour une étude")
    assert snapshot(pkg) == before
    assert smtp_sink.messages == []
    assert error["id"] == [FRENCH["already_read"]]


@pytest.mark.parametrize("user", [None, "nobody", "c_agent"])
def test_asking_for_a_private_dataset_one_cannot_see_answers_not_found(app, people, smtp_sink,
                                                                       user):
    pkg = dataset(people, "private")
    before = snapshot(pkg)
    post(app, people.get(user) if user else None, "dataset_access_request_create", 404,
         id=pkg["id"], reason="Pour une étude")
    assert snapshot(pkg) == before
    assert smtp_sink.messages == []


def test_anonymous_cannot_ask_for_a_restricted_dataset(app, people, smtp_sink):
    pkg = dataset(people, "restricted")
    before = snapshot(pkg)
    post(app, None, "dataset_access_request_create", 404, id=pkg["id"], reason="Étude")
    assert snapshot(pkg) == before
    assert smtp_sink.messages == []


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_asking_without_a_reason_is_refused(app, people, smtp_sink, reason):
    pkg = dataset(people, "restricted")
    before = snapshot(pkg)
    data = {} if reason is None else {"reason": reason}
    error = post(app, people["c_agent"], "dataset_access_request_create", 409, id=pkg["id"],
                 **data)
    assert snapshot(pkg) == before
    assert smtp_sink.messages == []
    assert error["reason"] == [FRENCH["reason"]]


def test_a_second_pending_request_for_the_same_organisation_is_refused(app, people, smtp_sink):
    colleague = factories.UserWithToken()  # another agent of C
    helpers.call_action("organization_member_create", id=people["c"]["id"],
                        username=colleague["name"], role="member")
    pkg = dataset(people, "restricted")
    as_user(people["c_agent"], "dataset_access_request_create", id=pkg["id"],
            reason="Première demande")
    smtp_sink.clear()
    before = snapshot(pkg)
    error = post(app, colleague, "dataset_access_request_create", 409, id=pkg["id"],
                 reason="Seconde demande")
    assert snapshot(pkg) == before
    assert smtp_sink.messages == []
    assert error["id"] == [FRENCH["pending"]]


def test_refusing_without_a_reason_is_refused(app, people, smtp_sink):
    pkg = dataset(people, "restricted")
    request = as_user(people["c_agent"], "dataset_access_request_create", id=pkg["id"],
                      reason="Étude")
    smtp_sink.clear()
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_access_request_refuse", 409, id=request["id"])
    assert snapshot(pkg) == before
    assert smtp_sink.messages == []
    assert error["reason"] == [FRENCH["reason"]]


@pytest.mark.parametrize("action, extra", [
    ("dataset_access_request_approve", {}),
    ("dataset_access_request_refuse", {"reason": "Non"}),
])
def test_deciding_on_a_request_already_decided_is_refused(app, people, smtp_sink, action,
                                                          extra):
    pkg = dataset(people, "restricted")
    request = as_user(people["c_agent"], "dataset_access_request_create", id=pkg["id"],
                      reason="Étude")
    as_user(people["admin"], "dataset_access_request_refuse", id=request["id"],
            reason="Pas maintenant")
    smtp_sink.clear()
    before = snapshot(pkg)
    error = post(app, people["admin"], action, 409, id=request["id"], **extra)
    assert snapshot(pkg) == before
    assert smtp_sink.messages == []
    assert error["id"] == [FRENCH["decided"]]


@pytest.mark.parametrize("user", ["editor", "member", "c_agent", "b_admin"])
def test_deciding_without_the_right_is_forbidden(app, people, smtp_sink, user):
    pkg = dataset(people, "restricted")
    request = as_user(people["c_agent"], "dataset_access_request_create", id=pkg["id"],
                      reason="Étude")
    smtp_sink.clear()
    before = snapshot(pkg)
    post(app, people[user], "dataset_access_request_approve", 403, id=request["id"])
    post(app, people[user], "dataset_access_request_refuse", 403, id=request["id"],
         reason="Non")
    assert snapshot(pkg) == before
    assert smtp_sink.messages == []


def test_deciding_on_an_unknown_request_answers_not_found(app, people):
    post(app, people["admin"], "dataset_access_request_approve", 404, id="pas-une-demande")


def test_approving_until_a_past_date_is_refused(app, people, smtp_sink):
    pkg = dataset(people, "restricted")
    request = as_user(people["c_agent"], "dataset_access_request_create", id=pkg["id"],
                      reason="Étude")
    smtp_sink.clear()
    before = snapshot(pkg)
    error = post(app, people["admin"], "dataset_access_request_approve", 409,
                 id=request["id"], expires="2001-01-01")
    assert snapshot(pkg) == before
    assert smtp_sink.messages == []
    assert error["expires"] == [FRENCH["past"]]
