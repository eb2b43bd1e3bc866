"""What every dataset write goes through before CKAN's own action sees it.

``logic/action.py`` chains ``package_create``, ``package_update`` and ``package_patch`` and calls
``clean_input`` first. Each step is a function ``(action_name, context, data_dict) -> data_dict``
that may return a cleaned copy of the input or raise ``tk.ValidationError`` (with a French
message through ``tk._``); none may store anything. Steps run in the order of ``STEPS``.
"""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.internalportal.federation import ckan_path
from ckanext.internalportal.logic import guards

Step = Callable[[str, dict, dict], dict]


def refuse_odd_shapes(action: str, context: dict, data_dict: dict) -> dict:
    """Hostile input: refuse a value of the wrong shape (a number or a list where a text is
    expected, a NUL byte, a resource list that is not a list…) naming its field, before CKAN
    stores it or fails on it (``logic/guards.py``). Checks only: idempotent."""
    dataset_type = data_dict.get("type")
    schema = scheming_get_dataset_schema(
        dataset_type if isinstance(dataset_type, str) and dataset_type else "dataset") or {}
    errors = guards.dataset_errors(schema.get("dataset_fields", []),
                                   schema.get("resource_fields", []), data_dict)
    if errors:
        raise tk.ValidationError(guards.messages(errors, tk._))
    return data_dict


# the steps, in order (each plugin part adds its own here, e.g. hostile-input guards first,
# then the removal of the output-only extras written for data.gouv.fr's CKAN harvester)
STEPS: list[Step] = [
    refuse_odd_shapes,  # hostile input first: nothing below sees a value of the wrong shape
    ckan_path.boundary_step,  # the extras package_show adds for data.gouv.fr
]


def clean_input(action: str, context: dict, data_dict: Any) -> Any:
    """``data_dict`` after every step of ``STEPS`` (unchanged when it is not a dict: CKAN's own
    action says what is wrong with it)."""
    if not isinstance(data_dict, dict):
        return data_dict
    for step in STEPS:
        data_dict = step(action, context, data_dict)
    return data_dict
