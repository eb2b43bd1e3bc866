"""The sharing part of the demo: one agent per ministry, shares between ministries, a pending
access request whose e-mail reaches a real SMTP server; a newcomer signed in as ministry B sees
what A shares with B, and nobody else does. Loading twice changes nothing."""
from __future__ import annotations

import datetime
import email
import email.policy
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.internalportal import settings
from ckanext.internalportal.demo import loader
from ckanext.internalportal.lib.context import site_context
from ckanext.internalportal.sharing.model import AccessRequest, Share, SharingEvent

from ..conftest import ROOT

pytestmark = pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)

PASSWORD = "demo-agents-2026"


# ---------------------------------------------------------------- the shipped data (pure)
@pytest.fixture(scope="module")
def shipped():
    return loader.read_demo_data()


def test_one_agent_per_demo_ministry_with_an_address(shipped):
    assert sorted(a["organization"] for a in shipped.agents) == sorted(
        o["name"] for o in shipped.organizations)
    assert all("@" in a["email"] for a in shipped.agents)


def test_the_demo_shares_private_and_restricted_datasets_and_leaves_a_request_pending(shipped):
    levels = {d["name"]: d["access_level"] for d in shipped.datasets}
    shared_levels = {levels[s["dataset"]] for s in shipped.shares}
    assert shared_levels == {"private", "restricted"}
    assert any(s.get("expires_in_days") for s in shipped.shares)
    assert any(not s.get("expires_in_days") for s in shipped.shares)
    assert shipped.access_requests and all(levels[r["dataset"]] == "restricted"
                                           for r in shipped.access_requests)


def test_expiry_is_counted_from_the_day_of_the_load():
    today = datetime.date(2026, 12, 2)
    assert loader.share_expiry({"expires_in_days": 90}, today) == "2027-03-02"
    assert loader.share_expiry({}, today) is None


def test_accounts_lines_name_each_agent_and_its_ministry(shipped):
    lines = loader.accounts_lines(shipped)
    assert len(lines) == len(shipped.agents)
    assert lines[0].split()[0] == shipped.agents[0]["name"]
    assert "Ministère de l'Intérieur" in "\n".join(lines)


def copy_of_shipped(base: Path, **replace: list) -> Path:
    """The shipped data files, in ``base``, with some files replaced by the given entries."""
    shutil.copytree(loader.DEFAULT_DATA_DIR, base)
    for name, entries in replace.items():
        (base / f"{name}.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True))
    return base


@pytest.mark.parametrize("replace, message", [
    ({"shares": [{"dataset": "accidents-routiers-departement-2023",
                  "organization": "ministere-economie"}]}, "seul un jeu « restricted »"),
    ({"shares": [{"dataset": "teletravail-agents-dreal",
                  "organization": "ministere-transition-ecologique"}]},
     "appartient déjà à cette organisation"),
    ({"shares": [{"dataset": "teletravail-agents-dreal", "organization": "ministere-inconnu"}]},
     "cette organisation n'existe pas"),
    ({"shares": [{"dataset": "teletravail-agents-dreal", "organization": "ministere-economie",
                  "expires_in_days": 0}]}, "expires_in_days"),
    ({"access_requests": [{"dataset": "mouvements-bovins-bdni", "user": "agent-inconnu",
                           "reason": "x"}]}, "l'agent « agent-inconnu » n'existe pas"),
    ({"access_requests": [{"dataset": "teletravail-agents-dreal", "user": "agent-sante",
                           "reason": "x"}]}, "qu'à un jeu « restricted »"),
    ({"access_requests": [{"dataset": "usagers-accidents-routiers-pseudonymises-2023",
                           "user": "agent-ecologie", "reason": "x"}]},
     "a déjà les données de ce jeu"),
    ({"agents": [{"name": "agent-x", "email": "x@example.gouv.fr",
                  "organization": "ministere-economie", "role": "chef"}]}, "« role »"),
])
def test_bad_sharing_entries_are_named_in_french_before_anything_is_written(
        tmp_path, replace, message):
    base = copy_of_shipped(tmp_path / "demo", **replace)
    with pytest.raises(loader.DemoDataError, match=message):
        loader.read_demo_data(base)


# ---------------------------------------------------------------- against CKAN, with SMTP
@pytest.fixture
def smtp_sink(ckan_config, monkeypatch, tmp_path):
    """The dev portal's SMTP sink (scripts/smtp_sink.py) on the tests' SMTP port
    (``smtp.test_server``), CKAN's mailer pointed at it; yields the folder of the messages."""
    host, port = tk.config["smtp.test_server"].rsplit(":", 1)
    mail_dir = tmp_path / "mail"
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "smtp_sink.py"),
                             "--host", "127.0.0.1", "--port", port, "--dir", str(mail_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert f":{port}" in proc.stdout.readline()
        monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
        yield mail_dir
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def messages(mail_dir: Path, expected: int, timeout: float = 5.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(list(mail_dir.glob("*.eml"))) < expected:
        time.sleep(0.05)
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
            for f in sorted(mail_dir.glob("*.eml"))]


def as_user(name: str) -> dict:
    return {"user": name, "ignore_auth": False}


def sharing_rows() -> tuple[int, int, int, int]:
    from ckanext.activity.model import Activity
    return (model.Session.query(Share).count(), model.Session.query(AccessRequest).count(),
            model.Session.query(SharingEvent).count(), model.Session.query(Activity).count())


def agent_of(data: loader.DemoData, organization: str) -> str:
    return next(a["name"] for a in data.agents if a["organization"] == organization)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_loaded_demo_b_sees_what_a_shares_with_it_others_do_not_and_a_reload_changes_nothing(
        app, smtp_sink, monkeypatch, shipped):
    monkeypatch.setenv(loader.AGENT_PASSWORD_ENV, PASSWORD)
    first = loader.load(shipped, site_context)
    loader.reindex(shipped)
    assert first.agents_created == len(shipped.agents)
    assert first.shares_created == len(shipped.shares)
    assert first.requests_created == len(shipped.access_requests)

    levels = {d["name"]: d for d in shipped.datasets}
    private = next(s for s in shipped.shares if levels[s["dataset"]]["access_level"] == "private")
    owner, receiver = levels[private["dataset"]]["organization"], private["organization"]
    receivers = {s["organization"] for s in shipped.shares if s["dataset"] == private["dataset"]}
    outsider_org = next(o["name"] for o in shipped.organizations
                        if o["name"] not in receivers | {owner})
    b, c = agent_of(shipped, receiver), agent_of(shipped, outsider_org)

    # B's agent signs in with the printed password, and finds, reads and downloads A's dataset
    assert model.User.get(b).validate_password(PASSWORD)
    shown = helpers.call_action("package_show", context=as_user(b), id=private["dataset"])
    url = shown["resources"][0]["url"]
    assert url.startswith("http") and shown["resources"][0]["url_type"] == "upload"
    token = factories.APIToken(user=b)["token"]
    assert app.get(url, headers={"Authorization": token}).status_code == 200
    found = helpers.call_action("package_search", context=as_user(b), include_private=True,
                                fq=f"name:{private['dataset']}")
    assert found["count"] == 1
    received = helpers.call_action("organization_shared_datasets_list", context=as_user(b),
                                   id=receiver)
    assert private["dataset"] in {r["dataset"]["name"] for r in received}

    # C's agent and anonymous: it does not exist
    for who in (c, ""):
        with pytest.raises(tk.ObjectNotFound):
            helpers.call_action("package_show", context=as_user(who), id=private["dataset"])
        assert helpers.call_action("package_search", context=as_user(who),
                                   include_private=True,
                                   fq=f"name:{private['dataset']}")["count"] == 0
    c_token = factories.APIToken(user=c)["token"]
    assert app.get(url, headers={"Authorization": c_token}).status_code in (403, 404)
    assert app.get(url).status_code in (403, 404)

    # a shared restricted dataset: its receiver has the data, another agent its metadata only
    restricted = next(s for s in shipped.shares
                      if levels[s["dataset"]]["access_level"] == "restricted")
    rec_receivers = {s["organization"] for s in shipped.shares
                     if s["dataset"] == restricted["dataset"]}
    rec_owner = levels[restricted["dataset"]]["organization"]
    rec_outsider = next(o["name"] for o in shipped.organizations
                        if o["name"] not in rec_receivers | {rec_owner})
    with_data = helpers.call_action("package_show", id=restricted["dataset"],
                                    context=as_user(agent_of(shipped,
                                                             restricted["organization"])))
    assert with_data["resources"][0]["url"]
    without = helpers.call_action("package_show", id=restricted["dataset"],
                                  context=as_user(agent_of(shipped, rec_outsider)))
    assert without["resources"] and without["resources"][0]["url"] == ""

    # an expiring share carries its date; the audit names the owner's agent who granted
    expiring = next(s for s in shipped.shares if s.get("expires_in_days"))
    listed = helpers.call_action(
        "dataset_share_list", id=expiring["dataset"],
        context=as_user(agent_of(shipped, levels[expiring["dataset"]]["organization"])))
    by_org = {s["organization"]["name"]: s for s in listed}
    assert by_org[expiring["organization"]]["expires"] == (
        datetime.date.today()
        + datetime.timedelta(days=expiring["expires_in_days"] + 1)).isoformat() + "T00:00:00"
    audit = helpers.call_action("dataset_sharing_audit_list", id=private["dataset"],
                                context=as_user(agent_of(shipped, owner)))
    assert [(r["event"], r["organization"], r["user"]) for r in audit] == [
        ("granted", receiver, agent_of(shipped, owner))]

    # the pending request, and its e-mail to the owner ministry's admin
    wanted = shipped.access_requests[0]
    request_owner = agent_of(shipped, levels[wanted["dataset"]]["organization"])
    pending = helpers.call_action("dataset_access_request_list", id=wanted["dataset"],
                                  state="pending", context=as_user(request_owner))
    assert [(r["user"]["name"], r["reason"]) for r in pending] == [
        (wanted["user"], wanted["reason"])]
    mails = messages(smtp_sink, 1)
    assert len(mails) == 1
    owner_address = next(a["email"] for a in shipped.agents if a["name"] == request_owner)
    assert mails[0]["To"].addresses[0].addr_spec == owner_address

    # a second load: nothing created, nothing mailed, no audit row nor activity added
    before = sharing_rows()
    second = loader.load(shipped, site_context)
    assert (second.created, second.updated, second.files_uploaded) == (0, 0, 0)
    assert (second.agents_created, second.agents_updated, second.shares_created,
            second.requests_created) == (0, 0, 0, 0)
    assert sharing_rows() == before
    assert len(messages(smtp_sink, 2, timeout=0.5)) == 1
    assert len([u for u in helpers.call_action("user_list") if u["name"] == b]) == 1


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_a_revoked_demo_share_comes_back_on_reload_and_the_request_is_not_asked_again(
        tmp_path, smtp_sink):
    shares = [{"dataset": "teletravail-agents-dreal", "organization": "ministere-economie",
               "reason": "Étude."}]
    base = copy_of_shipped(tmp_path / "demo", shares=shares)
    data = loader.read_demo_data(base)
    data.datasets = [d for d in data.datasets
                     if d["name"] in {"teletravail-agents-dreal", "mouvements-bovins-bdni"}]
    loader.load(data, site_context)
    admin = agent_of(data, "ministere-transition-ecologique")
    helpers.call_action("dataset_share_delete", context=as_user(admin),
                        id="teletravail-agents-dreal", organization="ministere-economie")
    request = model.Session.query(AccessRequest).one()
    helpers.call_action("dataset_access_request_refuse", id=request.id, reason="Non.",
                        context=as_user(agent_of(data, "ministere-agriculture")))

    again = loader.load(data, site_context)

    assert (again.shares_created, again.requests_created) == (1, 0)
    assert Share.active(package_id=model.Package.get("teletravail-agents-dreal").id).count() == 1
    assert model.Session.query(AccessRequest).count() == 1
    assert len(messages(smtp_sink, 2)) == 2  # the request, then its refusal: no new request
