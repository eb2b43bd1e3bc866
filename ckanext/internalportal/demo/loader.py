"""Load the French demo data (ministries, datasets, files) into CKAN, idempotently.

The content lives in data files (``data/organizations.yaml``, ``data/datasets.yaml``,
``data/files/``); this module only reads them, turns each entry into a CKAN dict (pure functions)
and creates or updates what differs through the action API. A second load changes nothing.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import mimetypes
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from ckanext.internalportal.schemas import vocabularies

DEFAULT_DATA_DIR = Path(__file__).parent / "data"

# Keys of a demo dataset entry that map onto CKAN core fields; the keys of SCHEMA_MAPPINGS
# (below) make up fields of the portal's DCAT-AP schema; every other key is stored as a field
# of the schema if it has one of that name, else as an extra.
CORE_KEYS = {
    "name": "name",
    "title": "title",
    "notes": "notes",
    "license_id": "license_id",
    "private": "private",
}
# demo_quality marks the deliberately poor entries for the quality-score tests; not sent to CKAN
HANDLED_KEYS = set(CORE_KEYS) | {"organization", "tags", "resources", "demo_quality"}
SLUG_RE = re.compile(r"^[a-z0-9_-]{2,100}$")

# spatial_code of the demo data → (vocabulary, code) of schemas/vocabularies. The EU country
# list has no « France métropolitaine » : FR-MET is published as France.
SPATIAL_CODES = {"FR": ("country", "FRA"), "FR-MET": ("country", "FRA")}
SPATIAL_PREFIXES = {"REG-": "region", "DEP-": "departement"}
SHA256_ALGORITHM = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"


class DemoDataError(ValueError):
    """The demo data files are not usable; the message says which entry and why (in French)."""


@dataclasses.dataclass
class DemoData:
    organizations: list[dict[str, Any]]
    datasets: list[dict[str, Any]]
    files_dir: Path


@dataclasses.dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    files_uploaded: int = 0

    def __str__(self) -> str:
        return (f"{self.created} créé(s), {self.updated} mis à jour, "
                f"{self.unchanged} inchangé(s), {self.files_uploaded} fichier(s) téléversé(s)")


# ------------------------------------------------------------------ reading (pure)
def read_demo_data(data_dir: str | os.PathLike[str] | None = None) -> DemoData:
    """Read and check the demo data files; raise DemoDataError naming the faulty entry."""
    base = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    orgs = _read_yaml_list(base / "organizations.yaml")
    datasets = _read_yaml_list(base / "datasets.yaml")
    files_dir = base / "files"
    check_demo_data(orgs, datasets, files_dir)
    return DemoData(orgs, datasets, files_dir)


def _read_yaml_list(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise DemoDataError(f"Fichier de démonstration introuvable : {path}")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise DemoDataError(f"{path.name} n'est pas un YAML valide : {e}") from e
    if not isinstance(content, list) or not all(isinstance(x, dict) for x in content):
        raise DemoDataError(f"{path.name} doit contenir une liste d'entrées.")
    return content


def check_demo_data(orgs: list[dict], datasets: list[dict], files_dir: Path) -> None:
    """Structural checks, so that a bad entry stops the load before anything is written."""
    org_names = set()
    for i, org in enumerate(orgs, 1):
        name = org.get("name", "")
        if not SLUG_RE.match(str(name)) or not org.get("title"):
            raise DemoDataError(
                f"organizations.yaml, entrée {i} : « name » (minuscules, chiffres, tirets) "
                "et « title » sont obligatoires.")
        if name in org_names:
            raise DemoDataError(f"organizations.yaml : l'organisation « {name} » est en double.")
        org_names.add(name)
    names = set()
    for i, ds in enumerate(datasets, 1):
        name = str(ds.get("name", ""))
        where = f"datasets.yaml, jeu « {name or i} »"
        if not SLUG_RE.match(name) or not ds.get("title"):
            raise DemoDataError(f"{where} : « name » et « title » sont obligatoires.")
        if name in names:
            raise DemoDataError(f"{where} : ce nom est en double.")
        names.add(name)
        if ds.get("organization") not in org_names:
            raise DemoDataError(
                f"{where} : l'organisation « {ds.get('organization')} » n'existe pas "
                "dans organizations.yaml.")
        resources = ds.get("resources") or []
        if not resources:
            raise DemoDataError(f"{where} : au moins une ressource (fichier) est attendue.")
        for res in resources:
            if not res.get("name") or not res.get("file"):
                raise DemoDataError(f"{where} : chaque ressource a un « name » et un « file ».")
            if not (files_dir / res["file"]).is_file():
                raise DemoDataError(f"{where} : fichier introuvable : files/{res['file']}")


# ------------------------------------------------------------------ CKAN dicts (pure)
def organization_dict(entry: dict[str, Any]) -> dict[str, Any]:
    org = {"name": entry["name"], "title": entry["title"],
           "description": entry.get("description", "")}
    extras = [{"key": k, "value": str(entry[k])} for k in ("acronym", "email") if entry.get(k)]
    if extras:
        org["extras"] = extras
    return org


def _field_value(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ------------------------------------------------------------------ demo keys → DCAT-AP fields
def _vocabulary_uri(vocabulary: str, code: Any) -> Any:
    """The URI of a code (« ANNUAL », « ECON »); an unknown code is sent as is, for CKAN to
    refuse with its message."""
    concept = vocabularies.vocabulary(vocabulary).by_code(str(code))
    return concept.uri if concept else code


def _frequency(entry: dict[str, Any]) -> Any:
    return _vocabulary_uri("frequency", entry["frequency"])


def _themes(entry: dict[str, Any]) -> list[Any]:
    return [_vocabulary_uri("data-theme", code) for code in entry["themes"] or []]


def _spatial(entry: dict[str, Any]) -> list[dict[str, Any]]:
    code = str(entry.get("spatial_code") or "")
    vocabulary, local = SPATIAL_CODES.get(code, (None, None))
    for prefix, name in SPATIAL_PREFIXES.items():
        if code.startswith(prefix):
            vocabulary, local = name, code[len(prefix):]
    concept = vocabularies.vocabulary(vocabulary).by_code(local) if vocabulary else None
    if concept is not None:  # the label is the vocabulary's, as the schema stores it
        return [{"uri": concept.uri, "text": concept.label("fr")}]
    area = {"uri": code or None, "text": entry.get("spatial")}
    return [{k: v for k, v in area.items() if v}]


def _temporal(entry: dict[str, Any]) -> list[dict[str, Any]]:
    period = {"start": entry.get("temporal_start"), "end": entry.get("temporal_end")}
    return [{k: str(v) for k, v in period.items() if v}]


def _contact(entry: dict[str, Any]) -> list[dict[str, Any]]:
    contact = {"name": entry.get("contact_name"), "email": entry.get("contact_email")}
    return [{k: v for k, v in contact.items() if v}]


# (schema field, demo keys it is made of, how): the demo data are written for the portal's
# schema (schemas/dataset.yaml), which has every one of these fields.
SCHEMA_MAPPINGS: tuple[tuple[str, tuple[str, ...], Callable[[dict[str, Any]], Any]], ...] = (
    ("frequency", ("frequency",), _frequency),
    ("theme", ("themes",), _themes),
    ("spatial_coverage", ("spatial", "spatial_code"), _spatial),
    ("temporal_coverage", ("temporal_start", "temporal_end"), _temporal),
    ("contact", ("contact_name", "contact_email"), _contact),
)


def dataset_dict(entry: dict[str, Any], owner_org: str,
                 schema_fields: Iterable[str] = ()) -> dict[str, Any]:
    """The CKAN package dict (without resources) for one demo entry.

    Demo keys that make up a field of the portal's schema are converted (SCHEMA_MAPPINGS: EU
    codes to URIs, contact_* to a contact point…); a demo key that is a field of the schema
    (``schema_fields``) is sent as is; any other as an extra.
    """
    fields = set(schema_fields)
    pkg: dict[str, Any] = {"owner_org": owner_org,
                           "tags": [{"name": t} for t in entry.get("tags") or []]}
    mapped: set[str] = set()
    for field, keys, convert in SCHEMA_MAPPINGS:
        mapped.update(keys)
        if any(entry.get(k) is not None for k in keys):
            pkg[field] = convert(entry)
    extras = []
    for key, value in entry.items():
        if key in mapped:
            continue
        if key in CORE_KEYS:
            pkg[CORE_KEYS[key]] = value
        elif key in HANDLED_KEYS or value is None:
            continue
        elif key in fields:
            pkg[key] = value
        else:
            extras.append({"key": key, "value": _field_value(value)})
    pkg["private"] = bool(pkg.get("private", False))
    if extras:
        pkg["extras"] = sorted(extras, key=lambda e: e["key"])
    return pkg


def resource_dict(entry: dict[str, Any], sha256: str) -> dict[str, Any]:
    return {
        "name": entry["name"],
        "description": entry.get("description", ""),
        "format": entry.get("format") or Path(entry["file"]).suffix.lstrip(".").upper(),
        "hash": sha256,
        "hash_algorithm": SHA256_ALGORITHM,
    }


def differs(desired: dict[str, Any], existing: dict[str, Any]) -> bool:
    """Whether an existing CKAN dict lacks what the desired one says (keys of ``desired`` only)."""
    for key, value in desired.items():
        if key == "tags":
            if {t["name"] for t in value} != {t["name"] for t in existing.get("tags", [])}:
                return True
        elif key == "extras":
            have = {e["key"]: e["value"] for e in existing.get("extras", [])}
            if any(have.get(e["key"]) != e["value"] for e in value):
                return True
        elif existing.get(key) != value:
            return True
    return False


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ writing (action API)
def load(data: DemoData, context_factory: Callable[[], dict[str, Any]],
         progress: Callable[[str], None] = lambda msg: None) -> LoadReport:
    """Create or update every organisation and dataset of ``data``; return what was done."""
    import ckan.plugins.toolkit as tk

    report = LoadReport()

    def call(action: str, **data_dict: Any) -> dict[str, Any]:
        return tk.get_action(action)(context_factory(), data_dict)

    schema_fields = _dataset_schema_fields(call)  # before writing anything

    def show(action: str, id_: str) -> dict[str, Any] | None:
        try:
            return call(action, id=id_)
        except tk.ObjectNotFound:
            return None

    org_ids = {}
    for entry in data.organizations:
        wanted = organization_dict(entry)
        existing = show("organization_show", entry["name"])
        if existing is None:
            existing = call("organization_create", **wanted)
            report.created += 1
        elif existing.get("state") != "active" or differs(wanted, existing):
            existing = call("organization_patch", id=existing["id"], state="active", **wanted)
            report.updated += 1
        else:
            report.unchanged += 1
        org_ids[entry["name"]] = existing["id"]
    progress(f"Organisations : {len(org_ids)}")

    total = len(data.datasets)
    for n, entry in enumerate(data.datasets, 1):
        wanted = dataset_dict(entry, org_ids[entry["organization"]], schema_fields)
        existing = show("package_show", entry["name"])
        if existing is None:
            pkg = call("package_create", **wanted)
            report.created += 1
            status = "créé"
        elif existing.get("state") != "active" or differs(wanted, existing):
            pkg = call("package_patch", id=existing["id"], state="active", **wanted)
            report.updated += 1
            status = "mis à jour"
        else:
            pkg = existing
            report.unchanged += 1
            status = "inchangé"
        uploaded = _sync_resources(call, pkg, entry.get("resources") or [], data.files_dir)
        report.files_uploaded += uploaded
        if uploaded and status == "inchangé":
            status = "fichiers mis à jour"
        progress(f"[{n}/{total}] {entry['name']} : {status}")
    return report


def reindex(data: DemoData) -> int:
    """Rebuild the search index entries of the demo datasets; return how many."""
    from ckan.lib.search import commit, rebuild

    names = [entry["name"] for entry in data.datasets]
    rebuild(package_ids=names)  # one Solr commit for all, not one per dataset
    commit()
    return len(names)


def _dataset_schema_fields(call: Callable[..., dict[str, Any]]) -> set[str]:
    """Field names of the portal's dataset schema; DemoDataError when it is not the active one
    (the demo data are written for it)."""
    import ckan.plugins.toolkit as tk
    try:
        schema = call("scheming_dataset_schema_show", type="dataset")
    except (KeyError, tk.ObjectNotFound):  # scheming not loaded / no schema for 'dataset'
        schema = {}
    fields = {f["field_name"] for f in schema.get("dataset_fields", [])}
    if not {field for field, _keys, _convert in SCHEMA_MAPPINGS} <= fields:
        raise DemoDataError(
            "La démonstration demande le schéma du portail : activez scheming_datasets avec "
            "scheming.dataset_schemas = ckanext.internalportal.schemas:dataset.yaml")
    return fields


def _sync_resources(call: Callable[..., dict[str, Any]], pkg: dict[str, Any],
                    entries: list[dict[str, Any]], files_dir: Path) -> int:
    """Upload each demo file whose resource is missing or whose content changed."""
    from werkzeug.datastructures import FileStorage

    by_name = {r["name"]: r for r in pkg.get("resources", [])}
    uploaded = 0
    for entry in entries:
        path = files_dir / entry["file"]
        sha = file_sha256(path)
        wanted = resource_dict(entry, sha)
        existing = by_name.get(entry["name"])
        if existing is not None and existing.get("url_type") == "upload" \
                and not differs(wanted, existing):
            continue
        upload = FileStorage(io.BytesIO(path.read_bytes()), filename=path.name,
                             content_type=mimetypes.guess_type(path.name)[0])
        if existing is None:
            call("resource_create", package_id=pkg["id"], upload=upload, url=path.name, **wanted)
        else:
            call("resource_patch", id=existing["id"], upload=upload, url=path.name, **wanted)
        uploaded += 1
    return uploaded
