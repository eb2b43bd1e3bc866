#!/usr/bin/env python
"""make bench: latency of the portal against plain CKAN 2.12, on the same services and data.

    .venv/bin/python benchmarks/run.py [--datasets 2000] [--orgs 20] [--repeat 200] ...
    make bench BENCH_ARGS="--datasets 10000"

Steps: check the services (make up); write one ini per configuration under .state/bench/;
`ckan db upgrade` under each; generate the synthetic catalogue into ckan_bench unless the
same one is already there; empty the Solr core; then, per round and per configuration, a
separate process (ipbench.worker) times the scenarios through the CKAN app's test client,
after rebuilding that configuration's search index in its first round (each configuration
has its own ckan.site_id, hence its own documents in the core); finally the pooled p50/p95,
the ratios to plain CKAN, and benchmarks/results/<name>.json. See benchmarks/README.md.

Sharing profile (issue 8): --shares N generates access levels and N shares in bulk;
--share-steps K1,K2 studies the member's Solr filter as its organisation receives K shares;
scenarios may declare their own baseline (shared_* against portal_nosharing).

Harvest profile (issue 9): --harvest [--rows N] [--files F] measures the SQL and files
harvesters (throughput, peak RSS growth, pandas baseline) instead: ipbench/harvest.py.

Statistics profile (internalportal_stats): --stats [--events N] writes N rolled-up usage
events into the plugin's tables (ipbench/usagedata.py), then times the portal against the
portal without the plugin (portal_nostats), its pages and actions against the dataset page,
and counts the Redis round trips of each request and the cost of store.record.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

if __name__ == "__main__":
    import importlib.util
    if importlib.util.find_spec("ckan") is None:
        sys.stderr.write("ERREUR : CKAN est introuvable pour cet interpréteur Python "
                         f"({sys.executable}) : lancez la mesure avec « make bench » "
                         "(qui utilise .venv/bin/python).\n")
        sys.exit(1)

from ipbench import datagen, sysinfo, usagedata  # noqa: E402
from ipbench.common import (  # noqa: E402
    CKAN_CLI, DATA_FILE, EXIT_DATA, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_MEASURE, EXIT_OK,
    EXIT_USAGE, RESULTS_DIR, STATE, BenchError, check_services, error, info, ini_path,
    exclusive_run, pg_connect, purge_solr_core, say, write_ini,
)
from ipbench.configs import BASELINE, CONFIGS, Config  # noqa: E402
from ipbench.scenarios import SCENARIOS, STATS_PLUGIN  # noqa: E402
from ipbench.stats import percentile, ratio, summary  # noqa: E402
from ipbench.worker import PROTOCOL_PREFIX  # noqa: E402


def harvest_describe() -> str:
    from ipbench.harvest import describe
    return describe()


GENERATOR_CONFIG = "plain"     # the data are created under plain CKAN (see configs.py)

# the statistics profile (--stats): its configurations (the first is the baseline), scenarios
# and the ones whose Redis round trips are counted (README « Statistiques d'usage »)
STATS_CONFIGS = "portal_nostats,portal"
STATS_SCENARIOS = ("dataset_page,package_show,resource_download,search_anon,"
                   "top_dataset_page,stats_page,usage_show,usage_show_year,org_usage_show,"
                   "site_usage_show,home_page,package_create")   # creations last (org's)
STATS_REPEAT, STATS_WARMUP = 120, 10         # the profile's --repeat and --warmup defaults
STATS_TRIP_SCENARIOS = ["dataset_page", "package_show", "resource_download", "search_anon",
                        "package_create", "top_dataset_page", "stats_page", "usage_show"]
# timed requests of a scenario in the profile = --repeat × factor (warm-up likewise, at least
# 2): more for the quick requests of the 1.05 targets, fewer for the slow informative actions
STATS_REPEAT_FACTORS = {"package_show": 3.0, "resource_download": 3.0, "search_anon": 3.0,
                        "package_create": 2.0,
                        "top_dataset_page": 0.5, "stats_page": 0.5, "home_page": 0.5,
                        "usage_show_year": 0.2, "org_usage_show": 0.2, "site_usage_show": 0.1}
STATS_TRIP_REQUESTS = 40
STATS_RECORD_CALLS = 5000


# ------------------------------------------------------------------ arguments
class FrenchParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        error(f"argument invalide : {message} (voir --help)")
        sys.exit(EXIT_USAGE)


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un entier") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} : un entier ≥ 1 est attendu")
    return value


def non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un entier") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} : un entier ≥ 0 est attendu")
    return value


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = FrenchParser(
        prog="benchmarks/run.py",
        description="Mesures de latence du portail contre CKAN 2.12 seul "
                    "(mêmes services, mêmes données). Voir benchmarks/README.md.")
    ap.add_argument("--datasets", type=positive, default=2000,
                    help="nombre de jeux de données synthétiques (défaut : 2000)")
    ap.add_argument("--orgs", type=positive, default=20,
                    help="nombre d'organisations (défaut : 20)")
    ap.add_argument("--seed", type=int, default=42, help="graine du générateur (défaut : 42)")
    ap.add_argument("--repeat", type=positive, default=None,
                    help="requêtes mesurées par scénario et par configuration, réparties "
                         f"sur les tours (défaut : 200 ; {STATS_REPEAT} avec --stats)")
    ap.add_argument("--warmup", type=non_negative, default=None,
                    help="requêtes de chauffe par scénario, à chaque tour (défaut : 20 ; "
                         f"{STATS_WARMUP} avec --stats)")
    ap.add_argument("--rounds", type=positive, default=2,
                    help="tours alternant les configurations (défaut : 2)")
    ap.add_argument("--name", default=None,
                    help="nom du résultat : benchmarks/results/<nom>.json (défaut : "
                         "foundation, harvest avec --harvest)")
    default_configs = ",".join(n for n, c in CONFIGS.items() if c.default)
    ap.add_argument("--configs", default=None,
                    help=f"configurations, dans l'ordre (défaut : {default_configs} ; "
                         f"{STATS_CONFIGS} avec --stats)")
    ap.add_argument("--scenarios", default=None,
                    help="scénarios (défaut : ceux du tour par défaut, voir --list ; ceux du "
                         "profil statistiques avec --stats)")
    ap.add_argument("--batch", type=positive, default=10,
                    help="requêtes par lot, les configurations alternant à chaque lot "
                         "(défaut : 10)")
    ap.add_argument("--index-threads", type=positive, default=2,
                    help="fils d'indexation pour la reconstruction de l'index (défaut : 2)")
    ap.add_argument("--index-procs", type=positive, default=1,
                    help="processus d'indexation par configuration, chacun avec ses fils "
                         "(défaut : 1)")
    ap.add_argument("--gen-procs", type=positive, default=2,
                    help="processus de génération en parallèle (défaut : 2)")
    ap.add_argument("--shares", type=non_negative, default=0,
                    help="profil partage : niveaux d'accès, N partages entre organisations, "
                         "données chargées en bloc (défaut : 0, profil par défaut)")
    ap.add_argument("--share-steps", default="",
                    help="étude du filtre Solr : partages reçus par l'organisation du membre, "
                         "par ex. 100,1000,5000 (avec --shares ; défaut : aucune)")
    ap.add_argument("--regenerate", action="store_true",
                    help="régénérer les données même si les mêmes sont déjà en base")
    ap.add_argument("--harvest", action="store_true",
                    help="profil moissonnage : débit et mémoire des moissonneurs SQL et "
                         "fichiers, contre pandas (au lieu des mesures de latence)")
    ap.add_argument("--rows", type=positive, default=1_000_000,
                    help="avec --harvest : lignes de la table PostgreSQL moissonnée "
                         "(défaut : 1000000)")
    ap.add_argument("--files", type=positive, default=1000,
                    help="avec --harvest : fichiers CSV du dossier moissonné (défaut : 1000)")
    ap.add_argument("--stats", action="store_true",
                    help="profil statistiques d'usage (internalportal_stats) : historique de "
                         "N événements en base, portail contre portail sans le plugin, allers-"
                         "retours Redis et coût de store.record")
    ap.add_argument("--events", type=positive, default=10_000_000,
                    help="avec --stats : événements agrégés écrits dans les tables du plugin "
                         "(défaut : 10000000)")
    ap.add_argument("--list", action="store_true",
                    help="lister les configurations et les scénarios, puis quitter")
    args = ap.parse_args(argv)
    if args.name is None:
        args.name = "harvest" if args.harvest else ("stats" if args.stats else "foundation")
    if args.repeat is None:
        args.repeat = STATS_REPEAT if args.stats else 200
    if args.warmup is None:
        args.warmup = STATS_WARMUP if args.stats else 20
    if args.configs is None:
        args.configs = STATS_CONFIGS if args.stats else default_configs
    if args.scenarios is None:
        args.scenarios = (STATS_SCENARIOS if args.stats else
                          ",".join(n for n, s in SCENARIOS.items() if s.default))
    if args.stats and (args.shares or args.harvest):
        ap.error("--stats ne se combine ni avec --shares ni avec --harvest")
    if args.stats and "portal" not in args.configs.split(","):
        ap.error("--stats demande la configuration « portal » dans --configs")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", args.name):
        ap.error(f"--name « {args.name} » : lettres, chiffres, « _ », « . », « - » seulement")
    args.config_list = _pick(ap, args.configs, CONFIGS, "configuration")
    args.scenario_list = _pick(ap, args.scenarios, SCENARIOS, "scénario")
    if args.repeat < args.rounds:
        ap.error(f"--repeat ({args.repeat}) doit être ≥ --rounds ({args.rounds})")
    try:
        args.step_list = [int(x) for x in args.share_steps.split(",") if x.strip()]
    except ValueError:
        ap.error(f"--share-steps « {args.share_steps} » : des entiers séparés par des virgules")
    if args.step_list and not args.shares:
        ap.error("--share-steps demande le profil partage (--shares N)")
    if args.step_list and (min(args.step_list) < 0 or "portal" not in args.config_list
                           or BASELINE not in args.config_list):
        ap.error("--share-steps : des entiers ≥ 0, et les configurations « portal » et "
                 f"« {BASELINE} » dans --configs")
    if args.shares and args.orgs < 3:
        ap.error("--shares demande au moins 3 organisations (--orgs)")
    return args


def _pick(ap: argparse.ArgumentParser, text: str, registry: dict, what: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in registry]
    if unknown or not names:
        ap.error(f"{what} inconnu(e) : {', '.join(unknown) or '(aucun)'} ; "
                 f"connu(e)s : {', '.join(registry)}")
    if len(set(names)) != len(names):
        ap.error(f"{what} en double dans « {text} »")
    return names


# ------------------------------------------------------------------ subprocesses
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    return env


def ckan_cli(ini: Path, *args: str, what: str) -> None:
    proc = subprocess.run([str(CKAN_CLI), "-c", str(ini), *args], capture_output=True,
                          text=True, env=_env())
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise BenchError(f"{what} a échoué (ckan -c {ini.name} {' '.join(args)}, "
                         f"code {proc.returncode}).", EXIT_DATA)


def python_module(module: str, *args: str, code: int, what: str) -> None:
    proc = subprocess.run([sys.executable, "-m", module, *args], cwd=str(HERE), env=_env())
    if proc.returncode != 0:
        raise BenchError(f"{what} a échoué (code {proc.returncode}) ; détails ci-dessus.", code)


def parallel_modules(jobs: list[tuple[str, list[str]]], code: int, what: str) -> None:
    """Run `python -m module args` for each job at once; the first failure stops the others."""
    procs = [subprocess.Popen([sys.executable, "-m", module, *a], cwd=str(HERE), env=_env())
             for module, a in jobs]
    try:
        failed = None
        pending = list(procs)
        while pending:
            for p in list(pending):
                rc = p.poll()
                if rc is None:
                    continue
                pending.remove(p)
                if rc != 0 and failed is None:
                    failed = rc
                    for other in pending:
                        other.terminate()
            time.sleep(0.2)
        if failed is not None:
            raise BenchError(f"{what} a échoué (code {failed}) ; détails ci-dessus.", code)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=30)


# ------------------------------------------------------------------ data set
def db_counts() -> dict | None:
    """What ckan_bench holds, or None when CKAN's tables are not there."""
    conn = pg_connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('public.package'), to_regclass('public.activity')")
            if None in cur.fetchone():
                return None
            like = datagen.NAME_PREFIX + "%"
            cur.execute(
                "SELECT count(*), count(*) FILTER (WHERE name LIKE %s AND type = 'dataset' "
                "AND state = 'active'), count(*) FILTER (WHERE name LIKE %s AND private "
                "AND state = 'active') FROM package", (like, like))
            total, datasets, private = cur.fetchone()
            cur.execute("SELECT count(*), count(*) FILTER (WHERE name LIKE %s) FROM \"group\" "
                        "WHERE is_organization AND state = 'active'", (like,))
            orgs_total, orgs = cur.fetchone()
            cur.execute("SELECT count(*) FROM \"user\" WHERE name LIKE %s AND state = 'active'",
                        (like,))
            users = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM resource WHERE state = 'active'")
            resources = cur.fetchone()[0]
            shares = None
            cur.execute("SELECT to_regclass('public.internalportal_share')")
            if cur.fetchone()[0] is not None:
                cur.execute("SELECT count(*) FILTER (WHERE reason = %s), count(*) FROM "
                            "internalportal_share WHERE state = 'active'",
                            (datagen.SHARE_REASON,))
                shares, shares_all = cur.fetchone()
                if shares_all != shares:      # steps of an interrupted filter study
                    shares = -shares_all
        return {"packages_total": total, "datasets": datasets, "private": private,
                "orgs_total": orgs_total, "orgs": orgs, "users": users, "resources": resources,
                "shares": shares}
    finally:
        conn.close()


def wanted(args: argparse.Namespace) -> dict:
    want = {"generator_version": datagen.GENERATOR_VERSION, "datasets": args.datasets,
            "orgs": args.orgs, "seed": args.seed}
    if args.shares:       # the sharing profile (absent from the default profile's record)
        want.update(profile="sharing", shares=args.shares)
    return want


def reusable(args: argparse.Namespace) -> tuple[bool, str]:
    if args.regenerate:
        return False, "régénération demandée (--regenerate)"
    if not DATA_FILE.exists():
        return False, "aucune donnée générée enregistrée (.state/bench/data.json)"
    try:
        recorded = json.loads(DATA_FILE.read_text())
    except ValueError:
        return False, ".state/bench/data.json illisible"
    want = wanted(args)
    diff = [k for k in {*want, "shares"} if recorded.get(k) != want.get(k)]
    if diff:
        return False, "paramètres différents : " + ", ".join(
            f"{k} {recorded.get(k)} → {want.get(k)}" for k in sorted(diff))
    counts = db_counts()
    if counts is None:
        return False, "tables CKAN absentes de ckan_bench"
    expected = recorded.get("counts", {})
    checks = {
        "packages_total": args.datasets, "datasets": args.datasets,
        "orgs_total": args.orgs, "orgs": args.orgs,
        "users": len(datagen.USERS) + (len(datagen.SHARING_USERS) if args.shares else 0),
        "private": expected.get("private"), "resources": expected.get("resources"),
    }
    if args.shares:
        checks["shares"] = args.shares
    bad = [f"{k} {counts[k]} ≠ {v}" for k, v in checks.items() if counts.get(k) != v]
    if bad:
        return False, "la base ne correspond plus : " + ", ".join(bad)
    return True, (f"{counts['datasets']} jeux de données ({counts['private']} privés), "
                  f"{counts['orgs']} organisations déjà en base")


def ensure_data(args: argparse.Namespace, configs: list[Config]) -> dict:
    ok, why = reusable(args)
    timings: dict[str, float] = {}
    gen_config = CONFIGS[GENERATOR_CONFIG]
    write_ini(gen_config)
    if ok:
        say(f"Données : réutilisées ({why})")
    else:
        say(f"Données : génération ({why})")
        DATA_FILE.unlink(missing_ok=True)
        t0 = time.perf_counter()
        info("vidage de la base ckan_bench et de l'index (ckan db clean)")
        ckan_cli(ini_path(gen_config), "db", "clean", "--yes", what="le vidage de ckan_bench")
        timings["clean_s"] = round(time.perf_counter() - t0, 1)

    t0 = time.perf_counter()
    seen = set()
    # the sharing profile writes the sharing plugin's table: its migration first
    sharing_config = [CONFIGS["portal"]] if args.shares else []
    for c in sharing_config:
        write_ini(c)
    for c in [gen_config, *sharing_config, *configs]:
        if c.name in seen:
            continue
        seen.add(c.name)
        info(f"migrations sous « {c.name} » (ckan db upgrade : cœur et plugins activés)")
        ckan_cli(ini_path(c), "db", "upgrade", what=f"la migration de ckan_bench ({c.name})")
    timings["migrations_s"] = round(time.perf_counter() - t0, 1)

    if not ok:
        info(f"génération de {args.datasets} jeux de données, {args.orgs} organisations "
             f"(graine {args.seed}, générateur v{datagen.GENERATOR_VERSION})")
        t0 = time.perf_counter()
        base_args = [str(ini_path(gen_config)), "--datasets", str(args.datasets),
                     "--orgs", str(args.orgs), "--seed", str(args.seed)]
        if args.shares:
            info(f"profil partage : {args.shares} partages, chargement en bloc (SQL)")
            python_module("ipbench.datagen", *base_args, "--shares", str(args.shares),
                          "--out", str(STATE / "generation-0.json"),
                          code=EXIT_DATA, what="la génération des données (profil partage)")
        else:
            python_module("ipbench.datagen", *base_args,
                          "--out", str(STATE / "generation-0.json"),
                          code=EXIT_DATA, what="la génération des données (préparation)")
            parallel_modules(
                [("ipbench.datagen", [*base_args, "--part", str(k), "--parts",
                                      str(args.gen_procs),
                                      "--out", str(STATE / f"generation-{k + 1}.json")])
                 for k in range(args.gen_procs)],
                code=EXIT_DATA, what="la génération des données")
        timings["generation_s"] = round(time.perf_counter() - t0, 1)
        counts = db_counts()
        if counts is None or counts["datasets"] != args.datasets:
            raise BenchError(f"après génération, ckan_bench contient "
                             f"{counts and counts['datasets']} jeux de données au lieu de "
                             f"{args.datasets}.", EXIT_DATA)
        DATA_FILE.write_text(json.dumps({
            **wanted(args), "counts": counts, "created": _now(),
            "generation_s": timings["generation_s"],
        }, indent=2) + "\n")
    recorded = json.loads(DATA_FILE.read_text())
    out = {"counts": recorded["counts"], "created": recorded.get("created"),
           "regenerated": not ok, "timings": timings}
    if args.stats:
        say(f"Historique d'usage : {args.events} événements agrégés (internalportal_stats)")
        usage = usagedata.ensure(args.events, args.seed, regenerate=args.regenerate)
        timings["usage_history_s"] = usage["seconds"]
        out["usage"] = usage
        args.stats_top = usage["top_dataset"]["name"]
        args.stats_year_start = (dt.date.fromisoformat(usage["anchor"])
                                 - dt.timedelta(days=365)).isoformat()
    return out


# ------------------------------------------------------------------ measuring
class Worker:
    """One configuration's measuring process (ipbench.worker), driven line by line."""

    def __init__(self, config: Config, args: argparse.Namespace, round_no: int, rebuild: bool):
        self.name = config.name
        cmd = [sys.executable, "-m", "ipbench.worker", "--config", config.name,
               "--ini", str(ini_path(config)), "--round", str(round_no),
               "--seed", str(args.seed), "--index-threads", str(args.index_threads),
               "--index-procs", str(args.index_procs)]
        if rebuild:
            cmd.append("--rebuild")
        if getattr(args, "stats_top", None):
            cmd += ["--stats-top", args.stats_top, "--stats-year-start", args.stats_year_start]
        self.proc = subprocess.Popen(cmd, cwd=str(HERE), env=_env(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)

    def _fail(self, why: str) -> BenchError:
        return BenchError(f"la mesure de « {self.name} » a échoué : {why}", EXIT_MEASURE)

    def event(self) -> dict:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(PROTOCOL_PREFIX):
                ev = json.loads(line[len(PROTOCOL_PREFIX):])
                if ev.get("event") == "error":
                    raise self._fail(ev.get("message", "erreur inconnue"))
                return ev
            sys.stdout.write(line)      # progress of the worker
            sys.stdout.flush()
        rc = self.proc.wait()
        raise self._fail(f"processus arrêté (code {rc}) ; détails ci-dessus")

    def call(self, **cmd) -> dict:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            rc = self.proc.wait()
            raise self._fail(f"processus arrêté (code {rc}) ; détails ci-dessus") from None
        return self.event()

    def quit(self) -> dict:
        bye = self.call(cmd="quit")
        self.proc.wait(timeout=120)
        return bye

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def repeat_of(args: argparse.Namespace, scenario: str) -> tuple[int, int]:
    """(timed requests over all rounds, warm-up per round) of a scenario in this run."""
    factor = STATS_REPEAT_FACTORS.get(scenario, 1.0) if args.stats else 1.0
    if factor == 1.0:
        return args.repeat, args.warmup
    return (max(args.rounds, round(args.repeat * factor)),
            min(args.warmup, max(2, round(args.warmup * factor))))


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if r < total % parts else 0) for r in range(parts)]


def applies(config: Config, scenario: str) -> bool:
    """A search scenario needs the configuration's search index; a plugin's scenario needs
    the plugin (e.g. the statistics pages: portal only)."""
    sc = SCENARIOS[scenario]
    return (config.index or not sc.search) and (sc.plugin is None or sc.plugin in config.plugins)


def alternate(workers: dict, names: list[str], scenario: str, n: int, args: argparse.Namespace,
              phase: str = "", warmup: int | None = None) -> dict[str, list[float]]:
    """A warm-up each, then n timed requests each, in batches alternating between the
    configurations, order reversed every batch (ABBA)."""
    warmup = args.warmup if warmup is None else warmup
    if warmup:
        for c in names:
            workers[c].call(cmd="warmup", scenario=scenario, n=warmup, phase=phase)
    got: dict[str, list[float]] = {c: [] for c in names}
    for j, k in enumerate(split(n, -(-n // args.batch))):
        for c in (names if j % 2 == 0 else names[::-1]):
            got[c].extend(workers[c].call(cmd="measure", scenario=scenario, n=k,
                                          phase=phase)["samples"])
    return got


def share_study(args: argparse.Namespace, workers: dict, n: int) -> dict:
    """The filter study (sharing profile): the member's organisation receives K shares for
    each K of --share-steps; each time, the member's Solr filter as CKAN sends it (labels,
    characters) in both configurations, and search_member alternated portal / plain. The
    shares added are removed at the end (the database is the generated one again)."""
    pair = ["portal", BASELINE]
    steps = []
    generated = None
    for k in args.step_list:
        t0 = time.perf_counter()
        changed = workers["portal"].call(cmd="set_shares", count=k)
        if generated is None:
            generated = changed["before"]
        filters = {c: workers[c].call(cmd="filter") for c in pair}
        got = alternate(workers, pair, "search_member", n, args, phase=f"shares{k}:")
        step = {
            "shares_received": k, "changed": changed["changed"],
            "reindex_s": changed["reindex_s"],
            "filter": {c: {key: f[key] for key in ("labels", "label_kinds", "chars")}
                       for c, f in filters.items()},
            "filter_text": {c: f["fq"] for c, f in filters.items()},
            "member_count": {c: f["member_count"] for c, f in filters.items()},
            "search_member": {c: summary(got[c]) for c in pair},
        }
        step["ratio_p50"] = ratio(step["search_member"]["portal"]["p50_ms"],
                                  step["search_member"][BASELINE]["p50_ms"])
        steps.append(step)
        fp = step["filter"]["portal"]
        info(f"{k:>5} partages reçus : filtre du membre {fp['labels']} étiquettes, "
             f"{fp['chars']} caractères ; visibles {step['member_count']['portal']} ; "
             f"search_member p50 portal {step['search_member']['portal']['p50_ms']:.1f} / "
             f"plain {step['search_member'][BASELINE]['p50_ms']:.1f} ms "
             f"(ratio {fmt_ratio(step['ratio_p50'])}, réindexés {changed['changed']} en "
             f"{changed['reindex_s']:.0f} s ; {time.perf_counter() - t0:.0f} s)")
    # back to the generated shares (database only: the next run rebuilds the index)
    workers["portal"].call(cmd="set_shares", count=generated, reindex=False)
    return {"steps": steps, "repeat_per_step": n, "generated_member_org_shares": generated}


def stats_probes(args: argparse.Namespace, configs: list[Config], workers: dict) -> dict:
    """Statistics profile, last round, after the timed scenarios: the Redis round trips of
    each request in every configuration (STATS_TRIP_REQUESTS untimed requests per scenario,
    the same ones everywhere), then store.record timed in the portal's process."""
    say(f"Redis : allers-retours par requête ({STATS_TRIP_REQUESTS} requêtes par scénario et "
        f"par configuration), puis store.record chronométré ({STATS_RECORD_CALLS} appels)")
    trips: dict[str, dict] = {}
    for s in STATS_TRIP_SCENARIOS:
        if s not in args.scenario_list:
            continue
        for c in configs:
            if not applies(c, s):
                continue
            got = workers[c.name].call(cmd="redis_trips", scenario=s, n=STATS_TRIP_REQUESTS)
            got.pop("event", None)
            trips.setdefault(s, {})[c.name] = got
        info(f"{s:<20} " + "   ".join(
            f"{c} {v['client_per_request']['round_trips']:.2f} aller(s)-retour(s)/requête, "
            f"{v['client_per_request']['sql_statements']:.1f} SQL"
            + (f" (dont statistiques {v['client_per_request']['stats_round_trips']:.2f}, "
               f"serveur : {v['server_per_request'].get('total_reads_processed', 0):.2f} "
               f"lectures, {v['server_per_request'].get('hincrby', 0):.2f} HINCRBY)"
               + (f" ; crochets du plugin p50 {v['plugin_hooks_ms']['p50']:.3f} ms, p95 "
                  f"{v['plugin_hooks_ms']['p95']:.3f} ms" if v.get("plugin_hooks_ms") else "")
               if STATS_PLUGIN in CONFIGS[c].plugins else "")
            for c, v in trips[s].items()))
    record = None
    stats_configs = [c for c in configs if STATS_PLUGIN in c.plugins]
    if stats_configs:
        record = workers[stats_configs[0].name].call(cmd="record_timing", n=STATS_RECORD_CALLS)
        record.pop("event", None)
        for case, v in record.items():
            if isinstance(v, dict):
                info(f"store.record {case} : p50 {v['p50_ms']:.3f} ms, p95 {v['p95_ms']:.3f} "
                     f"ms, p99 {v['p99_ms']:.3f} ms ({v['calls']} appels, {v['failed']} échecs)")
    return {"redis_trips": trips, "record_timing": record,
            "trip_requests": STATS_TRIP_REQUESTS, "record_calls": STATS_RECORD_CALLS}


def measure(args: argparse.Namespace, configs: list[Config]) -> tuple[dict, dict, dict]:
    """Per round: one fresh process per configuration, alive together; for each scenario a
    warm-up, then timed batches alternating between the configurations (ABBA order)."""
    names = [c.name for c in configs]
    per_round = split(args.repeat, args.rounds)
    pooled = {c.name: {s: [] for s in args.scenario_list if applies(c, s)} for c in configs}
    rounds_info: dict[str, list] = {n: [] for n in names}
    study: dict = {}
    # every configuration rebuilds its own documents (own site id) in its first round
    purge_solr_core()
    for r in range(1, args.rounds + 1):
        say(f"Tour {r}/{args.rounds} : {per_round[r - 1]} requêtes par scénario et par "
            f"configuration, en alternance par lots de {args.batch}")
        workers: dict[str, Worker] = {}
        try:
            loads = {}
            digest = sysinfo.source_digest()
            for c in configs:       # started together: the index rebuilds overlap
                info(f"démarrage de « {c.name} » — {c.description}"
                     + (" : reconstruction de son index Solr" if r == 1 and c.index else ""))
                loads[c.name] = sysinfo.loadavg()
                workers[c.name] = Worker(c, args, r, rebuild=(r == 1))
            for c in configs:
                load = loads[c.name]
                ready = workers[c.name].event()
                rounds_info[c.name].append({
                    "round": r, "loadavg_at_start": load, "startup_s": ready["startup_s"],
                    "source_digest": digest,
                    "index_rebuild": ready["rebuild"], "visible": ready["sanity"],
                    "p50_ms": {},
                })
            for s in args.scenario_list:
                t0 = time.perf_counter()
                these = [c.name for c in configs if applies(c, s)]
                total, warmup = repeat_of(args, s)
                got = alternate(workers, these, s, split(total, args.rounds)[r - 1], args,
                                warmup=warmup)
                for n in these:
                    pooled[n][s].extend(got[n])
                    rounds_info[n][-1]["p50_ms"][s] = round(percentile(got[n], 50), 3)
                info(f"{s:<20} " + "   ".join(
                    f"{n} p50 {percentile(got[n], 50):6.1f} p95 {percentile(got[n], 95):6.1f}"
                    for n in these) + f"   ms  ({time.perf_counter() - t0:.0f} s)")
            if r == args.rounds and args.step_list:
                say(f"Étude du filtre Solr : partages reçus par l'organisation du membre "
                    f"{', '.join(map(str, args.step_list))} ({per_round[r - 1]} requêtes "
                    f"search_member par palier et par configuration)")
                study = share_study(args, workers, per_round[r - 1])
            if r == args.rounds and args.stats:
                study = stats_probes(args, configs, workers)
            for c in configs:
                bye = workers[c.name].quit()
                cleanup = {k: v for k, v in bye.items() if k != "event"}
                if cleanup:
                    rounds_info[c.name][-1]["cleanup"] = cleanup
        finally:
            for w in workers.values():
                w.stop()
    return pooled, rounds_info, study


def baseline_of(configs: list[Config]) -> str:
    names = [c.name for c in configs]
    return BASELINE if BASELINE in names else names[0]


def fmt_ms(x: float) -> str:
    return f"{x:.1f}"


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def table(results: dict, ratios: dict, configs: list[Config], scenarios: list[str],
          baselines: dict[str, str]) -> str:
    others = [c.name for c in configs if ratios.get(c.name)]
    head = ["scénario", "référence"]
    for c in configs:
        head += [f"{c.name} p50", f"{c.name} p95"]
    for o in others:
        suffix = "" if len(others) == 1 else f" {o}"
        head += [f"ratio p50{suffix}", f"ratio p95{suffix}"]
    rows = []
    for s in scenarios:
        row = [s, baselines[s]]
        for c in configs:
            got = results[c.name].get(s)
            row += ([fmt_ms(got["p50_ms"]), fmt_ms(got["p95_ms"])] if got else ["—", "—"])
        for o in others:
            got = ratios[o].get(s)
            row += ([fmt_ratio(got["p50"]), fmt_ratio(got["p95"])] if got else ["—", "—"])
        rows.append(row)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(  # noqa: E731
        (cell.ljust(w) if i < 2 else cell.rjust(w)) for i, (cell, w) in enumerate(zip(r, widths)))
    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(head), sep, *(line(r) for r in rows)])


def sharing_summary(args: argparse.Namespace, results: dict, ratios: dict,
                    ratios_per_round: dict, baselines: dict, rounds_info: dict,
                    study: dict) -> dict:
    """The figures issue 8 asks for, in one place (the rest of the document has them all)."""
    out: dict = {"targets": {"search_member": f"portal ≤ 1.10 × {BASELINE}",
                             "shared_package_show": "portal ≤ 1.10 × portal_nosharing",
                             "shared_dataset_page": "portal ≤ 1.10 × portal_nosharing"}}
    for s in ("search_member", "shared_package_show", "shared_dataset_page"):
        b = baselines.get(s)
        if s not in args.scenario_list or "portal" not in results or b not in results \
                or s not in results[b] or s not in results["portal"]:
            continue
        got = ratios["portal"][s]
        out[s] = {"baseline": b, "portal_p50_ms": results["portal"][s]["p50_ms"],
                  f"{b}_p50_ms": results[b][s]["p50_ms"], "ratio_p50": got["p50"],
                  "ratio_p95": got["p95"], "ratio_p50_per_round": ratios_per_round["portal"][s],
                  "within_target": None if got["p50"] is None else got["p50"] <= 1.10}
    if "portal" in rounds_info:
        first = rounds_info["portal"][0]["visible"]
        out["member_filter"] = {c: rounds_info[c][0]["visible"].get("member_filter")
                                for c in rounds_info if "member_filter"
                                in rounds_info[c][0]["visible"]}
        out["visible"] = {c: {k: v for k, v in rounds_info[c][0]["visible"].items()
                              if k.endswith("_count")} for c in rounds_info
                          if "anonymous_count" in rounds_info[c][0]["visible"]}
        out["shared_datasets_read"] = first.get("shared_datasets_read")
    if study:
        out["filter_growth"] = [{
            "shares_received": st["shares_received"],
            "labels": st["filter"]["portal"]["labels"],
            "chars": st["filter"]["portal"]["chars"],
            "member_count": st["member_count"]["portal"],
            "portal_p50_ms": st["search_member"]["portal"]["p50_ms"],
            f"{BASELINE}_p50_ms": st["search_member"][BASELINE]["p50_ms"],
            "ratio_p50": st["ratio_p50"],
        } for st in study["steps"]]
    return out


def stats_summary(args: argparse.Namespace, results: dict, ratios: dict,
                  ratios_per_round: dict, baselines: dict, rounds_info: dict,
                  probes: dict, usage: dict | None) -> dict:
    """The figures of the statistics profile's targets, in one place (the rest of the
    document has them all)."""
    with_stats = "portal"
    out: dict = {"targets": {
        "overhead": "dataset_page, package_show, resource_download : portal / portal_nostats "
                    "(p50, p95), rapportés",
        "redis_round_trips": "≤ 1 aller-retour Redis du plugin par requête (mesuré)",
        "record_p50_ms": "store.record p50 ≤ 1 ms",
        "plugin_hooks_ms": "temps des crochets du plugin par requête (after_dataset_search + "
                           "after_request, mesuré dans le processus) p50 ≤ 1 ms",
        "search_create": "search_anon, package_create : portal ≤ 1,05 × portal_nostats (p50)",
        "stats_pages": "stats_page, usage_show : p50 ≤ 2 × top_dataset_page (p50), portal",
    }}

    def pair(s: str) -> dict | None:
        b = baselines.get(s)
        if s not in results.get(with_stats, {}) or s not in results.get(b, {}):
            return None
        got = ratios.get(with_stats, {}).get(s, {})
        return {"baseline": b, "portal_p50_ms": results[with_stats][s]["p50_ms"],
                "portal_p95_ms": results[with_stats][s]["p95_ms"],
                f"{b}_p50_ms": results[b][s]["p50_ms"], f"{b}_p95_ms": results[b][s]["p95_ms"],
                "ratio_p50": got.get("p50"), "ratio_p95": got.get("p95"),
                "ratio_p50_per_round": ratios_per_round.get(with_stats, {}).get(s)}

    out["overhead"] = {s: pair(s) for s in ("dataset_page", "package_show", "resource_download")
                       if pair(s)}
    out["informative_overhead"] = {s: pair(s) for s in ("top_dataset_page", "home_page")
                                   if pair(s)}
    for s in ("search_anon", "package_create"):
        got = pair(s)
        if got:
            got["within_target"] = got["ratio_p50"] is not None and got["ratio_p50"] <= 1.05
            out[s] = got
    ref = results.get(with_stats, {}).get("top_dataset_page")
    for s in ("stats_page", "usage_show", "usage_show_year", "org_usage_show",
              "site_usage_show"):
        got = results.get(with_stats, {}).get(s)
        if not got or not ref:
            continue
        per_round = [ratio(r["p50_ms"].get(s, math.nan), r["p50_ms"].get("top_dataset_page",
                                                                         math.nan))
                     for r in rounds_info[with_stats]]
        item = {"p50_ms": got["p50_ms"], "p95_ms": got["p95_ms"],
                "top_dataset_page_p50_ms": ref["p50_ms"],
                "ratio_to_dataset_page_p50": ratio(got["p50_ms"], ref["p50_ms"]),
                "ratio_to_dataset_page_p50_per_round": per_round}
        if s in ("stats_page", "usage_show"):
            item["within_target"] = (item["ratio_to_dataset_page_p50"] is not None
                                     and item["ratio_to_dataset_page_p50"] <= 2.0)
        else:
            item["informative"] = True
        out[s] = item
    trips = (probes or {}).get("redis_trips") or {}
    if trips:
        rt = {}
        for s, per in trips.items():
            row = {c: {"round_trips_per_request": v["client_per_request"]["round_trips"],
                       "stats_round_trips_per_request":
                           v["client_per_request"]["stats_round_trips"],
                       "pipelines_per_request": v["client_per_request"]["pipelines"],
                       "server_reads_per_request":
                           v["server_per_request"].get("total_reads_processed", 0),
                       "server_commands_per_request":
                           v["server_per_request"].get("total_commands_processed", 0),
                       "server_hincrby_per_request": v["server_per_request"].get("hincrby", 0),
                       "sql_statements_per_request":
                           v["client_per_request"].get("sql_statements")}
                   for c, v in per.items()}
            if with_stats in row:
                extra = [row[with_stats]["round_trips_per_request"]
                         - row[c]["round_trips_per_request"] for c in row if c != with_stats]
                row["plugin_round_trips_per_request"] = row[with_stats][
                    "stats_round_trips_per_request"]
                row["portal_minus_baseline_round_trips"] = round(extra[0], 3) if extra else None
                row["within_target"] = (row["plugin_round_trips_per_request"] <= 1
                                        and (not extra or extra[0] <= 1))
                hooks = per[with_stats].get("plugin_hooks_ms")
                if hooks:
                    row["plugin_hooks_ms"] = {**hooks, "within_target": hooks["p50"] <= 1.0}
            rt[s] = row
        out["redis_round_trips"] = rt
    record = (probes or {}).get("record_timing")
    if record:
        out["record"] = {k: v for k, v in record.items()}
        out["record"]["within_target"] = all(
            v["p50_ms"] <= 1.0 for v in record.values() if isinstance(v, dict))
    if usage:
        out["usage_history"] = {
            "events": usage["tables"][usagedata.DAILY]["events"],
            "daily_rows": usage["tables"][usagedata.DAILY]["rows"],
            "hourly_rows": usage["tables"][usagedata.HOURLY]["rows"],
            "hourly_events": usage["tables"][usagedata.HOURLY]["events"],
            "top_dataset": usage["top_dataset"]}
    return out


def print_stats_summary(st: dict) -> None:
    def verdict(ok) -> str:
        return "—" if ok is None else ("atteint" if ok else "MANQUÉ")
    say("Statistiques d'usage : objectifs")
    for s, v in {**st.get("overhead", {}), **st.get("informative_overhead", {})}.items():
        info(f"surcoût {s:<18} p50 {v['portal_p50_ms']:.1f} / {v[v['baseline'] + '_p50_ms']:.1f}"
             f" ms (ratio {fmt_ratio(v['ratio_p50'])}), p95 {v['portal_p95_ms']:.1f} / "
             f"{v[v['baseline'] + '_p95_ms']:.1f} ms (ratio {fmt_ratio(v['ratio_p95'])})")
    for s, v in st.get("redis_round_trips", {}).items():
        if "plugin_round_trips_per_request" in v:
            info(f"Redis {s:<20} plugin {v['plugin_round_trips_per_request']:.2f} aller(s)-"
                 f"retour(s)/requête, portal − référence "
                 f"{v['portal_minus_baseline_round_trips']} : {verdict(v['within_target'])}")
    for s, v in st.get("redis_round_trips", {}).items():
        if v.get("plugin_hooks_ms"):
            h = v["plugin_hooks_ms"]
            info(f"crochets {s:<17} p50 {h['p50']:.3f} ms, p95 {h['p95']:.3f} ms par requête "
                 f"({h['requests']} requêtes ; ≤ 1 ms p50) : {verdict(h['within_target'])}")
    rec = st.get("record")
    if rec:
        info("store.record p50 : " + ", ".join(
            f"{k} {v['p50_ms']:.3f} ms" for k, v in rec.items() if isinstance(v, dict))
             + f" (≤ 1 ms) : {verdict(rec['within_target'])}")
    for s in ("search_anon", "package_create"):
        v = st.get(s)
        if v:
            info(f"{s:<16} ratio p50 {fmt_ratio(v['ratio_p50'])} (≤ 1,05) : "
                 f"{verdict(v['within_target'])}")
    for s in ("stats_page", "usage_show", "usage_show_year", "org_usage_show",
              "site_usage_show"):
        v = st.get(s)
        if v:
            info(f"{s:<16} p50 {v['p50_ms']:.1f} ms = "
                 f"{fmt_ratio(v['ratio_to_dataset_page_p50'])} × la page du jeu "
                 f"({v['top_dataset_page_p50_ms']:.1f} ms)"
                 + (f" (≤ 2) : {verdict(v['within_target'])}" if "within_target" in v
                    else " (indicatif)"))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


# ------------------------------------------------------------------ main
def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.list:
        print("Configurations :")
        for c in CONFIGS.values():
            print(f"  {c.name:<14} {c.description}\n  {'':<14} ckan.plugins = "
                  f"{c.overrides.get('ckan.plugins', '')}")
        print("Scénarios :")
        for s in SCENARIOS.values():
            print(f"  {s.name:<20} {s.description}")
        print("Moissonnage (--harvest) :")
        print(harvest_describe())
        return EXIT_OK
    if args.harvest:
        from ipbench import harvest
        return harvest.run(args)

    lock = exclusive_run()  # noqa: F841 - held until the process exits
    started, started_at = time.perf_counter(), _now()
    configs = [CONFIGS[n] for n in args.config_list]
    base = baseline_of(configs)
    load_before = sysinfo.loadavg()
    digest_at_start = sysinfo.source_digest()

    say("Services (PostgreSQL, Redis, Solr)")
    check_services()
    info("ckan_bench (PostgreSQL), Redis base 2, cœur Solr ckan_bench : disponibles")
    cores = os.cpu_count() or 1
    if load_before and load_before[0] > 0.5 * cores:
        info(f"attention : la machine est déjà chargée (charge moyenne {load_before[0]:.2f} "
             f"pour {cores} cœurs) ; les mesures seront bruitées, les ratios restent "
             f"comparables grâce à l'alternance des configurations.")
    for c in configs:
        write_ini(c)
    data = ensure_data(args, configs)

    pooled, rounds_info, study = measure(args, configs)
    (STATE / "samples.json").write_text(json.dumps(pooled) + "\n")    # raw, for re-analysis

    names = [c.name for c in configs]
    results = {c.name: {s: summary(pooled[c.name][s]) for s in args.scenario_list
                        if s in pooled[c.name]} for c in configs}
    # a scenario's ratios are taken against its own baseline when it is run (sharing: the
    # portal without the sharing plugin), else against the run's baseline
    baselines = {s: SCENARIOS[s].baseline if SCENARIOS[s].baseline in names else base
                 for s in args.scenario_list}
    ratios = {c.name: {s: {"p50": ratio(results[c.name][s]["p50_ms"],
                                        results[baselines[s]][s]["p50_ms"]),
                           "p95": ratio(results[c.name][s]["p95_ms"],
                                        results[baselines[s]][s]["p95_ms"])}
                       for s in results[c.name]
                       if c.name != baselines[s] and s in results[baselines[s]]}
              for c in configs}
    ratios = {c: v for c, v in ratios.items() if v}
    ratios_per_round = {
        c: {s: [ratio(rc["p50_ms"][s], rb["p50_ms"][s])
                for rc, rb in zip(rounds_info[c], rounds_info[baselines[s]])]
            for s in per}
        for c, per in ratios.items()}
    wall = time.perf_counter() - started

    say("Résultats (ms ; ratio = configuration / référence du scénario)")
    print(table(results, ratios, configs, args.scenario_list, baselines), flush=True)
    throughput = {s: {c.name: round(SCENARIOS[s].items * 1000 / results[c.name][s]["p50_ms"], 1)
                      for c in configs if s in results[c.name] and results[c.name][s]["p50_ms"]}
                  for s in args.scenario_list if SCENARIOS[s].items}
    for s, per in throughput.items():
        info(f"débit {s} (jeux de données/s, au p50) : "
             + " ; ".join(f"{c} {v}" for c, v in per.items()))
    digests = {r["source_digest"] for per in rounds_info.values() for r in per}
    if len(digests | {digest_at_start, sysinfo.source_digest()}) > 1:
        info("attention : le code de ckanext/internalportal a changé pendant la mesure "
             "(source_digest différents) : les tours n'ont pas mesuré le même code.")
    if args.rounds > 1:
        for o, per in ratios_per_round.items():
            info(f"ratio p50 {o}/référence par tour (stabilité) : " + " ; ".join(
                f"{s} " + "/".join(fmt_ratio(x) for x in v) for s, v in per.items()))

    doc = {
        "name": args.name,
        "date": started_at,
        "wall_time_s": round(wall, 1),
        "machine": {**sysinfo.machine(), "loadavg_before": load_before,
                    "loadavg_after": sysinfo.loadavg()},
        "versions": sysinfo.versions(),
        "git": sysinfo.git(),
        "source_digest": {"start": digest_at_start, "end": sysinfo.source_digest()},
        "parameters": {
            "datasets": args.datasets, "orgs": args.orgs, "seed": args.seed,
            "generator_version": datagen.GENERATOR_VERSION,
            "private_share_target": None if args.shares else datagen.PRIVATE_SHARE,
            "repeat": args.repeat, "warmup_per_round": args.warmup, "rounds": args.rounds,
            "repeat_per_round": split(args.repeat, args.rounds),
            "batch": args.batch,
            "alternation": "per round, one fresh process per configuration, all alive; per "
                           "scenario a warm-up each, then timed batches alternating between "
                           "the configurations, order reversed every batch (ABBA)",
            "scenarios": {s: SCENARIOS[s].description for s in args.scenario_list},
            "index_threads": args.index_threads,
            "index_procs": args.index_procs,
            "client": "werkzeug.test.Client on the CKAN WSGI stack (make_app), no HTTP server",
            "percentiles": "linear interpolation between closest ranks, pooled over rounds",
        },
        "data": data,
        "configs": {c.name: {"description": c.description, "overrides": c.overrides}
                    for c in configs},
        "baseline": base,
        "baselines": baselines,
        "results": results,
        "ratios": ratios,
        "ratios_p50_per_round": ratios_per_round,
        "throughput_datasets_per_s": throughput,
        "rounds": rounds_info,
    }
    if args.shares:
        doc["parameters"].update(shares=args.shares, share_steps=args.step_list,
                                 levels=dict(datagen.LEVELS),
                                 member_org_shares=datagen.MEMBER_ORG_SHARES)
        doc["sharing"] = sharing_summary(args, results, ratios, ratios_per_round, baselines,
                                         rounds_info, study)
        doc["share_study"] = study
    if args.stats:
        doc["parameters"].update(events=args.events, trip_requests=STATS_TRIP_REQUESTS,
                                 repeat_factors=STATS_REPEAT_FACTORS,
                                 timed_requests={s: repeat_of(args, s)[0]
                                                 for s in args.scenario_list},
                                 record_calls=STATS_RECORD_CALLS,
                                 usage_history=data.get("usage", {}).get("parameters"))
        doc["stats"] = stats_summary(args, results, ratios, ratios_per_round, baselines,
                                     rounds_info, study, data.get("usage"))
        doc["stats_probes"] = study
    if args.stats:
        print_stats_summary(doc["stats"])
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    dest = RESULTS_DIR / f"{args.name}.json"
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, dest)
    minutes, seconds = divmod(int(round(wall)), 60)
    say(f"Terminé en {minutes} min {seconds:02d} s — résultats : "
        f"{dest.relative_to(HERE.parent)}")
    return EXIT_OK


def entry() -> int:
    try:
        return main(sys.argv[1:])
    except BenchError as e:
        error(str(e))
        return e.code
    except KeyboardInterrupt:
        error("interrompu (Ctrl-C) ; rien n'a été écrit dans benchmarks/results/.")
        return EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - unexpected: the traceback, then a French line
        import traceback
        traceback.print_exc()
        error(f"erreur inattendue : {e!r}")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(entry())
