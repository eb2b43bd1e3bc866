"""One measurement of the harvest benchmark, in a fresh Python process (so that its peak RSS
is its own), started by run.py --harvest (ipbench/harvest.py):

    python -m ipbench.harvest_worker sql     --ini PATH --url URL --table T --rows N
    python -m ipbench.harvest_worker pandas  --url URL --table T --out PATH
    python -m ipbench.harvest_worker files   --ini PATH --folder DIR --run K
    python -m ipbench.harvest_worker cleanup --ini PATH

It prints progress lines, then one result line prefixed with PROTOCOL_PREFIX (a JSON object;
``{"event": "error", "message": ...}`` on failure, exit code 5).

Memory: the process loads what it needs first (CKAN and its plugins, or pandas), then notes its
resident memory (VmRSS), resets its peak (``5`` written to /proc/self/clear_refs: VmHWM is then
the current RSS) and starts the clock; the peak RSS growth is VmHWM at the end minus that RSS.

Harvests run ckanext-harvest's own stages in this process, as ``ckan harvester run-test`` does
(ckanext.harvest.tests.lib.run_harvest_job: gather_stage, then fetch_and_import_stages of each
object, then harvest_jobs_run), without that helper's package_show of every imported dataset
(bookkeeping of its tests, which no consumer does).
"""
from __future__ import annotations

import argparse
import csv
import gc
import json
import sys
import time
import traceback
from pathlib import Path

from .common import EXIT_MEASURE
from .worker import PROTOCOL_PREFIX

ORG = "ipbench-moisson"
SQL_SOURCE = "ipbench-moisson-sql"
FILES_SOURCE = "ipbench-moisson-fichiers"
SOURCES = (SQL_SOURCE, FILES_SOURCE)


def send(event: dict) -> None:
    sys.stdout.write(PROTOCOL_PREFIX + json.dumps(event, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def _p(msg: str) -> None:
    print(f"    {msg}", flush=True)


# ------------------------------------------------------------------ memory
def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Meter:
    """Wall time and peak RSS growth of what runs between start() and stop()."""

    def start(self) -> "Meter":
        gc.collect()
        self.rss_before_kib = _status_kib("VmRSS")
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self.cpu0 = time.process_time()
        self.t0 = time.perf_counter()
        return self

    def stop(self) -> dict:
        seconds = time.perf_counter() - self.t0
        cpu = time.process_time() - self.cpu0
        hwm = _status_kib("VmHWM")
        growth = (hwm - self.rss_before_kib) if hwm is not None and self.rss_before_kib else None
        return {"seconds": round(seconds, 3),
                # this process's CPU time (user + system): on a busy machine, wall time grows
                # with the others' load, CPU time much less
                "cpu_s": round(cpu, 3),
                "rss_before_mb": _mb(self.rss_before_kib),
                "peak_rss_mb": _mb(hwm),
                "peak_rss_growth_mb": _mb(growth),
                "peak_reset": self.hwm_reset}


def _mb(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


# ------------------------------------------------------------------ CKAN
def _load(ini: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    t0 = time.perf_counter()
    app = make_app(load_config(ini))
    return app._wsgi_app, round(time.perf_counter() - t0, 1)


def _ctx() -> dict:
    from ckanext.internalportal.lib.context import site_context
    return site_context()


def _org_id() -> str:
    import ckan.plugins.toolkit as tk
    try:
        return tk.get_action("organization_show")(_ctx(), {"id": ORG})["id"]
    except tk.ObjectNotFound:
        return tk.get_action("organization_create")(_ctx(), {
            "name": ORG, "title": "Banc de mesure — moissonnage"})["id"]


def _create_source(name: str, title: str, source_type: str, url: str, config: dict) -> dict:
    import ckan.plugins.toolkit as tk
    return tk.get_action("harvest_source_create")(_ctx(), {
        "name": name, "title": title, "url": url, "source_type": source_type,
        "owner_org": _org_id(), "config": json.dumps(config, ensure_ascii=False),
        "frequency": "MANUAL"})


def _new_job(source_id: str):
    import ckan.plugins.toolkit as tk
    from ckanext.harvest.model import HarvestJob
    job = tk.get_action("harvest_job_create")(_ctx(), {"source_id": source_id, "run": False})
    return HarvestJob.get(job["id"])


def run_stages(job, harvester) -> int:
    """ckanext.harvest.tests.lib.run_harvest_job without its package_show of each dataset:
    the job Running, gather_stage, fetch_and_import_stages of every object (what the fetch
    consumer's callback does), harvest_jobs_run. Returns the number of objects."""
    import ckan.plugins.toolkit as tk
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject
    job.status = "Running"
    job.save()
    ids = queue.gather_stage(harvester, job)
    if not isinstance(ids, list):
        ids = []
    for obj_id in ids:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(obj_id))
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {})
    return len(ids)


def _report(job_id: str) -> dict:
    import ckan.plugins.toolkit as tk
    from ckan import model
    model.Session.remove()
    job = tk.get_action("harvest_job_show")({"ignore_auth": True}, {"id": job_id})
    report = tk.get_action("harvest_job_report")({"ignore_auth": True}, {"id": job_id})
    errors = [e["message"] for e in report["gather_errors"]]
    errors += [f"{o['guid']}: {e['message']}" for o in report["object_errors"].values()
               for e in o["errors"]]
    return {"status": job["status"], "stats": job.get("stats") or {}, "errors": errors,
            "gather_started": job.get("gather_started"),
            "gather_finished": job.get("gather_finished"), "finished": job.get("finished")}


# ------------------------------------------------------------------ scenarios
def sql(args) -> dict:
    flask_app, startup = _load(args.ini)
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import uploader
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject
    with flask_app.test_request_context():
        source = _create_source(SQL_SOURCE, "Application métier (banc de mesure)", "sql",
                                args.url, {"tables": [args.table]})
        job = _new_job(source["id"])
        job_id = job.id
        harvester = queue.get_harvester("sql")
        _p(f"moisson SQL de {args.rows} lignes ({args.table}) : job {job_id[:8]}…")
        meter = Meter().start()
        objects = run_stages(job, harvester)
        measured = meter.stop()
        report = _report(job_id)
        obj = (model.Session.query(HarvestObject)
               .filter_by(harvest_job_id=job_id, current=True).first())
        if obj is None or not obj.package_id:
            raise RuntimeError("aucun jeu de données créé : " + " | ".join(report["errors"]))
        pkg = tk.get_action("package_show")(_ctx(), {"id": obj.package_id})
        res = next(r for r in pkg["resources"] if r.get("url_type") == "upload")
        path = Path(uploader.ResourceUpload(res).get_path(res["id"]))
        header, rows = _csv_rows(path, "utf-8", ",")
    return {"event": "sql", "startup_s": startup, **measured, "objects": objects,
            "job": report, "dataset": pkg["name"], "resource_format": res.get("format"),
            "resource_hash": res.get("hash"), "csv": {"path": str(path), "header": header,
                                                      "data_rows": rows,
                                                      "bytes": path.stat().st_size},
            "expected_rows": args.rows}


def _csv_rows(path: Path, encoding: str, delimiter: str) -> tuple[list[str], int]:
    with open(path, newline="", encoding=encoding) as f:
        reader = csv.reader(f, delimiter=delimiter)
        header = next(reader, [])
        return header, sum(1 for _ in reader)


def pandas_baseline(args) -> dict:
    try:
        import pandas as pd
    except ImportError:
        raise RuntimeError("pandas n'est pas installé dans .venv : « .venv/bin/pip install -r "
                           "requirements-dev.txt » (ou « make venv »)") from None
    import sqlalchemy as sa
    engine = sa.create_engine(args.url)
    with engine.connect() as conn:      # the connection is not what is measured
        conn.exec_driver_sql("SELECT 1")
    out = Path(args.out)
    _p(f"pandas.read_sql(« SELECT * FROM {args.table} ») puis DataFrame.to_csv")
    meter = Meter().start()
    t0 = time.perf_counter()
    df = pd.read_sql(f"SELECT * FROM {args.table}", engine)
    read_s = time.perf_counter() - t0
    df.to_csv(out, index=False)
    measured = meter.stop()
    frame_mb = round(df.memory_usage(deep=True).sum() / 1024 / 1024, 1)
    n = len(df)
    del df
    header, rows = _csv_rows(out, "utf-8", ",")
    size = out.stat().st_size
    out.unlink(missing_ok=True)
    return {"event": "pandas", **measured, "read_sql_s": round(read_s, 3),
            "to_csv_s": round(measured["seconds"] - read_s, 3), "dataframe_mb": frame_mb,
            "rows": n, "csv": {"header": header, "data_rows": rows, "bytes": size},
            "pandas": pd.__version__}


def files(args) -> dict:
    flask_app, startup = _load(args.ini)
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.harvest import queue
    with flask_app.test_request_context():
        pkg = model.Package.get(FILES_SOURCE)
        if args.run == 1 or pkg is None:
            source_id = _create_source(FILES_SOURCE, "Partage de fichiers (banc de mesure)",
                                       "files", args.folder, {})["id"]
        else:
            source_id = pkg.id
        job = _new_job(source_id)
        job_id = job.id
        harvester = queue.get_harvester("files")
        _p(f"moisson des fichiers de {args.folder}, passage {args.run} : job {job_id[:8]}…")
        meter = Meter().start()
        objects = run_stages(job, harvester)
        measured = meter.stop()
        report = _report(job_id)
        stored = model.Session.execute(model.Package.__table__.select().with_only_columns(
            model.Package.id).where(model.Package.extras.contains(
                {"harvest_source_id": source_id}),
                model.Package.state == "active")).fetchall()
    return {"event": "files", "run": args.run, "startup_s": startup, **measured,
            "objects": objects, "job": report, "datasets_in_db": len(stored)}


def cleanup(args) -> dict:
    """Takes out what a previous harvest benchmark left in ckan_bench (sources, harvested
    datasets, their stored files, the organisation), so that the latency data set is again
    the only content of the database (run.py checks its counts before reusing it)."""
    flask_app, _startup = _load(args.ini)
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    from ckan import model
    from ckan.lib import uploader
    removed = {"sources": 0, "datasets": 0, "files": 0}
    with flask_app.test_request_context():
        for name in SOURCES:
            pkg = model.Package.get(name)
            if pkg is None:
                continue
            sid = pkg.id
            harvested = [pid for (pid,) in model.Session.query(model.Package.id).filter(
                model.Package.extras.contains({"harvest_source_id": sid}))]
            resources = [rid for (rid,) in model.Session.query(model.Resource.id).filter(
                model.Resource.package_id.in_(harvested))] if harvested else []
            tk.get_action("harvest_source_clear")(_ctx(), {"id": sid})
            model.Session.remove()
            for pid in harvested:       # any the clear did not reach (objects pruned)
                if model.Package.get(pid) is not None:
                    tk.get_action("dataset_purge")(_ctx(), {"id": pid})
            for rid in resources:
                path = Path(uploader.ResourceUpload({}).get_path(rid))
                if path.exists():
                    path.unlink()
                    removed["files"] += 1
            if sa.inspect(model.meta.engine).has_table("sql_harvester_secret"):
                model.Session.execute(sa.text(
                    "DELETE FROM sql_harvester_secret WHERE source_id = :id"), {"id": sid})
            model.Session.execute(sa.text("DELETE FROM harvest_source WHERE id = :id"),
                                  {"id": sid})
            model.Session.commit()
            tk.get_action("dataset_purge")(_ctx(), {"id": sid})
            removed["sources"] += 1
            removed["datasets"] += len(harvested)
        if model.Group.get(ORG) is not None:
            tk.get_action("organization_purge")(_ctx(), {"id": ORG})
        model.Session.commit()
    return {"event": "cleanup", **removed}


COMMANDS = {"sql": sql, "pandas": pandas_baseline, "files": files, "cleanup": cleanup}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="ipbench.harvest_worker")
    ap.add_argument("command", choices=sorted(COMMANDS))
    ap.add_argument("--ini")
    ap.add_argument("--url")
    ap.add_argument("--table")
    ap.add_argument("--rows", type=int, default=0)
    ap.add_argument("--out")
    ap.add_argument("--folder")
    ap.add_argument("--run", type=int, default=1)
    args = ap.parse_args(argv)
    try:
        send(COMMANDS[args.command](args))
        return 0
    except Exception as e:  # noqa: BLE001 - reported to run.py, which stops with a message
        traceback.print_exc()
        send({"event": "error", "message": f"{type(e).__name__}: {e}"})
        return EXIT_MEASURE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
