"""The visibility matrix (issue 8, « Leak-proof, as a matrix »): for every role × surface ×
access level, does the role learn that the dataset exists, and does it get its data?

Two rules per level (``sees`` and ``has_data`` below):

- public: everyone; internal: every agent (a member of at least one organisation), never an
  anonymous reader nor an account of no organisation;
- restricted: every agent sees the metadata; the data (resource URLs, downloads, resource
  pages, views, activities — they keep the whole dataset dict) only the owner organisation,
  the organisations it is shared with, and sysadmins;
- private: the owner organisation, the organisations it is shared with, sysadmins; for
  everyone else it does not exist (404, never 403, wherever a dataset is named);
- a share that expired (its date passed, nobody acted: no sweep has run) or was revoked gives
  nothing any more.

A few surfaces are narrower than the rules by CKAN's own design (the DCAT catalogue and the
feeds are open data; ``package_list``, ``group_show`` and the organisation and group activity
streams list public datasets only, ``current_package_list_with_resources`` private ones to
sysadmins only, ``organization_show`` to the organisation's members only; a restricted
dataset's URLs are not in the index): their rule says so, and a leak is still any answer wider
than ``sees``/``has_data``.

Roles (``ROLES``): ``anonymous``; ``noorg``, signed in, of no organisation; ``outsider``, an
agent of an unrelated ministry; ``shared``, a member of an organisation the restricted and
private datasets are shared with; ``proconnect``, an agent signed in through ProConnect whose
SIRET the mapping file places in that organisation (the account and membership made by the
plugin's own sign-in, ``accounts.sign_in``); ``proconnect_noorg``, a private company's
employee signed in through ProConnect, whom no organisation claims; ``expired`` and ``revoked``, members of organisations whose
share ended (its date set in the past in the database, no sweep; revoked by
``dataset_share_delete``); ``member``, ``editor``, ``admin`` of the owner organisation;
``sysadmin``. Public and internal datasets cannot be shared: there ``shared``, ``expired`` and
``revoked`` are agents of another ministry.

The world is built once (``build_world``: one owner organisation and one group per level, so
that every count is 0 or 1 per level) and every surface is asked by every role as a client
would, over the test app with the role's API token. Before each surface the expired shares are
put back unswept if a sweep ran, and the ``expired`` role asks first. A surface answers, per
level, an ``Observation``: seen or not, data or not (resource URL / file content in the
answer), the HTTP status (for the 404 rule) and a count when the surface counts. One test lists
every mismatch of every surface at once.

To add a surface (statistics, harvesters…): write ``ask(client, role) -> {level:
Observation}`` (``client.world`` holds the people and datasets; ``client.api``/``client.page``
ask as the role) and add ``SURFACES[name] = Surface(ask, rule, data_rule)``.
"""
from __future__ import annotations

import datetime
import html
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pytest
from ckan import model
from ckan.tests import factories, helpers
from werkzeug.datastructures import FileStorage

from ckanext.internalportal import settings
from ckanext.internalportal.sharing import shares
from ckanext.internalportal.sharing.model import Share
from tests.factories import EU, create_dataset, well_filled

# image_view (an optional plugin of the portal) so that resource views exist to be asked for
PLUGINS = f"{settings.PORTAL_PLUGINS} image_view"
pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              # ProConnect configured: its button on the sign-in page, its callback answering
              pytest.mark.ckan_config("ckanext.internalportal.proconnect.client_id", "matrice"),
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_datastore",
                                      "clean_index")]

LEVELS = ("public", "internal", "restricted", "private")
SHAREABLE = {"restricted", "private"}
# each level's dataset has an EU data theme of its own, so that the themes' facet tells them apart
THEME_OF = {level: f"{EU}/data-theme/{code}"
            for level, code in zip(LEVELS, ("ECON", "EDUC", "HEAL", "ENVI"))}
# "expired" first: each surface meets the expired share before anything sweeps it
ROLES = ("expired", "anonymous", "noorg", "outsider", "shared", "proconnect", "proconnect_noorg",
         "revoked", "member", "editor", "admin", "sysadmin")
OWNERS = {"member", "editor", "admin"}
# an agent signed in through ProConnect (internalportal_proconnect), whose SIRET places them in
# the receiving organisation: what a member of it gets
SHARED = {"shared", "proconnect"}
AGENTS = OWNERS | SHARED | {"outsider", "expired", "revoked"}


# ------------------------------------------------------------------ the rules
def sees(role: str, level: str) -> bool:
    """The dataset's metadata (title, description, producer, quality, resources' names)."""
    if role == "sysadmin" or level == "public":
        return True
    if level in ("internal", "restricted"):
        return role in AGENTS
    return role in OWNERS | SHARED


def has_data(role: str, level: str) -> bool:
    """Resource URLs, downloads, resource pages and views, activities."""
    if level == "restricted":
        return role in OWNERS | SHARED | {"sysadmin"}
    return sees(role, level)


def public_only(role: str, level: str) -> bool:
    """Open-data surfaces, and CKAN's lists of public datasets."""
    return level == "public"


def public_or_sysadmin(role: str, level: str) -> bool:
    """CKAN's ``current_package_list_with_resources``: private datasets for sysadmins only."""
    return level == "public" or role == "sysadmin"


def public_or_organisation(role: str, level: str) -> bool:
    """CKAN's ``organization_show``: private datasets for the organisation's members."""
    return level == "public" or role in OWNERS | {"sysadmin"}


def signed_in_has_data(role: str, level: str) -> bool:
    """A reader's own dashboard: signed-in readers only."""
    return role != "anonymous" and has_data(role, level)


def signed_in_sees(role: str, level: str) -> bool:
    return role != "anonymous" and sees(role, level)


def found_by_url(role: str, level: str) -> bool:
    """``q=res_url:…``: a restricted dataset's URLs are not in the index (indexing.py)."""
    return level != "restricted" and has_data(role, level)


def public_only_has_data(role: str, level: str) -> bool:
    """CKAN's organisation and group streams: activities of public datasets only."""
    return level == "public"


def organisation_members(role: str, level: str) -> bool:
    return role in OWNERS | {"sysadmin"}


def organisation_admins(role: str, level: str) -> bool:
    return role in {"admin", "sysadmin"}


def harvest_object_readers(role: str, level: str) -> bool:
    """A harvest object (the harvested document: metadata and resource URLs): those who
    manage its source (the owner organisation's editors and admins, sysadmins) and those who
    have its dataset's data."""
    return role in {"editor", "admin", "sysadmin"} or has_data(role, level)


def source_managers(role: str, level: str) -> bool:
    """ckanext-harvest's job pages and reports: those who may update the source."""
    return role in {"editor", "admin", "sysadmin"}


def receivers(role: str, level: str) -> bool:
    """``organization_shared_datasets_list`` of the role's own organisation."""
    return level in SHAREABLE and role in SHARED | {"sysadmin"}


# ------------------------------------------------------------------ the world
@dataclass
class World:
    people: dict[str, Optional[dict]]
    orgs: dict[str, dict]          # level -> the owner organisation of that level's dataset
    groups: dict[str, dict]        # level -> the group holding that level's dataset
    receiving: dict[str, dict]     # role -> the organisation it asks what it receives
    datasets: dict[str, dict]      # level -> dataset dict (+ "_external", "_upload", "_view")
    content: dict[str, bytes] = field(default_factory=dict)  # level -> uploaded file

    def markers(self, level: str) -> tuple[str, ...]:
        """Strings found only where the data of ``level``'s dataset is."""
        pkg = self.datasets[level]
        return (pkg["_external_url"], pkg["_upload_filename"])


def _user() -> dict:
    return factories.UserWithToken()


def _proconnect_agents(receiving_org: dict) -> dict[str, dict]:
    """The two ProConnect roles, made by the plugin's sign-in: an agent whose SIREN the
    mapping gives to ``receiving_org``, and a private company's employee (unknown SIRET)."""
    from ckanext.internalportal.proconnect import accounts, identity, mapping
    rules = mapping.parse([{"organization": receiving_org["name"], "siren": ["110000023"]}])
    people = {}
    for role, siret in (("proconnect", "11000002300017"),
                        ("proconnect_noorg", "55200000000015")):
        agent = identity.from_claims({"sub": role, "email": f"{role}@matrice.example.fr",
                                      "given_name": "Agent", "usual_name": role,
                                      "siret": siret})
        user = accounts.sign_in(agent, rules).user
        people[role] = {"id": user.id, "name": user.name,
                        "token": factories.APIToken(user=user.name)["token"]}
    return people


def _upload(pkg: dict, level: str, content: bytes, user: dict) -> dict:
    filename = f"televersement-{level}.csv"
    return helpers.call_action(
        "resource_create", context={"user": user["name"]}, package_id=pkg["id"],
        name="Fichier déposé", format="CSV",
        upload=FileStorage(io.BytesIO(content), filename, "upload"), url=filename)


def build_world() -> World:
    people: dict[str, Optional[dict]] = {role: _user() for role in ROLES
                                         if role not in ("anonymous", "sysadmin")}
    people["anonymous"] = None
    people["sysadmin"] = factories.SysadminWithToken()
    owners = [{"name": people[r]["name"], "capacity": r} for r in OWNERS]
    orgs = {level: factories.Organization(name=f"proprietaire-{level}", users=owners)
            for level in LEVELS}
    groups = {level: factories.Group(name=f"groupe-{level}") for level in LEVELS}
    org_of = {role: factories.Organization(
        name=f"ministere-{role}", users=[{"name": people[role]["name"], "capacity": "member"}])
        for role in ("outsider", "shared", "expired", "revoked")}
    people.update(_proconnect_agents(org_of["shared"]))
    receiving = {role: org_of.get(role, org_of["shared"]) for role in ROLES}
    world = World(people=people, orgs=orgs, groups=groups, receiving=receiving, datasets={})
    editor, admin = people["editor"], people["admin"]
    for level in LEVELS:
        external = f"https://example.org/donnees-{level}-reservees.csv"
        pkg = create_dataset(orgs[level], user=editor, **well_filled(
            name=f"matrice-{level}", title=f"Jeu {level} de la matrice",
            access_level=level, license_id="lov2" if level == "public" else "notspecified",
            groups=[{"name": groups[level]["name"]}], theme=[THEME_OF[level]],
            resources=[{"name": "Fichier distant", "url": external, "format": "CSV"}]))
        content = f"commune;valeur\nsecret-{level};1\n".encode()
        upload = _upload(pkg, level, content, editor)
        # the uploaded file's table in the DataStore, its one row the level's secret
        helpers.call_action("datastore_create", context={"user": editor["name"]},
                            resource_id=upload["id"], force=True,
                            fields=[{"id": "commune", "type": "text"},
                                    {"id": "valeur", "type": "int"}],
                            records=[{"commune": f"secret-{level}", "valeur": 1}])
        view = helpers.call_action("resource_view_create", context={"user": editor["name"]},
                                   resource_id=upload["id"],
                                   view_type="image_view", title=f"Vue {level}")
        pkg = helpers.call_action("package_show", id=pkg["id"])
        pkg.update(_external=pkg["resources"][0], _upload=upload, _view=view,
                   _external_url=external, _upload_filename=f"televersement-{level}.csv")
        world.datasets[level], world.content[level] = pkg, content
        if level in SHAREABLE:
            for role in ("shared", "expired", "revoked"):
                helpers.call_action("dataset_share_create", context={"user": admin["name"]},
                                    id=pkg["id"], organization=org_of[role]["id"],
                                    reason="matrice")
            helpers.call_action("dataset_share_delete", context={"user": admin["name"]},
                                id=pkg["id"], organization=org_of["revoked"]["id"])
    for role in ROLES:
        if people[role] is not None:
            for pkg in world.datasets.values():
                helpers.call_action("follow_dataset", context={"user": people[role]["name"]},
                                    id=pkg["id"])
    harvest_each_dataset(world)
    record_usage(world, org_of["outsider"])
    expire_shares_without_sweep(world)
    return world


def record_usage(world: World, reader_org: dict) -> None:
    """Usage of each dataset by an agent of ``reader_org`` (``ministere-outsider``), rolled up:
    who reads a dataset is for its producers only (the statistics surfaces)."""
    from ckanext.internalportal.stats import events, store

    hour = events.hour_of(events.utcnow())
    store.add({events.Counter(hour, pkg["id"], "", "view", "web", reader_org["id"]): 3
               for pkg in world.datasets.values()})
    store.flush()


def harvest_each_dataset(world: World) -> None:
    """Each level's dataset as a harvested one: a harvest source of its organisation, a
    finished job whose current object made the dataset (its content the harvested document,
    with the dataset's resource URL), an object error in the job's report, and the dataset's
    own ``harvest_source_id`` (the source page lists the source's datasets by it). The
    source belongs to an organisation of its own with the same people as the dataset's: CKAN
    counts a source among its organisation's datasets, and the matrix counts datasets."""
    from ckanext.harvest.model import (HarvestJob, HarvestObject, HarvestObjectError)
    sysadmin = world.people["sysadmin"]
    owners = [{"name": world.people[r]["name"], "capacity": r} for r in OWNERS]
    for level, pkg in world.datasets.items():
        org = factories.Organization(name=f"moissonneur-{level}", users=owners)
        source = helpers.call_action(
            "harvest_source_create", context={"user": sysadmin["name"]},
            name=f"source-{level}", title=f"Source {level}", source_type="ckan",
            url=f"https://ckan-{level}.example.org", owner_org=org["id"])
        job = HarvestJob(source_id=source["id"], status="Finished")
        job.save()
        content = json.dumps({"title": pkg["title"], "url": pkg["_external_url"]})
        obj = HarvestObject(guid=f"distant-{level}", job=job, source=job.source,
                            package_id=pkg["id"], current=True, content=content,
                            state="COMPLETE", report_status="added")
        obj.save()
        HarvestObjectError(message=f"erreur de l'objet distant-{level}", object=obj,
                           stage="Import").save()
        helpers.call_action("package_patch", context={"user": sysadmin["name"]},
                            id=pkg["id"], harvest_source_id=source["id"])
        pkg.update(_source=source, _job_id=job.id, _object_id=obj.id)


def expire_shares_without_sweep(world: World) -> None:
    """The shares of the « expired » organisation reach their date and nobody acts: the
    index and the activities still carry its label (as when they were granted), the share row
    is active with a date in the past. Called again before each surface if a sweep ran."""
    group_id = world.receiving["expired"]["id"]
    rows = model.Session.query(Share).filter(Share.group_id == group_id)
    rows.update({"state": "active", "expires": None, "ended": None, "ended_by": None},
                synchronize_session=False)
    model.Session.commit()
    for level in SHAREABLE:
        shares.refresh(model.Package.get(world.datasets[level]["id"]))
    past = datetime.datetime.utcnow() - datetime.timedelta(minutes=1)
    model.Session.query(Share).filter(Share.group_id == group_id).update(
        {"expires": past}, synchronize_session=False)
    model.Session.commit()


def swept(world: World) -> bool:
    model.Session.expire_all()
    return model.Session.query(Share).filter(
        Share.group_id == world.receiving["expired"]["id"], Share.state != "active").count() > 0


# ------------------------------------------------------------------ how a client asks
@dataclass
class Observation:
    seen: bool
    data: Optional[bool] = None     # None: the surface carries no data
    status: Optional[int] = None    # for the 404 rule, where a dataset is named
    count: Optional[int] = None     # the count the surface gives (one dataset per level)


Answers = dict[str, Observation]


def _headers(user: Optional[dict]) -> dict[str, str]:
    return {"Authorization": user["token"]} if user else {}


class Client:
    def __init__(self, app, world: World):
        self.app, self.world = app, world

    def api(self, role: str, action: str, **params: Any) -> tuple[int, Any]:
        response = self.app.post(f"/api/3/action/{action}", json=params,
                                 headers=_headers(self.world.people[role]), expect_errors=True)
        assert response.status_code < 500, (action, response.status_code, response.body[:500])
        return response.status_code, response.json.get("result")

    def page(self, role: str, url: str) -> tuple[int, str]:
        response = self.app.get(url, headers=_headers(self.world.people[role]),
                                expect_errors=True)
        assert response.status_code < 500, (url, response.status_code)
        body = response.body if isinstance(response.body, str) else response.get_data(as_text=True)
        return response.status_code, body


def _has_markers(world: World, level: str, answer: Any) -> bool:
    text = answer if isinstance(answer, str) else json.dumps(answer)
    text = html.unescape(text)
    return any(marker in text for marker in world.markers(level))


def _per_dataset(ask_one: Callable[[Client, str, str, dict], Observation]):
    def ask(client: Client, role: str) -> Answers:
        return {level: ask_one(client, role, level, pkg)
                for level, pkg in client.world.datasets.items()}
    return ask


# --- API, dataset by dataset
@_per_dataset
def package_show(c, role, level, pkg):
    status, result = c.api(role, "package_show", id=pkg["name"])
    seen = status == 200 and result["id"] == pkg["id"]
    return Observation(seen, data=seen and _has_markers(c.world, level, result), status=status)


@_per_dataset
def package_search(c, role, level, pkg):
    status, result = c.api(role, "package_search", q=f'name:"{pkg["name"]}"',
                           include_private=True, include_drafts=True)
    found = [r for r in result["results"] if r["id"] == pkg["id"]]
    return Observation(bool(found), data=bool(found) and _has_markers(c.world, level, found))


@_per_dataset
def package_search_by_resource_url(c, role, level, pkg):
    """Where the data is, asked of the index: res_url/urls of a restricted dataset."""
    status, result = c.api(role, "package_search", q=f'res_url:"{pkg["_external_url"]}"',
                           include_private=True)
    found = any(r["id"] == pkg["id"] for r in result["results"])
    return Observation(found, data=found)


@_per_dataset
def package_search_raw_fields(c, role, level, pkg):
    """``fl``: the index's own fields, the stored dataset dicts among them."""
    status, result = c.api(role, "package_search", q=f'name:"{pkg["name"]}"',
                           include_private=True,
                           fl="id,name,validated_data_dict,data_dict,res_url,urls,download_url")
    found = [r for r in result["results"] if r.get("id") == pkg["id"]]
    return Observation(bool(found), data=bool(found) and _has_markers(c.world, level, found))


@_per_dataset
def am_following_dataset(c, role, level, pkg):
    status, _ = c.api(role, "am_following_dataset", id=pkg["name"])
    return Observation(status == 200, status=status)


@_per_dataset
def dataset_quality_show(c, role, level, pkg):
    status, _ = c.api(role, "dataset_quality_show", id=pkg["name"])
    return Observation(status == 200, status=status)


@_per_dataset
def resource_show(c, role, level, pkg):
    status, result = c.api(role, "resource_show", id=pkg["_upload"]["id"])
    return Observation(status == 200, data=status == 200 and _has_markers(c.world, level, result),
                       status=status)


@_per_dataset
def resource_view_list(c, role, level, pkg):
    status, result = c.api(role, "resource_view_list", id=pkg["_upload"]["id"])
    seen = status == 200 and any(v["id"] == pkg["_view"]["id"] for v in result)
    return Observation(seen, data=seen, status=status)


@_per_dataset
def resource_view_show(c, role, level, pkg):
    status, result = c.api(role, "resource_view_show", id=pkg["_view"]["id"])
    return Observation(status == 200, data=status == 200, status=status)


def _activities_of(result: Any, pkg: dict) -> list:
    return [a for a in (result or []) if a.get("object_id") == pkg["id"]]


@_per_dataset
def package_activity_list(c, role, level, pkg):
    status, result = c.api(role, "package_activity_list", id=pkg["name"])
    found = _activities_of(result, pkg) if status == 200 else []
    return Observation(bool(found), data=bool(found) and _has_markers(c.world, level, found),
                       status=status)


@_per_dataset
def dataset_share_list(c, role, level, pkg):
    status, _ = c.api(role, "dataset_share_list", id=pkg["name"])
    return Observation(status == 200, status=status)


@_per_dataset
def dataset_sharing_audit_list(c, role, level, pkg):
    status, _ = c.api(role, "dataset_sharing_audit_list", id=pkg["name"])
    return Observation(status == 200, status=status)


@_per_dataset
def dataset_access_request_list(c, role, level, pkg):
    status, _ = c.api(role, "dataset_access_request_list", id=pkg["name"])
    return Observation(status == 200, status=status)


@_per_dataset
def dataset_follower_count(c, role, level, pkg):
    """An anonymous action that names the dataset: it must not confirm a private one."""
    status, _ = c.api(role, "dataset_follower_count", id=pkg["name"])
    return Observation(status == 200, status=status)


@_per_dataset
def dataset_usage_show(c, role, level, pkg):
    status, result = c.api(role, "dataset_usage_show", id=pkg["name"])
    return Observation(status == 200, status=status)


@_per_dataset
def dataset_usage_consumers(c, role, level, pkg):
    """Who reads the dataset (the reading ministry's name), in the usage action's answer."""
    status, result = c.api(role, "dataset_usage_show", id=pkg["name"])
    return Observation(status == 200 and "ministere-outsider" in json.dumps(result))


def organization_usage_show(c: Client, role: str) -> Answers:
    """The usage of each level's owner organisation: its datasets' names and their readers."""
    answers = {}
    for level, org in c.world.orgs.items():
        status, result = c.api(role, "organization_usage_show", id=org["name"])
        text = json.dumps(result) if status == 200 else ""
        answers[level] = Observation(c.world.datasets[level]["name"] in text
                                     or "ministere-outsider" in text)
    return answers


def site_usage_show(c: Client, role: str) -> Answers:
    status, result = c.api(role, "site_usage_show")
    text = json.dumps(result) if status == 200 else ""
    return {level: Observation(pkg["name"] in text)
            for level, pkg in c.world.datasets.items()}


@_per_dataset
def usage_page(c, role, level, pkg):
    """The « Statistiques » tab; who reads (the reading ministry) counts as its data."""
    status, body = c.page(role, f"/dataset/{pkg['name']}/statistiques")
    return Observation(status == 200, data=status == 200 and "ministere-outsider" in body,
                       status=status)


def organization_usage_page(c: Client, role: str) -> Answers:
    answers = {}
    for level, org in c.world.orgs.items():
        status, body = c.page(role, f"/organization/{org['name']}/statistiques")
        answers[level] = Observation(status == 200 and (
            c.world.datasets[level]["name"] in body or "ministere-outsider" in body))
    return answers


def site_usage_page(c: Client, role: str) -> Answers:
    status, body = c.page(role, "/ckan-admin/statistiques")
    return {level: Observation(status == 200 and pkg["name"] in body)
            for level, pkg in c.world.datasets.items()}


@_per_dataset
def usage_csv(c, role, level, pkg):
    status, body = c.page(role, f"/dataset/{pkg['name']}/statistiques.csv?table=series")
    return Observation(status == 200, status=status)


@_per_dataset
def usage_consumers_csv(c, role, level, pkg):
    status, body = c.page(role, f"/dataset/{pkg['name']}/statistiques.csv?table=consumers")
    return Observation(status == 200 and "ministere-outsider" in body)


# --- the DataStore (its table: the uploaded file's, one row whose value is the level's secret)
def _table_data(level: str, answer: Any) -> bool:
    return f"secret-{level}" in (answer if isinstance(answer, str) else json.dumps(answer))


@_per_dataset
def datastore_search(c, role, level, pkg):
    status, result = c.api(role, "datastore_search", resource_id=pkg["_upload"]["id"])
    return Observation(status == 200, data=status == 200 and _table_data(level, result),
                       status=status)


@_per_dataset
def datastore_search_full_text(c, role, level, pkg):
    status, result = c.api(role, "datastore_search", resource_id=pkg["_upload"]["id"],
                           q=f"secret-{level}", fields=["commune"], sort="commune desc")
    return Observation(status == 200, data=status == 200 and _table_data(level, result),
                       status=status)


@_per_dataset
def datastore_info(c, role, level, pkg):
    status, result = c.api(role, "datastore_info", id=pkg["_upload"]["id"])
    return Observation(status == 200, data=status == 200, status=status)


def _sql(c, role, level, sql):
    status, result = c.api(role, "datastore_search_sql", sql=sql)
    return Observation(status == 200, data=status == 200 and _table_data(level, result),
                       status=status)


@_per_dataset
def datastore_search_sql(c, role, level, pkg):
    return _sql(c, role, level, f'SELECT * FROM "{pkg["_upload"]["id"]}"')


@_per_dataset
def datastore_search_sql_join(c, role, level, pkg):
    """The public table (everyone's) joined with the level's: refused if the level's is."""
    public = c.world.datasets["public"]["_upload"]["id"]
    return _sql(c, role, level, f'SELECT p.valeur, t.commune FROM "{public}" p '
                                f'JOIN "{pkg["_upload"]["id"]}" t ON t.valeur = p.valeur')


@_per_dataset
def datastore_search_sql_subquery(c, role, level, pkg):
    public = c.world.datasets["public"]["_upload"]["id"]
    return _sql(c, role, level,
                f'SELECT (SELECT commune FROM "{pkg["_upload"]["id"]}" LIMIT 1) AS commune, '
                f'valeur FROM "{public}"')


@_per_dataset
def datastore_dump(c, role, level, pkg):
    status, body = c.page(role, f"/datastore/dump/{pkg['_upload']['id']}")
    return Observation(status == 200, data=status == 200 and _table_data(level, body),
                       status=status)


def datastore_table_list(c, role):
    """``_table_metadata``, the list of every table of the DataStore (CKAN lets anyone read
    it; the portal's settings, ``ckan.datastore.public_table_search`` empty, let nobody)."""
    status, result = c.api(role, "datastore_search", resource_id="_table_metadata",
                           limit=1000)
    names = json.dumps(result) if status == 200 else ""
    return {level: Observation(pkg["_upload"]["id"] in names)
            for level, pkg in c.world.datasets.items()}


# --- API, lists (one call per role)
def _names(items: Any) -> set[str]:
    return {item if isinstance(item, str) else item.get("name") for item in items or []}


def _by_name(c: Client, names: set[str], answer: Any = None) -> Answers:
    return {level: Observation(
        pkg["name"] in names,
        data=None if answer is None else (pkg["name"] in names
                                          and _has_markers(c.world, level, answer[pkg["name"]])))
        for level, pkg in c.world.datasets.items()}


def package_list(c, role):
    _, result = c.api(role, "package_list")
    return _by_name(c, _names(result))


def current_package_list_with_resources(c, role):
    _, result = c.api(role, "current_package_list_with_resources", limit=1000)
    return _by_name(c, _names(result), {p["name"]: p for p in result})


def package_autocomplete(c, role):
    _, result = c.api(role, "package_autocomplete", q="matrice", limit=100)
    return _by_name(c, _names(result))


def _facets(c, role, include_private=True):
    _, result = c.api(role, "package_search", q="*:*", rows=0, include_private=include_private,
                      **{"facet.field": ["access_level", "organization", "vocab_theme"],
                         "facet.limit": -1})
    return result["facets"]


def facet_theme(c, role):
    """The themes' facet (the search page's and the home page's « Thèmes »): each level's
    dataset has a theme of its own, counted only for those who see it."""
    counts = _facets(c, role)["vocab_theme"]
    return {level: Observation(counts.get(THEME_OF[level], 0) > 0,
                               count=counts.get(THEME_OF[level], 0))
            for level in LEVELS}


def facet_access_level(c, role):
    counts = _facets(c, role)["access_level"]
    return {level: Observation(counts.get(level, 0) > 0, count=counts.get(level, 0))
            for level in LEVELS}


def facet_organization(c, role):
    counts = _facets(c, role)["organization"]
    return {level: Observation(counts.get(org["name"], 0) > 0, count=counts.get(org["name"], 0))
            for level, org in c.world.orgs.items()}


def _stream(c: Client, role: str, action: str, **params) -> Answers:
    status, result = c.api(role, action, limit=100, **params)
    answers = {}
    for level, pkg in c.world.datasets.items():
        found = _activities_of(result, pkg) if status == 200 else []
        answers[level] = Observation(bool(found),
                                     data=bool(found) and _has_markers(c.world, level, found))
    return answers


def organization_activity_list(c, role):
    answers = {}
    for level, org in c.world.orgs.items():
        answers[level] = _stream(c, role, "organization_activity_list", id=org["id"])[level]
    return answers


def group_activity_list(c, role):
    answers = {}
    for level, group in c.world.groups.items():
        answers[level] = _stream(c, role, "group_activity_list", id=group["id"])[level]
    return answers


def user_activity_list(c, role):
    return _stream(c, role, "user_activity_list", id=c.world.people["editor"]["id"])


def dashboard_activity_list(c, role):
    return _stream(c, role, "dashboard_activity_list")


def recently_changed_packages_activity_list(c, role):
    return _stream(c, role, "recently_changed_packages_activity_list")


def organization_show(c, role):
    answers = {}
    for level, org in c.world.orgs.items():
        _, result = c.api(role, "organization_show", id=org["name"], include_datasets=True)
        names = _names(result["packages"])
        answers[level] = Observation(c.world.datasets[level]["name"] in names,
                                     count=result["package_count"])
    return answers


def group_show(c, role):
    answers = {}
    for level, group in c.world.groups.items():
        _, result = c.api(role, "group_show", id=group["name"], include_datasets=True)
        names = _names(result["packages"])
        answers[level] = Observation(c.world.datasets[level]["name"] in names,
                                     count=result["package_count"])
    return answers


def _counts(c, role, action, key, owners):
    _, result = c.api(role, action, all_fields=True, include_dataset_count=True,
                      **{key: [o["name"] for o in owners.values()]})
    counts = {o["name"]: o["package_count"] for o in result}
    return {level: Observation(counts.get(o["name"], 0) > 0, count=counts.get(o["name"], 0))
            for level, o in owners.items()}


def organization_list(c, role):
    return _counts(c, role, "organization_list", "organizations", c.world.orgs)


def group_list(c, role):
    return _counts(c, role, "group_list", "groups", c.world.groups)


def organization_list_for_user(c, role):
    if c.world.people[role] is None:
        return {level: Observation(False) for level in LEVELS}
    _, result = c.api(role, "organization_list_for_user", include_dataset_count=True,
                      permission="read")
    counts = {o["name"]: o["package_count"] for o in result}
    return {level: Observation(counts.get(o["name"], 0) > 0, count=counts.get(o["name"]))
            for level, o in c.world.orgs.items()}


def organization_shared_datasets_list(c, role):
    status, result = c.api(role, "organization_shared_datasets_list",
                           id=c.world.receiving[role]["name"])
    names = {row["dataset"]["name"] for row in result} if status == 200 else set()
    return _by_name(c, names)


# --- pages
def _dataset_link(pkg: dict) -> str:
    return f'/dataset/{pkg["name"]}"'


@_per_dataset
def dataset_page(c, role, level, pkg):
    status, body = c.page(role, f"/dataset/{pkg['name']}")
    seen = status == 200 and pkg["title"] in html.unescape(body)
    return Observation(seen, data=seen and _has_markers(c.world, level, body), status=status)


@_per_dataset
def resource_page(c, role, level, pkg):
    status, body = c.page(role, f"/dataset/{pkg['name']}/resource/{pkg['_external']['id']}")
    return Observation(status == 200, data=status == 200 and _has_markers(c.world, level, body),
                       status=status)


@_per_dataset
def resource_view_page(c, role, level, pkg):
    """The preview a resource page embeds (``/…/view/<view id>``)."""
    status, body = c.page(role, f"/dataset/{pkg['name']}/resource/{pkg['_upload']['id']}/view/"
                                f"{pkg['_view']['id']}")
    return Observation(status == 200, data=status == 200, status=status)


@_per_dataset
def resource_download(c, role, level, pkg):
    upload = pkg["_upload"]
    status, body = c.page(role, f"/dataset/{pkg['id']}/resource/{upload['id']}/download/"
                                f"{pkg['_upload_filename']}")
    got = status == 200 and body.encode() == c.world.content[level]
    assert got or status in (403, 404), f"download answered {status} without the file"
    return Observation(got, data=got, status=status)


@_per_dataset
def dataset_activity_page(c, role, level, pkg):
    status, body = c.page(role, f"/dataset/activity/{pkg['name']}")
    shown = status == 200 and '<li class="item ' in body
    return Observation(shown, data=shown, status=status)


@_per_dataset
def audit_csv(c, role, level, pkg):
    status, body = c.page(role, f"/dataset/{pkg['id']}/partage/journal.csv")
    return Observation(status == 200, status=status)


@_per_dataset
def sharing_tab(c, role, level, pkg):
    status, _ = c.page(role, f"/dataset/{pkg['name']}/partage")
    return Observation(status == 200, status=status)


@_per_dataset
def access_request_page(c, role, level, pkg):
    status, _ = c.page(role, f"/dataset/{pkg['name']}/demande-acces")
    return Observation(status == 200, status=status)


def shared_with_me_page(c, role):
    """« Partagés avec mon organisation »: the datasets it links to."""
    status, body = c.page(role, "/partages")
    names = {pkg["name"] for pkg in c.world.datasets.values()
             if status == 200 and _dataset_link(pkg) in body}
    return _by_name(c, names)


def _page_count(body: str) -> Optional[int]:
    """The « N datasets found » heading of a search page (French or English)."""
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))
    match = re.search(r"(\d+|Aucun|No)\s+(jeux? de données|datasets?)\s+trouvé|"
                      r"(\d+|No)\s+datasets?\s+found", text)
    if not match:
        return None
    number = match.group(1) or match.group(3)
    return int(number) if number.isdigit() else 0


def _listing_page(c, role, url, pkg) -> Observation:
    status, body = c.page(role, url)
    count = _page_count(body)
    assert status == 200 and count is not None, f"{url}: {status}, no « N datasets found »"
    return Observation(_dataset_link(pkg) in body, count=count)


def home_page(c, role):
    """The home page: the latest datasets, those shared with the reader's organisation (and,
    with the statistics, the most used): a selection, where a dataset may be left out but
    never one the reader may not see, by its link or its title."""
    status, body = c.page(role, "/")
    assert status == 200
    text = html.unescape(body)
    return {level: Observation(_dataset_link(pkg) in body or pkg["title"] in text)
            for level, pkg in c.world.datasets.items()}


def footer_pages(c, role):
    """The pages of the footer (accessibility statement, legal notice, personal data, site
    map): text of the portal, never a dataset."""
    from ckanext.internalportal.theme.views import PAGES

    bodies = []
    for url, _template in PAGES.values():
        status, body = c.page(role, url)
        assert status == 200, url
        bodies.append(html.unescape(body))
    return {level: Observation(any(_dataset_link(pkg) in b or pkg["title"] in b
                                   for b in bodies))
            for level, pkg in c.world.datasets.items()}


def proconnect_pages(c, role):
    """The sign-in page (« S'identifier avec ProConnect »), the French page of a refused
    sign-in, the return from the provider's logout, and the sysadmins' « Comptes à
    rattacher » (403 to others)."""
    bodies = []
    for url in ("/user/login", "/proconnect/callback?code=x&state=y",
                "/proconnect/logged-out?state=y", "/ckan-admin/proconnect"):
        status, body = c.page(role, url)
        assert status in (200, 302, 400, 403), (url, status)
        bodies.append(html.unescape(body))
    return {level: Observation(any(_dataset_link(pkg) in b or pkg["title"] in b
                                   for b in bodies))
            for level, pkg in c.world.datasets.items()}


def proconnect_unplaced_api(c, role):
    status, result = c.api(role, "proconnect_unplaced_account_list")
    text = json.dumps(result) if status == 200 else ""
    if role == "sysadmin":  # the employee no organisation claims is listed, to sysadmins only
        assert "proconnect_noorg@matrice.example.fr" in text
    else:
        assert status == 403 and "matrice.example.fr" not in text
    return {level: Observation(pkg["name"] in text or pkg["title"] in text)
            for level, pkg in c.world.datasets.items()}


def sysadmin_only(role: str, level: str) -> bool:
    return role == "sysadmin"


def never(role: str, level: str) -> bool:
    return False


def search_page(c, role):
    status, body = c.page(role, "/dataset/?q=name:matrice-*")
    return {level: Observation(_dataset_link(pkg) in body)
            for level, pkg in c.world.datasets.items()}


def organization_page(c, role):
    return {level: _listing_page(c, role, f"/organization/{c.world.orgs[level]['name']}", pkg)
            for level, pkg in c.world.datasets.items()}


def group_page(c, role):
    return {level: _listing_page(c, role, f"/group/{c.world.groups[level]['name']}", pkg)
            for level, pkg in c.world.datasets.items()}


RDF_FORMATS = ("ttl", "rdf", "jsonld")


def dataset_rdf(c, role):
    """``/dataset/<name>.{ttl,rdf,jsonld}``: one serialisation of ``dcat_dataset_show`` (which
    decides who sees what) per request; each role asks each level in one of the three, the
    formats turning with the role, so each format meets every level by three roles or more."""
    answers = {}
    for index, (level, pkg) in enumerate(c.world.datasets.items()):
        extension = RDF_FORMATS[(ROLES.index(role) + index) % len(RDF_FORMATS)]
        status, body = c.page(role, f"/dataset/{pkg['name']}.{extension}")
        seen = status == 200 and pkg["id"] in body
        answers[level] = Observation(seen, data=seen and _has_markers(c.world, level, body),
                                     status=status)
    return answers


def _whole_text(c: Client, role: str, url: str) -> Answers:
    status, body = c.page(role, url)
    return {level: Observation(pkg["id"] in body or _dataset_link(pkg) in body
                               or f"/dataset/{pkg['name']}<" in body,
                               data=_has_markers(c.world, level, body))
            for level, pkg in c.world.datasets.items()}


def catalogue_rdf(c, role):
    return _whole_text(c, role, "/catalog.ttl")


def feed_of_datasets(c, role):
    return _whole_text(c, role, "/feeds/dataset.atom")


def feed_of_organisation(c, role):
    answers = {}
    for level, org in c.world.orgs.items():
        answers[level] = _whole_text(c, role, f"/feeds/organization/{org['name']}.atom")[level]
    return answers


# --- ckanext-harvest (harvest_each_dataset)
@_per_dataset
def harvest_object_show(c, role, level, pkg):
    status, result = c.api(role, "harvest_object_show", id=pkg["_object_id"])
    seen = status == 200
    return Observation(seen, data=seen and _has_markers(c.world, level, result), status=status)


@_per_dataset
def harvest_object_show_by_dataset(c, role, level, pkg):
    status, result = c.api(role, "harvest_object_show", dataset_id=pkg["name"])
    seen = status == 200
    return Observation(seen, data=seen and _has_markers(c.world, level, result), status=status)


@_per_dataset
def harvest_object_page(c, role, level, pkg):
    status, body = c.page(role, f"/harvest/object/{pkg['_object_id']}")
    seen = status == 200
    return Observation(seen, data=seen and _has_markers(c.world, level, body), status=status)


@_per_dataset
def dataset_harvest_object_page(c, role, level, pkg):
    status, body = c.page(role, f"/dataset/harvest_object/{pkg['name']}")
    seen = status == 200
    return Observation(seen, data=seen and _has_markers(c.world, level, body), status=status)


@_per_dataset
def harvest_source_page(c, role, level, pkg):
    status, body = c.page(role, f"/harvest/{pkg['_source']['name']}")
    assert status == 200, (pkg["_source"]["name"], status)
    return Observation(_dataset_link(pkg) in body, data=_has_markers(c.world, level, body))


@_per_dataset
def harvest_source_show_status(c, role, level, pkg):
    status, result = c.api(role, "harvest_source_show_status", id=pkg["_source"]["id"])
    assert status == 200, (role, status)
    return Observation(result["total_datasets"] > 0, count=result["total_datasets"])


@_per_dataset
def harvest_job_page(c, role, level, pkg):
    """The job's report names the object (its guid) and its error."""
    status, body = c.page(role, f"/harvest/{pkg['_source']['name']}/job/{pkg['_job_id']}")
    seen = status == 200 and f"distant-{level}" in body
    return Observation(seen, data=seen and _has_markers(c.world, level, body))


@dataclass
class Surface:
    ask: Callable[[Client, str], Answers]
    rule: Callable[[str, str], bool]            # is the dataset seen
    data_rule: Callable[[str, str], bool] = has_data  # is its data in the answer
    names_dataset: bool = False                 # 404, never 403, for those who may not see it
    selection: bool = False                     # lists a selection: a dataset one may see
    #                                             may be left out, never one one may not


SURFACES: dict[str, Surface] = {
    # the API, dataset by dataset
    "api package_show": Surface(package_show, sees, names_dataset=True),
    "api dataset_quality_show": Surface(dataset_quality_show, sees, names_dataset=True),
    "api resource_show": Surface(resource_show, has_data, names_dataset=True),
    "api resource_view_list": Surface(resource_view_list, has_data, names_dataset=True),
    "api resource_view_show": Surface(resource_view_show, has_data, names_dataset=True),
    "api package_activity_list": Surface(package_activity_list, has_data, names_dataset=True),
    "api dataset_follower_count": Surface(dataset_follower_count, sees, names_dataset=True),
    "api am_following_dataset": Surface(am_following_dataset, signed_in_sees,
                                        names_dataset=True),
    "api dataset_share_list": Surface(dataset_share_list, organisation_members,
                                      names_dataset=True),
    "api dataset_access_request_list": Surface(dataset_access_request_list,
                                               organisation_admins, names_dataset=True),
    "api dataset_sharing_audit_list": Surface(dataset_sharing_audit_list, organisation_admins,
                                              names_dataset=True),
    "api dataset_usage_show": Surface(dataset_usage_show, sees, names_dataset=True),
    "api dataset_usage_show by_consumer (who reads)": Surface(dataset_usage_consumers,
                                                             organisation_members),
    "api organization_usage_show (the owner's)": Surface(organization_usage_show,
                                                         organisation_members),
    "api site_usage_show": Surface(site_usage_show, sysadmin_only),
    # the API, searches and lists
    "api package_search": Surface(package_search, sees),
    "api package_search fl=validated_data_dict,data_dict,res_url…": Surface(
        package_search_raw_fields, sees),
    "api package_search q=res_url": Surface(package_search_by_resource_url, found_by_url),
    "api package_search facet access_level": Surface(facet_access_level, sees),
    "api package_search facet organization": Surface(facet_organization, sees),
    "api package_search facet vocab_theme": Surface(facet_theme, sees),
    "api package_list": Surface(package_list, public_only),
    "api current_package_list_with_resources": Surface(current_package_list_with_resources,
                                                       public_or_sysadmin),
    "api package_autocomplete": Surface(package_autocomplete, sees),
    "api organization_shared_datasets_list": Surface(organization_shared_datasets_list,
                                                     receivers),
    # activity streams (an activity keeps the whole dataset dict: the data rule)
    "api organization_activity_list": Surface(organization_activity_list,
                                                       public_only_has_data),
    "api group_activity_list": Surface(group_activity_list, public_only_has_data),
    "api user_activity_list (the editor's)": Surface(user_activity_list, has_data),
    "api dashboard_activity_list (a follower's)": Surface(dashboard_activity_list,
                                                          signed_in_has_data),
    "api recently_changed_packages_activity_list": Surface(
        recently_changed_packages_activity_list, has_data),
    # organisations and groups, and their counts
    "api organization_show include_datasets": Surface(organization_show,
                                                      public_or_organisation),
    "api group_show include_datasets": Surface(group_show, public_only),
    "api organization_list include_dataset_count": Surface(organization_list, sees),
    "api group_list include_dataset_count": Surface(group_list, sees),
    "api organization_list_for_user include_dataset_count": Surface(
        organization_list_for_user, organisation_members),
    # pages
    "dataset page": Surface(dataset_page, sees, names_dataset=True),
    "resource page": Surface(resource_page, has_data, names_dataset=True),
    "resource view page (the embedded preview)": Surface(resource_view_page, has_data,
                                                         names_dataset=True),
    "resource download (uploaded file)": Surface(resource_download, has_data,
                                                 names_dataset=True),
    "dataset activity page": Surface(dataset_activity_page, has_data, names_dataset=True),
    "sharing audit CSV": Surface(audit_csv, organisation_admins, names_dataset=True),
    "statistics tab /dataset/<name>/statistiques (who reads: for producers)": Surface(
        usage_page, sees, organisation_members, names_dataset=True),
    "statistics tab /organization/<name>/statistiques": Surface(organization_usage_page,
                                                                organisation_members),
    "statistics page /ckan-admin/statistiques": Surface(site_usage_page, sysadmin_only),
    "statistics CSV /dataset/<name>/statistiques.csv": Surface(usage_csv, sees,
                                                               names_dataset=True),
    "statistics CSV ?table=consumers (who reads)": Surface(usage_consumers_csv,
                                                           organisation_members),
    "sharing tab /dataset/<name>/partage": Surface(sharing_tab, organisation_admins,
                                                   names_dataset=True),
    "access request form /dataset/<name>/demande-acces": Surface(
        access_request_page, signed_in_sees, names_dataset=True),
    "page /partages (Partagés avec mon organisation)": Surface(shared_with_me_page, receivers),
    "search page": Surface(search_page, sees),
    "home page (latest, shared with my organisation)": Surface(home_page, sees,
                                                              selection=True),
    "footer pages /accessibilite, /mentions-legales, /donnees-personnelles, /plan-du-site":
        Surface(footer_pages, never),
    "organization page": Surface(organization_page, sees),
    "group page": Surface(group_page, sees),
    # internalportal_proconnect: the sign-in page with its button, a refused sign-in, the
    # sysadmins' accounts to place (page and API): people, never a dataset
    "ProConnect pages /user/login, /proconnect/callback (refused), /proconnect/logged-out, "
    "/ckan-admin/proconnect":
        Surface(proconnect_pages, never),
    "api proconnect_unplaced_account_list": Surface(proconnect_unplaced_api, never),
    # CKAN's DataStore: the data, through the API, SQL (joins, sub-queries) and the dump
    "api datastore_search": Surface(datastore_search, has_data, names_dataset=True),
    "api datastore_search q= fields sort": Surface(datastore_search_full_text, has_data,
                                                   names_dataset=True),
    "api datastore_info": Surface(datastore_info, has_data, names_dataset=True),
    "api datastore_search_sql": Surface(datastore_search_sql, has_data, names_dataset=True),
    "api datastore_search_sql JOIN with the public table": Surface(
        datastore_search_sql_join, has_data, names_dataset=True),
    "api datastore_search_sql sub-query": Surface(datastore_search_sql_subquery, has_data,
                                                  names_dataset=True),
    "dump /datastore/dump/<id>": Surface(datastore_dump, has_data, names_dataset=True),
    "api datastore_search _table_metadata (every table)": Surface(datastore_table_list,
                                                                   never),
    # RDF and feeds (open data: public datasets only, sysadmins included)
    "dataset RDF .ttl/.rdf/.jsonld": Surface(dataset_rdf, sees, names_dataset=True),
    "RDF catalogue /catalog.ttl": Surface(catalogue_rdf, public_only),
    "feed /feeds/dataset.atom": Surface(feed_of_datasets, public_only),
    "feed /feeds/organization/<name>.atom": Surface(feed_of_organisation, public_only),
    # ckanext-harvest: harvested documents, source pages, job reports
    "api harvest_object_show": Surface(harvest_object_show, harvest_object_readers,
                                       harvest_object_readers, names_dataset=True),
    "api harvest_object_show dataset_id=": Surface(
        harvest_object_show_by_dataset, harvest_object_readers, harvest_object_readers,
        names_dataset=True),
    "page /harvest/object/<id>": Surface(harvest_object_page, harvest_object_readers,
                                         harvest_object_readers, names_dataset=True),
    "page /dataset/harvest_object/<name>": Surface(
        dataset_harvest_object_page, harvest_object_readers, harvest_object_readers,
        names_dataset=True),
    "harvest source page": Surface(harvest_source_page, public_only),
    "api harvest_source_show_status": Surface(harvest_source_show_status, public_only),
    "harvest job page": Surface(harvest_job_page, source_managers),
    # E-mails (access requests and decisions): helper h1's tests of mail.py; a surface here
    # once a message can be asked for per role (the SMTP sink of tests/mail.py).
}


def mismatches_of(surface: Surface, role: str, level: str, seen: Observation) -> list[str]:
    expected = surface.rule(role, level)
    found = []
    if seen.seen != expected and not (surface.selection and expected):
        found.append(f"{'seen' if seen.seen else 'not seen'}, expected "
                     f"{'seen' if expected else 'not seen'}")
    if seen.data is not None and seen.data and not surface.data_rule(role, level):
        found.append("data in the answer")
    if (surface.names_dataset and not sees(role, level) and seen.status is not None
            and seen.status != 404):
        found.append(f"answers {seen.status}, expected 404 (the dataset does not exist)")
    if seen.count is not None and seen.count != int(expected):
        found.append(f"count {seen.count}, expected {int(expected)}")
    return found


def test_each_surface_shows_each_dataset_and_its_data_to_exactly_those_allowed(app):
    world = build_world()
    client = Client(app, world)
    report: dict[str, list[str]] = {}
    for name, surface in SURFACES.items():
        if swept(world):
            expire_shares_without_sweep(world)
        for role in ROLES:
            answers = surface.ask(client, role)
            for level in LEVELS:
                for problem in mismatches_of(surface, role, level, answers[level]):
                    report.setdefault(name, []).append(f"{role} × {level}: {problem}")
    size = f"{len(ROLES)} roles × {len(SURFACES)} surfaces × {len(LEVELS)} levels"
    leaks = sum(len(problems) for problems in report.values())
    assert not report, f"{size}: {leaks} mismatches\n" + "\n".join(
        f"{name}: " + "; ".join(problems) for name, problems in report.items())
