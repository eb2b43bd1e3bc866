"""CKAN's DataStore, chained (registered when the ``datastore`` plugin is loaded, plugin.py):
the DataStore follows the sharing rules.

CKAN already asks ``resource_show`` for each table read (``datastore_search``,
``datastore_info``, the dump, and every table a ``datastore_search_sql`` query names, joins and
sub-queries included), so the data rule of logic/auth.py holds there: a restricted dataset's
table is for its organisation and those it is shared with. What CKAN answers for a dataset the
caller may not even see is a 403, which tells that it exists: here it is a 404, as its page —
raised by the actions before CKAN's (``ACTIONS``), and, for SQL, whose tables only CKAN's action
knows, by its auth function (``AUTH_FUNCTIONS``).
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.internalportal.lib.context import sql_table_names
from ckanext.internalportal.sharing import access


def _hidden(context: Context, resource_id) -> bool:
    pkg = access.package_of_resource(resource_id)
    return pkg is not None and not access.may_see(context, pkg)


def _not_found():
    raise tk.ObjectNotFound(tk._("Resource not found"))


@tk.side_effect_free
@tk.chained_action
def datastore_search(next_action, context: Context, data_dict: DataDict):
    if _hidden(context, data_dict.get("resource_id")):
        _not_found()
    return next_action(context, data_dict)


@tk.side_effect_free
@tk.chained_action
def datastore_info(next_action, context: Context, data_dict: DataDict):
    if _hidden(context, data_dict.get("id") or data_dict.get("resource_id")):
        _not_found()
    return next_action(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search_sql(next_auth, context: Context, data_dict: DataDict) -> AuthResult:
    if any(_hidden(context, name) for name in sql_table_names(context)):
        _not_found()
    return next_auth(context, data_dict)


ACTIONS = {"datastore_search": datastore_search, "datastore_info": datastore_info}
AUTH_FUNCTIONS = {"datastore_search_sql": datastore_search_sql}
