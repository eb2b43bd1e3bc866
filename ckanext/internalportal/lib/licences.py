"""The portal's licence list: CKAN's licence register (data.gouv.fr's list unless the ini names
another, see ``plugin.py``), read in one place."""
from __future__ import annotations

from typing import Any, Mapping


def licence_register() -> Mapping[str, Any]:
    """``{licence id: ckan.model.license.License}`` (ids ``lov2``, ``odc-odbl``…)."""
    from ckan import model
    return model.Package.get_license_register()


def licence_ids() -> list[str]:
    return list(licence_register().keys())


def licence_choices() -> list[tuple[str, str]]:
    """``[(title, id)]`` in the register's order, as CKAN's forms list them."""
    from ckan import model
    return model.Package.get_license_options()
