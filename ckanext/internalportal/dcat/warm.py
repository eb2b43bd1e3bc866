"""Fill the RDF fragment cache before the harvesters come (``ckan internalportal dcat
warm-cache``).

A harvester that reads a page whose datasets are not in the cache pays for building every
one of them (the « cold » page). The command reads the whole catalogue as an anonymous
harvester does — every page, in each format asked, through the same code as
``/catalog.<format>`` (``pages.render_page``), in a request from nobody signed in — so that the
keys it stores are exactly those the harvester's requests will look up. A dataset already
in the cache is not built again: a second run builds nothing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import redis

import ckan.plugins.toolkit as tk

from . import cache
from .composition import ComposedRDFSerializer, rdflib_format
from .pages import render_page

# the address extensions of the catalogue (ckanext-dcat's), the first one by default
FORMATS = ("ttl", "rdf", "jsonld", "n3", "xml")


class WarmError(Exception):
    """The cache cannot be filled (turned off, Redis unreachable): a French message."""


@dataclass
class FormatReport:
    fmt: str
    datasets: int = 0      # public datasets of the catalogue read
    built: int = 0         # fragments built and stored by this run
    pages: int = 0

    @property
    def already(self) -> int:
        return self.datasets - self.built


@dataclass
class WarmReport:
    formats: list[FormatReport] = field(default_factory=list)


def check_cache() -> None:
    if not cache.enabled():
        raise WarmError(f"le cache RDF est désactivé ({cache.ENABLED_OPTION} = false) : "
                        "rien à préparer")
    try:
        cache.client().ping()
    except (redis.RedisError, OSError) as e:
        raise WarmError(f"Redis injoignable ({tk.config.get('ckan.redis.url')}) : {e}")


def warm(flask_app, formats: tuple[str, ...] = ("ttl",),
         progress: Callable[[str], None] = lambda message: None) -> WarmReport:
    """Read every page of the catalogue in each of ``formats``, anonymously."""
    check_cache()
    report = WarmReport()
    per_page = int(tk.config.get("ckanext.dcat.datasets_per_page") or 100)
    done: set[str] = set()
    for fmt in formats:
        if rdflib_format(fmt) in done:          # rdf and xml: the same RDF/XML fragments
            continue
        done.add(rdflib_format(fmt))
        part = FormatReport(fmt)
        report.formats.append(part)
        page = 1
        while True:
            before = ComposedRDFSerializer.built
            # a request from nobody signed in: the anonymous reader's fragments and keys
            with flask_app.test_request_context(f"/catalog.{fmt}?page={page}"):
                rendered = render_page({}, {"format": fmt, "page": page})
            built = ComposedRDFSerializer.built - before
            if not rendered.datasets:
                break
            part.pages += 1
            part.datasets += rendered.datasets
            part.built += built
            pages = max(1, math.ceil(rendered.total / per_page))
            progress(f"{fmt} : page {page}/{pages}, {rendered.datasets} jeu(x), "
                     f"{built} préparé(s), {rendered.datasets - built} déjà en cache")
            if part.datasets >= rendered.total:
                break
            page += 1
    return report
