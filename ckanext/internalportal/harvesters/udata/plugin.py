"""``udata_harvester`` (source type ``udata``): the datasets of a udata site (data.gouv.fr or
another) through its API v1, as links to their files.

A source is the site's address (``https://www.data.gouv.fr``) and a config naming which
datasets: ``{"organization": "<id or slug>"}``, ``{"q": "..."}`` and/or ``{"tags": [...]}``
(all given filters apply together), plus the keys every source may set (``base.COMMON_KEYS``).
``client.py`` reads the API (paging, backoff), ``mapping.py`` turns a udata dataset into the
portal's fields; this module only wires them into ``base.PortalHarvester``:

- gather lists the datasets (``Item.guid`` = the udata id, stable when the slug changes); a
  dataset no longer listed is withdrawn by base;
- import fetches each dataset again (its current state, and a 404/410 when it went away since
  the list: an object error, the portal's copy left as it was);
- data.gouv.fr publishes open data: datasets are ``public`` unless the source's
  ``access_level`` says otherwise. The source's ``keywords`` and ``theme`` are added to what
  udata says; its ``frequency``, ``contact`` and ``license_id`` fill in what udata leaves out.
- udata sources read a public site, not the ministry's network (``LOCAL = False``): whoever
  ckanext-harvest lets save a source may save one.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterator

import ckan.plugins.toolkit as tk

from ckanext.internalportal.harvesters.base import (
    Built, Item, ObjectError, PortalHarvester, Progress, Resource, SourceError, SourceInfo,
    entry_settings)
from ckanext.internalportal.harvesters import fields
from ckanext.internalportal.harvesters.udata import client as udata
from ckanext.internalportal.harvesters.udata import mapping
from ckanext.internalportal.lib import licences, values
from ckanext.internalportal.lib.i18n import N_
from ckanext.internalportal.schemas import vocabularies

log = logging.getLogger(__name__)

OPTION = "ckanext.internalportal.udata_harvester."
DEFAULT_ACCESS_LEVEL = "public"  # data.gouv.fr publishes open data
FILTER_KEYS = ("organization", "q", "tags")

NO_FILTER = N_("Say which datasets to harvest: \"organization\" (its id or slug), \"q\" (a "
               "search) and/or \"tags\" (a list), e.g. {\"organization\": \"meteo-france\"}.")
BAD_ORGANIZATION = N_("\"organization\" must be the id or the slug of an organisation of the "
                      "site, e.g. \"meteo-france\".")
BAD_Q = N_("\"q\" must be a search text, e.g. \"accidents de la route\".")
BAD_TAGS = N_("\"tags\" must be a list of keywords, e.g. [\"transport\", \"securite-routiere\"].")
BAD_ACCESS_LEVEL = N_("\"access_level\" must be one of: %(levels)s.")
NO_PERSONAL_COLUMNS = N_("\"personal_columns\" does not apply to a udata source: its "
                         "resources are links to files the portal does not read.")
BAD_URL = N_("Give the address of a udata site, e.g. https://www.data.gouv.fr.")
UNREACHABLE = N_("The udata site %(url)s could not be reached (%(error)s). Check the address.")
NOT_UDATA = N_("%(url)s does not answer as a udata site (data.gouv.fr's API v1, "
               "/api/1/datasets/). Check the address.")
HTTP_ERROR = N_("The udata site %(url)s answered with an error (HTTP %(status)s).")
UNKNOWN_ORGANIZATION = N_("The organisation “%(organization)s” does not exist on %(url)s.")
UNAVAILABLE = N_("The udata site %(url)s is unavailable (%(error)s, %(attempts)s attempts): "
                 "nothing was changed, the next harvest will try again.")
DATASET_GONE = N_("The dataset %(id)s is no longer on %(url)s (HTTP %(status)s): the portal's "
                  "copy was left as it was; it is marked withdrawn at source when it leaves "
                  "the source's list.")
DATASET_UNAVAILABLE = N_("The dataset %(id)s could not be read from %(url)s (%(error)s, "
                         "%(attempts)s attempts): the portal's copy was left as it was.")
DATASET_NOT_UDATA = N_("The answer of %(url)s for the dataset %(id)s is not a udata dataset: "
                       "the portal's copy was left as it was.")
DATASET_HTTP_ERROR = N_("The dataset %(id)s could not be read from %(url)s (HTTP %(status)s): "
                        "the portal's copy was left as it was.")
LISTING = N_("Listing the datasets of %(url)s, page %(page)s")


class UdataHarvester(PortalHarvester):
    NAME = "udata"
    TITLE = N_("data.gouv.fr (udata)")
    DESCRIPTION = N_("The datasets of a udata site (data.gouv.fr or another) through its API: "
                     "an organisation's, or those of a search or of keywords. Resources are "
                     "links to the site's files.")
    LOCAL = False

    # ------------------------------------------------------------------ saving a source
    def check_source(self, url: str, config: dict) -> dict:
        config = checked_config(config)
        try:
            site = udata.base_url(url)
        except ValueError:
            raise tk.ValidationError({"url": [tk._(BAD_URL)]}) from None
        probe = client(site, checking=True)
        try:  # a udata API first (one dataset of its list), then the organisation
            next(iter(probe.pages(probe.datasets_url(page_size=1))))
        except udata.NotFound:
            raise tk.ValidationError({"url": [tk._(NOT_UDATA) % {"url": site}]}) from None
        except udata.UdataError as error:
            raise tk.ValidationError({"url": [check_message(error, site)]}) from None
        try:
            _organization_id(probe, config)
        except udata.NotFound:
            raise tk.ValidationError({"config": [tk._(UNKNOWN_ORGANIZATION) % {
                "organization": config["organization"], "url": site}]}) from None
        except udata.UdataError as error:
            raise tk.ValidationError({"url": [check_message(error, site)]}) from None
        return config

    # ------------------------------------------------------------------ gather
    def list_items(self, source: SourceInfo, progress: Progress) -> Iterator[Item]:
        config = source.config
        try:
            site = client(source.url)
        except ValueError:
            raise SourceError(tk._(BAD_URL)) from None
        try:
            organization = _organization_id(site, config)
            url = site.datasets_url(organization=organization, q=config.get("q"),
                                    tags=_tags(config.get("tags")))
            seen: set[str] = set()
            for number, page in enumerate(site.pages(url), start=1):
                progress.beat(tk._(LISTING) % {"url": site.base, "page": number})
                for dataset in page["data"]:
                    # a dataset created or deleted while the pages are read shifts the
                    # following pages: one may come twice, which is no fault of the source
                    if isinstance(dataset, dict) and dataset.get("id") \
                            and str(dataset["id"]) not in seen:
                        seen.add(str(dataset["id"]))
                        # the slug names the dataset in error messages; build reads the
                        # dataset again, in its state at import time
                        yield Item(guid=str(dataset["id"]),
                                   content={"slug": dataset.get("slug")})
        except udata.NotFound as error:
            if config.get("organization") and "/organizations/" in error.url:
                raise SourceError(tk._(UNKNOWN_ORGANIZATION) % {
                    "organization": config["organization"], "url": site.base}) from None
            raise SourceError(tk._(NOT_UDATA) % {"url": site.base}) from None
        except udata.UdataError as error:
            raise SourceError(source_message(error, site.base)) from None

    # ------------------------------------------------------------------ import
    def build(self, source: SourceInfo, item: Item, workdir: Path,
              progress: Progress) -> Built:
        try:
            site = client(source.url)
        except ValueError:
            raise ObjectError(tk._(BAD_URL)) from None
        try:
            remote = site.dataset(item.guid)
        except udata.UdataError as error:
            raise ObjectError(dataset_message(error, item, site.base)) from None
        result = mapping.mapped(remote, licences.licence_ids())
        if result.unmapped_zones:
            log.info("udata %s: zones without a portal territory: %s", item.guid,
                     ", ".join(result.unmapped_zones))
        return Built(dataset=with_source_settings(result.dataset, source.config),
                     resources=[Resource(**vars(r)) for r in result.resources],
                     remote_url=result.remote_url)


# ---------------------------------------------------------------------- config
def checked_config(config: dict) -> dict:
    """The source's config, French ``ValidationError`` when it cannot select datasets; tags
    given as one text become a list."""
    config = dict(config)
    if isinstance(config.get("tags"), str):
        config["tags"] = [config["tags"]]
    problems = []
    if not any(not values.is_empty(config.get(k)) for k in FILTER_KEYS):
        problems.append(tk._(NO_FILTER))
    organization = config.get("organization")
    if organization is not None and not (isinstance(organization, str) and organization.strip()):
        problems.append(tk._(BAD_ORGANIZATION))
    q = config.get("q")
    if q is not None and not (isinstance(q, str) and q.strip()):
        problems.append(tk._(BAD_Q))
    tags = config.get("tags")
    if tags is not None and not (isinstance(tags, list) and tags and all(
            isinstance(t, str) and t.strip() for t in tags)):
        problems.append(tk._(BAD_TAGS))
    level = config.get("access_level")
    levels = [c.code for c in vocabularies.vocabulary("access-level")]
    if level is not None and level not in levels:
        problems.append(tk._(BAD_ACCESS_LEVEL) % {"levels": ", ".join(levels)})
    if config.get("personal_columns"):
        problems.append(tk._(NO_PERSONAL_COLUMNS))
    if problems:
        raise tk.ValidationError({"config": problems})
    for key in ("organization", "q"):
        if isinstance(config.get(key), str):
            config[key] = config[key].strip()
    if tags is not None:
        config["tags"] = _tags(tags)
    return config


def client(url: str, checking: bool = False) -> udata.UdataClient:
    """A client with the ini's options; when a source is saved, a short timeout and no
    retry (the form answers quickly, a wrong address is said at once)."""
    options: dict[str, Any] = {
        "timeout": _number("timeout", 30.0), "retries": int(_number("retries", 4)),
        "backoff": _number("backoff", 1.0), "max_wait": _number("max_wait", 60.0),
        "page_size": int(_number("page_size", 100)),
    }
    if checking:
        short = _number("check_timeout", 5.0)
        options.update(timeout=short, connect_timeout=short, retries=0)
    return udata.client_from(url, options)


def with_source_settings(dataset: dict, config: dict) -> dict:
    """The source's settings applied to a mapped dataset: access level (public by default),
    keywords and themes added, frequency, contact and licence where udata gives none."""
    settings = entry_settings(config, {})
    out = dict(dataset)
    out["access_level"] = settings.get("access_level") or DEFAULT_ACCESS_LEVEL
    out.setdefault("personal_data", "none")
    keywords = values.json_list(settings.get("keywords")) or []
    if keywords:
        tags = [t for t in out.get("tag_string", "").split(",") if t]
        tags += [t for t in mapping.tags(keywords) if t not in tags]
        out["tag_string"] = ",".join(tags)
    common = fields.common_fields(settings)
    if common.get("theme"):
        out["theme"] = common["theme"]
    unknown = vocabularies.uri("frequency", "UNKNOWN")
    if common.get("frequency") and out.get("frequency") in (None, unknown):
        out["frequency"] = common["frequency"]
    if not out.get("contact") and common.get("contact"):
        out["contact"] = common["contact"]
    if settings.get("license_id") and out.get("license_id") in (None, mapping.NOT_SPECIFIED):
        out["license_id"] = settings["license_id"]
    return out


def _tags(tags: Any) -> list[str]:
    return [t.strip() for t in (tags or []) if isinstance(t, str) and t.strip()]


def _organization_id(site: udata.UdataClient, config: dict) -> Any:
    """The organisation's id (``/api/1/datasets/`` filters on the id, not the slug)."""
    organization = config.get("organization")
    return site.organization(organization)["id"] if organization else None


def _number(name: str, default: float) -> float:
    try:
        return float(tk.config.get(OPTION + name))
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------------- messages
def _error_text(error: udata.UdataError) -> str:
    return f"HTTP {error.status}" if error.status else error.detail


def check_message(error: udata.UdataError, site: str) -> str:
    if isinstance(error, udata.NotUdata):
        return tk._(NOT_UDATA) % {"url": site}
    if isinstance(error, udata.Unavailable) and error.status is None:
        return tk._(UNREACHABLE) % {"url": site, "error": error.detail}
    return tk._(HTTP_ERROR) % {"url": site, "status": error.status}


def source_message(error: udata.UdataError, site: str) -> str:
    if isinstance(error, udata.NotUdata):
        return tk._(NOT_UDATA) % {"url": site}
    if isinstance(error, udata.Unavailable):
        return tk._(UNAVAILABLE) % {"url": site, "error": _error_text(error),
                                    "attempts": error.attempts}
    return tk._(HTTP_ERROR) % {"url": site, "status": error.status}


def dataset_message(error: udata.UdataError, item: Item, site: str) -> str:
    ident = item.content.get("slug") or item.guid
    if isinstance(error, udata.NotFound):
        return tk._(DATASET_GONE) % {"id": ident, "url": site, "status": error.status}
    if isinstance(error, udata.Unavailable):
        return tk._(DATASET_UNAVAILABLE) % {"id": ident, "url": site,
                                            "error": _error_text(error),
                                            "attempts": error.attempts}
    if isinstance(error, udata.NotUdata):
        return tk._(DATASET_NOT_UDATA) % {"id": ident, "url": site}
    return tk._(DATASET_HTTP_ERROR) % {"id": ident, "url": site, "status": error.status}
