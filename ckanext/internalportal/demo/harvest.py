"""The demo's harvest sources: one of each type of the suite's harvesters, created (or brought
up to date) and harvested once by `make demo`, idempotently.

The sources are data (``data/harvest/sources.yaml``); what each stands for is set up here
before its harvest, so that the demo needs nothing but the project's services:

- ``sql``: the « business application » database (``demo_app`` on the portal's PostgreSQL,
  created by ``make up``) is filled from its SQL script at each load; the source's URL names
  its password through an environment variable (``${DEMO_APP_DB_PASSWORD}``), never stored;
- ``files``: the shipped folder is copied under the first of the declared roots
  (``ckanext.internalportal.files_harvester.allowed_roots``), where it stands for a mounted
  share;
- ``udata``: data.gouv.fr is the fixture server of ``udata_site.py`` on 127.0.0.1 (started in
  this process unless ``udata_url`` names one already serving, as scripts/demo.sh does for
  the served portal); the source's URL follows the server's port.

Then one job per source runs in this process, through ckanext-harvest's own stages as
``ckan harvester run-test`` does. A source that fails is reported and the others go on.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import quote

import yaml

from ckanext.internalportal.demo.loader import DEFAULT_DATA_DIR, SLUG_RE, DemoDataError

SOURCES_FILE = Path("harvest") / "sources.yaml"
TYPES = ("sql", "files", "udata")
# what each type needs besides name, title, type, organization, notes, config
TYPE_KEYS = {"sql": ("database", "script", "password_env"), "files": ("folder",),
             "udata": ("fixtures",)}
OPT_ALLOWED_ROOTS = "ckanext.internalportal.files_harvester.allowed_roots"
TYPE_LABELS = {"sql": "base de données", "files": "dossier partagé", "udata": "data.gouv.fr"}


@dataclasses.dataclass
class SourceReport:
    """What one demo source became: ``status`` of the source itself (« créée », « mise à
    jour », « inchangée »), its job's counts, its datasets' names, and the error that stopped
    it (None when the harvest ran; per-object errors are in ``errors``)."""
    name: str
    type: str
    title: str
    status: str = ""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errored: int = 0
    datasets: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    failure: Optional[str] = None
    seconds: float = 0.0

    def line(self) -> str:
        if self.failure:
            return f"Source « {self.name} » ({self.type}) : échec, {self.failure}"
        return (f"Source « {self.name} » ({self.type}) {self.status} : "
                f"{len(self.datasets)} jeu(x) ; {self.added} ajouté(s), {self.updated} mis à "
                f"jour, {self.unchanged} inchangé(s), {self.errored} en erreur "
                f"({self.seconds:.1f} s)")


# ------------------------------------------------------------------ reading (pure)
def read_sources(data_dir: str | os.PathLike[str] | None = None,
                 organizations: Optional[list[dict]] = None) -> list[dict[str, Any]]:
    """The demo's harvest sources, checked (DemoDataError naming the faulty entry). Their
    files (``script``, ``folder``, ``fixtures``) are resolved next to ``sources.yaml``."""
    base = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    path = base / SOURCES_FILE
    if not path.is_file():
        return []
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as e:
        raise DemoDataError(f"{SOURCES_FILE} n'est pas un YAML valide : {e}") from e
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DemoDataError(f"{SOURCES_FILE} doit contenir une liste de sources.")
    org_names = None if organizations is None else {o["name"] for o in organizations}
    seen: set[str] = set()
    out = []
    for i, entry in enumerate(entries, 1):
        name = str(entry.get("name", ""))
        where = f"{SOURCES_FILE}, source « {name or i} »"
        if not SLUG_RE.match(name) or not entry.get("title"):
            raise DemoDataError(f"{where} : « name » (minuscules, chiffres, tirets) et "
                                "« title » sont obligatoires.")
        if name in seen:
            raise DemoDataError(f"{where} : ce nom est en double.")
        seen.add(name)
        kind = entry.get("type")
        if kind not in TYPES:
            raise DemoDataError(f"{where} : « type » vaut {', '.join(TYPES)}.")
        if org_names is not None and entry.get("organization") not in org_names:
            raise DemoDataError(f"{where} : l'organisation « {entry.get('organization')} » "
                                "n'existe pas dans organizations.yaml.")
        if not isinstance(entry.get("config", {}), dict):
            raise DemoDataError(f"{where} : « config » est un dictionnaire (la configuration "
                                "JSON de la source).")
        missing = [k for k in TYPE_KEYS[kind] if not entry.get(k)]
        if missing:
            raise DemoDataError(f"{where} : une source {kind} demande {', '.join(missing)}.")
        resolved = dict(entry, config=dict(entry.get("config") or {}))
        for key, is_dir in (("script", False), ("folder", True), ("fixtures", True)):
            if key in TYPE_KEYS[kind]:
                target = path.parent / str(entry[key])
                if not (target.is_dir() if is_dir else target.is_file()):
                    raise DemoDataError(f"{where} : {key} introuvable : "
                                        f"{target.relative_to(base)}")
                resolved[key] = target
        out.append(resolved)
    return out


def sql_url(ckan_url: str, database: str, password_env: str) -> str:
    """The source's URL: the portal's PostgreSQL server and user, the application's
    database, the password named by an environment variable (never written down)."""
    import sqlalchemy as sa
    url = sa.make_url(ckan_url)
    host = url.host or "127.0.0.1"
    port = f":{url.port}" if url.port else ""
    return (f"{url.drivername}://{quote(url.username or '', safe='')}:${{{password_env}}}"
            f"@{host}{port}/{database}")


def message_lines(sources: list[dict[str, Any]], site_url: str, serving: bool) -> list[str]:
    """The lines of `make demo`'s final message about the sources: which, where to see them,
    and how a harvest is run again."""
    if not sources:
        return []
    names = ", ".join(f"{s['name']} ({TYPE_LABELS.get(s['type'], s['type'])})" for s in sources)
    lines = [f"Sources de moissonnage, sur {site_url.rstrip('/')}/harvest : {names}."]
    if serving:
        lines.append("Les moissonneurs et le data.gouv.fr local tournent avec le portail : "
                     "«\u00a0Moissonner à nouveau\u00a0» sur la page d'une source la "
                     "moissonne (journaux dans .state/harvest/).")
    else:
        lines.append("Pour moissonner à nouveau depuis l'interface, lancez le portail avec "
                     "make demo : il sert le data.gouv.fr local et fait tourner les "
                     "moissonneurs (ou : ckan -c ckan.ini internalportal demo harvest).")
    return lines


# ------------------------------------------------------------------ against CKAN
def harvest(sources: list[dict[str, Any]], context_factory: Callable[[], dict[str, Any]],
            progress: Callable[[str], None] = lambda msg: None, *,
            app_database: Optional[str] = None, udata_url: Optional[str] = None,
            flask_app: Any = None) -> list[SourceReport]:
    """Create or update each source, then run one job of it; one report per source.

    ``app_database`` replaces the sql sources' database (the tests' own); ``udata_url`` is a
    fixture server already serving (else one is started here for the time of the harvest).
    ``flask_app`` (the CLI's): the harvest runs in one of its requests, so that what the
    harvesters write through ``tk._`` (descriptions, job reports) is in the portal's default
    language; outside a request CKAN translates nothing, and every load would rewrite the
    datasets in the other language.
    """
    import flask

    reports = []
    with ExitStack() as stack:
        if flask_app is not None and not flask.has_request_context():
            stack.enter_context(flask_app.test_request_context())
        served: dict[Path, str] = {}

        def udata_site(fixtures: Path) -> str:
            if udata_url:
                return udata_url.rstrip("/")
            if fixtures not in served:
                from ckanext.internalportal.demo.udata_site import UdataSite
                site = UdataSite(fixtures).start()
                stack.callback(site.stop)
                served[fixtures] = site.url
            return served[fixtures]

        for entry in sources:
            reports.append(_one_source(entry, context_factory, progress, app_database,
                                       udata_site))
    return reports


def _one_source(entry: dict[str, Any], context_factory: Callable[[], dict[str, Any]],
                progress: Callable[[str], None], app_database: Optional[str],
                udata_site: Callable[[Path], str]) -> SourceReport:
    from ckan import model

    report = SourceReport(entry["name"], entry["type"], entry["title"])
    started = time.monotonic()
    try:
        if entry["type"] == "sql":
            url = _prepare_sql(entry, app_database or entry["database"], progress)
        elif entry["type"] == "files":
            url = _prepare_files(entry)
        else:
            url = udata_site(entry["fixtures"])
        source, report.status = _ensure_source(entry, url, context_factory)
        progress(f"Moissonnage de « {entry['name']} » ({entry['type']}, source "
                 f"{report.status}) : {url}")
        _run_job(source, report)
    except Exception as error:  # noqa: BLE001 - one source's failure never stops the demo
        model.Session.rollback()
        report.failure = _error_text(error)
    report.seconds = time.monotonic() - started
    progress(report.line())
    for message in report.errors:
        progress(f"  erreur : {message}")
    return report


def _error_text(error: BaseException) -> str:
    import ckan.plugins.toolkit as tk
    if isinstance(error, tk.ValidationError):
        return "source refusée : " + "; ".join(
            f"{k} : {' '.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in (error.error_dict or {}).items())
    if isinstance(error, DemoDataError):
        return str(error)
    text = str(error).strip().splitlines()
    return f"{type(error).__name__} : {text[0] if text else ''}"


def _prepare_sql(entry: dict[str, Any], database: str,
                 progress: Callable[[str], None]) -> str:
    """Fills the application's database from its script (as the portal's database user, its
    owner) and returns the source's URL."""
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa

    ckan_url = tk.config["sqlalchemy.url"]
    variable = entry["password_env"]
    if variable not in os.environ:
        # the in-process harvest reads it; scripts/demo.sh exports it for the served portal
        os.environ[variable] = sa.make_url(ckan_url).password or ""
        progress(f"{variable} n'est pas définie : mot de passe de la base de CKAN pris pour ce "
                 "chargement (exportez-la pour le portail servi, comme scripts/demo.sh)")
    engine = sa.create_engine(sa.make_url(ckan_url).set(database=database),
                              poolclass=sa.pool.NullPool)
    try:
        connection = engine.connect()
    except sa.exc.OperationalError as error:
        raise DemoDataError(
            f"la base « {database} » de l'application est injoignable ou n'existe pas "
            f"({str(error.orig).strip().splitlines()[-1].strip()}) : « make up » la "
            "crée.") from None
    try:
        # the driver's own cursor, without parameters: the script's « % » are SQL's modulo
        with connection.connection.cursor() as cursor:
            cursor.execute(entry["script"].read_text(encoding="utf-8"))
        connection.connection.commit()
    finally:
        connection.close()
        engine.dispose()
    return sql_url(ckan_url, database, variable)


def _prepare_files(entry: dict[str, Any]) -> str:
    """Copies the shipped folder under the first declared root (files added there by hand
    stay); returns that folder."""
    import ckan.plugins.toolkit as tk

    roots = tk.aslist(tk.config.get(OPT_ALLOWED_ROOTS) or "")
    if not roots:
        raise DemoDataError(f"aucun dossier permis ({OPT_ALLOWED_ROOTS} est vide) : le "
                            "dossier partagé de la démonstration ne peut pas être déposé.")
    target = Path(roots[0]) / entry["name"]
    shutil.copytree(entry["folder"], target, dirs_exist_ok=True)
    return str(target)


def _ensure_source(entry: dict[str, Any], url: str,
                   context_factory: Callable[[], dict[str, Any]]) -> tuple[dict, str]:
    """The source created, updated where it differs from the entry, or left as it is."""
    import ckan.plugins.toolkit as tk

    from ckanext.internalportal.harvesters.base import parse_config

    def call(action: str, **data: Any) -> dict[str, Any]:
        return tk.get_action(action)(context_factory(), data)

    org = call("organization_show", id=entry["organization"])
    wanted = {"title": entry["title"], "notes": (entry.get("notes") or "").strip(),
              "url": url, "source_type": entry["type"], "owner_org": org["id"]}
    config = entry.get("config") or {}
    try:
        existing = call("harvest_source_show", id=entry["name"])
    except tk.ObjectNotFound:
        existing = None
    if existing is None:
        source = call("harvest_source_create", name=entry["name"],
                      config=json.dumps(config, ensure_ascii=False), **wanted)
        return source, "créée"
    if (existing.get("state") == "active"
            and all(existing.get(k) == v for k, v in wanted.items())
            and parse_config(existing.get("config")) == config):
        return existing, "inchangée"
    source = call("harvest_source_patch", id=existing["id"], state="active",
                  config=json.dumps(config, ensure_ascii=False), **wanted)
    return source, "mise à jour"


def _run_job(source: dict, report: SourceReport) -> None:
    """One job of the source, its stages run in this process (ckanext-harvest's
    ``run_harvest_job``, as ``ckan harvester run-test``); a job left waiting by an earlier run
    or the web interface is run, one left running is closed first."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.harvest import queue
    from ckanext.harvest.logic import HarvestJobExists
    from ckanext.harvest.model import HarvestJob, HarvestObject
    from ckanext.harvest.tests import lib as harvest_lib

    context = {"ignore_auth": True, "user": ""}
    try:
        job_dict = tk.get_action("harvest_job_create")(
            dict(context), {"source_id": source["id"], "run": False})
    except HarvestJobExists:
        waiting = tk.get_action("harvest_job_list")(
            dict(context), {"source_id": source["id"], "status": "New"})
        if waiting:
            job_dict = waiting[0]
        else:
            tk.get_action("harvest_job_abort")(dict(context), {"source_id": source["id"]})
            job_dict = tk.get_action("harvest_job_create")(
                dict(context), {"source_id": source["id"], "run": False})
    harvester = queue.get_harvester(source["source_type"])
    if harvester is None:
        raise DemoDataError(f"le moissonneur « {source['source_type']} » n'est pas activé "
                            "(ckan.plugins).")
    harvest_lib.run_harvest_job(HarvestJob.get(job_dict["id"]), harvester)

    model.Session.remove()
    job = tk.get_action("harvest_job_show")(dict(context), {"id": job_dict["id"]})
    stats = job.get("stats") or {}
    report.added, report.updated = stats.get("added", 0), stats.get("updated", 0)
    report.unchanged, report.errored = stats.get("not modified", 0), stats.get("errored", 0)
    job_report = tk.get_action("harvest_job_report")(dict(context), {"id": job_dict["id"]})
    report.errors = [e["message"] for e in job_report.get("gather_errors", [])]
    for obj in (job_report.get("object_errors") or {}).values():
        report.errors += [f"{obj.get('guid')} : {e['message']}" for e in obj.get("errors", [])]
    names = (model.Session.query(model.Package.name)
             .join(HarvestObject, HarvestObject.package_id == model.Package.id)
             .filter(HarvestObject.harvest_source_id == source["id"],
                     HarvestObject.current.is_(True),
                     model.Package.state == model.State.ACTIVE)
             .order_by(model.Package.name).distinct())
    report.datasets = [name for (name,) in names]
