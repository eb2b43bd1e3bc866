"""Load the French demo data (ministries, datasets, files, agents, shares) into CKAN,
idempotently.

The content lives in data files (``data/organizations.yaml``, ``data/datasets.yaml``,
``data/files/``, and for sharing ``data/agents.yaml``, ``data/shares.yaml``,
``data/access_requests.yaml``); this module only reads them, turns each entry into a CKAN dict
(pure functions) and creates or updates what differs through the action API. A second load
changes nothing.

Shares and access requests go through the sharing plugin's actions (``dataset_share_create``
as the owner ministry's agent, ``dataset_access_request_create`` as the requesting agent), so
the audit trail, the activities and the request's e-mail are real.
"""
from __future__ import annotations

import dataclasses
import datetime
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

# the demo agents' password (one for all); without it, new agents get one drawn at random,
# shown in the progress lines, and existing agents keep theirs
AGENT_PASSWORD_ENV = "INTERNALPORTAL_AGENT_PASSWORD"
AGENT_ROLES = ("member", "editor", "admin")
SHAREABLE_LEVELS = ("restricted", "private")


class DemoDataError(ValueError):
    """The demo data files are not usable; the message says which entry and why (in French)."""


@dataclasses.dataclass
class DemoData:
    organizations: list[dict[str, Any]]
    datasets: list[dict[str, Any]]
    files_dir: Path
    agents: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    shares: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    access_requests: list[dict[str, Any]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class LoadReport:
    """``created``/``updated``/``unchanged``: organisations and datasets; the agents, shares
    and requests are counted apart."""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    files_uploaded: int = 0
    agents_created: int = 0
    agents_updated: int = 0
    shares_created: int = 0
    requests_created: int = 0

    def __str__(self) -> str:
        text = (f"{self.created} créé(s), {self.updated} mis à jour, "
                f"{self.unchanged} inchangé(s), {self.files_uploaded} fichier(s) téléversé(s)")
        return (text + f" ; agents : {self.agents_created} créé(s), {self.agents_updated} mis "
                f"à jour ; {self.shares_created} partage(s) et {self.requests_created} "
                "demande(s) d'accès créé(s)")


# ------------------------------------------------------------------ reading (pure)
def read_demo_data(data_dir: str | os.PathLike[str] | None = None) -> DemoData:
    """Read and check the demo data files; raise DemoDataError naming the faulty entry."""
    base = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    orgs = _read_yaml_list(base / "organizations.yaml")
    datasets = _read_yaml_list(base / "datasets.yaml")
    files_dir = base / "files"
    check_demo_data(orgs, datasets, files_dir)
    # sharing: optional files (a data set of its own may have no agents nor shares)
    agents, shares, requests = (_read_yaml_list(base / name, optional=True) for name in
                                ("agents.yaml", "shares.yaml", "access_requests.yaml"))
    check_sharing_data(orgs, datasets, agents, shares, requests)
    return DemoData(orgs, datasets, files_dir, agents, shares, requests)


def _read_yaml_list(path: Path, optional: bool = False) -> list[dict[str, Any]]:
    if not path.is_file():
        if optional:
            return []
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


def check_sharing_data(orgs: list[dict], datasets: list[dict], agents: list[dict],
                       shares: list[dict], requests: list[dict]) -> None:
    """The agents, shares and requests name organisations, datasets and agents that exist,
    and ask for what the sharing rules allow (checked before anything is written)."""
    org_names = {o["name"] for o in orgs}
    by_name = {d["name"]: d for d in datasets}
    agent_orgs: dict[str, str] = {}
    for i, agent in enumerate(agents, 1):
        name = str(agent.get("name", ""))
        where = f"agents.yaml, compte « {name or i} »"
        if not SLUG_RE.match(name) or not agent.get("email"):
            raise DemoDataError(f"{where} : « name » et « email » sont obligatoires.")
        if name in agent_orgs:
            raise DemoDataError(f"{where} : ce compte est en double.")
        if agent.get("organization") not in org_names:
            raise DemoDataError(f"{where} : l'organisation « {agent.get('organization')} » "
                                "n'existe pas dans organizations.yaml.")
        if agent.get("role", "member") not in AGENT_ROLES:
            raise DemoDataError(f"{where} : « role » vaut member, editor ou admin.")
        agent_orgs[name] = agent["organization"]
    pairs = set()
    for i, share in enumerate(shares, 1):
        where = f"shares.yaml, partage {i} ({share.get('dataset')} → {share.get('organization')})"
        dataset = by_name.get(share.get("dataset"))
        if dataset is None:
            raise DemoDataError(f"{where} : ce jeu n'existe pas dans datasets.yaml.")
        if dataset.get("access_level") not in SHAREABLE_LEVELS:
            raise DemoDataError(f"{where} : seul un jeu « restricted » ou « private » se "
                                "partage.")
        if share.get("organization") not in org_names:
            raise DemoDataError(f"{where} : cette organisation n'existe pas dans "
                                "organizations.yaml.")
        if share["organization"] == dataset["organization"]:
            raise DemoDataError(f"{where} : le jeu appartient déjà à cette organisation.")
        if (share["dataset"], share["organization"]) in pairs:
            raise DemoDataError(f"{where} : ce partage est en double.")
        days = share.get("expires_in_days")
        if days is not None and (not isinstance(days, int) or isinstance(days, bool)
                                 or days < 1):
            raise DemoDataError(f"{where} : « expires_in_days » est un nombre de jours (1 ou "
                                "plus).")
        pairs.add((share["dataset"], share["organization"]))
    for i, request in enumerate(requests, 1):
        where = f"access_requests.yaml, demande {i} ({request.get('dataset')})"
        dataset = by_name.get(request.get("dataset"))
        if dataset is None:
            raise DemoDataError(f"{where} : ce jeu n'existe pas dans datasets.yaml.")
        if dataset.get("access_level") != "restricted":
            raise DemoDataError(f"{where} : on ne demande l'accès qu'à un jeu « restricted ».")
        if request.get("user") not in agent_orgs:
            raise DemoDataError(f"{where} : l'agent « {request.get('user')} » n'existe pas "
                                "dans agents.yaml.")
        org = agent_orgs[request["user"]]
        if org == dataset["organization"] or (request["dataset"], org) in pairs:
            raise DemoDataError(f"{where} : le ministère de « {request['user']} » a déjà "
                                "les données de ce jeu.")
        if not str(request.get("reason") or "").strip():
            raise DemoDataError(f"{where} : « reason » (le motif) est obligatoire.")


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


def agent_dict(entry: dict[str, Any]) -> dict[str, Any]:
    """The CKAN user dict (without password) of a demo agent."""
    return {"name": entry["name"], "email": entry["email"],
            "fullname": entry.get("fullname") or entry["name"]}


def share_expiry(entry: dict[str, Any], today: datetime.date) -> str | None:
    """The last day of a demo share (``expires_in_days`` after ``today``), as the action takes
    it, or None for a share without end."""
    days = entry.get("expires_in_days")
    return (today + datetime.timedelta(days=days)).isoformat() if days else None


def accounts_lines(data: DemoData) -> list[str]:
    """One line per demo agent, for the message at the end of `make demo`."""
    titles = {o["name"]: o["title"] for o in data.organizations}
    width = max((len(a["name"]) for a in data.agents), default=0)
    return [f"{a['name'].ljust(width)}  {titles[a['organization']]}" for a in data.agents]


def example_lines(data: DemoData) -> list[str]:
    """What to try first, signed in as a demo agent (after the accounts, at the end of
    `make demo`): the first private share, the first pending request."""
    titles = {o["name"]: o["title"] for o in data.organizations}
    owners = {d["name"]: d["organization"] for d in data.datasets}
    levels = {d["name"]: d.get("access_level") for d in data.datasets}
    agent = {}
    for a in data.agents:
        agent.setdefault(a["organization"], a["name"])
    lines = []
    share = next((s for s in data.shares if levels[s["dataset"]] == "private"
                  and s["organization"] in agent), None)
    if share:  # non-breaking spaces inside « »: the lines are wrapped for a terminal
        lines.append(f"Connecté comme {agent[share['organization']]}, la page "
                     "«\u00a0Partagés avec mon organisation\u00a0» (/partages) montre le jeu "
                     f"privé /dataset/{share['dataset']}, partagé par : "
                     f"{titles[owners[share['dataset']]]}. Les autres ministères ne le voient "
                     "pas.")
    for request in data.access_requests:
        owner = owners[request["dataset"]]
        if owner in agent:
            lines.append(f"{agent[owner]} a une demande d'accès en attente, faite par "
                         f"{request['user']} : onglet «\u00a0Partage\u00a0» de "
                         f"/dataset/{request['dataset']}.")
    return lines


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

    _load_agents(call, data, org_ids, report, progress)
    _load_sharing(data, context_factory, report, progress)
    return report


def _load_agents(call: Callable[..., dict[str, Any]], data: DemoData, org_ids: dict[str, str],
                 report: LoadReport, progress: Callable[[str], None]) -> None:
    """Each demo agent: an active account, with the demo password, member of its ministry in
    its role."""
    import secrets

    import ckan.authz as authz
    import ckan.model as model

    password = os.environ.get(AGENT_PASSWORD_ENV) or None
    for entry in data.agents:
        wanted = agent_dict(entry)
        user = model.User.get(entry["name"])
        status = "inchangé"
        if user is None:
            drawn = password or secrets.token_urlsafe(12)
            call("user_create", password=drawn, **wanted)
            report.agents_created += 1
            status = "créé" + ("" if password else f" (mot de passe : {drawn})")
        else:
            changes = {k: v for k, v in wanted.items() if getattr(user, k) != v}
            if user.state != "active":
                changes["state"] = "active"
            if password and not user.validate_password(password):
                changes["password"] = password
            if changes:
                call("user_patch", id=user.id, **changes)
                report.agents_updated += 1
                status = "mis à jour"
        role = entry.get("role", "member")
        org_id = org_ids[entry["organization"]]
        if authz.users_role_for_group_or_org(org_id, entry["name"]) != role:
            call("organization_member_create", id=org_id, username=entry["name"], role=role)
            if status == "inchangé":
                report.agents_updated += 1
                status = "mis à jour"
        progress(f"Agent {entry['name']} ({role}, {entry['organization']}) : {status}")


def _load_sharing(data: DemoData, context_factory: Callable[[], dict[str, Any]],
                  report: LoadReport, progress: Callable[[str], None]) -> None:
    """The demo shares and pending requests, through the sharing plugin's actions, each as the
    agent who would do it (the owner ministry's admin, the requesting agent); what is already
    there is left as it is."""
    if not (data.shares or data.access_requests):
        return
    import ckan.authz as authz
    import ckan.model as model
    import ckan.plugins as p
    import ckan.plugins.toolkit as tk

    if not p.plugin_loaded("internalportal_sharing"):
        progress("Partages et demandes d'accès ignorés : le plugin internalportal_sharing "
                 "n'est pas activé")
        return
    from ckanext.internalportal.sharing.model import AccessRequest, Share

    datasets = {d["name"]: d for d in data.datasets}
    agents = {a["name"]: a for a in data.agents}

    def as_user(name: str | None) -> dict[str, Any]:
        if name is None:
            return context_factory()
        return {"user": name, "ignore_auth": False}

    def granting_agent(owner: str) -> str | None:
        """The owner ministry's demo admin, who shares in the demo (else the site user)."""
        return next((a["name"] for a in data.agents if a["organization"] == owner
                     and authz.users_role_for_group_or_org(
                         model.Group.get(owner).id, a["name"]) == "admin"), None)

    today = datetime.date.today()
    for entry in data.shares:
        pkg, group = model.Package.get(entry["dataset"]), model.Group.get(entry["organization"])
        where = f"Partage {entry['dataset']} → {entry['organization']}"
        if Share.active(package_id=pkg.id, group_id=group.id).first() is not None:
            progress(f"{where} : inchangé")
            continue
        share = {"id": pkg.id, "organization": group.id, "reason": entry.get("reason")}
        expires = share_expiry(entry, today)
        if expires:
            share["expires"] = expires
        owner = datasets[entry["dataset"]]["organization"]
        tk.get_action("dataset_share_create")(as_user(granting_agent(owner)), share)
        report.shares_created += 1
        progress(f"{where} : créé" + (f" (jusqu'au {expires} inclus)" if expires else ""))

    for entry in data.access_requests:
        pkg = model.Package.get(entry["dataset"])
        group = model.Group.get(agents[entry["user"]]["organization"])
        where = f"Demande d'accès de {entry['user']} à {entry['dataset']}"
        done = model.Session.query(AccessRequest).filter_by(
            package_id=pkg.id, group_id=group.id).first()
        if done is not None or Share.active(package_id=pkg.id, group_id=group.id).first():
            progress(f"{where} : inchangée")
            continue
        tk.get_action("dataset_access_request_create")(
            as_user(entry["user"]),
            {"id": pkg.id, "organization": group.id, "reason": entry["reason"]})
        report.requests_created += 1
        progress(f"{where} : créée (en attente)")


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
