"""HTTP of ckanext-dcat's RDF routes: every RDF answer says ``charset=utf-8``.

ckanext-dcat's views (``ckanext/dcat/utils.py``, ``read_catalog_page`` and
``read_dataset_page``) set ``Content-Type: text/turtle`` (or ``application/rdf+xml``,
``text/n3``, ``application/ld+json``) with no charset, although the body is UTF-8 (Flask
encodes the serialised string so). A client then has to guess: Python ``requests``, which
data.gouv.fr's DCAT harvester uses (``response.text``, then rdflib), decodes a ``text/*`` body
without charset as ISO-8859-1 (RFC 2616's default), so « Effectifs d'élèves » arrives as
« Effectifs d'Ã©lÃ¨ves », and guesses the encoding of the ``application/*`` ones from their
bytes. One ``after_request`` hook on the Flask app (installed by the plugin's
``IMiddleware.make_middleware``) adds the charset to those answers, for every route of dcat's
blueprints (catalogue pages, single datasets, content negotiation), without forking its views.

Only dcat's own answers are touched: a resource file served by CKAN with an RDF media type is
the producer's file, in whatever encoding it was uploaded, and keeps the headers CKAN gives it.
"""
from __future__ import annotations

import flask

from ckanext.dcat.utils import CONTENT_TYPES

# the blueprints of ckanext-dcat that serialise RDF (``ckanext/dcat/blueprints.py``)
RDF_BLUEPRINTS = frozenset({"dcat", "croissant"})
# dcat's media types, and the other RDF syntaxes rdflib writes (should dcat learn them)
RDF_MEDIA_TYPES = frozenset({
    *CONTENT_TYPES.values(),
    "application/n-triples", "application/n-quads", "application/trig", "text/rdf+n3",
})
CHARSET = "utf-8"


def is_rdf_answer(blueprint: str | None, mimetype: str | None) -> bool:
    return blueprint in RDF_BLUEPRINTS and (mimetype or "").lower() in RDF_MEDIA_TYPES


def with_utf8_charset(response: flask.Response) -> flask.Response:
    """``response`` with ``; charset=utf-8`` when it is an RDF answer of dcat without charset
    (an ``after_request`` hook: runs after dcat's view has set its Content-Type)."""
    if (is_rdf_answer(flask.request.blueprint, response.mimetype)
            and "charset" not in response.mimetype_params):
        response.mimetype_params["charset"] = CHARSET  # rewrites the Content-Type header
    return response


def install(app: flask.Flask) -> flask.Flask:
    """Register the hook on CKAN's Flask app (``IMiddleware.make_middleware``)."""
    app.after_request(with_utf8_charset)
    return app
