"""Template helpers of the internalportal plugin."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def internalportal_site_intro() -> str:
    """The home page introduction (Markdown), from `ckanext.internalportal.site_intro`."""
    return tk.config.get("ckanext.internalportal.site_intro") or ""
