"""Auth functions of internalportal_proconnect (``tk.blanket.auth_functions``)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def proconnect_unplaced_account_list(context, data_dict):
    # sysadmins only (CKAN lets sysadmins through before any auth function)
    return {"success": False,
            "msg": tk._("Only the portal's administrators may see the accounts to place.")}
