"""The portal's settings have one source, ckanext/internalportal/settings.py: every copy of them
(test.ini, the Docker files, README.md's ini block) says the same, and the dev portal's ckan.ini
and the benchmark configurations are built from it.

A failure names the copy that drifted: change the copy to what settings.py says, or, to change
a setting, change settings.py and then each copy these tests name.
Static: no database, no service (`-p no:ckan -o addopts=` works too).
"""
from __future__ import annotations

import configparser
import importlib.util
import re
import sys

import pytest

from ckanext.internalportal import settings

from .test_docker import (COMPOSE_FILE, DOCKERFILE, ENV_EXAMPLE, REF, ROOT, dockerfile_env,
                          env_example, load_compose)

README = ROOT / "README.md"
TEST_INI = ROOT / "test.ini"
# ckanext-envvars reads the CKAN__* variables; it must be the last plugin (docker/README.md)
DOCKER_PLUGINS = f"{settings.PORTAL_PLUGINS} envvars"


def normalised(value: str) -> str:
    """An ini value as CKAN reads it: a continuation line is a space."""
    return " ".join(value.split())


def ini_section(text: str, section: str = "app:main") -> dict[str, str]:
    parser = configparser.RawConfigParser(strict=False)  # no %(here)s interpolation
    parser.optionxform = str  # SECRET_KEY stays SECRET_KEY
    parser.read_string(text)
    return {k: normalised(v) for k, v in parser.items(section)}


def readme_ini_blocks() -> list[dict[str, str]]:
    blocks = re.findall(r"^```ini\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)
    return [ini_section("[app:main]\n" + block) for block in blocks]


def differences(copy: dict[str, str], source: dict[str, str]) -> dict[str, tuple]:
    """option -> (the copy's value, the source's) where the copy lacks or changes one."""
    return {k: (copy.get(k), v) for k, v in source.items() if copy.get(k) != normalised(v)}


def compose_defaults() -> dict[str, str | None]:
    """CKAN's environment in docker-compose.yml (x-ckan-env): variable -> the value compose
    gives when .env does not set it (None: required from .env, `${VAR:?...}`)."""
    result = {}
    for variable, value in load_compose()["x-ckan-env"].items():
        m = REF.fullmatch(str(value))
        if m and m["name"] == variable:
            result[variable] = m["arg"] if m["op"] in (":-", "-") else None
        else:
            result[variable] = str(value)
    return result


# ------------------------------------------------------------------------------ the source --

def test_the_source_holds_each_setting_once_with_the_portal_plugins_first():
    names = settings.PORTAL_PLUGINS.split()
    assert names[0] == "internalportal"  # its templates and schema win over scheming's
    assert len(names) == len(set(names))
    assert not set(names) & set(settings.OPTIONAL_PLUGINS.split())
    assert not set(names) & set(settings.COMING_PLUGINS.split())
    options = settings.ini_options()
    assert [o.split(" = ", 1)[0] for o in options] == list(settings.portal_settings())
    assert f"ckan.plugins = {settings.PORTAL_PLUGINS}" in options


def test_the_source_imports_no_ckan():
    source = (ROOT / "ckanext" / "internalportal" / "settings.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+ckan\b", source, re.M)


@pytest.mark.parametrize("option,variable", [
    ("ckan.plugins", "CKAN__PLUGINS"),
    ("ckan.harvest.mq.type", "CKAN__HARVEST__MQ__TYPE"),
    ("ckanext.dcat.rdf.profiles", "CKANEXT__DCAT__RDF__PROFILES"),
    ("scheming.dataset_schemas", "CKAN___SCHEMING__DATASET_SCHEMAS"),
])
def test_env_variable_names_an_option_as_ckanext_envvars_reads_it(option, variable):
    assert settings.env_variable(option) == variable


# ---------------------------------------------------------------------------------- copies --

def test_test_ini_has_the_portal_settings():
    drift = differences(ini_section(TEST_INI.read_text(encoding="utf-8")),
                        settings.portal_settings())
    assert not drift, f"test.ini differs from ckanext/internalportal/settings.py: {drift}"


def test_env_example_has_the_portal_settings():
    values = {k: normalised(v) for k, v in env_example().items()}
    expected = {settings.env_variable(k): v
                for k, v in settings.portal_settings(DOCKER_PLUGINS).items()}
    drift = differences(values, expected)
    assert not drift, f"{ENV_EXAMPLE.relative_to(ROOT)} differs from settings.py: {drift}"


def test_the_compose_file_passes_every_portal_setting_with_the_source_s_default():
    defaults = compose_defaults()
    expected = {settings.env_variable(k): v
                for k, v in settings.portal_settings(DOCKER_PLUGINS).items()}
    missing = set(expected) - set(defaults)
    assert not missing, f"{COMPOSE_FILE.relative_to(ROOT)} x-ckan-env lacks {sorted(missing)}"
    # a default, where compose has one, is the source's value (None: .env must set it)
    drift = {v: (defaults[v], value) for v, value in expected.items()
             if defaults[v] is not None and normalised(defaults[v]) != value}
    assert not drift, f"{COMPOSE_FILE.relative_to(ROOT)} defaults differ: {drift}"


def test_the_dockerfile_bakes_the_portal_plugins_and_locales():
    env = {k: normalised(v) for k, v in dockerfile_env().items()}
    assert env.get("CKAN__PLUGINS") == DOCKER_PLUGINS, DOCKERFILE.relative_to(ROOT)
    # every portal setting the Dockerfile sets, it sets to the source's value
    expected = {settings.env_variable(k): v
                for k, v in settings.portal_settings(DOCKER_PLUGINS).items()}
    drift = {k: (env[k], v) for k, v in expected.items() if k in env and env[k] != v}
    assert not drift, f"{DOCKERFILE.relative_to(ROOT)} differs from settings.py: {drift}"
    assert env.get("CKAN__LOCALE_DEFAULT") == settings.LOCALE_DEFAULT


def test_the_readme_install_block_is_exactly_the_portal_settings():
    install = [b for b in readme_ini_blocks() if "ckan.plugins" in b]
    assert len(install) == 1, "README.md: one ```ini block sets ckan.plugins (« Installer »)"
    assert install[0] == {k: normalised(v) for k, v in settings.portal_settings().items()}, (
        "README.md's ini block differs from ckanext/internalportal/settings.py")


def test_every_readme_ini_block_agrees_with_the_source():
    source = settings.portal_settings()
    for block in readme_ini_blocks():
        drift = {k: (v, source[k]) for k, v in block.items()
                 if k in source and v != normalised(source[k])}
        assert not drift, f"README.md: {drift}"


# ---------------------------------------------------------------------- built from the source --

def load_module(name: str, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dev_portal_s_ckan_ini_gets_the_portal_settings_and_the_previews():
    ckan_ini = load_module("internalportal_ckan_ini", ROOT / "scripts" / "ckan_ini.py")
    written = ckan_ini.OPTIONS["app:main"]
    expected = settings.portal_settings(
        f"{settings.PORTAL_PLUGINS} {settings.OPTIONAL_PLUGINS}")
    assert not differences(written, expected)


def test_the_benchmark_s_portal_configurations_run_the_portal_settings(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    monkeypatch.delitem(sys.modules, "ipbench.configs", raising=False)
    from ipbench.configs import CONFIGS
    for name in ("portal", "portal_dcat"):
        assert not differences(CONFIGS[name].overrides, settings.portal_settings()), name
