"""CKAN's own tests of private datasets, collaborators, permission labels and authorisation
pass with the sharing plugin enabled (issue 8: « Everything CKAN does for datasets that are
not shared behaves exactly as before »).

The tests chosen (selection.py: a few files of the ckan wheel, and the tests of those files
that name private datasets or collaborators) run in a pytest of their own, as CKAN runs them,
with the plugins of ckan-tests.ini (``internalportal_sharing activity``) added to each of them
by the pytest plugin plugin.py. The few whose answer the portal changes on purpose (404,
never 403) are deselected there, each with its reason (selection.BY_DESIGN).

The subprocess uses the database, Solr core and Redis of this run (read from the running
CKAN config, written into a temporary ini chaining ckan-tests.ini): CKAN's tests empty them,
so it runs alone — the suite runs serially — and leaves the schema migrated (plugin.py); the
next test of the suite starts from its own ``clean_db`` as always.

Deselect with ``-m "not ckan_compat"``.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk

from tests.ckan_compat import plugin as compat_plugin
from tests.ckan_compat.selection import SELECTION

pytestmark = [pytest.mark.ckan_compat]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COMPAT_INI = HERE / "ckan-tests.ini"
# the services of this run, whatever ini it was started with
SERVICE_OPTIONS = ("sqlalchemy.url", "solr_url", "ckan.redis.url", "ckan.storage_path",
                   "smtp.test_server")
# the suite's time budget for this test is 90 s; beyond 10 minutes something hangs
TIMEOUT = 600


def compat_ini(tmp_path: Path) -> Path:
    lines = ["[app:main]", f"use = config:{COMPAT_INI}"]
    lines += [f"{key} = {tk.config[key]}" for key in SERVICE_OPTIONS if tk.config.get(key)]
    ini = tmp_path / "ckan-compat.ini"
    ini.write_text("\n".join(lines) + "\n")
    return ini


def pytest_command(ini: Path) -> list[str]:
    site = compat_plugin.site_packages()
    return [sys.executable, "-m", "pytest", f"--ckan-ini={ini}",
            "-p", "tests.ckan_compat.plugin", "--ckan-compat-selection",
            "-p", "no:cacheprovider", "-q", "-rfE", "--no-header",
            *(str(site / path) for path in SELECTION)]


def test_ckans_own_tests_of_private_datasets_and_authorisation_pass_with_the_plugin(tmp_path):
    ini = compat_ini(tmp_path)
    # no transaction of ours may hold a lock on the tables the subprocess empties
    model.Session.remove()
    model.meta.engine.dispose()
    run = subprocess.run(pytest_command(ini), cwd=ROOT, capture_output=True, text=True,
                         timeout=TIMEOUT)
    report, code = (run.stdout + run.stderr)[-6000:], run.returncode
    assert code == 0, f"CKAN's tests failed with the sharing plugin:\n{report}"
    assert " passed" in run.stdout, report
