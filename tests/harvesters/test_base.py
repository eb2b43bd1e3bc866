"""What the three harvesters share (harvesters/base.py), seen through the simplest of them (a
folder of CSV files): the types listed, who may save a source, the job finished at its last
object with its progress, the job page, the origin kept on the dataset when its producer edits
it, resources added by hand kept, and the history pruned without duplicating a dataset."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.internalportal import settings
from ckanext.internalportal.harvesters import base
from tests.harvesters.support import make_source, run_job

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.HARVEST_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db")]

ROOTS = "ckanext.internalportal.files_harvester.allowed_roots"


@pytest.fixture
def share(tmp_path, ckan_config, monkeypatch):
    root = tmp_path / "partage"
    root.mkdir()
    (root / "effectifs.csv").write_text("service;agents\nDRH;12\nDSI;7\n", encoding="utf-8")
    (root / "budget.csv").write_text("poste,montant\nLoyers,1500.5\n", encoding="utf-8")
    monkeypatch.setitem(ckan_config, ROOTS, str(tmp_path))
    return root


def test_the_three_harvesters_are_listed_with_french_titles(app):
    answer = app.get("/api/3/action/harvesters_info_show").json["result"]
    types = {h["name"]: h for h in answer}
    assert {"sql", "files", "udata", "ckan"} <= set(types)
    assert types["sql"]["title"] == "Base de données SQL (application métier)"
    assert types["files"]["title"].startswith("Dossier partagé")


def test_an_organisation_admin_may_not_create_a_source_reading_inside_the_network(share):
    admin = factories.User()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    for source_type, url in (("files", str(share)), ("sql", "sqlite:////tmp/absente.db")):
        with pytest.raises(tk.NotAuthorized):
            make_source(source_type, url, {}, org=org, context={"user": admin["name"]})
    assert model.Session.query(model.Package).filter_by(type="harvest").count() == 0


def test_the_option_lets_organisation_admins_create_them(share, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, base.OPT_LOCAL_BY_ORG_ADMINS, "true")
    admin = factories.User()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    source = make_source("files", str(share), {}, org=org, context={"user": admin["name"]})
    assert source["source_type"] == "files"


def test_a_config_that_is_not_json_is_a_french_error_on_the_config_field(app, share):
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization()
    answer = app.post("/api/3/action/harvest_source_create", json={
        "name": "partage-rh", "title": "Partage RH", "source_type": "files",
        "url": str(share), "owner_org": org["id"], "config": "{tables: ["},
        headers={"Authorization": sysadmin["token"]}, expect_errors=True)
    assert answer.status_code == 409
    assert "n'est pas du JSON valide" in answer.json["error"]["config"][0]
    assert model.Session.query(model.Package).filter_by(type="harvest").count() == 0


def test_a_job_is_finished_when_its_last_object_is_imported_with_its_progress(share):
    """Through ckanext-harvest's stages as the consumers run them, and no
    ``harvest_jobs_run`` afterwards."""
    source = make_source("files", str(share), {})
    job_dict = tk.get_action("harvest_job_create")({"ignore_auth": True},
                                                   {"source_id": source["id"], "run": False})
    job = HarvestJob.get(job_dict["id"])
    job.status = "Running"
    job.save()
    harvester = queue.get_harvester("files")
    ids = queue.gather_stage(harvester, job)
    assert len(ids) == 2
    for n, obj_id in enumerate(ids, 1):
        queue.fetch_and_import_stages(harvester, HarvestObject.get(obj_id))
        model.Session.expire_all()
        status = HarvestJob.get(job.id).status
        assert status == ("Finished" if n == len(ids) else "Running")
    progress = base.progress_of(job.id)
    assert (progress["objects_done"], progress["objects_total"], progress["datasets"]) == \
        ("2", "2", "2")
    assert int(progress["rows"]) == 3 and progress["heartbeat_age"] < 60


def test_the_job_page_shows_the_state_and_the_progress(app, share):
    source = make_source("files", str(share), {})
    job = run_job(source)
    sysadmin = factories.SysadminWithToken()
    page = app.get(f"/harvest/{source['name']}/job/{job.job['id']}",
                   headers={"Authorization": sysadmin["token"]})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Progression" in body and 'data-job-status="Finished"' in body
    assert '<dd data-progress="objects">2 / 2</dd>' in body
    assert '<dd data-progress="datasets">2</dd>' in body


def test_a_producer_editing_the_dataset_keeps_its_origin_and_its_added_resource(share):
    source = make_source("files", str(share), {})
    dataset = {d["harvest_remote_id"]: d for d in run_job(source).datasets}["effectifs.csv"]
    editor = factories.Sysadmin()
    # the form sends the schema's visible fields only: the origin fields are not in it
    edited = {k: v for k, v in dataset.items() if k not in base.ORIGIN_FIELDS}
    edited["notes"] = "Effectifs par service, relus par le bureau RH."
    edited["resources"] = dataset["resources"] + [{"name": "Note de lecture",
                                                   "url": "https://intranet.example/note.pdf",
                                                   "format": "PDF"}]
    helpers.call_action("package_update", context={"user": editor["name"]}, **edited)
    kept = helpers.call_action("package_show", id=dataset["id"])
    assert (kept["harvest_source_id"], kept["harvest_remote_id"]) == (source["id"],
                                                                      "effectifs.csv")
    (share / "effectifs.csv").write_text("service;agents\nDRH;13\nDSI;7\n", encoding="utf-8")
    again = {d["harvest_remote_id"]: d for d in run_job(source).datasets}["effectifs.csv"]
    assert again["id"] == dataset["id"]
    assert [r["name"] for r in again["resources"]][-1] == "Note de lecture"
    assert again["resources"][0]["id"] == dataset["resources"][0]["id"]
    assert again["resources"][0]["hash"] != dataset["resources"][0]["hash"]


def test_pruned_history_never_duplicates_a_dataset(share):
    source = make_source("files", str(share), {})
    first = run_job(source)
    run_job(source)
    # the first job is made old; pruning keeps the latest job of the source
    job = HarvestJob.get(first.job["id"])
    job.created = dt.datetime.utcnow() - dt.timedelta(days=400)
    job.save()
    assert base.prune_history(days=90) == 1
    assert HarvestJob.get(first.job["id"]) is None
    (share / "budget.csv").write_text("poste,montant\nLoyers,1600\n", encoding="utf-8")
    third = run_job(source)
    assert third.errors == []
    names = [p.name for p in model.Session.query(model.Package).filter_by(
        type="dataset", state="active")]
    assert len(names) == 2, names


def test_the_resource_page_shows_the_data_dictionary(app, share):
    source = make_source("files", str(share), {})
    dataset = {d["harvest_remote_id"]: d for d in run_job(source).datasets}["effectifs.csv"]
    resource = dataset["resources"][0]
    sysadmin = factories.SysadminWithToken()
    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}",
                   headers={"Authorization": sysadmin["token"]})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Dictionnaire des données" in body and "2 colonnes" in body
    assert "<code>service</code>" in body and "<code>agents</code>" in body
