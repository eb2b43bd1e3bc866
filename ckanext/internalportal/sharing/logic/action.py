"""Actions of internalportal_sharing (``tk.blanket.actions``: every public function here).

Shares: ``dataset_share_create``, ``dataset_share_delete``, ``dataset_share_list``,
``organization_shared_datasets_list``. Access requests: ``dataset_access_request_create``,
``dataset_access_request_approve``, ``dataset_access_request_refuse``,
``dataset_access_request_list`` (the owner's side), ``access_request_list_mine`` (the
requester's side). Audit: ``dataset_sharing_audit_list``. CKAN's ``package_show`` (a dataset
one may not see does not exist: 404), ``package_search`` (no resource URL of a restricted
dataset to those without its data) and ``activity_create`` (activities carry the dataset's data
labels) are chained; so are, for the visibility matrix (tests/test_visibility.py), the actions
that name a dataset (``resource_show``, ``resource_view_list``/``_show``,
``package_activity_list``, ``dataset_quality_show``, the follower actions: 404 for a dataset
the caller may not see) and the activity streams (no unlabelled activity — resource views — of
a dataset whose data the reader may not have).

Each action validates its input (logic/schema.py), checks access (logic/auth.py), checks the
business rules — a ``ValidationError`` naming the field, nothing changed — then calls
shares.py.
"""
from __future__ import annotations

from typing import Any, Optional

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.internalportal.lib.context import validated
from ckanext.internalportal.sharing import access, mail, rules, shares
from ckanext.internalportal.sharing.logic import auth, schema
from ckanext.internalportal.sharing.model import AccessRequest, Share, SharingEvent


def _visible_package(context: Context, id_or_name: str) -> model.Package:
    """The dataset, if the caller may see it; otherwise it does not exist (404)."""
    pkg = model.Package.get(id_or_name)
    if pkg is None or pkg.state == "deleted" and not authz.is_sysadmin(context.get("user")):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    if not access.may_see(context, pkg):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return pkg


def _organization(name_or_id: str) -> Optional[model.Group]:
    group = model.Group.get(name_or_id)
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group


def _user_id(context: Context) -> Optional[str]:
    user = access.user_of(context)
    return user.id if user else None


def _dictize_share(share: Share) -> dict[str, Any]:
    group = model.Group.get(share.group_id)
    return {
        "id": share.id,
        "package_id": share.package_id,
        "organization": {"id": share.group_id, "name": group.name if group else None,
                         "title": group.title if group else None},
        "state": share.state,
        "created": share.created.isoformat(),
        "expires": share.expires.isoformat() if share.expires else None,
        "reason": share.reason,
        "can_edit": share.can_edit,
    }


def _dictize_request(request: AccessRequest) -> dict[str, Any]:
    group, user = model.Group.get(request.group_id), model.User.get(request.user_id)
    pkg = model.Package.get(request.package_id)
    return {
        "id": request.id,
        "package": {"id": pkg.id, "name": pkg.name, "title": pkg.title} if pkg else None,
        "organization": {"id": request.group_id, "name": group.name if group else None,
                         "title": group.title if group else None},
        "user": {"id": request.user_id, "name": user.name if user else None,
                 "display_name": user.display_name if user else None},
        "reason": request.reason,
        "state": request.state,
        "created": request.created.isoformat(),
        "decided": request.decided.isoformat() if request.decided else None,
        "decision_reason": request.decision_reason,
        "share_id": request.share_id,
    }


# ------------------------------------------------------------------ shares
def _check_shareable(pkg: model.Package, group: Optional[model.Group], organization: str,
                     can_edit: bool) -> None:
    level = access.level_of(pkg)
    if level not in rules.SHAREABLE_LEVELS:
        raise tk.ValidationError({"id": [
            tk._("A public dataset is seen by everyone: there is nothing to share.")
            if level == "public" else
            tk._("An internal dataset is already seen by every agent: there is nothing to "
                 "share.")]})
    if group is None:
        raise tk.ValidationError({"organization": [
            tk._("Unknown organisation: {name}").format(name=organization)]})
    if group.id == pkg.owner_org:
        raise tk.ValidationError({"organization": [
            tk._("The dataset already belongs to this organisation.")]})
    if can_edit and not tk.asbool(tk.config.get(auth.SHARES_CAN_EDIT)):
        raise tk.ValidationError({"can_edit": [
            tk._("Shares carry reading rights only on this portal.")]})
    if Share.active(package_id=pkg.id, group_id=group.id).first() is not None:
        raise tk.ValidationError({"organization": [
            tk._("The dataset is already shared with this organisation.")]})


def dataset_share_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Share a restricted or private dataset with an organisation.

    :param id: the dataset's id or name
    :param organization: the receiving organisation's id or name
    :param expires: optional, the last day of the share (YYYY-MM-DD) or an ISO date-time
    :param reason: optional, why (kept in the audit trail)
    :returns: the share
    """
    data = validated(data_dict, schema.share_create(), context)
    pkg = _visible_package(context, data["id"])
    tk.check_access("dataset_share_create", context, {"id": pkg.id})
    group = _organization(data["organization"])
    _check_shareable(pkg, group, data["organization"], bool(data.get("can_edit")))
    share = shares.grant(pkg, group, _user_id(context), data.get("expires"), data.get("reason"),
                         can_edit=bool(data.get("can_edit")))
    shares.refresh(pkg)
    return _dictize_share(share)


def dataset_share_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Revoke a share: the organisation's members lose the dataset at once, on every surface.

    :param id: the dataset's id or name
    :param organization: the organisation's id or name
    :param reason: optional
    """
    data = validated(data_dict, schema.share_delete(), context)
    pkg = _visible_package(context, data["id"])
    tk.check_access("dataset_share_delete", context, {"id": pkg.id})
    group = _organization(data["organization"])
    share = (Share.active(package_id=pkg.id, group_id=group.id).first()
             if group is not None else None)
    if share is None:
        raise tk.ValidationError({"organization": [
            tk._("The dataset is not shared with this organisation.")]})
    shares.revoke(share, _user_id(context), data.get("reason"))
    shares.refresh(pkg)
    return _dictize_share(share)


@tk.side_effect_free
def dataset_share_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The shares in force of a dataset (for its organisation's members).

    :param id: the dataset's id or name
    """
    data = validated(data_dict, schema.by_id(), context)
    pkg = _visible_package(context, data["id"])
    tk.check_access("dataset_share_list", context, {"id": pkg.id})
    return [_dictize_share(share)
            for share in Share.active(package_id=pkg.id).order_by(Share.created)]


@tk.side_effect_free
def organization_shared_datasets_list(context: Context,
                                      data_dict: DataDict) -> list[dict[str, Any]]:
    """The datasets shared with an organisation, for its members.

    :param id: the organisation's id or name
    :returns: ``[{"dataset": {id, name, title, access_level, organization}, "share": …}]``
    """
    data = validated(data_dict, schema.by_id(), context)
    group = _organization(data["id"])
    if group is None:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    tk.check_access("organization_shared_datasets_list", context, {"id": group.id})
    result = []
    for share in Share.active(group_id=group.id).order_by(Share.created.desc()):
        pkg = model.Package.get(share.package_id)
        if pkg is None or pkg.state != "active":
            continue
        owner = model.Group.get(pkg.owner_org) if pkg.owner_org else None
        result.append({
            "dataset": {"id": pkg.id, "name": pkg.name, "title": pkg.title,
                        "access_level": access.level_of(pkg),
                        "organization": {"id": owner.id, "name": owner.name,
                                         "title": owner.title} if owner else None},
            "share": _dictize_share(share),
        })
    return result


# ------------------------------------------------------------------ access requests
def _requesting_organization(context: Context, organization: Optional[str]) -> model.Group:
    user = access.user_of(context)
    mine = tk.get_action("organization_list_for_user")(
        {"user": user.name}, {"permission": "read"}) if user else []
    if not mine:
        raise tk.ValidationError({"organization": [
            tk._("Only agents of an organisation of the portal may ask for access.")]})
    if organization:
        group = _organization(organization)
        if group is None or group.id not in {org["id"] for org in mine}:
            raise tk.ValidationError({"organization": [
                tk._("You may ask only for an organisation you belong to.")]})
        return group
    if len(mine) > 1:
        raise tk.ValidationError({"organization": [
            tk._("You belong to several organisations: say for which one you ask.")]})
    return model.Group.get(mine[0]["id"])


def dataset_access_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask for the data of a restricted dataset, for one's organisation; its owner
    organisation's admins get an e-mail.

    :param id: the dataset's id or name
    :param reason: why (required)
    :param organization: optional when the agent belongs to one organisation only
    """
    data = validated(data_dict, schema.request_create(), context)
    pkg = _visible_package(context, data["id"])
    tk.check_access("dataset_access_request_create", context, {"id": pkg.id})
    if (access.level_of(pkg) != "restricted"
            or access.user_may_read_data(access.user_of(context), pkg)):
        raise tk.ValidationError({"id": [
            tk._("You can already read the data of this dataset: there is nothing to ask.")]})
    group = _requesting_organization(context, data.get("organization"))
    pending = model.Session.query(AccessRequest).filter_by(
        package_id=pkg.id, group_id=group.id, state="pending").first()
    if pending is not None:
        raise tk.ValidationError({"id": [
            tk._("A request for this dataset and this organisation is already pending.")]})
    request = AccessRequest(package_id=pkg.id, group_id=group.id, user_id=_user_id(context),
                            reason=data["reason"], state="pending",
                            created=shares.utcnow())
    model.Session.add(request)
    model.Session.flush()
    shares.record("requested", pkg, group.id, request.user_id, data["reason"],
                  request=request)
    shares.refresh(pkg)
    mail.request_received(request)
    return _dictize_request(request)


def _pending_request(context: Context, data: dict[str, Any], action: str) -> AccessRequest:
    tk.check_access(action, context, {"id": data["id"]})
    request = model.Session.get(AccessRequest, data["id"])
    if request.state != "pending":
        raise tk.ValidationError({"id": [tk._("This request has already been decided.")]})
    return request


def _decided(request: AccessRequest, state: str, context: Context,
             reason: Optional[str]) -> None:
    request.state, request.decided = state, shares.utcnow()
    request.decided_by, request.decision_reason = _user_id(context), reason


def dataset_access_request_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a pending request: the dataset is shared with the requester's organisation
    (until ``expires`` if given); the requester gets an e-mail.

    :param id: the request's id
    :param expires: optional, last day of the share
    :param reason: optional
    """
    data = validated(data_dict, schema.request_approve(), context)
    request = _pending_request(context, data, "dataset_access_request_approve")
    pkg, group = model.Package.get(request.package_id), model.Group.get(request.group_id)
    share = Share.active(package_id=pkg.id, group_id=group.id).first()
    if share is None:  # else shared meanwhile: the request points at that share
        share = shares.grant(pkg, group, _user_id(context), data.get("expires"),
                             data.get("reason") or request.reason, request=request)
    request.share_id = share.id
    _decided(request, "approved", context, data.get("reason"))
    shares.record("approved", pkg, group.id, _user_id(context), data.get("reason"),
                  request=request)
    shares.refresh(pkg)
    mail.request_decided(request)
    return _dictize_request(request)


def dataset_access_request_refuse(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Refuse a pending request, with a reason the requester receives by e-mail.

    :param id: the request's id
    :param reason: why (required)
    """
    data = validated(data_dict, schema.request_refuse(), context)
    request = _pending_request(context, data, "dataset_access_request_refuse")
    pkg = model.Package.get(request.package_id)
    _decided(request, "refused", context, data["reason"])
    shares.record("refused", pkg, request.group_id, _user_id(context), data["reason"],
                  request=request)
    shares.refresh(pkg)
    mail.request_decided(request)
    return _dictize_request(request)


@tk.side_effect_free
def dataset_access_request_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """A dataset's access requests, newest first (for those who decide on them).

    :param id: the dataset's id or name
    :param state: optional, ``pending``, ``approved`` or ``refused``
    """
    data = validated(data_dict, schema.request_list(), context)
    pkg = _visible_package(context, data.get("id") or "")
    tk.check_access("dataset_access_request_list", context, {"id": pkg.id})
    query = model.Session.query(AccessRequest).filter_by(package_id=pkg.id)
    if data.get("state"):
        query = query.filter_by(state=data["state"])
    return [_dictize_request(r) for r in query.order_by(AccessRequest.created.desc())]


@tk.side_effect_free
def access_request_list_mine(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The requests made by the caller or for their organisations, with their decisions.

    :param state: optional, ``pending``, ``approved`` or ``refused``
    """
    data = validated(data_dict, schema.request_list(), context)
    tk.check_access("access_request_list_mine", context, data)
    user = access.user_of(context)
    mine = tk.get_action("organization_list_for_user")({"user": user.name},
                                                       {"permission": "read"})
    query = model.Session.query(AccessRequest).filter(
        (AccessRequest.user_id == user.id)
        | AccessRequest.group_id.in_([org["id"] for org in mine]))
    if data.get("state"):
        query = query.filter_by(state=data["state"])
    return [_dictize_request(r) for r in query.order_by(AccessRequest.created.desc())]


# ------------------------------------------------------------------ audit
AUDIT_COLUMNS = ("timestamp", "event", "dataset", "organization", "user", "reason", "expires")


@tk.side_effect_free
def dataset_sharing_audit_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Every grant, revoke, expiry, request and decision on a dataset, oldest first (for
    the owner organisation's admins; the CSV export gives the same rows).

    :param id: the dataset's id or name
    """
    data = validated(data_dict, schema.by_id(), context)
    pkg = _visible_package(context, data["id"])
    tk.check_access("dataset_sharing_audit_list", context, {"id": pkg.id})
    rows = (model.Session.query(SharingEvent).filter_by(package_id=pkg.id)
            .order_by(SharingEvent.timestamp, SharingEvent.id))
    result = []
    for row in rows:
        group = model.Group.get(row.group_id)
        user = model.User.get(row.user_id) if row.user_id else None
        result.append({
            "timestamp": row.timestamp.isoformat(), "event": row.event,
            "dataset": pkg.name, "organization": group.name if group else row.group_id,
            "user": user.name if user else None, "reason": row.reason,
            "expires": row.expires.isoformat() if row.expires else None,
        })
    return result


# ------------------------------------------------------------------ CKAN's, chained
@tk.chained_action
@tk.side_effect_free
def package_show(original_action, context: Context, data_dict: DataDict):
    """A dataset the caller may not see does not exist: 404, never 403 (its name is not
    confirmed either)."""
    try:
        return original_action(context, data_dict)
    except tk.NotAuthorized:
        raise tk.ObjectNotFound(tk._("Dataset not found"))


@tk.chained_action
@tk.side_effect_free
def package_search(original_action, context: Context, data_dict: DataDict):
    """Shares past their date leave the index before the query; the results carry no resource
    URL of a restricted dataset whose data the caller may not have."""
    shares.expire_due_shares()
    result = original_action(context, data_dict)
    access.hide_reserved_data(context, result.get("results", []))
    return result


def _unseen_is_not_found(original_action, context: Context, data_dict: DataDict,
                         pkg: Optional[model.Package]):
    """CKAN's action; refused for a dataset the caller may not see: it does not exist (404,
    never 403). Refused for a dataset seen but whose data is reserved: CKAN's 403."""
    try:
        return original_action(context, data_dict)
    except tk.NotAuthorized:
        if pkg is not None and not access.may_see(context, pkg):
            raise tk.ObjectNotFound(tk._("Dataset not found"))
        raise


def _data_dict(data_dict: DataDict) -> dict:
    return data_dict if isinstance(data_dict, dict) else {}


@tk.chained_action
@tk.side_effect_free
def resource_show(original_action, context: Context, data_dict: DataDict):
    """The resource page and downloads ask it: 404 for a dataset the caller may not see."""
    pkg = access.package_of_resource(_data_dict(data_dict).get("id"))
    return _unseen_is_not_found(original_action, context, data_dict, pkg)


@tk.chained_action
@tk.side_effect_free
def resource_view_list(original_action, context: Context, data_dict: DataDict):
    """No view of a restricted dataset's resource for those without its data (the dataset
    page asks for each resource's views: an empty list, not an error); 404 for a dataset
    the caller may not see."""
    pkg = access.package_of_resource(_data_dict(data_dict).get("id"))
    try:
        return _unseen_is_not_found(original_action, context, data_dict, pkg)
    except tk.NotAuthorized:
        return []


@tk.chained_action
@tk.side_effect_free
def resource_view_show(original_action, context: Context, data_dict: DataDict):
    pkg = access.package_of_view(_data_dict(data_dict).get("id"))
    return _unseen_is_not_found(original_action, context, data_dict, pkg)


def _named_package(data_dict: DataDict) -> Optional[model.Package]:
    return model.Package.get(str(_data_dict(data_dict).get("id") or ""))


@tk.chained_action
@tk.side_effect_free
def dataset_quality_show(original_action, context: Context, data_dict: DataDict):
    return _unseen_is_not_found(original_action, context, data_dict, _named_package(data_dict))


def _seen_first(original_action, context: Context, data_dict: DataDict):
    """CKAN's action, once the caller is known to see the dataset it names (else 404): the
    follower actions answer whoever asks, and would confirm a dataset's name."""
    pkg = _named_package(data_dict)
    if pkg is not None and not access.may_see(context, pkg):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return original_action(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dataset_follower_count(original_action, context: Context, data_dict: DataDict):
    return _seen_first(original_action, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def am_following_dataset(original_action, context: Context, data_dict: DataDict):
    return _seen_first(original_action, context, data_dict)


@tk.chained_action
def follow_dataset(original_action, context: Context, data_dict: DataDict):
    return _seen_first(original_action, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def package_activity_list(original_action, context: Context, data_dict: DataDict):
    pkg = _named_package(data_dict)
    return access.hide_unlabelled_activities(
        context, _unseen_is_not_found(original_action, context, data_dict, pkg))


def _stream(original_action, context: Context, data_dict: DataDict):
    return access.hide_unlabelled_activities(context, original_action(context, data_dict))


@tk.chained_action
@tk.side_effect_free
def user_activity_list(original_action, context: Context, data_dict: DataDict):
    """The activity streams: no unlabelled activity (resource views) of a dataset whose data
    the reader may not have (``access.hide_unlabelled_activities``)."""
    return _stream(original_action, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dashboard_activity_list(original_action, context: Context, data_dict: DataDict):
    return _stream(original_action, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def organization_activity_list(original_action, context: Context, data_dict: DataDict):
    return _stream(original_action, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def group_activity_list(original_action, context: Context, data_dict: DataDict):
    return _stream(original_action, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def recently_changed_packages_activity_list(original_action, context: Context,
                                            data_dict: DataDict):
    return _stream(original_action, context, data_dict)


@tk.chained_action
def activity_create(original_action, context: Context, data_dict: DataDict):
    """A dataset's activity keeps the whole dataset dict (resource URLs included): it carries
    the dataset's data labels, so a restricted dataset's activities are for those who have
    its data."""
    if isinstance(data_dict, dict) and str(data_dict.get("activity_type", "")).endswith(
            " package"):
        pkg = model.Package.get(data_dict.get("object_id") or "")
        if pkg is not None:
            data_dict = dict(data_dict, permission_labels=access.dataset_data_labels(pkg))
    return original_action(context, data_dict)
