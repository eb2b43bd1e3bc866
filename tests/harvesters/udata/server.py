"""The tests' local udata (data.gouv.fr API v1) over real HTTP: the package's fixture server
(``ckanext/internalportal/demo/udata_site.py``, which the demo serves too) over the fixtures of
``data/``. The pytest fixtures are in ``conftest.py``: ``udata_server`` (one server per test
module) and ``udata_site`` (that server with its fixtures reset for each test)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ckanext.internalportal.demo import udata_site

DATA = Path(__file__).parent / "data"
API = udata_site.API


def load(name: str) -> Any:
    return udata_site.load(DATA / name)


class UdataSite(udata_site.UdataSite):
    """The fake udata with the tests' fixtures."""

    def __init__(self) -> None:
        super().__init__(DATA)
