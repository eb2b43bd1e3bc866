"""Auth functions of internalportal_stats (``tk.blanket.auth_functions``)."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict


@tk.auth_allow_anonymous_access
def dataset_usage_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the dataset (the action checks ``package_show`` and answers 404
    otherwise); who uses it is for its organisation's members (the action again)."""
    return {"success": True}


def organization_usage_show(context: Context, data_dict: DataDict) -> AuthResult:
    user = context.get("user")
    org_id = data_dict.get("id")
    if user and (authz.is_sysadmin(user) or (org_id and authz.has_user_permission_for_group_or_org(
            org_id, user, "read"))):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the members of the organisation may see its usage statistics.")}


def site_usage_show(context: Context, data_dict: DataDict) -> AuthResult:
    # sysadmins pass before any auth function is called
    return {"success": False,
            "msg": tk._("Only the portal's administrators may see its usage statistics.")}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search_sql(next_auth, context: Context, data_dict: DataDict) -> AuthResult:
    """CKAN's DataStore (registered when it is loaded, plugin.py): the tables a query reads,
    kept for its usage events (capture.sql_tables_read)."""
    from ckanext.internalportal.lib.context import sql_table_names
    from ckanext.internalportal.stats import capture
    names = sql_table_names(context)
    result = next_auth(context, data_dict)
    if result.get("success"):
        capture.sql_tables_read(names)
    return result
