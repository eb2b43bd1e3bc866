"""Actions of internalportal_proconnect (``tk.blanket.actions``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.internalportal.lib.context import validated
from ckanext.internalportal.proconnect import accounts
from ckanext.internalportal.proconnect.logic import schema


@tk.side_effect_free
def proconnect_unplaced_account_list(context, data_dict) -> list[dict[str, Any]]:
    """The accounts signed in through ProConnect that no organisation claims (their last
    SIRET and address matched no entry of the mapping file, and no administrator placed
    them since), most recent sign-in first: name, fullname, email, siret, first_login,
    last_login. Sysadmins only.

    :param limit: at most this many (default 500, at most 5000)
    """
    tk.check_access("proconnect_unplaced_account_list", context, data_dict)
    data = validated(data_dict, schema.unplaced_list(), context)
    return accounts.unplaced(limit=data.get("limit", 500))
