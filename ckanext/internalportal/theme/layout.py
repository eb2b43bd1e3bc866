"""Where the DSFR layout sits in CKAN's template search path.

``theme/templates/`` holds the DSFR templates that replace CKAN's whole (the header, the
footer) and that other plugins extend with ``{% ckan_extends %}``: the sharing plugin adds
« Partagés avec mon organisation » to the agent's menu (``header_agent_space``). A ``ckan_extends`` chain runs from the first
template directory to the last, and the first full template it meets ends it; so the DSFR
layout must be the last link before CKAN's own templates, below every plugin's directory,
whatever the order of ``ckan.plugins``. CKAN has no slot there (``add_template_directory``
appends in plugin order): the base plugin moves it there in ``IConfigurable.configure``, which
runs after every ``update_config`` and before the Jinja environment is made.
"""
from __future__ import annotations

from pathlib import Path

LAYOUT_DIRECTORY = str(Path(__file__).parent / "templates")


def below_plugins(paths: list[str], layout: str = LAYOUT_DIRECTORY) -> list[str]:
    """``paths`` (CKAN's ``computed_template_paths``: the ini's extra paths, the plugins',
    CKAN's own last) with ``layout`` just before CKAN's own, once."""
    others = [path for path in paths if path != layout]
    if not others:
        return [layout]
    return others[:-1] + [layout, others[-1]]


def place(config) -> None:
    """Put the DSFR layout below the plugins' templates in ``config``."""
    config["computed_template_paths"] = below_plugins(list(config["computed_template_paths"]))
