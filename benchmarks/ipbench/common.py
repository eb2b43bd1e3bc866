"""Paths, generated ini files, service checks and French error messages of the harness.

Nothing here imports CKAN: the orchestrator (run.py) stays free of plugins, the
configurations are loaded only in the subprocesses (datagen, worker).
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

from .configs import Config

ROOT = Path(__file__).resolve().parents[2]          # the repository
BENCH_DIR = ROOT / "benchmarks"
RESULTS_DIR = BENCH_DIR / "results"
STATE = ROOT / ".state" / "bench"                   # generated, never committed
DATA_FILE = STATE / "data.json"
VENV_BIN = ROOT / ".venv" / "bin"
CKAN_CLI = VENV_BIN / "ckan"

PG_HOST = "127.0.0.1"
PG_PORT = int(os.environ.get("IP_PG_PORT", "5433"))
PG_USER, PG_PASSWORD, PG_DB = "ckan_default", "pass", "ckan_bench"
REDIS_PORT = int(os.environ.get("IP_REDIS_PORT", "6380"))
REDIS_DB = 2
SOLR_PORT = int(os.environ.get("IP_SOLR_PORT", "8983"))
SOLR_BASE = f"http://127.0.0.1:{SOLR_PORT}/solr"
SOLR_CORE = "ckan_bench"

# Each configuration has its own ckan.site_id, hence its own documents in the one Solr core
# reserved for benchmarks: CKAN stamps every document with the site id and filters every
# query on it (+site_id:...). The index built under a configuration thus stays valid for the
# whole run while the other configuration is measured in between: one rebuild per
# configuration and run, whatever the number of rounds.
SITE_ID_PREFIX = "internalportal_bench"
SITE_URL = "http://bench.internalportal.localhost"

# exit codes (documented in benchmarks/README.md)
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_SERVICES = 3
EXIT_DATA = 4
EXIT_MEASURE = 5
EXIT_INTERRUPTED = 130


class BenchError(Exception):
    """An error with a French message for the user and an exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------ output
def say(msg: str) -> None:
    print(f"\033[1m==> {msg}\033[0m" if sys.stdout.isatty() else f"==> {msg}", flush=True)


def info(msg: str) -> None:
    print(f"    {msg}", flush=True)


def error(msg: str) -> None:
    text = f"ERREUR : {msg}"
    print(f"\033[31m{text}\033[0m" if sys.stderr.isatty() else text, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ ini files
def _secret() -> str:
    """A secret drawn once per checkout (.state/bench/secret), for the generated ini files."""
    f = STATE / "secret"
    if not f.exists():
        STATE.mkdir(parents=True, exist_ok=True)
        f.write_text(secrets.token_urlsafe(32))
        f.chmod(0o600)
    return f.read_text().strip()


def site_id(config_name: str) -> str:
    return f"{SITE_ID_PREFIX}_{config_name}"


def base_settings(config_name: str) -> dict[str, str]:
    """[app:main] settings shared by every configuration (services reserved for benchmarks)."""
    secret = _secret()
    return {
        "use": "egg:ckan",
        "ckan.site_id": site_id(config_name),
        "ckan.site_url": SITE_URL,
        "sqlalchemy.url": f"postgresql://{PG_USER}:{PG_PASSWORD}@{PG_HOST}:{PG_PORT}/{PG_DB}",
        # the DataStore of the configurations that load the datastore plugin (the portal's)
        "ckan.datastore.write_url":
            f"postgresql://{PG_USER}:{PG_PASSWORD}@{PG_HOST}:{PG_PORT}/datastore_bench",
        "ckan.datastore.read_url":
            f"postgresql://datastore_default:pass@{PG_HOST}:{PG_PORT}/datastore_bench",
        "solr_url": f"{SOLR_BASE}/{SOLR_CORE}",
        "ckan.redis.url": f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}",
        "ckan.harvest.mq.type": "redis",
        "ckan.harvest.mq.hostname": "127.0.0.1",
        "ckan.harvest.mq.port": str(REDIS_PORT),
        "ckan.harvest.mq.redis_db": str(REDIS_DB),
        "ckan.storage_path": str(STATE / "storage"),
        # the loader and the index rebuild commit Solr once, at the end
        "ckan.search.solr_commit": "false",
        # no default resource views: the preview plugins are not loaded in every configuration
        "ckan.views.default_views": "",
        "ckan.tracking_enabled": "false",
        "ckan.activity_streams_email_notifications": "false",
        "SECRET_KEY": secret,
        "api_token.jwt.encode.secret": f"string:{secret}",
        "api_token.jwt.decode.secret": f"string:{secret}",
    }


_LOGGING = """
[loggers]
keys = root, ckan, ckanext, sqlalchemy

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[logger_ckan]
qualname = ckan
handlers =
level = WARNING

[logger_ckanext]
qualname = ckanext
handlers =
level = WARNING

[logger_sqlalchemy]
handlers =
qualname = sqlalchemy.engine
level = WARNING

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def ini_path(config: Config) -> Path:
    return STATE / f"{config.name}.ini"


def write_ini(config: Config) -> Path:
    settings = base_settings(config.name)
    settings.update(config.overrides)
    lines = [
        f"# Generated by benchmarks/run.py for the configuration « {config.name} »: do not edit,",
        "# rewritten on every run (see benchmarks/ipbench/configs.py).",
        "[DEFAULT]",
        "debug = false",
        "",
        "[app:main]",
    ]
    for key, value in settings.items():
        # ConfigParser interpolation: a literal % must be doubled
        lines.append(f"{key} = {str(value).replace('%', '%%')}")
    path = ini_path(config)
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "storage").mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + _LOGGING)
    return path


# ------------------------------------------------------------------ services
MAKE_UP = "lancez « make up » (ou « make bench », qui le fait) puis recommencez."


def _tcp_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def http_json(url: str, timeout: float = 10) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read().decode("utf-8"))


def pg_connect():
    import psycopg2
    return psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, password=PG_PASSWORD,
                            dbname=PG_DB, connect_timeout=5)


def exclusive_run():
    """One `make bench` at a time: two runs on the same database and Solr core would spoil
    each other (db clean, core purge). The lock goes with the process (kept open by the
    caller)."""
    import fcntl
    STATE.mkdir(parents=True, exist_ok=True)
    handle = open(STATE / "run.lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise BenchError("une autre mesure (make bench) est déjà en cours sur ckan_bench ; "
                         "attendez qu'elle se termine puis recommencez.", EXIT_ERROR) from None
    return handle


def purge_solr_core() -> None:
    """Empty the Solr core reserved for benchmarks (every configuration of the run then
    rebuilds its own documents before it is measured)."""
    req = urllib.request.Request(
        f"{SOLR_BASE}/{SOLR_CORE}/update?commit=true&wt=json",
        data=json.dumps({"delete": {"query": "*:*"}}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
    except (urllib.error.URLError, OSError) as e:
        raise BenchError(f"impossible de vider le cœur Solr « {SOLR_CORE} » : {e}",
                         EXIT_SERVICES) from e


def check_services() -> None:
    """Each service answers, and the reserved database, Redis db and Solr core are there."""
    problems = []
    if not _tcp_open(PG_PORT):
        problems.append(f"PostgreSQL ne répond pas sur 127.0.0.1:{PG_PORT}")
    else:
        try:
            pg_connect().close()
        except Exception as e:  # noqa: BLE001 - any driver error is reported as is
            problems.append(f"connexion impossible à la base {PG_DB} "
                            f"({str(e).strip().splitlines()[0] if str(e).strip() else e!r})")
    if not _tcp_open(REDIS_PORT):
        problems.append(f"Redis ne répond pas sur 127.0.0.1:{REDIS_PORT}")
    else:
        try:
            import redis
            redis.Redis(host="127.0.0.1", port=REDIS_PORT, db=REDIS_DB,
                        socket_timeout=5).ping()
        except Exception as e:  # noqa: BLE001
            problems.append(f"Redis (base {REDIS_DB}) ne répond pas : {e}")
    if not _tcp_open(SOLR_PORT):
        problems.append(f"Solr ne répond pas sur {SOLR_BASE}")
    else:
        try:
            http_json(f"{SOLR_BASE}/{SOLR_CORE}/admin/ping?wt=json")
        except (urllib.error.URLError, OSError, ValueError) as e:
            problems.append(f"le cœur Solr « {SOLR_CORE} » ne répond pas ({e})")
    if problems:
        raise BenchError("services indisponibles :\n  - " + "\n  - ".join(problems)
                         + "\n" + MAKE_UP, EXIT_SERVICES)
