"""The sharing rules read from the database: a dataset's level and shares, the permission
labels CKAN asks for (``IPermissionLabels``), and whether a user may have a dataset's data.
The decisions themselves are the pure functions of ``rules.py``."""
from __future__ import annotations

import json
from typing import Any, Optional

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultPermissionLabels

from ckanext.internalportal.lib.access import LEVEL_OF_PRIVATE_FLAG
from ckanext.internalportal.lib.context import current_user_context  # noqa: F401 (sharing's pages)
from ckanext.internalportal.sharing import rules
from ckanext.internalportal.sharing.model import Share


def level_of(pkg: model.Package) -> str:
    """The access level of a dataset object: its ``access_level`` (a scheming field, kept in
    the package's extras), else the level of CKAN's ``private`` flag."""
    level = (pkg.extras or {}).get("access_level")
    if isinstance(level, str) and level.strip():
        return level.strip()
    return LEVEL_OF_PRIVATE_FLAG[bool(pkg.private)]


def shared_with(package_id: str) -> set[str]:
    """The organisations the dataset is shared with today (active shares before their date)."""
    rows = Share.active(package_id=package_id).with_entities(Share.group_id)
    return {group_id for (group_id,) in rows}


class PermissionLabels(DefaultPermissionLabels):
    """CKAN's labels, widened by the shares and the ``agent`` label (``rules.py``)."""

    def get_dataset_labels(self, dataset_obj: model.Package) -> list[str]:
        ckan_labels = super().get_dataset_labels(dataset_obj)
        if rules.PUBLIC_LABEL in ckan_labels or dataset_obj.state != "active":
            return ckan_labels
        level = level_of(dataset_obj)
        shares = shared_with(dataset_obj.id) if level in rules.SHAREABLE_LEVELS else ()
        return rules.dataset_labels(ckan_labels, level, dataset_obj.state, shares)

    def get_user_dataset_labels(self, user_obj: Optional[model.User]) -> list[str]:
        # Every reading that matches labels (search, autocomplete, counts, activity streams,
        # package_show) asks for the reader's labels first: the shares past their date leave
        # the index and the activities' labels before, as if the sweep had run at the date.
        # A page asks for them a dozen times (CKAN's are an organization_list_for_user
        # each): computed once per request; a user's labels follow their memberships only.
        from ckanext.internalportal.sharing.shares import expire_due_shares

        cache = _request_cache()
        key = user_obj.id if isinstance(user_obj, model.User) else None
        if cache is not None and key in cache:
            return list(cache[key])
        expire_due_shares()
        labels = rules.user_labels(super().get_user_dataset_labels(user_obj))
        if cache is not None:
            cache[key] = labels
        return list(labels)


def request_store() -> Optional[dict]:
    """What the sharing plugin remembers for the rest of this request (the readers' labels,
    whether due shares were looked for); None outside a request that CKAN dispatches (its
    ``ckan_before_request`` sets ``g.__timer``): not for a request context a script or a test
    holds while memberships change."""
    from flask import g, has_request_context

    if not has_request_context() or g.get("__timer") is None:
        return None
    if not hasattr(g, "internalportal_sharing"):
        g.internalportal_sharing = {"user_labels": {}}
    return g.internalportal_sharing


def _request_cache() -> Optional[dict]:
    """The labels of this request's readers, by user id (None: no cache)."""
    store = request_store()
    return store["user_labels"] if store is not None else None


EDITORS_MAY_SHARE = "ckanext.internalportal.sharing.editors_may_share"


def granting_roles() -> tuple[str, ...]:
    """The capacities in the owner organisation that share (admins; editors by the option)."""
    return ("admin", "editor") if tk.asbool(tk.config.get(EDITORS_MAY_SHARE)) else ("admin",)


def may_grant(user: Optional[str], pkg: model.Package) -> bool:
    """Sysadmins and the owner organisation's admins (and editors, by the option) share the
    dataset, revoke its shares and decide on its requests."""
    if not user:
        return False
    if authz.is_sysadmin(user):
        return True
    if not pkg.owner_org:
        return False
    return authz.users_role_for_group_or_org(pkg.owner_org, user) in granting_roles()


def dataset_data_labels(pkg: model.Package) -> list[str]:
    return rules.data_labels(PermissionLabels().get_dataset_labels(pkg), level_of(pkg))


def relabel_activities(pkg: model.Package, session: Any = None) -> None:
    """The dataset's past activities take the labels of now (``rules.activity_labels``): a new
    share shows them to the receiving organisation, a revoke or a closing level hides them,
    a dataset opened does not publish its private past (as CKAN keeps it). In ``session``'s
    transaction (the caller's by default); nothing without the activity plugin."""
    import sqlalchemy as sa
    from ckan.plugins import plugin_loaded

    if not plugin_loaded("activity"):
        return
    session = session or model.Session
    now = dataset_data_labels(pkg)
    rows = session.execute(sa.text(
        "SELECT id, permission_labels FROM activity WHERE object_id = :id"), {"id": pkg.id})
    for activity_id, recorded in rows.fetchall():
        labels = rules.activity_labels(recorded, now)
        if labels != recorded:
            session.execute(sa.text(
                "UPDATE activity SET permission_labels = :labels WHERE id = :id"),
                {"labels": labels, "id": activity_id})


def user_of(context: dict[str, Any]) -> Optional[model.User]:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if name else None


def may_read_data(context: dict[str, Any], pkg: model.Package) -> bool:
    """Whether the caller of ``context`` may have the data of ``pkg`` (resource URLs,
    downloads, views, DataStore); trusted internal calls (``ignore_auth``) may."""
    if context.get("ignore_auth"):
        return True
    return user_may_read_data(user_of(context), pkg)


def may_see(context: dict[str, Any], pkg: model.Package) -> bool:
    """Whether the caller of ``context`` may see the dataset (``package_show``'s rule)."""
    if context.get("ignore_auth"):
        return True
    try:
        tk.check_access("package_show", dict(context), {"id": pkg.id})
    except tk.NotAuthorized:
        return False
    return True


def package_of_resource(resource_id: Any) -> Optional[model.Package]:
    resource = model.Resource.get(resource_id) if isinstance(resource_id, str) else None
    return model.Package.get(resource.package_id) if resource is not None else None


def package_of_view(view_id: Any) -> Optional[model.Package]:
    view = model.ResourceView.get(view_id) if isinstance(view_id, str) else None
    return package_of_resource(view.resource_id) if view is not None else None


def user_may_read_data(user: Optional[model.User], pkg: model.Package) -> bool:
    """Sysadmins always; others when their labels meet the dataset's data labels (for a level
    other than restricted, the data goes with the metadata: package_show's rule decides)."""
    if user is not None and authz.is_sysadmin(user.name):
        return True
    if not rules.is_data_reserved(level_of(pkg)):
        return True
    user_labels = PermissionLabels().get_user_dataset_labels(user)
    return rules.matches(user_labels, dataset_data_labels(pkg))

# the resource keys that lead to the data; name, format, size and description stay
DATA_KEYS = ("url", "download_url", "access_url", "hash")


def strip_data(pkg_dict: dict[str, Any]) -> None:
    """A restricted dataset as seen by an agent without its data: the list of its resources
    (name, format, size…), no URL (an external URL would lead to the data itself)."""
    for resource in pkg_dict.get("resources") or []:
        for key in DATA_KEYS:
            if key in resource:
                resource[key] = ""


def _reserved(pkg_dict: dict[str, Any]) -> bool:
    level = pkg_dict.get("access_level")
    if not isinstance(level, str) or not level.strip():
        return False  # not the portal's schema: no restricted level
    return rules.is_data_reserved(level.strip())


# the index's stored copies of the dataset dict, which ``package_search``'s ``fl`` returns
STORED_DICTS = ("validated_data_dict", "data_dict")
INDEXED_URLS = ("res_url", "urls", "download_url")


def hide_reserved_data(context: dict[str, Any], pkg_dicts: list[dict[str, Any]]) -> None:
    """``package_show``/``package_search`` answers: strip the data of the restricted datasets
    whose data the caller may not have (nothing for trusted internal calls)."""
    if context.get("ignore_auth"):
        return
    for pkg_dict in pkg_dicts:
        if not isinstance(pkg_dict, dict):
            continue
        if "resources" not in pkg_dict:
            _hide_reserved_fields(context, pkg_dict)
    reserved = [d for d in pkg_dicts
                if isinstance(d, dict) and "resources" in d and _reserved(d)]
    if not reserved:
        return
    user = user_of(context)
    if user is not None and authz.is_sysadmin(user.name):
        return
    # one query for the shares of the whole page of results, the reader's labels once
    user_labels = PermissionLabels().get_user_dataset_labels(user)
    shares = shared_with_each([d.get("id") for d in reserved])
    for pkg_dict in reserved:
        if not rules.matches(user_labels, _data_labels_of_dict(pkg_dict, shares)):
            strip_data(pkg_dict)


def shared_with_each(package_ids: list[Any]) -> dict[str, set[str]]:
    """``shared_with`` for several datasets in one query: dataset id -> organisations."""
    ids = [i for i in package_ids if isinstance(i, str) and i]
    found: dict[str, set[str]] = {i: set() for i in ids}
    if ids:
        rows = Share.active().filter(Share.package_id.in_(ids)).with_entities(
            Share.package_id, Share.group_id)
        for package_id, group_id in rows:
            found[package_id].add(group_id)
    return found


def _data_labels_of_dict(pkg_dict: dict[str, Any],
                         shares: dict[str, set[str]]) -> list[str]:
    """The data labels of a dataset dict as the API shows it (the same labels as
    ``dataset_data_labels`` of its object, without loading it)."""
    ckan_labels = []
    if authz.check_config_permission("allow_dataset_collaborators"):
        ckan_labels.append(f"collaborator-{pkg_dict.get('id')}")
    if pkg_dict.get("owner_org"):
        ckan_labels.append(rules.organisation_label(pkg_dict["owner_org"]))
    else:
        ckan_labels.append(f"creator-{pkg_dict.get('creator_user_id')}")
    level = pkg_dict["access_level"].strip()
    labels = rules.dataset_labels(ckan_labels, level, pkg_dict.get("state") or "active",
                                  shares.get(pkg_dict.get("id"), ()))
    return rules.data_labels(labels, level)


def _stored(pkg_dict: dict[str, Any], key: str) -> Optional[dict[str, Any]]:
    try:
        value = json.loads(pkg_dict[key])
    except (KeyError, TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _hide_reserved_fields(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    """A ``package_search`` result of chosen fields (``fl``): its stored dataset dicts and
    URL fields lose the data of a restricted dataset the caller may not have; a result whose
    dataset cannot be told loses them altogether."""
    if not any(key in pkg_dict for key in STORED_DICTS + INDEXED_URLS):
        return
    stored = [d for d in (_stored(pkg_dict, key) for key in STORED_DICTS) if d]
    names = [pkg_dict.get("id"), pkg_dict.get("name")] + [d.get("id") for d in stored]
    pkg = next((p for p in (model.Package.get(n) for n in names if isinstance(n, str) and n)
                if p is not None), None)
    if pkg is not None and (not rules.is_data_reserved(level_of(pkg))
                            or may_read_data(context, pkg)):
        return
    for key in INDEXED_URLS:
        pkg_dict.pop(key, None)
    for key in STORED_DICTS:
        value = _stored(pkg_dict, key)
        if value is None:
            pkg_dict.pop(key, None)
        else:
            strip_data(value)
            pkg_dict[key] = json.dumps(value)


def hide_unlabelled_activities(context: dict[str, Any],
                               activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CKAN filters a stream's activities of type ``… package`` by labels; the other
    activities about a dataset (``new resource view``…) carry none and would be shown to
    anyone: kept only for readers who have the dataset's data."""
    if context.get("ignore_auth") or not isinstance(activities, list):
        return activities
    user = user_of(context)
    if user is not None and authz.is_sysadmin(user.name):
        return activities
    user_labels: Optional[list[str]] = None
    verdicts: dict[str, bool] = {}
    kept = []
    for activity in activities:
        object_id = activity.get("object_id") if isinstance(activity, dict) else None
        if not object_id or str(activity.get("activity_type") or "").endswith("package"):
            kept.append(activity)
            continue
        if object_id not in verdicts:
            pkg = model.Package.get(object_id)
            if pkg is None or (not pkg.private and pkg.state == "active"):
                verdicts[object_id] = True
            else:
                if user_labels is None:
                    user_labels = PermissionLabels().get_user_dataset_labels(user)
                verdicts[object_id] = rules.matches(user_labels, dataset_data_labels(pkg))
        if verdicts[object_id]:
            kept.append(activity)
    return kept
