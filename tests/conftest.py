"""Shared fixtures. test.ini's `ckan.plugins` is the portal's plugin set, so CKAN's
`with_plugins` fixture loads the portal as an administrator enables it."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's clean_db, plus the tables of the plugins the portal runs with."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("harvest")
