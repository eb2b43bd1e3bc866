"""Template helpers of internalportal_proconnect (``tk.blanket.helpers``)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.internalportal.proconnect import identity, options as settings


def proconnect_login_offered() -> bool:
    """Whether the sign-in page shows « S'identifier avec ProConnect »."""
    return settings.read().configured


def proconnect_local_login() -> str:
    """CKAN's password form: ``all``, ``sysadmins`` or ``off``."""
    return settings.read().local_login


def proconnect_login_url() -> str:
    """/proconnect/login, with the page to come back to when the sign-in page has one."""
    came_from = identity.safe_came_from(tk.request.args.get("came_from")
                                        or tk.request.args.get("next")) if tk.request else None
    return tk.url_for("proconnect.login", came_from=came_from) if came_from else tk.url_for(
        "proconnect.login")
