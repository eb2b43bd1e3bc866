"""The RDF text of each public dataset of the catalogue, kept in Redis between readers.

A harvester (data.gouv.fr, the EU portal) reads the whole catalogue every night, page by
page; most datasets have not changed since the previous night. Each dataset's fragment
(``composition.py``) is kept in the portal's Redis, shared by every web worker, under a key
that names everything its text depends on:

- the dataset dict itself, as the search index gives it (a digest of its JSON): an edit,
  a new resource, a change of licence… changes ``metadata_modified`` and the dict, hence the
  key; the organisation as embedded in the dict too;
- the reader's audience (an anonymous reader gets no checksums nor internal fields);
- the format, the RDF profiles used;
- the code and data that write the RDF (the portal's ``dcat/``, ``lib/``, ``schemas/`` files, the
  versions of CKAN, ckanext-dcat, ckanext-scheming and rdflib) and the settings they read
  (``ckan.site_url``, the locale, the licences, scheming's schemas, every
  ``ckanext.dcat.*`` and ``ckanext.internalportal.dcat.*`` option).

Nothing is ever looked up by dataset alone: the page's datasets come from the search index
on every request (a dataset made private, deleted or turned into a draft is simply not among
them), and an edited one comes with a new key. Old keys are left to expire (TTL, a week by
default: keys name the content, so a long one serves nothing stale and keeps the catalogue
warm from one nightly harvest to the next; ``ckan internalportal dcat warm-cache`` fills it
beforehand, ``warm.py``).

Redis is reached with the portal's ``ckan.redis.url``, with short timeouts; if it fails or
is slow, the page is built without it (and a warning logged), never an error.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
from importlib import metadata
from typing import Any, Callable, Optional

import redis

import ckan.plugins.toolkit as tk

from ckanext.internalportal.lib import audience
from ckanext.internalportal.lib.plugin import PACKAGE_DIR

log = logging.getLogger(__name__)

ENABLED_OPTION = "ckanext.internalportal.dcat.cache_enabled"
TTL_OPTION = "ckanext.internalportal.dcat.cache_ttl"
DEFAULT_TTL = 7 * 86400      # a week: see the option's description
KEY_PREFIX = "ckanext-internalportal:dcat:fragment"
TIMEOUT_S = 0.5

PACKAGE = PACKAGE_DIR                                      # ckanext/internalportal
CODE_DIRS = ("dcat", "lib", "schemas")
VERSIONED = ("ckan", "ckanext-dcat", "ckanext-scheming", "rdflib")
# settings the RDF reads, besides every ckanext.dcat.* and ckanext.internalportal.dcat.* one
SETTINGS = ("ckan.site_url", "ckan.site_id", "ckan.site_title", "ckan.locale_default",
            "ckan.locales_offered", "licenses_group_url", "scheming.dataset_schemas",
            "scheming.presets")
SETTING_PREFIXES = ("ckanext.dcat.", "ckanext.internalportal.dcat.")
OWN_OPTIONS = (ENABLED_OPTION, TTL_OPTION)


# ------------------------------------------------------------------ the key
@functools.cache
def code_fingerprint() -> str:
    """Digest of the files and package versions that write the RDF (once per process)."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((PACKAGE / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".json", ".yaml", ".yml", ".ttl",
                                                  ".csv"):
                digest.update(str(path.relative_to(PACKAGE)).encode())
                digest.update(path.read_bytes())
    for name in VERSIONED:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?".encode())
    return digest.hexdigest()


def settings_fingerprint() -> str:
    """Digest of the settings the RDF depends on (read at each page: tests change them)."""
    config = tk.config
    keys = set(SETTINGS) | {k for k in config.keys() if k.startswith(SETTING_PREFIXES)}
    values = {k: str(config.get(k)) for k in sorted(keys - set(OWN_OPTIONS))}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def reader_audience() -> str:
    return "anonymous" if audience.is_anonymous_reader() else "agent"


def dataset_digest(dataset_dict: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(dataset_dict, sort_keys=True, default=str,
                                     separators=(",", ":")).encode()).hexdigest()


def page_context(fmt: str, profiles: list[str]) -> str:
    """What every fragment of one page shares in its key."""
    return hashlib.sha256("\n".join([code_fingerprint(), settings_fingerprint(),
                                     reader_audience(), fmt, " ".join(profiles)])
                          .encode()).hexdigest()[:32]


def fragment_key(context: str, dataset_dict: dict[str, Any]) -> str:
    return f"{KEY_PREFIX}:{context}:{dataset_dict.get('id')}:{dataset_digest(dataset_dict)[:40]}"


def cacheable(dataset_dict: dict[str, Any]) -> bool:
    """Only a public, active dataset's RDF is kept (the catalogue holds nothing else)."""
    return not dataset_dict.get("private") and dataset_dict.get("state", "active") == "active"


# ------------------------------------------------------------------ the store
def enabled() -> bool:
    return tk.asbool(tk.config.get(ENABLED_OPTION, True))


def ttl() -> int:
    return max(1, int(tk.config.get(TTL_OPTION, DEFAULT_TTL) or DEFAULT_TTL))


@functools.lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=TIMEOUT_S,
                                socket_connect_timeout=TIMEOUT_S)


def client() -> redis.Redis:
    return _client(tk.config.get("ckan.redis.url") or "redis://localhost:6379/0")


class FragmentCache:
    """``composition.FragmentSource`` over Redis: fetch the page's fragments in one round trip,
    build the missing ones, store them in another."""

    def __init__(self, profiles: list[str], store: Optional[redis.Redis] = None):
        self.profiles = profiles
        self.store = store if store is not None else client()
        self.ttl = ttl()

    def __call__(self, dataset_dicts: list[dict[str, Any]], fmt: str,
                 build: Callable[[dict[str, Any]], str]) -> list[str]:
        if not dataset_dicts:
            return []
        context = page_context(fmt, self.profiles)
        keys = [fragment_key(context, d) if cacheable(d) else None for d in dataset_dicts]
        found = self._get([k for k in keys if k])
        reachable = found is not None
        found = found or {}
        texts, missing = [], {}
        for key, dataset_dict in zip(keys, dataset_dicts):
            cached = found.get(key) if key else None
            if cached is None:
                cached = build(dataset_dict)
                if key:
                    missing[key] = cached
            texts.append(cached)
        if missing and reachable:
            self._set(missing)
        return texts

    def _get(self, keys: list[str]) -> Optional[dict[str, str]]:
        """The fragments found, by key; None when Redis cannot be reached."""
        if not keys:
            return {}
        try:
            values = self.store.mget(keys)
        except (redis.RedisError, OSError) as e:
            log.warning("RDF fragment cache unavailable, page built without it: %s", e)
            return None
        return {k: v.decode("utf-8") for k, v in zip(keys, values) if v is not None}

    def _set(self, texts: dict[str, str]) -> None:
        try:
            pipe = self.store.pipeline(transaction=False)
            for key, text in texts.items():
                pipe.set(key, text.encode("utf-8"), ex=self.ttl)
            pipe.execute()
        except (redis.RedisError, OSError) as e:
            log.warning("RDF fragment cache unavailable, fragments not stored: %s", e)


def fragment_source(profiles: list[str]):
    """The cache when enabled, else building every fragment (the same page, byte for byte)."""
    from .composition import build_all
    return FragmentCache(profiles) if enabled() else build_all
