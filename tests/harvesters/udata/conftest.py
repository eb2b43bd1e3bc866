"""The local udata server (``server.py``) as fixtures for every test of this folder."""
from __future__ import annotations

import pytest

from .server import UdataSite


@pytest.fixture(scope="module")
def udata_server():
    """One local udata per test module, on a free port of 127.0.0.1."""
    site = UdataSite().start()
    yield site
    site.stop()


@pytest.fixture
def udata_site(udata_server):
    """The module's udata with its fixtures, faults and request log reset for the test."""
    udata_server.reset()
    yield udata_server
    udata_server.reset()
