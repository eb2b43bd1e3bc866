"""Action contexts: the site user's, for work done on behalf of the portal itself (CLI commands,
the demo loader, background jobs, harvesters: authorisation skipped), and the request user's,
for pages and template helpers; and what the suite's actions and pages share around them
(input validation, CSV attachments, the tables of a DataStore SQL query)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def site_context(**extra: Any) -> dict[str, Any]:
    """A fresh context for ``tk.get_action(...)(context, ...)`` as the site user (a new dict
    each call: CKAN actions write into their context)."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, **extra}


def current_user_context() -> dict[str, Any]:
    """The action context of the request's user (pages and template helpers): their name and
    object, ``None`` for an anonymous visitor; auth checked."""
    user = tk.current_user
    signed_in = not user.is_anonymous
    return {"user": user.name if signed_in else None,
            "auth_user_obj": user if signed_in else None}


def csv_attachment(text: str, filename: str):
    """A CSV export as the browser downloads it: UTF-8 with its BOM (a spreadsheet then reads
    the accents), saved as ``filename``."""
    from flask import Response

    return Response("\ufeff" + text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Type": "text/csv; charset=utf-8"})


def validated(data_dict: Any, schema: dict, context: Any) -> dict[str, Any]:
    """An action's input checked against ``schema`` (``tk.navl_validate``): the clean data, or
    a ``tk.ValidationError`` naming each field (the suite's actions, one rule)."""
    data, errors = tk.navl_validate(data_dict or {}, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def sql_table_names(context: Any) -> list[str]:
    """The tables a ``datastore_search_sql`` query reads, as CKAN gives them to the auth
    function (``context["table_names"]``). CKAN passes a generator: read once, it would be
    empty for the checks after, CKAN's own included, which would then let every table through;
    so it is read here and handed back to the context as a list."""
    names = list(context.get("table_names") or [])
    context["table_names"] = names
    return names
