"""The ``ckan_compat`` mark: CKAN's own tests run with the sharing plugin (test_ckan_suite.py),
deselected with ``-m "not ckan_compat"``."""
from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "ckan_compat: CKAN's own tests run with the portal's plugins (a subprocess)")
