"""What every plugin of the suite shares with the others: one translation catalogue, one place
for migrations (README.md, « Développement »).

A plugin of the suite lives in a sub-package (`ckanext/internalportal/sharing/plugin.py`).
CKAN derives several things from that module path, and this module says where they land:

- translations: CKAN's `DefaultTranslation` looks for `<ckanext.internalportal.sharing>/i18n`
  and a domain `ckanext-<plugin name>`; `SuiteTranslation` points every plugin at the suite's
  one French catalogue instead (`ckanext/internalportal/i18n`, domain
  `ckanext-internalportal`);
- migrations: `ckan db upgrade -p <plugin>` and `ckan generate migration -p <plugin>`
  (`ckan.cli.db._resolve_alembic_config`) cut the plugin's directory back to
  `ckanext/internalportal/` and look in `migration/<plugin name>/`: `migration_dir()`;
- config declarations: `tk.blanket.config_declarations` reads the one `config_declaration.*`
  next to the plugin's module (`ckanext/internalportal/sharing/config_declaration.yaml`).
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ckan.lib.plugins import DefaultTranslation

# ckanext/internalportal/
PACKAGE_DIR = Path(__file__).resolve().parent.parent
I18N_DIR = PACKAGE_DIR / "i18n"
I18N_DOMAIN = "ckanext-internalportal"


class SuiteTranslation(DefaultTranslation):
    """ITranslation for any plugin of the suite, wherever its module lives: the suite's one
    catalogue (`make i18n` extracts the strings of every sub-package into it)."""

    def i18n_directory(self) -> str:
        return str(I18N_DIR)

    def i18n_domain(self) -> str:
        return I18N_DOMAIN


def migration_dir(plugin: str) -> Path:
    """Where the alembic migrations of the suite's plugin `plugin` (its `ckan.plugins` name)
    live: the folder `ckan db upgrade -p <plugin>` reads for a module under
    ckanext/internalportal/."""
    return PACKAGE_DIR / "migration" / plugin


def plugins_with_migrations(plugins: Iterable[str]) -> list[str]:
    """The loaded plugins, among `plugins`, that carry alembic migrations, in order, as CKAN
    resolves their folder (the same function as `ckan db upgrade -p`)."""
    from ckan.cli.db import _resolve_alembic_config

    return [name for name in plugins if os.path.exists(_resolve_alembic_config(name))]
