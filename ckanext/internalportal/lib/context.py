"""The site user's context, for work done on behalf of the portal itself (CLI commands, the
demo loader, background jobs, harvesters): CKAN's site user, authorisation skipped."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def site_context(**extra: Any) -> dict[str, Any]:
    """A fresh context for ``tk.get_action(...)(context, ...)`` as the site user (a new dict
    each call: CKAN actions write into their context)."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, **extra}


def validated(data_dict: Any, schema: dict, context: Any) -> dict[str, Any]:
    """An action's input checked against ``schema`` (``tk.navl_validate``): the clean data, or
    a ``tk.ValidationError`` naming each field (the suite's actions, one rule)."""
    data, errors = tk.navl_validate(data_dict or {}, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data
