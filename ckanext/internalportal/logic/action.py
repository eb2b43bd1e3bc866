"""Actions of the internalportal plugin (registered by ``tk.blanket.actions``: every public
function of this module is an action)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Context, DataDict, Schema, Validator

from ckanext.internalportal import quality


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
