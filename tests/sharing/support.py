"""Builders of the sharing tests: the people of three ministries and their datasets, and the
actions called as one of them (auth checked, as over the API)."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from tests.factories import create_dataset, ministry, well_filled


def world() -> dict[str, Any]:
    """``ministry()`` (organisation ``org`` with member, editor, admin; a sysadmin), whose
    ``other_org`` (``b``) is the receiving ministry: ``outsider`` is its editor, ``b_member``
    and ``b_admin`` join it; ``c`` is an unrelated ministry with its agent ``c_agent``;
    ``nobody`` belongs to no organisation. Users carry an API token."""
    people = ministry()
    b_member, b_admin = factories.UserWithToken(), factories.UserWithToken()
    for user, capacity in ((b_member, "member"), (b_admin, "admin")):
        helpers.call_action("organization_member_create", id=people["other_org"]["id"],
                            username=user["name"], role=capacity)
    c_agent = factories.UserWithToken()
    c = factories.Organization(users=[{"name": c_agent["name"], "capacity": "member"}])
    people.update(b=people["other_org"], b_editor=people["outsider"], b_member=b_member,
                  b_admin=b_admin, c=c, c_agent=c_agent, nobody=factories.UserWithToken())
    return people


def dataset(people: dict[str, Any], level: str, **fields: Any) -> dict[str, Any]:
    """A well-filled dataset of ``people["org"]`` at ``level``."""
    return create_dataset(people["org"], **well_filled(access_level=level, **fields))


def as_user(user: Optional[dict[str, Any]], action: str, **data: Any) -> Any:
    """``action`` called by ``user`` with auth checked (``None``: anonymous)."""
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return helpers.call_action(action, context=context, **data)


def sees(user: Optional[dict[str, Any]], pkg: dict[str, Any]) -> bool:
    """Whether ``package_show`` gives ``user`` the dataset (else it does not exist: 404)."""
    try:
        as_user(user, "package_show", id=pkg["id"])
    except tk.ObjectNotFound:
        return False
    return True


def headers(user: Optional[dict[str, Any]]) -> dict[str, str]:
    return {"Authorization": user["token"]} if user else {}


def share_rows(package_id: str) -> list[tuple[str, str]]:
    """(organisation id, state) of every share row of a dataset, whatever its state."""
    from ckanext.internalportal.sharing.model import Share

    model.Session.expire_all()
    return sorted((s.group_id, s.state) for s in
                  model.Session.query(Share).filter_by(package_id=package_id))


def events(package_id: str) -> list[str]:
    from ckanext.internalportal.sharing.model import SharingEvent

    model.Session.expire_all()
    return [e.event for e in model.Session.query(SharingEvent).filter_by(
        package_id=package_id).order_by(SharingEvent.timestamp, SharingEvent.id)]
