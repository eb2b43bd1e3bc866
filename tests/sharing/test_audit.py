"""The audit of sharing: every grant, revoke, expiry, request and decision recorded (who, when,
which organisation, why) in ``dataset_sharing_audit_list``, exported as CSV for the owner
organisation's admins at ``/dataset/<id>/partage/journal.csv``, and shown in the dataset's
activity stream (``/dataset/activity/<name>``) to those who may see the dataset, in French."""
from __future__ import annotations

import csv
import datetime
import html
import io

import pytest
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.internalportal import settings
from ckanext.internalportal.sharing.model import Share, utcnow
from tests.sharing.support import as_user, dataset, headers

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]

EVENTS = ["requested", "granted", "approved", "revoked", "requested", "refused", "granted",
          "expired"]


@pytest.fixture
def history(people, smtp_sink):
    """A restricted dataset through every event: C asks, is approved until 2099, loses the
    share (revoked), asks again, is refused; B gets a share that expires."""
    pkg = dataset(people, "restricted")
    request = as_user(people["c_agent"], "dataset_access_request_create", id=pkg["id"],
                      reason="Bilan annuel")
    as_user(people["admin"], "dataset_access_request_approve", id=request["id"],
            expires="2099-12-31", reason="Convention 2026")
    as_user(people["sysadmin"], "dataset_share_delete", id=pkg["id"],
            organization=people["c"]["id"], reason="Convention dénoncée")
    request = as_user(people["c_agent"], "dataset_access_request_create", id=pkg["id"],
                      reason="Nouvelle étude")
    as_user(people["admin"], "dataset_access_request_refuse", id=request["id"],
            reason="Secret statistique")
    share = as_user(people["admin"], "dataset_share_create", id=pkg["id"],
                    organization=people["b"]["id"], reason="Étude commune",
                    expires="2099-01-31")
    model.Session.query(Share).filter_by(id=share["id"]).update(
        {"expires": utcnow() - datetime.timedelta(minutes=1)})
    model.Session.commit()
    as_user(people["sysadmin"], "package_search", q="*:*")  # the sweep
    return pkg


# ------------------------------------------------------------------ the audit rows
def test_every_event_is_recorded_with_who_when_which_organisation_and_why(people, history):
    started = utcnow() - datetime.timedelta(minutes=10)
    rows = as_user(people["admin"], "dataset_sharing_audit_list", id=history["name"])

    assert [row["event"] for row in rows] == EVENTS
    b, c = people["b"]["name"], people["c"]["name"]
    assert [(row["organization"], row["user"], row["reason"]) for row in rows] == [
        (c, people["c_agent"]["name"], "Bilan annuel"),
        (c, people["admin"]["name"], "Convention 2026"),
        (c, people["admin"]["name"], "Convention 2026"),
        (c, people["sysadmin"]["name"], "Convention dénoncée"),
        (c, people["c_agent"]["name"], "Nouvelle étude"),
        (c, people["admin"]["name"], "Secret statistique"),
        (b, people["admin"]["name"], "Étude commune"),
        (b, None, None),  # nobody acted: the date passed
    ]
    times = [datetime.datetime.fromisoformat(row["timestamp"]) for row in rows]
    assert times == sorted(times) and started <= times[0] and times[-1] <= utcnow()
    assert rows[1]["expires"] == "2100-01-01T00:00:00"
    assert {row["dataset"] for row in rows} == {history["name"]}


@pytest.mark.parametrize("reader", ["sysadmin", "admin"])
def test_the_audit_is_for_owner_admins_and_sysadmins(people, history, reader):
    assert len(as_user(people[reader], "dataset_sharing_audit_list", id=history["id"])) == 8


@pytest.mark.parametrize("reader", ["editor", "member", "c_agent"])
def test_the_audit_is_not_for_others(people, history, reader):
    with pytest.raises(tk.NotAuthorized):
        as_user(people[reader], "dataset_sharing_audit_list", id=history["id"])


# ------------------------------------------------------------------ the CSV export
def csv_url(pkg) -> str:
    return f"/dataset/{pkg['id']}/partage/journal.csv"


def test_owner_admins_export_the_audit_as_csv(app, people, history):
    response = app.get(csv_url(history), headers=headers(people["admin"]), status=200)

    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.lstrip("\ufeff"))))
    assert [row["event"] for row in rows] == EVENTS
    assert rows[3]["user"] == people["sysadmin"]["name"]
    assert rows[3]["organization"] == people["c"]["name"]
    assert rows[3]["reason"] == "Convention dénoncée"
    assert rows[1]["expires"] == "2100-01-01T00:00:00"
    assert rows[-1]["user"] == ""
    assert all(row["timestamp"] for row in rows)
    assert list(rows[0]) == ["timestamp", "event", "dataset", "organization", "user",
                             "reason", "expires"]


def test_the_csv_is_the_audit_list(app, people, history):
    response = app.get(csv_url(history), headers=headers(people["sysadmin"]), status=200)
    rows = list(csv.DictReader(io.StringIO(response.body.lstrip("\ufeff"))))
    listed = as_user(people["sysadmin"], "dataset_sharing_audit_list", id=history["id"])
    assert rows == [{key: value or "" for key, value in row.items()} for row in listed]


@pytest.mark.parametrize("reader", ["editor", "member"])
def test_the_csv_is_forbidden_to_the_other_members_of_the_owner_organisation(app, people,
                                                                             history, reader):
    response = app.get(csv_url(history), headers=headers(people[reader]), status=403)
    assert "Convention" not in response.body


def test_the_csv_of_a_restricted_dataset_is_forbidden_to_an_agent_who_sees_it(app, people,
                                                                               history):
    app.get(csv_url(history), headers=headers(people["c_agent"]), status=403)


@pytest.mark.parametrize("reader", [None, "c_agent", "nobody"])
def test_the_csv_of_a_private_dataset_does_not_exist_for_outsiders(app, people, reader):
    pkg = dataset(people, "private")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["id"], reason="Étude")
    response = app.get(csv_url(pkg), headers=headers(people.get(reader) if reader else None),
                       status=404)
    assert pkg["title"] not in response.body


def test_the_csv_of_a_private_dataset_is_forbidden_to_a_receiving_organisation(app, people):
    pkg = dataset(people, "private")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["id"])
    app.get(csv_url(pkg), headers=headers(people["b_admin"]), status=403)


# ------------------------------------------------------------------ the activity stream
# msgid -> the French the page reads in (the site's language)
FRENCH = {
    "shared": "a partagé le jeu de données",
    "unshared": "a cessé de partager le jeu de données",
    "expired": "Le partage du jeu de données",
    "requested": "a demandé l'accès aux données de",
    "approved": "a accepté la demande d'accès de",
    "refused": "a refusé la demande d'accès de",
    "reason": "Motif : Secret statistique",
    "ends": "Fin du partage : ",
}


def activity_page(app, user, pkg, status=200):
    response = app.get(f"/dataset/activity/{pkg['name']}", headers=headers(user),
                       status=status)
    return html.unescape(response.body)


def test_the_activity_stream_shows_every_sharing_event(app, people, history):
    page = activity_page(app, people["admin"], history)

    for activity_type in ("shared-package", "unshared-package", "share-expired-package",
                          "access-requested-package", "access-approved-package",
                          "access-refused-package"):
        assert f"item {activity_type}" in page, activity_type
    assert people["c"]["title"] in page and people["b"]["title"] in page
    assert "Secret statistique" in page
    for french in FRENCH.values():
        assert french in page, french


def test_the_share_events_are_shown_to_the_receiving_organisation(app, people):
    pkg = dataset(people, "private")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["id"], reason="Étude commune")

    page = activity_page(app, people["b_member"], pkg)

    assert "item shared-package" in page
    assert people["b"]["title"] in page
    assert FRENCH["shared"] in page


def test_the_activity_stream_of_a_private_dataset_does_not_exist_for_outsiders(app, people):
    pkg = dataset(people, "private")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["id"])
    for outsider in (None, people["c_agent"], people["nobody"]):
        page = activity_page(app, outsider, pkg, status=404)
        assert people["b"]["title"] not in page


def test_after_a_revoke_the_stream_is_gone_for_the_former_receiver(app, people):
    pkg = dataset(people, "private")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["id"])
    as_user(people["admin"], "dataset_share_delete", id=pkg["id"],
            organization=people["b"]["id"])
    activity_page(app, people["b_member"], pkg, status=404)
    assert "item unshared-package" in activity_page(app, people["member"], pkg)


def test_the_activities_of_a_restricted_dataset_are_for_those_who_have_its_data(app, people):
    from ckanext.activity.model import Activity

    pkg = dataset(people, "restricted")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["id"])
    model.Session.expire_all()
    labels = {label for activity in model.Session.query(Activity).filter_by(
        object_id=pkg["id"]) for label in activity.permission_labels}
    assert f"member-{people['b']['id']}" in labels
    assert "agent" not in labels and "public" not in labels
    assert "item shared-package" in activity_page(app, people["b_member"], pkg)
    assert "item shared-package" not in activity_page(app, people["c_agent"], pkg)
