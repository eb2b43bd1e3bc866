"""Every harvester test stores its files in a FileStore of its own (``ckan.storage_path`` under
the test's tmp_path): the GDPR tests read the whole storage for a raw value, which another
test's files (the demo's « Martinique ») must not provide."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_storage(tmp_path, ckan_config, monkeypatch):
    path = tmp_path / "storage"
    path.mkdir()
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(path))
    return path
