"""run.py --harvest: the harvesters' throughput and memory (issue 9, « Performance »).

    .venv/bin/python benchmarks/run.py --harvest [--rows 1000000] [--files 1000] [--name harvest]
    make bench BENCH_ARGS="--harvest"

Steps: check the services; write .state/bench/harvest.ini (the portal with its three
harvesters, settings.HARVEST_PLUGINS, on the services reserved for benchmarks) and run
`ckan db upgrade` under it; make the sources unless already there (harvestdata.py: the
PostgreSQL database ipbench_app with its table of N rows, the folder of F CSV files); take
out what a previous run left in ckan_bench; then, each in a fresh process
(harvest_worker.py):

1. the SQL harvest of the table (sql_harvester, a source saved with harvest_source_create),
   timed from the job's start to the stored CSV, whose data rows are counted;
2. the naive baseline: pandas.read_sql of the whole table, then DataFrame.to_csv;
3. the files harvest of the folder (files_harvester): first run (every dataset created);
4. the same source again, nothing changed (every dataset « unchanged »);

then the harvested datasets, the sources and their organisation are taken out of ckan_bench
again (the latency benchmark checks the database's counts before reusing its data), and the
results go to benchmarks/results/<name>.json and a French table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from . import harvestdata, sysinfo
from .common import (CKAN_CLI, EXIT_DATA, EXIT_MEASURE, EXIT_OK, RESULTS_DIR, ROOT, STATE,
                     BenchError, check_services, error, exclusive_run, info, say,
                     write_ini)
from .configs import Config
from .worker import PROTOCOL_PREFIX

from ckanext.internalportal import settings

HERE = Path(__file__).resolve().parent.parent          # benchmarks/
OPT_ALLOWED_ROOTS = "ckanext.internalportal.files_harvester.allowed_roots"

# the targets of issue 9
TARGET_ROWS_PER_S = 50_000
TARGET_RSS_GROWTH_MB = 200

HARVEST_CONFIG = Config(
    "harvest",
    "Portail et ses trois moissonneurs (settings.HARVEST_PLUGINS)",
    {**settings.portal_settings(settings.HARVEST_PLUGINS),
     OPT_ALLOWED_ROOTS: str(harvestdata.FILES_DIR.resolve()),
     # no pruning of the harvest history during the measurements (the cleanup removes it)
     "ckanext.internalportal.harvest.history_days": "0"},
    default=False, index=False)

DESCRIPTIONS = {
    "sql": "moisson SQL (sql_harvester) d'une table PostgreSQL de N lignes jusqu'au CSV stocké",
    "pandas": "référence naïve : pandas.read_sql de toute la table puis DataFrame.to_csv",
    "files_first": "moisson d'un dossier de F fichiers CSV (files_harvester), premier passage",
    "files_unchanged": "même source, rien n'a changé (second passage : « inchangés »)",
}


# ------------------------------------------------------------------ subprocesses
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    return env


def _ckan(ini: Path, *args: str, what: str) -> None:
    proc = subprocess.run([str(CKAN_CLI), "-c", str(ini), *args], capture_output=True,
                          text=True, env=_env())
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise BenchError(f"{what} a échoué (ckan -c {ini.name} {' '.join(args)}, "
                         f"code {proc.returncode}).", EXIT_DATA)


def worker(command: str, *args: str) -> dict:
    """Runs ipbench.harvest_worker in a fresh process; its result, or {"error": ...}."""
    proc = subprocess.Popen([sys.executable, "-m", "ipbench.harvest_worker", command, *args],
                            cwd=str(HERE), env=_env(), stdout=subprocess.PIPE, text=True,
                            bufsize=1)
    result = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(PROTOCOL_PREFIX):
            result = json.loads(line[len(PROTOCOL_PREFIX):])
        else:
            sys.stdout.write(line)
            sys.stdout.flush()
    rc = proc.wait()
    if result is None:
        return {"error": f"processus arrêté (code {rc}) sans résultat ; détails ci-dessus"}
    if result.get("event") == "error":
        return {"error": result.get("message", "erreur inconnue")}
    return result


# ------------------------------------------------------------------ French figures
def fr(x: float | None, digits: int = 1) -> str:
    """12345.6 -> « 12 345,6 » (narrow no-break space between thousands)."""
    if x is None:
        return "—"
    text = f"{x:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("atteint" if ok else "non atteint")


def phases(job: dict) -> dict:
    """Seconds of the job's gather and of the rest (imports), from its own timestamps."""
    def at(key: str):
        try:
            return dt.datetime.fromisoformat(str(job.get(key)))
        except (TypeError, ValueError):
            return None
    start, gathered, end = at("gather_started"), at("gather_finished"), at("finished")
    out = {}
    if start and gathered:
        out["gather"] = round((gathered - start).total_seconds(), 2)
    if gathered and end:
        out["import"] = round((end - gathered).total_seconds(), 2)
    return out


def summarise(args: argparse.Namespace, sql: dict, pandas: dict, first: dict,
              unchanged: dict) -> dict:
    out: dict = {"targets": {"rows_per_s": f"≥ {TARGET_ROWS_PER_S}",
                             "peak_rss_growth_mb": f"≤ {TARGET_RSS_GROWTH_MB}"}}
    if "error" not in sql:
        rows = sql["csv"]["data_rows"]
        rate = rows / sql["seconds"] if sql["seconds"] else None
        out["sql"] = {
            "rows": rows, "rows_expected": args.rows, "complete": rows == args.rows,
            "seconds": sql["seconds"], "rows_per_s": round(rate) if rate else None,
            "cpu_s": sql.get("cpu_s"),
            "rows_per_cpu_s": round(rows / sql["cpu_s"]) if sql.get("cpu_s") else None,
            "phases_s": phases(sql["job"]),
            "peak_rss_growth_mb": sql["peak_rss_growth_mb"],
            "csv_mb": round(sql["csv"]["bytes"] / 1024 / 1024, 1),
            "rows_per_s_met": bool(rate and rate >= TARGET_ROWS_PER_S and rows == args.rows),
            "peak_rss_met": (sql["peak_rss_growth_mb"] is not None
                             and sql["peak_rss_growth_mb"] <= TARGET_RSS_GROWTH_MB),
        }
    if "error" not in pandas:
        out["pandas"] = {"seconds": pandas["seconds"], "cpu_s": pandas.get("cpu_s"),
                         "rows_per_s": round(pandas["rows"] / pandas["seconds"]),
                         "read_sql_s": pandas["read_sql_s"], "to_csv_s": pandas["to_csv_s"],
                         "peak_rss_growth_mb": pandas["peak_rss_growth_mb"],
                         "dataframe_mb": pandas["dataframe_mb"]}
    if "sql" in out and "pandas" in out:
        s, p = out["sql"], out["pandas"]
        out["pandas_over_harvest"] = {
            "time": round(p["seconds"] / s["seconds"], 2) if s["seconds"] else None,
            "peak_rss_growth": (round(p["peak_rss_growth_mb"] / s["peak_rss_growth_mb"], 1)
                                if s["peak_rss_growth_mb"] else None)}
    for key, run in (("files_first", first), ("files_unchanged", unchanged)):
        if "error" in run:
            continue
        stats = run["job"]["stats"]
        done = sum(stats.get(k, 0) for k in ("added", "updated", "not modified"))
        out[key] = {"seconds": run["seconds"], "cpu_s": run.get("cpu_s"),
                    "objects": run["objects"], "stats": stats, "phases_s": phases(run["job"]),
                    "datasets_per_s": round(done / run["seconds"], 1) if run["seconds"]
                    else None,
                    "errors": len(run["job"]["errors"]),
                    "datasets_in_db": run["datasets_in_db"],
                    "peak_rss_growth_mb": run["peak_rss_growth_mb"]}
    return out


def table(args: argparse.Namespace, s: dict, failures: dict) -> str:
    head = ["mesure", "durée", "CPU", "débit", "pointe RSS (croissance)", "objectif"]
    rows = []
    if "sql" in s:
        q = s["sql"]
        rows.append([f"moisson SQL, {fr(q['rows'], 0)} lignes"
                     + ("" if q["complete"] else f" (attendu {fr(args.rows, 0)} !)"),
                     f"{fr(q['seconds'])} s", f"{fr(q['cpu_s'])} s",
                     f"{fr(q['rows_per_s'], 0)} lignes/s",
                     f"+{fr(q['peak_rss_growth_mb'])} Mo",
                     f"≥ {fr(TARGET_ROWS_PER_S, 0)} lignes/s : {_verdict(q['rows_per_s_met'])} ; "
                     f"≤ {TARGET_RSS_GROWTH_MB} Mo : {_verdict(q['peak_rss_met'])}"])
    if "pandas" in s:
        p = s["pandas"]
        rows.append(["pandas read_sql + to_csv", f"{fr(p['seconds'])} s", f"{fr(p['cpu_s'])} s",
                     f"{fr(p['rows_per_s'], 0)} lignes/s", f"+{fr(p['peak_rss_growth_mb'])} Mo",
                     f"read_sql {fr(p['read_sql_s'])} s, to_csv {fr(p['to_csv_s'])} s"])
    if "pandas_over_harvest" in s:
        r = s["pandas_over_harvest"]
        rows.append(["rapport pandas / moisson", f"{fr(r['time'], 2)}×", "", "",
                     f"{fr(r['peak_rss_growth'], 1)}×", "durée et mémoire de pandas ÷ moisson"])
    for key, label in (("files_first", f"fichiers ({args.files}), 1er passage"),
                       ("files_unchanged", f"fichiers ({args.files}), inchangés")):
        if key in s:
            f = s[key]
            st = f["stats"]
            rows.append([label, f"{fr(f['seconds'])} s", f"{fr(f['cpu_s'])} s",
                         f"{fr(f['datasets_per_s'])} jeux/s",
                         f"+{fr(f['peak_rss_growth_mb'])} Mo",
                         f"créés {st.get('added', 0)}, mis à jour {st.get('updated', 0)}, "
                         f"inchangés {st.get('not modified', 0)}, erreurs "
                         f"{st.get('errored', 0)}"])
    for key, why in failures.items():
        rows.append([DESCRIPTIONS[key].split(" (")[0][:40], "échec", "", "", "", why[:120]])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(  # noqa: E731
        (c.ljust(w) if i in (0, 5) else c.rjust(w)) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(head), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


# ------------------------------------------------------------------ the run
def run(args: argparse.Namespace) -> int:
    lock = exclusive_run()  # noqa: F841 - held until the process exits
    started, started_at = time.perf_counter(), _now()
    load_before = sysinfo.loadavg()
    digest_at_start = sysinfo.source_digest()

    say("Services (PostgreSQL, Redis, Solr)")
    check_services()
    cores = os.cpu_count() or 1
    if load_before and load_before[0] > 0.5 * cores:
        info(f"attention : la machine est déjà chargée (charge moyenne {fr(load_before[0], 2)} "
             f"pour {cores} cœurs) : les durées s'en ressentent, la colonne CPU (temps "
             "processeur du processus mesuré) beaucoup moins.")
    ini = write_ini(HARVEST_CONFIG)
    info(f"configuration « harvest » : {ini.relative_to(ROOT)} "
         f"(ckan.plugins = {HARVEST_CONFIG.overrides['ckan.plugins']})")
    t0 = time.perf_counter()
    _ckan(ini, "db", "upgrade", what="la migration de ckan_bench (harvest)")
    timings = {"migrations_s": round(time.perf_counter() - t0, 1)}

    say(f"Sources : table de {fr(args.rows, 0)} lignes, dossier de {args.files} fichiers")
    table_info = harvestdata.ensure_table(args.rows, regenerate=args.regenerate)
    info(f"{harvestdata.APP_DB}.{harvestdata.TABLE} : {fr(args.rows, 0)} lignes, "
         f"{fr(table_info['bytes'] / 1024 / 1024)} Mo sur disque, "
         + (f"générée en {fr(table_info['generation_s'])} s" if table_info["generated"]
            else "réutilisée"))
    files_info = harvestdata.ensure_files(args.files, seed=args.seed, regenerate=args.regenerate)
    info(f"{harvestdata.FILES_DIR.relative_to(ROOT)} : {args.files} fichiers "
         f"({files_info['kinds']['utf8_comma']} UTF-8 « , », "
         f"{files_info['kinds']['cp1252_semicolon']} cp1252 « ; »), "
         f"{fr(files_info['rows'], 0)} lignes, "
         + (f"générés en {fr(files_info['generation_s'])} s" if files_info["generated"]
            else "réutilisés"))

    say("Nettoyage de ckan_bench (restes d'une mesure précédente)")
    before = worker("cleanup", "--ini", str(ini))
    if "error" in before:
        raise BenchError(f"le nettoyage de ckan_bench a échoué : {before['error']}",
                         EXIT_MEASURE)
    if before["sources"]:
        info(f"retirés : {before['sources']} sources, {before['datasets']} jeux de données")

    url = harvestdata.app_url()
    results: dict[str, dict] = {}
    say("1/4 Moisson SQL (processus neuf)")
    results["sql"] = worker("sql", "--ini", str(ini), "--url", url,
                            "--table", harvestdata.TABLE, "--rows", str(args.rows))
    say("2/4 Référence pandas (processus neuf)")
    results["pandas"] = worker("pandas", "--url", url, "--table", harvestdata.TABLE,
                               "--out", str(STATE / "pandas-baseline.csv"))
    say("3/4 Moisson des fichiers, premier passage (processus neuf)")
    results["files_first"] = worker("files", "--ini", str(ini), "--folder",
                                    str(harvestdata.FILES_DIR.resolve()), "--run", "1")
    say("4/4 Moisson des fichiers, rien de changé (processus neuf)")
    results["files_unchanged"] = worker("files", "--ini", str(ini), "--folder",
                                        str(harvestdata.FILES_DIR.resolve()), "--run", "2")

    say("Nettoyage de ckan_bench (jeux moissonnés, sources)")
    after = worker("cleanup", "--ini", str(ini))
    if "error" in after:
        error(f"le nettoyage de ckan_bench a échoué : {after['error']} ; la prochaine "
              "mesure de latence régénérera ses données.")
    else:
        info(f"retirés : {after['sources']} sources, {after['datasets']} jeux de données, "
             f"{after['files']} fichiers stockés")

    failures = {k: v["error"] for k, v in results.items() if "error" in v}
    summary = summarise(args, results["sql"], results["pandas"], results["files_first"],
                        results["files_unchanged"])
    checks = []
    if "sql" in results and "error" not in results["sql"]:
        sql = results["sql"]
        if sql["csv"]["header"] != harvestdata.COLUMNS:
            checks.append("l'en-tête du CSV stocké n'est pas celui de la table : "
                          + ", ".join(sql["csv"]["header"]))
        if sql["csv"]["data_rows"] != args.rows:
            checks.append(f"le CSV stocké a {sql['csv']['data_rows']} lignes de données au "
                          f"lieu de {args.rows}")
        if sql["job"]["errors"]:
            checks.append("erreurs du job SQL : " + " | ".join(sql["job"]["errors"][:3]))
    for key in ("files_first", "files_unchanged"):
        run_ = results.get(key, {})
        if "error" not in run_ and run_.get("job", {}).get("errors"):
            checks.append(f"{key} : {len(run_['job']['errors'])} erreurs d'objet, dont "
                          + " | ".join(run_["job"]["errors"][:2]))
    wall = time.perf_counter() - started

    say("Résultats (moissonnage)")
    print(table(args, summary, failures), flush=True)
    for c in checks:
        info(f"attention : {c}")
    if digest_at_start != sysinfo.source_digest():
        info("attention : le code de ckanext/internalportal a changé pendant la mesure "
             "(source_digest différents).")

    doc = {
        "name": args.name,
        "date": started_at,
        "wall_time_s": round(wall, 1),
        "machine": {**sysinfo.machine(), "loadavg_before": load_before,
                    "loadavg_after": sysinfo.loadavg()},
        "versions": {**sysinfo.versions(),
                     "pandas": results["pandas"].get("pandas")},
        "git": sysinfo.git(),
        "source_digest": {"start": digest_at_start, "end": sysinfo.source_digest()},
        "parameters": {
            "rows": args.rows, "files": args.files, "seed": args.seed,
            "table": f"{harvestdata.APP_DB}.{harvestdata.TABLE}",
            "columns": harvestdata.COLUMNS,
            "scenarios": DESCRIPTIONS,
            "runner": "ckanext-harvest stages in-process (gather_stage, fetch_and_import_stages "
                      "per object, harvest_jobs_run), as ckanext.harvest.tests.lib."
                      "run_harvest_job without its package_show per dataset; one fresh "
                      "process per measurement",
            "memory": "peak RSS growth = VmHWM at the end - VmRSS at the start, the peak "
                      "reset at the start (/proc/self/clear_refs)",
            "targets": summary["targets"],
        },
        "config": {"name": HARVEST_CONFIG.name, "overrides": HARVEST_CONFIG.overrides},
        "data": {"table": table_info, "files": files_info, "timings": timings,
                 "cleanup_before": before, "cleanup_after": after},
        "summary": summary,
        "failures": failures,
        "checks": checks,
        "raw": results,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    dest = RESULTS_DIR / f"{args.name}.json"
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    os.replace(tmp, dest)
    minutes, seconds = divmod(int(round(wall)), 60)
    say(f"Terminé en {minutes} min {seconds:02d} s — résultats : {dest.relative_to(ROOT)}")
    if failures:
        raise BenchError("mesure(s) en échec : " + " ; ".join(
            f"{k} ({v[:200]})" for k, v in failures.items()), EXIT_MEASURE)
    return EXIT_OK


def describe() -> str:
    """For run.py --list."""
    return "\n".join(f"  {k:<20} {v}" for k, v in DESCRIPTIONS.items())
