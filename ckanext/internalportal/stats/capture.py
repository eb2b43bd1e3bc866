"""What a request reads, as usage events: one Flask ``after_request`` hook (installed by the
plugin's ``IMiddleware``) and the ``after_dataset_search`` of its ``IPackageController``.

=======================================  ===================================================
request (GET, or an API call)            event(s)
=======================================  ===================================================
``<type>.read`` (200)                    ``view`` of the dataset
``<type>_resource.read`` (200)           ``resource_view`` of the resource
``<type>_resource.download`` (200, 30x)  ``download`` (a file, or an external link followed:
                                         the pages link to it, CKAN redirects)
``datastore.dump`` (200)                 ``download`` of the DataStore table
``api.action``: ``package_show``,        ``api`` (channel ``api``)
``resource_show``, ``datastore_search``
``api.action``: ``datastore_search_sql``  ``api`` for each table the query read (the names
                                         CKAN's auth check gets: ``sql_tables_read``)
search page, organisation or group       ``search`` for each dataset of the page of results
page, API ``package_search``             (the first search of the request only)
=======================================  ===================================================

Robots (``ckanext.internalportal.stats.bots_file``) are not counted. A request hands all its
events to the process's sender thread (``store.record``), which sends them to Redis in one round
trip while the response goes out (``send_in_background``; off, the request sends them itself).
"""
from __future__ import annotations

import datetime
import logging
import time
from pathlib import Path
from typing import Any, Optional

import flask
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.common import current_user

from ckanext.internalportal.stats import events, store

log = logging.getLogger(__name__)

API_READS = frozenset({"package_show", "resource_show", "datastore_search",
                       "datastore_search_sql"})
SEARCH_ENDPOINTS = frozenset({"organization.read", "group.read"})  # and every *.search
DOWNLOAD_STATUSES = frozenset({200, 301, 302, 303, 307})
ORGS_TTL = 60.0  # seconds a reader's organisations are remembered by the process
DEFAULT_BOTS_FILE = Path(__file__).resolve().parent / "data" / "bots.txt"

_orgs_cache: dict[str, tuple[float, tuple[str, ...]]] = {}
_bots: dict[str, Any] = {}


def bots_file() -> Path:
    return Path(tk.config.get("ckanext.internalportal.stats.bots_file") or DEFAULT_BOTS_FILE)


def bot_patterns():
    """The robots' pattern, read once per process and file."""
    configured = tk.config.get("ckanext.internalportal.stats.bots_file") or ""
    if configured not in _bots:
        path = str(bots_file())
        try:
            with open(path, encoding="utf-8") as f:
                _bots[configured] = events.bot_patterns(f)
        except OSError as e:
            log.warning("Statistiques d'usage : liste des robots illisible (%s) : %s", path, e)
            _bots[configured] = None
    return _bots[configured]


def reader_orgs() -> Optional[tuple[str, ...]]:
    """The ids of the signed-in reader's organisations (None: an anonymous visitor)."""
    if not current_user or not current_user.is_authenticated:
        return None
    user_id = current_user.id
    now = time.monotonic()
    cached = _orgs_cache.get(user_id)
    if cached and cached[0] > now:
        return cached[1]
    member, group = model.Member, model.Group
    rows = model.Session.execute(
        sa.select(member.group_id).join(group, group.id == member.group_id).where(
            member.table_name == "user", member.table_id == user_id,
            member.state == "active", group.is_organization.is_(True),
            group.state == "active")).scalars().all()
    orgs = tuple(sorted(set(rows)))
    if len(_orgs_cache) > 10000:
        _orgs_cache.clear()
    _orgs_cache[user_id] = (now + ORGS_TTL, orgs)
    return orgs


def counters_for(package_id: str, owner_org: Optional[str], event: str, channel: str,
                 resource_id: str = "", orgs: Any = ...,
                 hour: Optional[datetime.datetime] = None) -> list[events.Counter]:
    """The counters one reading of a dataset adds (one per consumer organisation), in
    ``hour`` (by default the current one)."""
    if orgs is ...:
        orgs = reader_orgs()
    hour = hour or events.hour_of(events.utcnow())
    return [events.Counter(hour, package_id, resource_id or "", event, channel, consumer)
            for consumer in events.consumers(owner_org, orgs)]


def _request_value(name: str) -> Optional[str]:
    request = flask.request
    value = request.args.get(name)
    if value is None and request.method == "POST":
        data = request.get_json(silent=True) if request.is_json else request.form
        if isinstance(data, dict):
            value = data.get(name)
    return value if isinstance(value, str) and value else None


def _package(id_or_name: Optional[str]) -> Optional[tuple[str, Optional[str]]]:
    if not id_or_name:
        return None
    pkg = model.Package.get(id_or_name)
    return (pkg.id, pkg.owner_org) if pkg is not None else None


def _shown() -> Optional[dict]:
    """The dataset the request's last ``package_show`` gave (CKAN's download and
    ``resource_show`` show it too)."""
    return getattr(flask.g, "internalportal_stats_shown", None)


def _resource(resource_id: Optional[str]) -> Optional[tuple[str, str, Optional[str]]]:
    """(resource id, dataset id, producer organisation) of ``resource_id``: from the dataset
    the request just showed when it holds the resource, else one query."""
    if not resource_id:
        return None
    shown = _shown()
    if shown:
        for resource in shown.get("resources") or ():
            if isinstance(resource, dict) and resource.get("id") == resource_id:
                return resource_id, shown["id"], shown.get("owner_org")
    row = model.Session.execute(
        sa.select(model.Resource.id, model.Package.id, model.Package.owner_org)
        .join(model.Package, model.Package.id == model.Resource.package_id)
        .where(model.Resource.id == resource_id)).first()
    return tuple(row) if row else None


def after_dataset_show(pkg_dict: dict) -> None:
    """Remember the dataset ``package_show`` just gave (``IPackageController``): the event of
    an API read or a download of it then needs no query of its own."""
    if flask.has_request_context() and pkg_dict.get("id"):
        flask.g.internalportal_stats_shown = pkg_dict


def sql_tables_read(names: list[str]) -> None:
    """The tables (resource ids) a ``datastore_search_sql`` query reads, as CKAN's auth check
    is given them (logic/auth.py): counted once the query has answered."""
    if flask.has_request_context():
        flask.g.internalportal_stats_sql_tables = list(names)


def _api_counters(function: str) -> list[events.Counter]:
    if function == "datastore_search_sql":
        counters = []
        for name in dict.fromkeys(getattr(flask.g, "internalportal_stats_sql_tables", ())):
            found = _resource(name)
            if found:
                counters += counters_for(found[1], found[2], "api", "api", found[0])
        return counters
    if function == "package_show":
        asked = _request_value("id") or _request_value("name_or_id")
        shown = _shown()
        found = ((shown["id"], shown.get("owner_org"))
                 if shown and asked in (shown["id"], shown.get("name")) else _package(asked))
        return counters_for(found[0], found[1], "api", "api") if found else []
    key = "id" if function == "resource_show" else "resource_id"
    found = _resource(_request_value(key))
    return counters_for(found[1], found[2], "api", "api", found[0]) if found else []


def _page_counters(endpoint: str, status: int) -> list[events.Counter]:
    """The events of the page or API call ``endpoint`` answered with ``status``."""
    g = flask.g
    if endpoint == "api.action":
        function = (flask.request.view_args or {}).get("logic_function")
        if status == 200 and function in API_READS:
            return _api_counters(function)
        return []
    if flask.request.method != "GET":
        return []
    kind = endpoint.rsplit(".", 1)[-1]
    if endpoint == "datastore.dump" and status == 200:
        found = _resource((flask.request.view_args or {}).get("resource_id"))
        return counters_for(found[1], found[2], "download", "download", found[0]) if found else []
    if kind not in ("read", "download"):
        return []
    pkg = getattr(g, "pkg", None)
    if endpoint.endswith("_resource.download") or endpoint == "resource.download":
        if status not in DOWNLOAD_STATUSES:
            return []
        found = _resource((flask.request.view_args or {}).get("resource_id"))
        return counters_for(found[1], found[2], "download", "download", found[0]) if found else []
    if status != 200 or pkg is None:
        return []
    if endpoint.endswith("_resource.read") or endpoint == "resource.read":
        resource = getattr(g, "resource", None) or {}
        if resource.get("id"):
            return counters_for(pkg.id, pkg.owner_org, "resource_view", "web", resource["id"])
        return []
    blueprint = endpoint.rsplit(".", 1)[0]
    if blueprint == getattr(pkg, "type", None):
        return counters_for(pkg.id, pkg.owner_org, "view", "web")
    return []


def is_search_request() -> bool:
    """Whether this request's first package_search is a page of results someone reads."""
    request = flask.request
    endpoint = request.endpoint or ""
    if endpoint == "api.action":
        return (request.view_args or {}).get("logic_function") == "package_search"
    return request.method == "GET" and (endpoint.endswith(".search")
                                        or endpoint in SEARCH_ENDPOINTS)


def after_dataset_search(search_results: dict) -> None:
    """Remember the datasets of the request's first page of results (recorded with the
    request's other events)."""
    if not flask.has_request_context():
        return
    g = flask.g
    if getattr(g, "internalportal_stats_searched", False) or not is_search_request():
        return
    g.internalportal_stats_searched = True
    results = search_results.get("results") or []
    if not results:
        return
    orgs = reader_orgs()
    channel = "api" if flask.request.endpoint == "api.action" else "web"
    hour = events.hour_of(events.utcnow())  # one for the page
    found = []
    for result in results:
        if isinstance(result, dict) and result.get("id"):
            found.extend(counters_for(result["id"], result.get("owner_org"), "search", channel,
                                      orgs=orgs, hour=hour))
    g.internalportal_stats_search = found


def after_request(response: flask.Response) -> flask.Response:
    """Record the request's events (never fails the response)."""
    try:
        request = flask.request
        if events.is_bot(request.headers.get("User-Agent"), bot_patterns()):
            return response
        counters = list(getattr(flask.g, "internalportal_stats_search", ()))
        endpoint = request.endpoint
        if endpoint:
            counters.extend(_page_counters(endpoint, response.status_code))
        if counters:
            store.record(counters)
    except Exception:
        log.exception("Statistiques d'usage : événement non enregistré")
    return response


def install(app):
    """Register the hook on CKAN's Flask app (IMiddleware.make_middleware)."""
    if hasattr(app, "after_request"):
        app.after_request(after_request)
    return app
