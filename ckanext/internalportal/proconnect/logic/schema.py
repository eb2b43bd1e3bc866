"""Validation schemas of internalportal_proconnect's actions."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

MAX_LIMIT = 5000


def limit_validator(value: Any, context) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Give a whole number between 1 and {maximum}.").format(
            maximum=MAX_LIMIT))
    if not 1 <= number <= MAX_LIMIT:
        raise tk.Invalid(tk._("Give a whole number between 1 and {maximum}.").format(
            maximum=MAX_LIMIT))
    return number


def unplaced_list() -> dict:
    return {"limit": [tk.get_validator("ignore_missing"), limit_validator]}
