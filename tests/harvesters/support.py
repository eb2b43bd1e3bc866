"""Builders for the harvesters' tests: a harvest source saved the way an administrator saves
it (``harvest_source_create``, every check of the chained action included), and a job run
through ckanext-harvest's own stages, either directly (``run_job``, as
``ckan harvester run-test`` does) or through the real Redis queues and their consumers'
callbacks (``run_job_through_queues``).

    from tests.harvesters.support import make_source, run_job

    source = make_source("sql", url, {"tables": ["communes"]}, org=org)
    job = run_job(source)
    assert job.errors == [] and job.datasets[0]["title"] == "Communes"
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.harvest.tests import lib as harvest_lib


def sysadmin_context() -> dict:
    user = factories.Sysadmin()
    return {"user": user["name"], "ignore_auth": False}


def make_source(source_type: str, url: str, config: Any = None, *, org: Optional[dict] = None,
                context: Optional[dict] = None, name: Optional[str] = None,
                **fields: Any) -> dict:
    """A harvest source saved through ``harvest_source_create`` (as a sysadmin unless
    ``context`` says otherwise); ``org`` defaults to a new organisation."""
    org = org or factories.Organization()
    data = {"name": name or f"source-{source_type}-{factories.fake.uuid4()[:8]}",
            "title": fields.pop("title", f"Source {source_type}"),
            "url": url, "source_type": source_type, "owner_org": org["id"],
            "config": config if isinstance(config, str) or config is None
            else json.dumps(config, ensure_ascii=False)}
    data.update(fields)
    return tk.get_action("harvest_source_create")(dict(context or sysadmin_context()), data)


@dataclass
class JobResult:
    job: dict                     # harvest_job_show
    report: dict                  # harvest_job_report: gather_errors, object_errors
    objects: list[dict] = field(default_factory=list)   # guid, state, report_status, package_id

    @property
    def gather_errors(self) -> list[str]:
        return [e["message"] for e in self.report["gather_errors"]]

    @property
    def object_errors(self) -> dict[str, list[str]]:
        """guid -> messages."""
        return {o["guid"]: [e["message"] for e in o["errors"]]
                for o in self.report["object_errors"].values()}

    @property
    def errors(self) -> list[str]:
        return self.gather_errors + [m for ms in self.object_errors.values() for m in ms]

    @property
    def datasets(self) -> list[dict]:
        """The datasets of the job's objects (package_show, as a sysadmin)."""
        ids = [o["package_id"] for o in self.objects if o["package_id"]]
        return [tk.get_action("package_show")({"ignore_auth": True}, {"id": i}) for i in ids]


def _result(job_id: str) -> JobResult:
    context = {"ignore_auth": True}
    model.Session.remove()
    job = tk.get_action("harvest_job_show")(context, {"id": job_id})
    report = tk.get_action("harvest_job_report")(context, {"id": job_id})
    objects = [{"guid": o.guid, "state": o.state, "report_status": o.report_status,
                "package_id": o.package_id}
               for o in model.Session.query(HarvestObject).filter_by(harvest_job_id=job_id)]
    return JobResult(job, report, objects)


def run_job(source: dict) -> JobResult:
    """One job of the source, its stages run in this process as ``ckan harvester run-test``
    does (ckanext-harvest's ``run_harvest_job``), then its report."""
    context = {"ignore_auth": True, "user": ""}
    job_dict = tk.get_action("harvest_job_create")(context, {"source_id": source["id"],
                                                            "run": False})
    job = HarvestJob.get(job_dict["id"])
    harvester = queue.get_harvester(source["source_type"])
    harvest_lib.run_harvest_job(job, harvester)
    return _result(job_dict["id"])


def run_job_through_queues(source: dict) -> JobResult:
    """One job of the source through ckanext-harvest's real Redis queues: the job is put on
    the gather queue by ``harvest_job_create``, then the gather and fetch consumers' callbacks
    take each message off Redis, as ``ckan harvester gather-consumer`` / ``fetch-consumer``
    do."""
    queue.purge_queues()
    job_dict = tk.get_action("harvest_job_create")({"ignore_auth": True, "user": ""},
                                                   {"source_id": source["id"]})
    gather = queue.get_gather_consumer()
    while True:
        method, channel, body = gather.basic_get("queue")
        if not body:
            break
        queue.gather_callback(gather, method, None, body)
    fetch = queue.get_fetch_consumer()
    while True:
        method, channel, body = fetch.basic_get("queue")
        if not body:
            break
        queue.fetch_callback(fetch, method, None, body)
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {})
    return _result(job_dict["id"])


def stored_file(resource: dict) -> Path:
    """Where CKAN's FileStore keeps an uploaded resource's file."""
    from ckan.lib.uploader import ResourceUpload
    return Path(ResourceUpload({}).get_path(resource["id"]))
