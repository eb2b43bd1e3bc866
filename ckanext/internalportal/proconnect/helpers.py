"""Template helpers of internalportal_proconnect (``tk.blanket.helpers``)."""
from __future__ import annotations

from ckanext.internalportal.proconnect import options as settings


def proconnect_login_offered() -> bool:
    """Whether the sign-in page shows « S'identifier avec ProConnect »."""
    return settings.read().configured


def proconnect_local_login() -> str:
    """CKAN's password form: ``all``, ``sysadmins`` or ``off``."""
    return settings.read().local_login

