"""Template helpers of the DSFR theme (registered by the internalportal plugin)."""
from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

import ckan.plugins.toolkit as tk

# accessibility conformity (ckanext.internalportal.theme.accessibility) -> the RGAA wording
ACCESSIBILITY_LEVELS = ("none", "partial", "full")


def accessibility_label(level: str) -> str:
    """The RGAA wording of a conformity level, translated; an unknown level reads as « non
    conforme » (the statement must never claim more than the setting says)."""
    labels = {
        "none": tk._("not compliant"),
        "partial": tk._("partially compliant"),
        "full": tk._("fully compliant"),
    }
    return labels.get(level, labels["none"])


def brand_lines(text: str) -> list[str]:
    """The lines of the Marianne block, from the setting's text (blank lines dropped)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def internalportal_theme() -> dict[str, Any]:
    """What the header and the footer show, from the ``ckanext.internalportal.theme.*``
    settings."""
    config = tk.config
    level = config.get("ckanext.internalportal.theme.accessibility") or "none"
    return {
        "brand": brand_lines(config.get("ckanext.internalportal.theme.brand"))
        or ["République", "Française"],
        "ministry": config.get("ckanext.internalportal.theme.ministry") or "",
        "accessibility": level if level in ACCESSIBILITY_LEVELS else "none",
        "accessibility_label": accessibility_label(level),
        "accessibility_audit": config.get("ckanext.internalportal.theme.accessibility_audit")
        or "",
        "dpo_email": config.get("ckanext.internalportal.theme.dpo_email") or "",
    }


def internalportal_language_name(code: str) -> str:
    """A language's name in that language (« Français », « English »), as the DSFR's language
    selector shows it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code).get_display_name(code).capitalize()
    except (ValueError, UnknownLocaleError):
        return code


def internalportal_contact_email() -> str:
    """The address for accessibility and personal data requests."""
    config = tk.config
    return (config.get("ckanext.internalportal.theme.contact_email")
            or config.get("ckan.site_contact_email") or config.get("smtp.mail_from") or "")


_LINK = re.compile(r"<a\b(?![^>]*\bfr-breadcrumb__link)([^>]*)>", re.IGNORECASE)


def breadcrumb_links(items: str) -> str:
    """CKAN's breadcrumb items (``<li><a href>…</a></li>``, as CKAN's and the extensions'
    templates write them) as DSFR breadcrumb links: the DSFR's class on each link, and
    ``aria-current="page"`` on the last one, the page itself."""
    html = _LINK.sub(r'<a class="fr-breadcrumb__link"\1>', str(items or ""))
    last = html.rfind('<a class="fr-breadcrumb__link"')
    if last >= 0:
        cut = last + len('<a class="fr-breadcrumb__link"')
        html = html[:cut] + ' aria-current="page"' + html[cut:]
    return html


def internalportal_breadcrumb(items: str) -> Markup:
    """``breadcrumb_links`` for the breadcrumb snippet (the items are the template's own
    rendered block, already escaped)."""
    return Markup(breadcrumb_links(items))


def internalportal_module_assets(name: str) -> Markup:
    """``<script type="module">`` tags for the webassets bundle ``name`` (the DSFR and its
    charts are ES modules; CKAN's ``{% asset %}`` writes classic scripts only)."""
    from ckan.lib import webassets_tools
    from ckan.lib.helpers import url_for_static_or_external

    bundle = webassets_tools.env[name]
    return Markup("".join(
        f'<script type="module" src="{escape(url_for_static_or_external(url))}"></script>'
        for url in bundle.urls()))


__all__ = [
    "internalportal_theme",
    "internalportal_contact_email",
    "internalportal_module_assets",
    "internalportal_breadcrumb",
    "internalportal_language_name",
]
