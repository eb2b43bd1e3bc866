"""The pages every State site links from its footer (blueprint ``internalportal_theme``):
the accessibility statement (RGAA), the legal notice, the personal data page and the site map.

Their text lives in ``templates/internalportal/pages/``: a ministry overrides one template
(its own legal notice) without touching the others; the settings they read are the
``ckanext.internalportal.theme.*`` options.
"""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

theme = Blueprint("internalportal_theme", __name__)

PAGES = {
    # endpoint: (URL, template)
    "accessibility": ("/accessibilite", "internalportal/pages/accessibility.html"),
    "legal_notice": ("/mentions-legales", "internalportal/pages/legal_notice.html"),
    "personal_data": ("/donnees-personnelles", "internalportal/pages/personal_data.html"),
    "sitemap": ("/plan-du-site", "internalportal/pages/sitemap.html"),
}


def _page(template: str):
    def view() -> str:
        return tk.render(template)
    return view


for _endpoint, (_url, _template) in PAGES.items():
    theme.add_url_rule(_url, endpoint=_endpoint, view_func=_page(_template))


def get_blueprints() -> list[Blueprint]:
    return [theme]
