"""Who reads what: one rule for every surface that prints a dataset's fields (the dataset page,
its RDF).

*Which fields.* A field of the dataset schema marked ``internalportal_audience: signed_in``
(``schemas/dataset.yaml``) is for signed-in readers only: today the source application and the
data steward (they name the services' internal organisation and information systems: nothing
to republish on data.gouv.fr, where the public keeps the contact point), the legal basis and
the data protection officer (only datasets holding personal data have them, and those are
never public). The mark lives beside the field rather than in a list here so that a field
added to the schema says who reads it where it is declared, and the page (which walks the
schema's fields) and the RDF profile (which holds the same schema) read the same data.

*Who is anonymous.* A web request from nobody signed in (no session, no API token). A
signed-in user (any ministry, any role), and code outside a web request (Python code that
already holds the dataset dict, a background job), read everything.

The JSON API (``package_show``) is not filtered (README.md, « Ce que voit un lecteur
anonyme »).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

import flask

import ckan.plugins.toolkit as tk

from ckanext.internalportal.lib import values

AUDIENCE_KEY = "internalportal_audience"
SIGNED_IN = "signed_in"


def is_anonymous_reader() -> bool:
    """True when the current web request comes from nobody signed in (no session, no API
    token); False for a signed-in user and outside a request."""
    if not flask.has_request_context():
        return False
    try:
        user = tk.current_user
        return not bool(user and user.is_authenticated)
    except (AttributeError, RuntimeError):  # no login manager on this app: treat as anonymous
        return True


def is_signed_in_only(field: Mapping[str, Any]) -> bool:
    """Whether a schema field is for signed-in readers only."""
    return field.get(AUDIENCE_KEY) == SIGNED_IN


def signed_in_fields(fields: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The names of the schema fields (``dataset_fields`` or ``resource_fields``) that only
    signed-in readers get."""
    return frozenset(f["field_name"] for f in fields or () if is_signed_in_only(f))


def hidden_fields(fields: Iterable[Mapping[str, Any]],
                  anonymous: Optional[bool] = None) -> frozenset[str]:
    """The names of the fields the reader does not get: the signed-in-only ones for an
    anonymous reader (``anonymous``; by default, the current request's), none otherwise."""
    if anonymous is None:
        anonymous = is_anonymous_reader()
    return signed_in_fields(fields) if anonymous else frozenset()


def fields_for_reader(fields: Iterable[Mapping[str, Any]],
                      anonymous: Optional[bool] = None) -> list[Mapping[str, Any]]:
    """The schema fields the reader gets, in the schema's order."""
    fields = list(fields or ())
    hidden = hidden_fields(fields, anonymous)
    return [f for f in fields if f["field_name"] not in hidden]


def displayed_fields(fields: Iterable[Mapping[str, Any]], data: Mapping[str, Any],
                     anonymous: Optional[bool] = None) -> list[Mapping[str, Any]]:
    """The fields (or a repeating field's subfields) a page shows for ``data``: those the
    reader gets, with a value — an optional field left empty is no row (``values.is_empty``:
    a contact point whose subfields are all blank is empty too)."""
    return [f for f in fields_for_reader(fields, anonymous)
            if not values.is_empty((data or {}).get(f["field_name"]))]
