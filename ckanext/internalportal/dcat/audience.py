"""Who reads the RDF: an anonymous visitor of the public catalogue, or a signed-in agent.

The profile leaves out of what an anonymous reader gets the internal details of a dataset
(source application, data steward, legal basis, data protection officer) and the checksums
(see README.md, « DCAT-AP 3 et data.gouv.fr »). Outside a web request (Python code that
already holds the dataset dict, a background job) the caller is trusted: everything is written.
"""
from __future__ import annotations

import flask

import ckan.plugins.toolkit as tk


def is_anonymous_web_reader() -> bool:
    """True when the current web request comes from nobody signed in (no session, no API
    token); False for a signed-in user and outside a request."""
    if not flask.has_request_context():
        return False
    try:
        user = tk.current_user
        return not bool(user and user.is_authenticated)
    except (AttributeError, RuntimeError):  # no login manager on this app: treat as anonymous
        return True
