"""The rules every plugin of the suite follows (README.md, « Développement »), proven with
CKAN's own code: where a plugin in a sub-package keeps its migrations (and that they are
packaged), that it finds the suite's French catalogue, that every option the code reads is
declared, and that the test database gets the tables of every enabled plugin.

The sub-package plugin of these tests (`ckanext/internalportal/sharing/plugin.py`) is built in a
temporary tree: no empty plugin is registered.
"""
from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from setuptools import find_namespace_packages
from setuptools.command.egg_info import FileList

import ckan.cli.db as ckan_db
import ckan.cli.generate as ckan_generate
import ckan.model as model
import ckan.plugins as p
from ckan.lib.plugins import DefaultTranslation

from ckanext.internalportal import settings
from ckanext.internalportal.lib import plugin as suite
from ckanext.internalportal.lib.plugin import SuiteTranslation

from ..conftest import ROOT

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)]

PACKAGE = ROOT / "ckanext" / "internalportal"
SUB_PLUGIN = "internalportal_sharing"
SUB_MODULE = "ckanext.internalportal.sharing.plugin"


@pytest.fixture
def sub_package_plugin(tmp_path, monkeypatch):
    """A plugin class in tmp/ckanext/internalportal/sharing/plugin.py, returned by CKAN's
    get_plugin() under SUB_PLUGIN as if enabled; yields the temporary package directory."""
    package = tmp_path / "ckanext" / "internalportal"
    (package / "sharing").mkdir(parents=True)
    source = package / "sharing" / "plugin.py"
    source.write_text("class SharingPlugin:\n    pass\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("ip_rooms_sharing_plugin", source)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    instance = module.SharingPlugin()
    real = p.get_plugin
    monkeypatch.setattr(p, "get_plugin",
                        lambda name: instance if name == SUB_PLUGIN else real(name))
    yield package


def migration_tree(package: Path, plugin: str) -> Path:
    """What `ckan generate migration -p <plugin>` leaves, with one revision."""
    folder = package / "migration" / plugin
    (folder / "versions").mkdir(parents=True)
    for name in ("alembic.ini", "script.py.mako", "README", "env.py"):
        (folder / name).write_text("", encoding="utf-8")
    (folder / "versions" / "0f1e2d3c4b5a_create_tables.py").write_text("", encoding="utf-8")
    return folder


# ------------------------------------------------------------------------------ migrations --

def test_ckan_looks_for_a_sub_package_plugin_s_migrations_in_the_documented_folder(
        sub_package_plugin):
    resolved = Path(ckan_db._resolve_alembic_config(SUB_PLUGIN))
    # ckanext/internalportal/migration/internalportal_sharing/alembic.ini, not under sharing/
    assert resolved == sub_package_plugin / "migration" / SUB_PLUGIN / "alembic.ini"
    assert resolved.parent.relative_to(sub_package_plugin) == \
        suite.migration_dir(SUB_PLUGIN).relative_to(suite.PACKAGE_DIR)
    # `ckan generate migration -p` creates the folder where `ckan db upgrade -p` reads it
    assert ckan_generate._resolve_alembic_config is ckan_db._resolve_alembic_config


@pytest.mark.usefixtures("with_plugins")
def test_the_base_plugin_s_migrations_would_live_in_migration_internalportal():
    resolved = Path(ckan_db._resolve_alembic_config("internalportal"))
    assert resolved == suite.migration_dir("internalportal") / "alembic.ini"


def test_a_plugin_counts_as_migrated_once_its_folder_exists(sub_package_plugin):
    assert suite.plugins_with_migrations([SUB_PLUGIN]) == []
    migration_tree(sub_package_plugin, SUB_PLUGIN)
    assert suite.plugins_with_migrations([SUB_PLUGIN]) == [SUB_PLUGIN]


@pytest.mark.usefixtures("with_plugins")
def test_of_the_portal_plugins_activity_and_harvest_carry_migrations():
    found = suite.plugins_with_migrations(settings.PORTAL_PLUGINS.split())
    assert {"activity", "harvest"} <= set(found)
    assert not {"scheming_datasets", "dcat", "ckan_harvester"} & set(found)  # no tables


@pytest.mark.usefixtures("clean_db")
def test_the_test_database_reset_creates_the_tables_of_every_enabled_plugin():
    inspector = sa.inspect(model.meta.engine)
    for table in ("activity", "harvest_source", "harvest_object"):
        assert inspector.has_table(table), table
    assert inspector.has_table("activity_alembic_version")
    assert inspector.has_table("harvest_alembic_version")


def test_the_sdist_carries_what_alembic_needs(tmp_path, monkeypatch):
    folder = migration_tree(tmp_path / "ckanext" / "internalportal", SUB_PLUGIN)
    shutil.copy(ROOT / "MANIFEST.in", tmp_path / "MANIFEST.in")
    monkeypatch.chdir(tmp_path)
    files = FileList()
    for line in (tmp_path / "MANIFEST.in").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            files.process_template_line(line)
    included = {Path(f) for f in files.files}
    for name in ("alembic.ini", "script.py.mako", "README", "env.py",
                 "versions/0f1e2d3c4b5a_create_tables.py"):
        assert (folder / name).relative_to(tmp_path) in included, name


def test_the_wheel_packages_a_migration_folder_without_init_py(tmp_path):
    migration_tree(tmp_path / "ckanext" / "internalportal", SUB_PLUGIN)
    (tmp_path / "ckanext" / "internalportal" / "__init__.py").touch()
    # setup.py's own call: a folder without __init__.py is a namespace package, so its
    # alembic.ini, script.py.mako and README go into the wheel as package data
    packages = find_namespace_packages(where=str(tmp_path), include=["ckanext.*"],
                                       exclude=["tests", "tests.*"])
    assert f"ckanext.internalportal.migration.{SUB_PLUGIN}" in packages
    assert f"ckanext.internalportal.migration.{SUB_PLUGIN}.versions" in packages
    assert "include_package_data=True" in (ROOT / "setup.py").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- translations --

def sub_package_translation(base: type) -> object:
    plugin_class = type("SharingPlugin", (base,), {"__module__": SUB_MODULE,
                                                   "name": SUB_PLUGIN})
    return plugin_class()


def test_a_sub_package_plugin_finds_the_suite_s_french_catalogue():
    plugin = sub_package_translation(SuiteTranslation)
    assert Path(plugin.i18n_directory()) == PACKAGE / "i18n"
    assert plugin.i18n_domain() == "ckanext-internalportal"
    assert "fr" in plugin.i18n_locales()
    catalogue = Path(plugin.i18n_directory()) / "fr" / "LC_MESSAGES" / \
        f"{plugin.i18n_domain()}.mo"
    assert catalogue.is_file()


def test_without_the_mixin_ckan_would_look_for_a_catalogue_that_does_not_exist():
    # CKAN's default: a domain named after the plugin, which the suite's catalogue is not
    plugin = sub_package_translation(DefaultTranslation)
    domain = plugin.i18n_domain()
    assert domain == f"ckanext-{SUB_PLUGIN}"
    assert not (PACKAGE / "i18n" / "fr" / "LC_MESSAGES" / f"{domain}.mo").exists()


# ---------------------------------------------------------------------- config declarations --

OPTION = re.compile(r"ckanext\.internalportal\.[a-z0-9_]+(?:\.[a-z0-9_]+)*")
TEMPLATE_READ = re.compile(r"""config\.get\(\s*["'](ckanext\.internalportal\.[a-z0-9_.]+)["']""")


def is_module_path(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def options_read_by_the_code() -> dict[str, str]:
    """Every `ckanext.internalportal.…` option name the package's code holds (option -> file):
    the string literals of its Python sources that are not module paths (the code reads
    options by name or through constants), and the config reads of its templates."""
    found = {}
    for source in PACKAGE.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and OPTION.fullmatch(node.value) and not is_module_path(node.value):
                found[node.value] = str(source.relative_to(ROOT))
    for template in PACKAGE.rglob("*.html"):
        for name in TEMPLATE_READ.findall(template.read_text(encoding="utf-8")):
            found[name] = str(template.relative_to(ROOT))
    return found


def declaration_files() -> list[Path]:
    return sorted(PACKAGE.rglob("config_declaration.*"))


def declared_options() -> set[str]:
    keys = set()
    for path in declaration_files():
        assert path.suffix in (".yaml", ".yml"), f"{path}: declare in YAML, as the others do"
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        keys |= {str(o["key"]) for g in data.get("groups") or [] for o in g.get("options") or []}
    return keys


def test_the_scan_finds_the_options_we_know_are_read():
    found = options_read_by_the_code()
    assert {"ckanext.internalportal.site_title", "ckanext.internalportal.site_intro",
            "ckanext.internalportal.demo.data_dir"} <= set(found)
    assert "ckanext.internalportal.quality" not in found  # a module, not an option


def test_every_option_the_code_reads_is_declared():
    undeclared = {k: v for k, v in options_read_by_the_code().items()
                  if k not in declared_options()}
    assert not undeclared, f"declare in the plugin's config_declaration.yaml: {undeclared}"


def test_each_declaration_file_is_next_to_the_plugin_that_loads_it():
    # tk.blanket.config_declarations reads the one config_declaration.* of the plugin's folder
    folders = [path.parent for path in declaration_files()]
    assert len(folders) == len(set(folders)), "one config_declaration.* per folder"
    for folder in folders:
        if folder == PACKAGE / "harvesters":
            # the options the three harvesters share: declared by base.PortalHarvester for the
            # first harvester loaded (CKAN refuses an option declared twice)
            assert "SHARED_DECLARATION" in (folder / "base.py").read_text(encoding="utf-8")
            continue
        assert (folder / "plugin.py").is_file(), f"{folder}: no plugin.py loads this declaration"


@pytest.mark.usefixtures("with_plugins")
def test_ckan_knows_the_declared_options_of_the_enabled_plugins():
    from ckan.common import config_declaration
    missing = {k for k in declared_options() if k not in config_declaration}
    assert not missing
