"""Actions of the internalportal plugin (registered by ``tk.blanket.actions``: every public
function of this module is an action)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchError, SearchQueryError
from ckan.logic.schema import validator_args
from ckan.types import Context, DataDict, Schema, Validator
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.internalportal import quality
from ckanext.internalportal.logic import boundary
from ckanext.internalportal.logic import guards, schema


@validator_args
def _dataset_quality_show_schema(not_missing: Validator, not_empty: Validator,
                                 unicode_safe: Validator) -> Schema:
    return {"id": [not_missing, not_empty, unicode_safe]}


@tk.side_effect_free
def dataset_quality_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The metadata quality score of a dataset, and what to fix.

    Whoever can see the dataset can call it (same rule as ``package_show``).

    :param id: the id or name of the dataset
    :type id: string
    :returns: ``{"score": 0–100, "checks": [{"name", "passed", "weight", "hint"}]}``, the hints
        in the language of the request
    :rtype: dictionary
    """
    data, errors = tk.navl_validate(data_dict, _dataset_quality_show_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("dataset_quality_show", context, data)
    pkg_dict = tk.get_action("package_show")(context, {"id": data["id"]})
    return quality.quality_report(pkg_dict, translate=tk._)


# ------------------------------------------------------------------ writes (chained)
# Every dataset write goes through logic/boundary.py's steps before CKAN's own action.
@tk.chained_action
def package_create(original_action, context: Context, data_dict: DataDict):
    return original_action(context, boundary.clean_input("package_create", context, data_dict))


@tk.chained_action
def package_update(original_action, context: Context, data_dict: DataDict):
    return original_action(context, boundary.clean_input("package_update", context, data_dict))


@tk.chained_action
def package_patch(original_action, context: Context, data_dict: DataDict):
    return original_action(context, boundary.clean_input("package_patch", context, data_dict))


# ------------------------------------------------------------------ hostile input (chained)
# CKAN's own reads and resource writes that the portal exposes, guarded at the boundary
# (logic/guards.py says why each shape): a clear ValidationError naming the parameter, not a 500.
def _resource_guard(data_dict: DataDict) -> None:
    if not isinstance(data_dict, dict):
        return
    fields = (scheming_get_dataset_schema("dataset") or {}).get("resource_fields", [])
    errors = guards.resource_errors(fields, data_dict)
    if errors:
        raise tk.ValidationError(guards.messages(errors, tk._))


@tk.chained_action
def resource_create(original_action, context: Context, data_dict: DataDict):
    _resource_guard(data_dict)
    return original_action(context, data_dict)


@tk.chained_action
def resource_update(original_action, context: Context, data_dict: DataDict):
    _resource_guard(data_dict)
    return original_action(context, data_dict)


@tk.chained_action
def resource_patch(original_action, context: Context, data_dict: DataDict):
    _resource_guard(data_dict)
    return original_action(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def package_search(original_action, context: Context, data_dict: DataDict):
    """Odd parameters (``include_private=banana``, ``rows=[1]``, a NUL byte in ``q``) are a
    ValidationError naming them; a query Solr itself refuses (unbalanced brackets, an offset
    out of range) is CKAN's ``SearchQueryError`` (HTTP 400), as CKAN does for a bad ``sort``."""
    if isinstance(data_dict, dict):
        _, errors = tk.navl_validate(data_dict, schema.package_search_guard_schema(), context)
        errors = {key: value for key, value in errors.items() if value}
        if errors:
            raise tk.ValidationError(errors)
    try:
        return original_action(context, data_dict)
    except SearchError as error:
        if isinstance(error, SearchQueryError) or not guards.is_solr_client_error(str(error)):
            raise
        raise SearchQueryError(tk._(guards.INVALID_QUERY)) from error
