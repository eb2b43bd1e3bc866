"""Auth functions of internalportal_sharing (``tk.blanket.auth_functions``), and CKAN's
``resource_show`` and ``package_update`` chained: the data of a restricted dataset is for the
owner organisation and those it is shared with; a share may carry editor rights only when the
option allows it."""
from __future__ import annotations

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic.auth import get_package_object, get_resource_object
from ckan.types import AuthResult, Context, DataDict

from ckanext.internalportal.sharing import access
from ckanext.internalportal.sharing.model import AccessRequest, Share

SHARES_CAN_EDIT = "ckanext.internalportal.sharing.shares_can_edit"


def _yes() -> AuthResult:
    return {"success": True}


def _no(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _package(context: Context, data_dict: DataDict) -> model.Package:
    return get_package_object(context, {"id": data_dict.get("id")})


def dataset_share_create(context: Context, data_dict: DataDict) -> AuthResult:
    if access.may_grant(context.get("user"), _package(context, data_dict)):
        return _yes()
    return _no(tk._("Only the administrators of the organisation that owns the dataset may "
                    "share it."))


def dataset_share_delete(context: Context, data_dict: DataDict) -> AuthResult:
    if access.may_grant(context.get("user"), _package(context, data_dict)):
        return _yes()
    return _no(tk._("Only the administrators of the organisation that owns the dataset may "
                    "revoke its shares."))


def dataset_share_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The owner organisation's members see to whom the dataset is shared."""
    pkg = _package(context, data_dict)
    user = context.get("user")
    if user and (authz.is_sysadmin(user) or (pkg.owner_org and authz.has_user_permission_for_group_or_org(
            pkg.owner_org, user, "read"))):
        return _yes()
    return _no(tk._("Only the members of the organisation that owns the dataset see its "
                    "shares."))


def organization_shared_datasets_list(context: Context, data_dict: DataDict) -> AuthResult:
    user = context.get("user")
    group = model.Group.get(data_dict.get("id") or "")
    if user and group and (authz.is_sysadmin(user) or authz.has_user_permission_for_group_or_org(
            group.id, user, "read")):
        return _yes()
    return _no(tk._("Only the members of an organisation see what is shared with it."))


def dataset_access_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Any agent who sees the dataset may ask (the action says when there is nothing to ask)."""
    user = access.user_of(context)
    if user is None:
        return _no(tk._("Sign in to ask for access."))
    return authz.is_authorized("package_show", context, {"id": data_dict.get("id")})


def _request(data_dict: DataDict) -> AccessRequest:
    request = model.Session.get(AccessRequest, data_dict.get("id") or "")
    if request is None:
        raise tk.ObjectNotFound(tk._("Access request not found"))
    return request


def _decide(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = model.Package.get(_request(data_dict).package_id)
    if pkg is not None and access.may_grant(context.get("user"), pkg):
        return _yes()
    return _no(tk._("Only the administrators of the organisation that owns the dataset may "
                    "decide on access requests."))


def dataset_access_request_approve(context: Context, data_dict: DataDict) -> AuthResult:
    return _decide(context, data_dict)


def dataset_access_request_refuse(context: Context, data_dict: DataDict) -> AuthResult:
    return _decide(context, data_dict)


def dataset_access_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    """A dataset's requests: for those who decide on them."""
    if access.may_grant(context.get("user"), _package(context, data_dict)):
        return _yes()
    return _no(tk._("Only the administrators of the organisation that owns the dataset see "
                    "its access requests."))


def access_request_list_mine(context: Context, data_dict: DataDict) -> AuthResult:
    if access.user_of(context) is None:
        return _no(tk._("Sign in to see your access requests."))
    return _yes()


def dataset_sharing_audit_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The audit trail and its CSV export: the owner organisation's admins and sysadmins."""
    pkg = _package(context, data_dict)
    user = context.get("user")
    if user and (authz.is_sysadmin(user) or (
            pkg.owner_org and authz.users_role_for_group_or_org(pkg.owner_org, user) == "admin")):
        return _yes()
    return _no(tk._("Only the administrators of the organisation that owns the dataset see "
                    "its sharing audit."))


# ------------------------------------------------------------------ CKAN's, chained
@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def resource_show(next_auth, context: Context, data_dict: DataDict) -> AuthResult:
    """CKAN's rule (who sees the dataset), then the data rule: a restricted dataset's resources
    (downloads, views, DataStore) only for its owner organisation and those it is shared
    with. Resource views and downloads ask this function."""
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    resource = get_resource_object(context, data_dict)
    pkg = model.Package.get(resource.package_id)
    if pkg is not None and not access.may_read_data(context, pkg):
        return _no(tk._("The data of this dataset is reserved to its organisation and the "
                        "organisations it is shared with: ask for access on its page."))
    return result


@tk.chained_auth_function
def package_update(next_auth, context: Context, data_dict: DataDict) -> AuthResult:
    """CKAN's rule, then, when the option lets shares carry editor rights, the editors and
    admins of an organisation holding such a share (off by default: receivers only read)."""
    result = next_auth(context, data_dict)
    if result.get("success") or not tk.asbool(tk.config.get(SHARES_CAN_EDIT)):
        return result
    user = context.get("user")
    if not user or not data_dict or not data_dict.get("id"):
        return result
    pkg = model.Package.get(data_dict["id"])
    if pkg is None:
        return result
    editing = [share.group_id for share in Share.active(package_id=pkg.id)
               if share.can_edit]
    if any(authz.users_role_for_group_or_org(group_id, user) in ("editor", "admin")
           for group_id in editing):
        return _yes()
    return result
