"""Extents of the portal's territories (``data/extents.json``): the bounding box and the centre
DCAT-AP 3 recommends on every ``dct:Location``, as WKT. Pure (no CKAN, no rdflib)."""
from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Optional

EXTENTS_FILE = Path(__file__).parent / "data" / "extents.json"


@dataclasses.dataclass(frozen=True)
class Extent:
    west: float
    south: float
    east: float
    north: float
    longitude: float
    latitude: float

    @property
    def bbox_wkt(self) -> str:
        w, s, e, n = (_fmt(v) for v in (self.west, self.south, self.east, self.north))
        return f"POLYGON (({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))"

    @property
    def centroid_wkt(self) -> str:
        return f"POINT ({_fmt(self.longitude)} {_fmt(self.latitude)})"


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


@functools.cache
def _extents() -> dict[str, Extent]:
    raw = json.loads(EXTENTS_FILE.read_text(encoding="utf-8"))["extents"]
    return {uri: Extent(*e["bbox"], *e["centroid"]) for uri, e in raw.items()}


def extent(uri: Optional[str]) -> Optional[Extent]:
    """The extent of a territory by its URI; None for an unknown one."""
    return _extents().get(uri) if uri else None


def known_uris() -> set[str]:
    return set(_extents())
