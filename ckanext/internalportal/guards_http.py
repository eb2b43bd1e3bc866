"""Flask-level guards on the routes the portal exposes: a hostile query string or an unknown
RDF extension is a 400 or a 404 that names the parameter, never a 500.

- ckanext-dcat's ``/catalog.<fmt>`` and ``/dataset/<id>.<fmt>`` serialise with whatever
  extension they are given: ``/catalog.xyz`` reaches rdflib, which has no such serializer (500).
  An extension dcat does not serve is a 404 listing those it does.
- The search pages (``/dataset/``, an organisation's or a group's page) and the RDF routes pass
  their query string to ``package_search``: a NUL byte, a megabyte or ``page=10**30`` fails in
  PostgreSQL or Solr. Each parameter is checked (``logic/guards.py``) and a bad one is a 400.
- A query Solr itself refuses is CKAN's ``SearchQueryError`` (raised by the chained
  ``package_search``); CKAN's search page answers it with a 400, dcat's catalogue lets it
  through: one error handler makes it a 400 everywhere.

Installed by the plugin's ``IMiddleware.make_middleware`` (``install``).
"""
from __future__ import annotations

import flask

import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchQueryError
from ckanext.dcat.utils import CONTENT_TYPES

from ckanext.internalportal.logic import guards

RDF_ENDPOINTS = frozenset({"dcat.read_catalog", "dcat.read_dataset"})
SEARCH_PAGE_ENDPOINTS = frozenset({"organization.read", "group.read"})  # and every *.search
# results per page, to bound ``page`` so that the offset stays within guards.MAX_START
PER_PAGE_OPTIONS = {"dcat": ("ckanext.dcat.datasets_per_page", 100),
                    "search": ("ckan.datasets_per_page", 20)}


def _is_search_page(endpoint: str) -> bool:
    return endpoint.endswith(".search") or endpoint in SEARCH_PAGE_ENDPOINTS


def _max_page(kind: str) -> int:
    option, default = PER_PAGE_OPTIONS[kind]
    per_page = tk.asint(tk.config.get(option) or default) or default
    return max(1, guards.MAX_START // per_page)


def _refuse(status: int, name: str, problem: guards.Problem) -> None:
    message, params = problem
    tk.abort(status, tk._(guards.INVALID_PARAMETER).format(
        name=name, message=tk._(message).format(**params)))


def refuse_hostile_query() -> None:
    """``before_request``: check the RDF extension, the path's values and the query string of
    the search and RDF routes."""
    endpoint = flask.request.endpoint or ""
    rdf = endpoint in RDF_ENDPOINTS
    if not (rdf or _is_search_page(endpoint)):
        return
    view_args = flask.request.view_args or {}
    for name, value in view_args.items():
        if not isinstance(value, str):  # a route's own default (is_organization=True)
            continue
        problem = guards.text_problem(value)
        if problem:
            _refuse(400, name, problem)
    fmt = view_args.get("_format")
    if rdf and fmt is not None:
        problem = guards.rdf_format_problem(fmt, CONTENT_TYPES)
        if problem:
            _refuse(404, "format", problem)
    for name, value in flask.request.args.items(multi=True):
        problem = guards.text_problem(value)
        if not problem and name == "page" and value.strip():
            problem = guards.integer_problem(value, 1, _max_page("dcat" if rdf else "search"))
        if problem:
            _refuse(400, name, problem)


def invalid_search_query(error: SearchQueryError) -> flask.Response:
    """A query Solr refuses, on a route that does not catch it (dcat's catalogue): a 400 that
    says so, in plain text (the RDF routes' clients are programs)."""
    message = tk._(guards.INVALID_PARAMETER).format(
        name="q / fq", message=tk._(guards.INVALID_QUERY))
    return flask.Response(message, status=400, mimetype="text/plain")


def install(app: flask.Flask) -> flask.Flask:
    """Register the guards on CKAN's Flask app (``IMiddleware.make_middleware``)."""
    app.before_request(refuse_hostile_query)
    app.register_error_handler(SearchQueryError, invalid_search_query)
    return app
