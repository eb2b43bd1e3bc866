"""What the suite's three harvesters share: ckanext-harvest's gather -> fetch -> import stages
around three small methods each harvester writes.

A harvester (``sql/plugin.py``, ``files/plugin.py``, ``udata/plugin.py``) subclasses
:class:`PortalHarvester` and says, for its source type:

- ``check_source(url, config)``: is the source usable? Called when a source is saved (API and
  form), so that an unknown table or a missing folder is a French ``ValidationError`` at
  creation, not a crash at run time;
- ``list_items(source, progress)``: what the source holds now, one :class:`Item` per future
  dataset (gather);
- ``build(source, item, workdir, progress)``: one item as a :class:`Built` dataset, its files
  written into ``workdir`` (import).

Everything else is here, once: JSON config in French, who may save a source, one harvest
object per item (duplicates reported), datasets found by the source and remote id kept on the
dataset itself (``harvest_source_id``, ``harvest_remote_id``: clearing harvest history never
duplicates a dataset), unchanged data left alone (same hash: no new version, no activity),
files placed in CKAN's FileStore without a second copy, datasets whose item is gone marked
withdrawn at source (deleted only when the source says ``delete_missing``), every failure a
French error on its object with the dataset left as it was, progress and a heartbeat in Redis,
and the job marked finished when its last object is imported.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
import yaml
from ckan import model
from ckan.lib import uploader
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import (HarvestJob, HarvestObject, HarvestObjectExtra,
                                   HarvestSource)

from ckanext.internalportal.harvesters import datastore
from ckanext.internalportal.lib.i18n import N_
from ckanext.internalportal.lib.plugin import SuiteTranslation

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SHARED_DECLARATION = HERE / "config_declaration.yaml"

OPT_LOCAL_BY_ORG_ADMINS = "ckanext.internalportal.harvest.local_sources_by_org_admins"
OPT_HMAC_KEY = "ckanext.internalportal.harvest.hmac_key"
OPT_HISTORY_DAYS = "ckanext.internalportal.harvest.history_days"

# the schema fields a harvested dataset keeps about its origin (schemas/dataset.yaml)
F_SOURCE, F_REMOTE_ID, F_REMOTE_URL = "harvest_source_id", "harvest_remote_id", "harvest_remote_url"
F_WITHDRAWN, F_FINGERPRINT = "withdrawn_at_source", "harvest_fingerprint"
ORIGIN_FIELDS = (F_SOURCE, F_REMOTE_ID, F_REMOTE_URL, F_WITHDRAWN, F_FINGERPRINT)
R_KEY = "harvest_key"  # on each resource: which part of the item it holds

# the config keys every source may set (each table, file or query may override them)
COMMON_KEYS = ("access_level", "delete_missing", "keywords", "theme", "frequency", "contact",
               "legal_basis", "dpo_email", "personal_columns", "license_id")

STATUS_EXTRA = "internalportal_status"
WITHDRAWN = "withdrawn"
PENDING_STATES = ("WAITING", "FETCH", "IMPORT")


# ---------------------------------------------------------------------------- what harvesters give
@dataclass
class Item:
    """What gather finds: one future dataset. ``guid`` is stable at the source (a table or
    query name, a relative path, a udata id); ``content`` is JSON-serialisable."""
    guid: str
    content: dict = field(default_factory=dict)


@dataclass
class Resource:
    """One resource of a built dataset. ``path`` must be a file in the import's ``workdir``:
    it is moved into the FileStore (never a file of the source itself)."""
    key: str
    name: str
    format: str
    path: Optional[Path] = None
    url: Optional[str] = None
    hash: Optional[str] = None
    description: str = ""
    mimetype: Optional[str] = None
    extras: dict = field(default_factory=dict)
    # the file is a CSV table whose rows also go into CKAN's DataStore under these fields
    # (``{"id", "type"}``, types from the source: harvesters/datastore.py), when it is loaded
    table: Optional[list] = None


@dataclass
class Built:
    dataset: dict
    resources: list[Resource] = field(default_factory=list)
    remote_url: Optional[str] = None


class SourceError(Exception):
    """The whole source cannot be read now (database down, folder missing, HTTP errors after
    retries). The message is French and shown in the job report; no dataset is touched."""


class ObjectError(Exception):
    """One item cannot be imported (a file that cannot be parsed, a remote dataset gone...).
    The message is French; the item's dataset stays as it was."""


@dataclass
class SourceInfo:
    id: str
    url: str
    config: dict
    owner_org: Optional[str]
    title: str
    type: str

    @classmethod
    def of(cls, source: HarvestSource) -> "SourceInfo":
        pkg = model.Package.get(source.id)
        return cls(id=source.id, url=source.url or "", config=parse_config(source.config),
                   owner_org=pkg.owner_org if pkg else None,
                   title=source.title or (pkg.title if pkg else ""), type=source.type)


# ---------------------------------------------------------------------------- config
class ConfigError(ValueError):
    """A source config that is not a JSON object (French message)."""


def parse_config(text: Any) -> dict:
    """A source's config: a JSON object, or nothing (``{}``)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return {}
    if isinstance(text, dict):
        return dict(text)
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as error:
        raise ConfigError(tk._("The configuration is not valid JSON: %(error)s")
                          % {"error": error}) from None
    if not isinstance(value, dict):
        raise ConfigError(tk._("The configuration must be a JSON object, e.g. "
                               "{\"tables\": [\"communes\"]}."))
    return value


def hmac_key() -> Optional[bytes]:
    key = (tk.config.get(OPT_HMAC_KEY) or "").strip()
    return key.encode("utf-8") if key else None


def entry_settings(config: dict, entry: dict) -> dict:
    """The common settings of one table, file or query: the source's, overridden by the
    entry's own."""
    merged = {k: config[k] for k in COMMON_KEYS if k in config}
    merged.update({k: entry[k] for k in COMMON_KEYS if k in entry})
    # personal columns add up, column by column: an entry naming one more personal column
    # must not forget those of the source (their raw values would reach the storage)
    personal = {}
    for layer in (config, entry):
        if isinstance(layer.get("personal_columns"), dict):
            personal.update(layer["personal_columns"])
    if personal:
        merged["personal_columns"] = personal
    return merged


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return text


# ---------------------------------------------------------------------------- progress
class Progress:
    """A job's counters (rows, files, datasets, objects done) and heartbeat, in Redis
    (``ckan.redis.url``), read by the job page (``progress_of``) and echoed on the command line
    every few seconds. Redis down: counting stops, the harvest goes on."""

    TTL = 30 * 24 * 3600
    ECHO_EVERY = 2.0

    def __init__(self, job_id: str):
        self.job_id = job_id
        self.key = f"internalportal:harvest:progress:{job_id}"
        self._last_echo = 0.0
        try:
            from ckan.lib.redis import connect_to_redis
            self._redis = connect_to_redis()
        except Exception:  # noqa: BLE001 - no Redis configured: counting is optional
            self._redis = None

    def _call(self, fn, *args):
        if self._redis is None:
            return None
        try:
            return fn(*args)
        except Exception as error:  # noqa: BLE001 - redis errors never stop a harvest
            log.warning("Progress of harvest job %s not recorded: %s", self.job_id, error)
            self._redis = None
            return None

    def set(self, **values: Any) -> None:
        if values:
            self._call(lambda: (self._redis.hset(self.key, mapping={k: str(v) for k, v in
                                                                    values.items()}),
                                self._redis.expire(self.key, self.TTL)))
        self.beat()

    def add(self, **counts: int) -> None:
        def run():
            pipe = self._redis.pipeline()
            for name, count in counts.items():
                pipe.hincrby(self.key, name, int(count))
            pipe.hset(self.key, "heartbeat", f"{time.time():.0f}")
            pipe.expire(self.key, self.TTL)
            pipe.execute()
        self._call(run)
        self._echo()

    def beat(self, note: str = "") -> None:
        values = {"heartbeat": f"{time.time():.0f}"}
        if note:
            values["note"] = note
        self._call(lambda: self._redis.hset(self.key, mapping=values))
        self._echo()

    def read(self) -> dict:
        raw = self._call(lambda: self._redis.hgetall(self.key)) or {}
        return {(k.decode() if isinstance(k, bytes) else k):
                (v.decode() if isinstance(v, bytes) else v) for k, v in raw.items()}

    def _echo(self) -> None:
        """On the command line (``ckan harvester run-test``, the consumers), a line every few
        seconds."""
        now = time.monotonic()
        if now - self._last_echo < self.ECHO_EVERY:
            return
        self._last_echo = now
        try:
            import click
            if click.get_current_context(silent=True) is None:
                return
            values = self.read()
            if values:
                click.echo(progress_line(values), err=True)
        except Exception:  # noqa: BLE001 - echo is best effort
            return


def progress_line(values: dict) -> str:
    parts = []
    for name, label in (("objects_done", N_("objects")), ("datasets", N_("datasets")),
                        ("files", N_("files")), ("rows", N_("rows"))):
        if name in values:
            if name == "objects_done" and "objects_total" in values:
                parts.append(f"{values[name]}/{values['objects_total']} {tk._(label)}")
            else:
                parts.append(f"{values[name]} {tk._(label)}")
    if values.get("note"):
        parts.append(values["note"])
    return tk._("Harvest in progress: ") + ", ".join(parts)


def progress_of(job_id: str) -> dict:
    """The job page's progress: counters and the heartbeat's age in seconds."""
    values = Progress(job_id).read()
    if "heartbeat" in values:
        try:
            values["heartbeat_age"] = max(0, int(time.time() - float(values["heartbeat"])))
        except ValueError:
            pass
    return values


# ---------------------------------------------------------------------------- who may save sources
def may_manage_local_sources(context: dict) -> bool:
    """Sources reaching inside the ministry's network (SQL databases, file shares): sysadmins
    only, unless the option lets organisation admins (who must then be admin of the source's
    organisation: CKAN's own rule for saving the source, checked before)."""
    user = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    if user is not None and user.sysadmin:
        return True
    if context.get("ignore_auth"):
        return True
    return tk.asbool(tk.config.get(OPT_LOCAL_BY_ORG_ADMINS))


def _source_type(data_dict: dict) -> Optional[str]:
    """The harvester type of a harvest source being saved, None for any other dataset (cheap:
    most saves are of datasets, which say their type or are found in the session)."""
    kind = data_dict.get("type")
    if kind not in (None, "harvest"):
        return None
    if data_dict.get("source_type"):
        return data_dict["source_type"] if kind == "harvest" else None
    ref = data_dict.get("id") or data_dict.get("name")
    pkg = model.Package.get(ref) if ref else None
    if pkg is None or pkg.type != "harvest":
        return None
    source = HarvestSource.get(pkg.id)
    return source.type if source else None


def source_actions(name: str) -> dict:
    """The chained ``package_create`` / ``package_update`` of the harvester ``name``: for a
    harvest source of that type (API ``harvest_source_create``/``_update``/``_patch`` and the
    harvest form all go through them), auth first, then the French checks of the config, then
    CKAN's own action."""

    def _guard(action: str, context: dict, data_dict: dict) -> Optional["PortalHarvester"]:
        if _source_type(data_dict) != name:
            return None
        harvester = harvester_of(name)
        if harvester is None:
            return None
        tk.check_access(action, context, data_dict)
        if harvester.LOCAL and not may_manage_local_sources(context):
            raise tk.NotAuthorized(tk._(
                "Only the portal's administrators may create or modify a source of this type: "
                "it reads inside the ministry's network."))
        try:
            config = parse_config(data_dict.get("config"))
        except ConfigError as error:
            raise tk.ValidationError({"config": [str(error)]}) from None
        config = harvester.check_source((data_dict.get("url") or "").strip(), config)
        if config is not None:
            data_dict["config"] = json.dumps(config, ensure_ascii=False) if config else ""
        return harvester

    def _saved(action: str, up_func, context: dict, data_dict: dict):
        harvester = _guard(action, context, data_dict)
        if harvester is None:
            return up_func(context, data_dict)
        token = harvester.source_saving(context, data_dict)
        result = up_func(context, data_dict)
        harvester.source_saved(context, result, token)
        return result

    @tk.chained_action
    def package_create(up_func, context, data_dict):
        return _saved("package_create", up_func, context, data_dict)

    @tk.chained_action
    def package_update(up_func, context, data_dict):
        return _saved("package_update", up_func, context, data_dict)

    return {"package_create": package_create, "package_update": package_update}


def harvester_of(name: str) -> Optional["PortalHarvester"]:
    from ckanext.harvest.interfaces import IHarvester
    for harvester in p.PluginImplementations(IHarvester):
        if isinstance(harvester, PortalHarvester) and harvester.NAME == name:
            return harvester
    return None


# ---------------------------------------------------------------------------- datasets of a source
def find_dataset(source_id: str, remote_id: str) -> Optional[str]:
    """The id of the dataset harvested from ``remote_id`` of the source (not deleted)."""
    row = (model.Session.query(model.Package.id)
           .filter(model.Package.extras.contains({F_SOURCE: source_id, F_REMOTE_ID: remote_id}))
           .filter(model.Package.state != model.State.DELETED)
           .order_by(model.Package.metadata_created).first())
    return row[0] if row else None


def datasets_of_source(source_id: str) -> list[tuple[str, str, bool]]:
    """(dataset id, remote id, withdrawn) of every live dataset harvested from the source."""
    rows = (model.Session.query(model.Package.id, model.Package.extras)
            .filter(model.Package.extras.contains({F_SOURCE: source_id}))
            .filter(model.Package.state != model.State.DELETED).all())
    return [(pid, extras.get(F_REMOTE_ID, ""), bool(extras.get(F_WITHDRAWN))) for pid, extras
            in rows]


def fingerprint(built: Built) -> str:
    """What the harvester said about the dataset and its resources (not their data): the
    same fingerprint and the same data hashes mean nothing to update."""
    described = {"dataset": built.dataset, "remote_url": built.remote_url,
                 "resources": [{"key": r.key, "name": r.name, "format": r.format, "url": r.url,
                                "description": r.description, "mimetype": r.mimetype,
                                "extras": r.extras} for r in built.resources]}
    text = json.dumps(described, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0, tzinfo=None).isoformat()


def _today() -> str:
    return _dt.date.today().isoformat()


# ---------------------------------------------------------------------------- the harvester
class PortalHarvester(HarvesterBase, SuiteTranslation):
    """Base of the suite's harvesters (see the module's docstring)."""

    NAME = ""
    TITLE = ""
    DESCRIPTION = ""
    LOCAL = False   # reads inside the ministry's network: sysadmins only by default

    p.implements(p.IConfigDeclaration)
    p.implements(p.ITranslation)
    p.implements(p.IActions)
    p.implements(p.IClick)

    # --------------------------------------------------------------- to write in each harvester
    def check_source(self, url: str, config: dict) -> Optional[dict]:
        """Raise ``tk.ValidationError({"url"|"config": [French message]})`` when the source
        cannot work; return the config to store (or None to keep it as given)."""
        return config

    def list_items(self, source: SourceInfo, progress: Progress) -> Iterable[Item]:
        raise NotImplementedError

    def build(self, source: SourceInfo, item: Item, workdir: Path,
              progress: Progress) -> Built:
        raise NotImplementedError

    # optional hooks
    def source_saving(self, context: dict, data_dict: dict) -> Any:
        """Called once the source is checked, before CKAN saves it: may change ``data_dict``
        (e.g. take a password out of the URL); what it returns goes to ``source_saved``."""
        return None

    def source_saved(self, context: dict, source: dict, token: Any) -> None:
        """Called after CKAN saved the source (``source`` is the action's answer)."""

    def secrets(self, source: SourceInfo) -> list[str]:
        """Strings never to show in a job report or log (e.g. a database password)."""
        return []

    # --------------------------------------------------------------- CKAN interfaces
    def info(self) -> dict:
        return {"name": self.NAME, "title": tk._(self.TITLE),
                "description": tk._(self.DESCRIPTION), "form_config_interface": "Text"}

    def get_actions(self) -> dict:
        return source_actions(self.NAME)

    def get_commands(self) -> list:
        from ckanext.internalportal.harvesters.cli import harvest
        return [harvest]

    def declare_config_options(self, declaration, key) -> None:
        """The options the harvesters share (``harvesters/config_declaration.yaml``, declared
        by the first harvester loaded) and the harvester's own (next to its module)."""
        if OPT_HMAC_KEY not in declaration:
            declaration.load_dict(yaml.safe_load(SHARED_DECLARATION.read_text("utf-8")))
        own = Path(sys.modules[type(self).__module__].__file__).parent / "config_declaration.yaml"
        if own.exists():
            declaration.load_dict(yaml.safe_load(own.read_text("utf-8")))

    def validate_config(self, config: str) -> str:
        # the French checks ran in the chained package_create/_update (source_actions); here
        # only what ckanext-harvest itself needs: a JSON object or nothing
        parse_config(config)
        return config

    # --------------------------------------------------------------- gather
    def gather_stage(self, harvest_job) -> Optional[list[str]]:
        with _request_context():
            return self._gather(harvest_job)

    def _gather(self, harvest_job) -> Optional[list[str]]:
        progress = Progress(harvest_job.id)
        progress.set(note=tk._("Listing the source"))
        try:
            source = SourceInfo.of(harvest_job.source)
        except ConfigError as error:
            return self._gather_failed(harvest_job, str(error))
        if not source.owner_org:
            return self._gather_failed(harvest_job, tk._(
                "The source has no organisation: harvested datasets need one (edit the "
                "source and choose its organisation)."))
        try:
            items = list(self.list_items(source, progress))
        except SourceError as error:
            return self._gather_failed(harvest_job, redact(str(error), self.secrets(source)))
        except Exception as error:  # noqa: BLE001 - any failure of a source is reported
            log.exception("Gather of harvest source %s failed", source.id)
            return self._gather_failed(harvest_job, redact(
                tk._("The source could not be read: %(error)s") % {"error": _summary(error)},
                self.secrets(source)))

        ids = self._objects_for(harvest_job, source, items)
        progress.set(objects_total=len(ids), note="")
        prune_history(source.id, keep=harvest_job.id)
        if not ids:
            _finish(harvest_job)
        return ids

    def _objects_for(self, job, source: SourceInfo, items: list[Item]) -> list[str]:
        seen: set[str] = set()
        ids = []
        for item in items:
            if item.guid in seen:
                self._save_gather_error(tk._("Two items of the source have the same identifier "
                                             "“%(guid)s”: only the first is harvested.")
                                        % {"guid": item.guid}, job)
                continue
            seen.add(item.guid)
            obj = HarvestObject(guid=item.guid, job=job,
                                content=json.dumps(item.content, ensure_ascii=False,
                                                   default=str))
            obj.save()
            ids.append(obj.id)
        for package_id, remote_id, withdrawn in datasets_of_source(source.id):
            if remote_id in seen or withdrawn and not source.config.get("delete_missing"):
                continue
            obj = HarvestObject(guid=remote_id, job=job, package_id=package_id,
                                extras=[HarvestObjectExtra(key=STATUS_EXTRA, value=WITHDRAWN)])
            obj.save()
            ids.append(obj.id)
        return ids

    def _gather_failed(self, job, message: str) -> None:
        self._save_gather_error(message, job)
        _finish(job)
        return None

    # --------------------------------------------------------------- fetch: the work is in import
    def fetch_stage(self, harvest_object) -> bool:
        return True

    # --------------------------------------------------------------- import
    def import_stage(self, harvest_object) -> Any:
        with _request_context():
            return self._import(harvest_object)

    def _import(self, harvest_object) -> Any:
        progress = Progress(harvest_object.harvest_job_id)
        source = None
        saved = 0
        try:
            source = SourceInfo.of(harvest_object.source)
            if _extra(harvest_object, STATUS_EXTRA) == WITHDRAWN:
                result = self._withdraw(harvest_object, source)
            else:
                item = Item(harvest_object.guid, json.loads(harvest_object.content or "{}"))
                with tempfile.TemporaryDirectory(prefix="internalportal-harvest-") as workdir:
                    built = self.build(source, item, Path(workdir), progress)
                    result = self._save(harvest_object, source, item, built)
                saved = int(result is True)
            return result
        except (ObjectError, SourceError, ConfigError) as error:
            return self._object_failed(harvest_object, source, str(error))
        except tk.ValidationError as error:
            return self._object_failed(harvest_object, source, tk._(
                "The dataset could not be saved: %(errors)s")
                % {"errors": _validation_summary(error)})
        except Exception as error:  # noqa: BLE001 - one item's failure never stops the job
            log.exception("Import of harvest object %s failed", harvest_object.id)
            return self._object_failed(harvest_object, source, tk._(
                "Unexpected error, the dataset was left as it was: %(error)s")
                % {"error": _summary(error)})
        finally:
            progress.add(objects_done=1, datasets=saved)
            _finish_if_last(harvest_object)

    def _object_failed(self, obj, source: Optional[SourceInfo], message: str) -> bool:
        model.Session.rollback()
        secrets = self.secrets(source) if source else []
        self._save_object_error(redact(message, secrets), obj, "Import")
        return False

    def _context(self) -> dict:
        return {"model": model, "session": model.Session, "user": self._get_user_name(),
                "ignore_auth": True}

    def _save(self, obj, source: SourceInfo, item: Item, built: Built) -> Any:
        existing_id = find_dataset(source.id, item.guid)
        old = (tk.get_action("package_show")(self._context(), {"id": existing_id})
               if existing_id else None)
        print_ = fingerprint(built)
        resources, placements, data_changed = self._resources(old, built)
        if (old is not None and not data_changed and old.get(F_FINGERPRINT) == print_
                and not old.get(F_WITHDRAWN) and old.get("owner_org") == source.owner_org):
            self._link(obj, old["id"])
            # a table harvested before the DataStore was there gets its rows now
            datastore.load_missing(built, old, self._context)
            return "unchanged"

        settings = entry_settings(source.config, {})
        pkg = dict(old or {})
        pkg.update(built.dataset)
        pkg.update({F_SOURCE: source.id, F_REMOTE_ID: item.guid,
                    F_REMOTE_URL: built.remote_url or "", F_WITHDRAWN: "",
                    F_FINGERPRINT: print_, "owner_org": source.owner_org,
                    "resources": resources})
        if not pkg.get("access_level"):
            pkg["access_level"] = settings.get("access_level") or "internal"
        if data_changed and not built.dataset.get("modified"):
            pkg["modified"] = _now()
        try:
            if old is None:
                pkg["id"] = str(uuid.uuid4())
                pkg["name"] = self._gen_new_name(pkg.get("name") or pkg.get("title")
                                                 or item.guid)
                self._link(obj, pkg["id"], new=True)
                saved = tk.get_action("package_create")(self._context(), pkg)
            else:
                saved = tk.get_action("package_update")(self._context(), pkg)
                self._link(obj, saved["id"])
        except Exception:
            for _, staged, _final in placements:
                staged.unlink(missing_ok=True)
            raise
        for _, staged, final in placements:
            os.replace(staged, final)
        model.Session.commit()
        datastore.load_changed(built, saved, {rid: final for rid, _, final in placements},
                               self._context)
        return True

    def _link(self, obj, package_id: str, new: bool = False) -> None:
        """The harvest object is the dataset's current one (ckanext-harvest's bookkeeping:
        its source page and reports follow it)."""
        model.Session.query(HarvestObject).filter(
            HarvestObject.package_id == package_id,
            HarvestObject.id != obj.id).update({"current": False})
        obj.package_id = package_id
        obj.current = True
        if new:
            # the dataset does not exist yet: as ckanext-harvest does, defer the foreign key
            obj.add()
            model.Session.execute(sa.text(
                "SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
            model.Session.flush()
        else:
            obj.save()

    def _resources(self, old: Optional[dict], built: Built
                   ) -> tuple[list[dict], list[tuple[str, Path, Path]], bool]:
        """The dataset's resources: the built ones, matched to the stored ones by
        ``harvest_key``; an unchanged hash keeps the stored resource as it is. Files are
        staged next to their final place in the FileStore and moved there once the dataset
        is saved (a failed save leaves the stored files as they were)."""
        stored = {r.get(R_KEY): r for r in (old or {}).get("resources", []) if r.get(R_KEY)}
        out, placements, changed = [], [], False
        for res in built.resources:
            previous = stored.get(res.key)
            # a link without checksum is the same when its address is
            same_link = (previous is not None and res.path is None and not res.hash
                         and not previous.get("hash") and previous.get("url") == res.url)
            if previous is not None and (res.hash and previous.get("hash") == res.hash
                                         or same_link):
                kept = dict(previous)
                kept.update({"name": res.name, "description": res.description, **res.extras})
                if res.path is None:  # a link: its address and format are the source's
                    kept.update({"url": res.url or "", "format": res.format})
                    if res.mimetype:
                        kept["mimetype"] = res.mimetype
                out.append(kept)
                continue
            changed = True
            rid = previous["id"] if previous else str(uuid.uuid4())
            entry = {"id": rid, "name": res.name, "format": res.format,
                     "description": res.description, R_KEY: res.key}
            if res.mimetype:
                entry["mimetype"] = res.mimetype
            if res.hash:
                entry["hash"] = res.hash
            entry.update(res.extras)
            if res.path is not None:
                filename = _file_name(res)
                final = _storage_path(rid)
                final.parent.mkdir(parents=True, exist_ok=True)
                staged = final.with_name(final.name + ".harvest-new")
                shutil.move(res.path, staged)
                placements.append((rid, staged, final))
                entry.update({"url": filename, "url_type": "upload",
                              "size": staged.stat().st_size, "last_modified": _now()})
            else:
                entry.update({"url": res.url or "", "url_type": ""})
            out.append(entry)
        if old is not None and set(stored) - {r.key for r in built.resources}:
            changed = True
        # resources a producer added by hand (no harvest_key) stay, after the harvested ones
        out.extend(r for r in (old or {}).get("resources", []) if not r.get(R_KEY))
        return out, placements, changed

    def _withdraw(self, obj, source: SourceInfo) -> Any:
        package_id = obj.package_id or find_dataset(source.id, obj.guid)
        if not package_id:
            return "unchanged"
        context = self._context()
        if source.config.get("delete_missing"):
            tk.get_action("package_delete")(context, {"id": package_id})
            obj.package_id = package_id
            obj.current = False
            obj.save()
            return True
        pkg = tk.get_action("package_show")(context, {"id": package_id})
        if pkg.get(F_WITHDRAWN):
            return "unchanged"
        pkg[F_WITHDRAWN] = _today()
        tk.get_action("package_update")(self._context(), pkg)
        # the dataset's current object: ckanext-harvest reports it « updated », not « deleted »
        self._link(obj, package_id)
        return True


# ---------------------------------------------------------------------------- helpers
@contextlib.contextmanager
def _request_context() -> Iterator[None]:
    """The stages in a request of the portal's default language. ckanext-harvest's consumers
    (``ckan harvester gather-consumer`` / ``fetch-consumer``) run them outside any request,
    where ``tk._`` answers in English: reports and harvested descriptions would change
    language with the process that wrote them (and the dataset with them). ``run-test`` and
    the web already run in one."""
    import flask
    if flask.has_request_context():
        yield
        return
    app = flask.current_app._get_current_object() if flask.has_app_context() else None
    if app is None:
        import click
        ctx = click.get_current_context(silent=True)
        app = ctx.meta.get("flask_app") if ctx is not None else None  # CKAN's CLI sets it
    if app is None:
        yield
        return
    with app.test_request_context():
        yield


def _extra(obj, key: str) -> Optional[str]:
    for extra in obj.extras:
        if extra.key == key:
            return extra.value
    return None


def _file_name(res: Resource) -> str:
    from ckan.lib.munge import munge_filename
    suffix = res.path.suffix if res.path is not None else ""
    base = res.name or res.key
    name = munge_filename(base if base.lower().endswith(suffix.lower()) else base + suffix)
    return name


def _storage_path(resource_id: str) -> Path:
    upload = uploader.ResourceUpload({})
    if not upload.storage_path:
        raise ObjectError(tk._("The portal has no file storage (ckan.storage_path): harvested "
                               "files cannot be stored."))
    return Path(upload.get_path(resource_id))


def _summary(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(error).__name__}: {first[:500]}" if first else type(error).__name__


def _validation_summary(error: tk.ValidationError) -> str:
    parts = []
    for key, value in (error.error_dict or {}).items():
        parts.append(f"{key}: {value}")
    return "; ".join(parts)[:1000] or str(error)


def _finish(job) -> None:
    job.status = "Finished"
    job.finished = _dt.datetime.utcnow()
    job.save()


def _finish_if_last(obj) -> None:
    """The job is finished once its last object is imported (ckanext-harvest waits for the
    next ``harvest_jobs_run`` otherwise)."""
    try:
        job = HarvestJob.get(obj.harvest_job_id)
        if job is None or job.status == "Finished" or job.gather_finished is None:
            return
        pending = (model.Session.query(HarvestObject.id)
                   .filter(HarvestObject.harvest_job_id == job.id,
                           HarvestObject.id != obj.id,
                           HarvestObject.state.in_(PENDING_STATES)).limit(1).count())
        if pending == 0:
            _finish(job)
    except Exception:  # noqa: BLE001 - harvest_jobs_run finishes it otherwise
        log.exception("Could not mark harvest job %s as finished", obj.harvest_job_id)
        model.Session.rollback()


def prune_history(source_id: Optional[str] = None, keep: Optional[str] = None,
                  days: Optional[int] = None) -> int:
    """Deletes the finished jobs (their objects and errors) older than the retention
    (``ckanext.internalportal.harvest.history_days``), of one source or all, always keeping
    each source's latest finished job. Datasets keep their origin on themselves: nothing is
    duplicated afterwards. Returns how many jobs were deleted."""
    from ckanext.harvest.model import (HarvestGatherError, HarvestObjectError)
    days = int(tk.config.get(OPT_HISTORY_DAYS) if days is None else days)
    if days <= 0:
        return 0
    limit = _dt.datetime.utcnow() - _dt.timedelta(days=days)
    q = model.Session.query(HarvestJob).filter(HarvestJob.status == "Finished",
                                              HarvestJob.created < limit)
    if source_id:
        q = q.filter(HarvestJob.source_id == source_id)
    latest = {}
    for job_id, sid in (model.Session.query(HarvestJob.id, HarvestJob.source_id)
                        .filter(HarvestJob.status == "Finished")
                        .order_by(HarvestJob.created.desc())):
        latest.setdefault(sid, job_id)
    doomed = [j.id for j in q if j.id not in latest.values() and j.id != keep]
    if not doomed:
        return 0
    objects = model.Session.query(HarvestObject.id).filter(
        HarvestObject.harvest_job_id.in_(doomed))
    object_ids = [o for (o,) in objects]
    if object_ids:
        model.Session.query(HarvestObjectError).filter(
            HarvestObjectError.harvest_object_id.in_(object_ids)).delete(
            synchronize_session=False)
        model.Session.query(HarvestObjectExtra).filter(
            HarvestObjectExtra.harvest_object_id.in_(object_ids)).delete(
            synchronize_session=False)
        model.Session.query(HarvestObject).filter(HarvestObject.id.in_(object_ids)).delete(
            synchronize_session=False)
    model.Session.query(HarvestGatherError).filter(
        HarvestGatherError.harvest_job_id.in_(doomed)).delete(synchronize_session=False)
    model.Session.query(HarvestJob).filter(HarvestJob.id.in_(doomed)).delete(
        synchronize_session=False)
    model.Session.commit()
    return len(doomed)


def iter_chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
