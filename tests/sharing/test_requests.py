"""Access requests, with real e-mail (``smtp_sink``: an SMTP server on ``smtp.test_server``):
an agent asks for a restricted dataset's data, the owner organisation's admins — and only
they — are mailed; they approve (a share for the requester's organisation, optionally until a
date) or refuse with a reason; the requester is mailed either way; both sides list them."""
from __future__ import annotations

import pytest
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.internalportal import settings
from ckanext.internalportal.sharing.model import AccessRequest
from tests.sharing.support import as_user, dataset, events, headers, share_rows, world

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]

REASON = "Nous préparons le bilan annuel de la sécurité routière du département."


def address(user) -> str:
    return model.User.get(user["name"]).email


def ask(people, pkg, user="c_agent", **extra):
    return as_user(people[user], "dataset_access_request_create", id=pkg["id"],
                   reason=REASON, **extra)


def data_url(people, user, pkg) -> str:
    return as_user(people[user], "package_show", id=pkg["id"])["resources"][0]["url"]


def world_with_a_second_admin():
    people = world()
    second_admin = factories.UserWithToken()
    helpers.call_action("organization_member_create", id=people["org"]["id"],
                        username=second_admin["name"], role="admin")
    people["admin2"] = second_admin
    return people


@pytest.fixture
def people(built_world):
    return built_world(world_with_a_second_admin)


# ------------------------------------------------------------------ the request
def test_a_request_mails_the_owner_admins_and_nobody_else(app, people, smtp_sink):
    pkg = dataset(people, "restricted")

    response = app.post("/api/3/action/dataset_access_request_create",
                        json={"id": pkg["name"], "reason": REASON},
                        headers=headers(people["c_agent"]))
    request = response.json["result"]

    assert request["state"] == "pending"
    assert request["organization"]["id"] == people["c"]["id"]
    assert request["user"]["name"] == people["c_agent"]["name"]
    assert sorted(rcpt for rcpts in smtp_sink.recipients for rcpt in rcpts) == \
        sorted([address(people["admin"]), address(people["admin2"])])
    message = smtp_sink.to(address(people["admin"]))[0]
    assert pkg["title"] in message["Subject"]
    assert address(people["admin"]) in message["To"]
    body = message.get_content()
    assert REASON in body
    assert people["c"]["title"] in body
    assert model.User.get(people["c_agent"]["name"]).display_name in body
    assert f"/dataset/{pkg['name']}/partage" in body
    assert events(pkg["id"]) == ["requested"]


def test_a_request_gives_no_data_before_the_decision(people, smtp_sink):
    pkg = dataset(people, "restricted")
    ask(people, pkg)
    assert data_url(people, "c_agent", pkg) == ""
    assert share_rows(pkg["id"]) == []


def test_an_agent_of_several_organisations_says_for_which_one(people, smtp_sink):
    pkg = dataset(people, "restricted")
    helpers.call_action("organization_member_create", id=people["b"]["id"],
                        username=people["c_agent"]["name"], role="member")
    with pytest.raises(tk.ValidationError) as error:
        ask(people, pkg)
    assert "organization" in error.value.error_dict
    with pytest.raises(tk.ValidationError) as error:
        ask(people, pkg, organization=people["org"]["name"])  # not theirs
    assert "organization" in error.value.error_dict
    assert smtp_sink.messages == []

    request = ask(people, pkg, organization=people["b"]["name"])
    assert request["organization"]["id"] == people["b"]["id"]


def test_a_mail_server_that_fails_loses_no_request(people, ckan_config, monkeypatch):
    # smtp.test_server with nobody listening there
    monkeypatch.setitem(ckan_config, "smtp.server", ckan_config.get("smtp.test_server"))
    pkg = dataset(people, "restricted")
    request = ask(people, pkg)
    assert model.Session.get(AccessRequest, request["id"]).state == "pending"
    assert [r["id"] for r in as_user(people["admin"], "dataset_access_request_list",
                                     id=pkg["id"], state="pending")] == [request["id"]]


# ------------------------------------------------------------------ approve
def test_approving_with_an_expiry_shares_with_the_requester_organisation(app, people,
                                                                         smtp_sink):
    pkg = dataset(people, "restricted")
    request = ask(people, pkg)
    smtp_sink.clear()

    response = app.post("/api/3/action/dataset_access_request_approve",
                        json={"id": request["id"], "expires": "2099-06-30",
                              "reason": "Convention signée"},
                        headers=headers(people["admin"]))
    decided = response.json["result"]

    assert decided["state"] == "approved"
    assert decided["decision_reason"] == "Convention signée"
    [share] = as_user(people["admin"], "dataset_share_list", id=pkg["id"])
    assert share["id"] == decided["share_id"]
    assert share["organization"]["id"] == people["c"]["id"]
    assert share["expires"] == "2099-07-01T00:00:00"
    assert data_url(people, "c_agent", pkg) == pkg["resources"][0]["url"]
    assert data_url(people, "b_member", pkg) == ""
    assert smtp_sink.recipients == [[address(people["c_agent"])]]
    [message] = smtp_sink.messages
    assert pkg["title"] in message["Subject"]
    assert f"/dataset/{pkg['name']}" in message.get_content()
    assert events(pkg["id"]) == ["requested", "granted", "approved"]


def test_approving_without_expiry_shares_for_good(people, smtp_sink):
    pkg = dataset(people, "restricted")
    request = ask(people, pkg)
    as_user(people["sysadmin"], "dataset_access_request_approve", id=request["id"])
    [share] = as_user(people["admin"], "dataset_share_list", id=pkg["id"])
    assert share["expires"] is None
    assert share["reason"] == REASON  # the request's reason when the decision gives none


def test_approving_a_request_of_an_organisation_shared_meanwhile_keeps_that_share(
        people, smtp_sink):
    pkg = dataset(people, "restricted")
    request = ask(people, pkg)
    share = as_user(people["admin"], "dataset_share_create", id=pkg["id"],
                    organization=people["c"]["id"])
    smtp_sink.clear()

    decided = as_user(people["admin"], "dataset_access_request_approve", id=request["id"])

    assert decided["share_id"] == share["id"]
    assert share_rows(pkg["id"]) == [(people["c"]["id"], "active")]
    assert smtp_sink.recipients == [[address(people["c_agent"])]]


def test_the_approval_mail_differs_from_the_refusal_mail(people, smtp_sink):
    approved, refused = dataset(people, "restricted"), dataset(people, "restricted")
    as_user(people["admin"], "dataset_access_request_approve", id=ask(people, approved)["id"])
    as_user(people["admin"], "dataset_access_request_refuse", id=ask(people, refused)["id"],
            reason="Données en cours de correction")
    approval, refusal = smtp_sink.to(address(people["c_agent"]))
    assert approval["Subject"] != refusal["Subject"]
    assert "en cours de correction" in refusal.get_content()
    assert "en cours de correction" not in approval.get_content()


# ------------------------------------------------------------------ refuse
def test_refusing_mails_the_requester_the_reason_and_shares_nothing(app, people, smtp_sink):
    pkg = dataset(people, "restricted")
    request = ask(people, pkg)
    smtp_sink.clear()

    response = app.post("/api/3/action/dataset_access_request_refuse",
                        json={"id": request["id"],
                              "reason": "Les données contiennent des informations couvertes "
                                        "par le secret statistique."},
                        headers=headers(people["admin"]))

    assert response.json["result"]["state"] == "refused"
    assert share_rows(pkg["id"]) == []
    assert data_url(people, "c_agent", pkg) == ""
    assert smtp_sink.recipients == [[address(people["c_agent"])]]
    [message] = smtp_sink.messages
    assert pkg["title"] in message["Subject"]
    assert "secret statistique" in message.get_content()
    assert events(pkg["id"]) == ["requested", "refused"]


def test_after_a_refusal_the_organisation_may_ask_again(people, smtp_sink):
    pkg = dataset(people, "restricted")
    as_user(people["admin"], "dataset_access_request_refuse", id=ask(people, pkg)["id"],
            reason="Pas encore")
    again = ask(people, pkg)
    assert again["state"] == "pending"


# ------------------------------------------------------------------ lists
def test_the_owner_side_lists_the_requests_of_a_dataset_by_state(people, smtp_sink):
    pkg = dataset(people, "restricted")
    refused = ask(people, pkg)
    as_user(people["admin"], "dataset_access_request_refuse", id=refused["id"], reason="Non")
    pending = ask(people, pkg)
    from_b = ask(people, pkg, user="b_member")

    def listed(**state):
        return [r["id"] for r in as_user(people["admin"], "dataset_access_request_list",
                                         id=pkg["name"], **state)]

    assert sorted(listed()) == sorted([refused["id"], pending["id"], from_b["id"]])
    assert sorted(listed(state="pending")) == sorted([pending["id"], from_b["id"]])
    assert listed(state="refused") == [refused["id"]]
    for other in ("editor", "member", "c_agent"):
        with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound)):
            as_user(people[other], "dataset_access_request_list", id=pkg["id"])


def test_the_requester_side_lists_mine_and_my_organisation_s_with_decisions(people, smtp_sink):
    pkg, other = dataset(people, "restricted"), dataset(people, "restricted")
    mine = ask(people, pkg)
    as_user(people["admin"], "dataset_access_request_refuse", id=mine["id"],
            reason="Secret statistique")
    colleague = factories.UserWithToken()
    helpers.call_action("organization_member_create", id=people["c"]["id"],
                        username=colleague["name"], role="member")
    theirs = as_user(colleague, "dataset_access_request_create", id=other["id"],
                     reason="Étude")
    from_b = ask(people, pkg, user="b_member")

    listed = as_user(people["c_agent"], "access_request_list_mine")
    assert sorted(r["id"] for r in listed) == sorted([mine["id"], theirs["id"]])
    decided = next(r for r in listed if r["id"] == mine["id"])
    assert decided["state"] == "refused"
    assert decided["decision_reason"] == "Secret statistique"
    assert [r["id"] for r in as_user(people["c_agent"], "access_request_list_mine",
                                     state="pending")] == [theirs["id"]]
    assert [r["id"] for r in as_user(people["b_member"], "access_request_list_mine")] == \
        [from_b["id"]]
    with pytest.raises(tk.NotAuthorized):
        as_user(None, "access_request_list_mine")
