"""The CKAN path to data.gouv.fr: the ``extras`` its CKAN harvester reads, derived from the
portal's top-level fields. Pure (no CKAN import).

What udata reads (``udata/harvest/backends/ckan/harvesters.py``, ``inner_process_dataset``):
the ``extras`` list of ``package_show``, keys

- ``frequency``: an EU frequency URI or a ``purl.org/cld/freq/`` URI (``frequency_from_rdf``),
  else one of udata's own ids (``UpdateFrequency``); anything else is kept as an extra only.
  The portal stores EU frequency URIs (``schemas/vocabularies/frequency.yaml``), sent as they are.
- ``temporal_start`` and ``temporal_end``: dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``; udata's
  ``daterange_start``/``daterange_end`` widen a year or a month); udata records a temporal
  coverage only when it gets both. The portal's ``temporal_coverage`` is a list of periods:
  we send the period that spans them all; an open end (a series still running) sends no
  ``temporal_end``, an open start no ``temporal_start``.
- ``spatial``: GeoJSON, a ``Polygon`` or a ``MultiPolygon`` only (any other type fails the whole
  dataset); ``spatial-text``: matched against udata's territories (GeoZone ``name`` or ``slug``,
  when exactly one matches), else kept as an extra; ``spatial-uri``: kept as an extra.

**A trap, and the rule that avoids it.** When ``spatial-text`` names a territory udata knows and
``spatial`` is also sent, udata sets both a zone and a geometry, and its ``SpatialCoverage.clean``
refuses that (« The spatial coverage cannot contains a Geozone and a Geometry »): the dataset
fails to harvest. Our territory labels are the official names (France, the regions, the
départements of the Insee COG), which udata's territories carry. So:

- **one territory**: ``spatial-text`` (its name: data.gouv.fr links the dataset to its own
  territory, which its search filters by) and ``spatial-uri``, **no** ``spatial``;
- **several territories** (a list of names that is no territory's name): ``spatial-text`` (the
  names, comma-separated), ``spatial-uri`` (the URIs, space-separated) and ``spatial``: each
  territory's bounding box (``dcat/data/extents.json``), boxes that overlap or touch merged into
  the box of both (a département inside its region adds nothing), so the polygons never
  overlap, as GeoJSON's MultiPolygon requires: a ``Polygon`` when one box is left, else a
  ``MultiPolygon``. One box per group rather than the union box of all: territories can be
  oceans apart (a region of metropolitan France and La Réunion), and their union box would
  cover half the globe.

These extras are output-only (``DERIVED_KEYS``): the API's ``package_show`` answer carries them,
and every write drops them from its input (``without_derived_extras``), so a client that sends
back what it read changes nothing. The fields they come from are edited as fields.
"""
from __future__ import annotations

import calendar
import json
import re
from typing import Any, Iterable, Optional

from ckanext.internalportal.dcat import spatial as extents
from ckanext.internalportal.lib.values import decoded
from ckanext.internalportal.schemas import vocabularies

FREQUENCY = "frequency"
TEMPORAL_START = "temporal_start"
TEMPORAL_END = "temporal_end"
SPATIAL = "spatial"
SPATIAL_TEXT = "spatial-text"
SPATIAL_URI = "spatial-uri"
# in the order they are appended to ``extras``
DERIVED_KEYS = (FREQUENCY, TEMPORAL_START, TEMPORAL_END, SPATIAL, SPATIAL_TEXT, SPATIAL_URI)
# the dataset type of the portal's schema (harvest sources have a ``frequency`` of their own)
DATASET_TYPE = "dataset"
SPATIAL_VOCABULARY = "spatial"

Box = tuple[float, float, float, float]  # west, south, east, north
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


# ------------------------------------------------------------------ the extras
def derived_extras(pkg_dict: dict[str, Any]) -> list[dict[str, str]]:
    """The extras data.gouv.fr's CKAN harvester reads, from the dataset's top-level fields
    (``[{"key", "value"}]``, values strings as CKAN's extras are; none for an empty field)."""
    values = {
        FREQUENCY: frequency(pkg_dict.get("frequency")),
        **temporal(pkg_dict.get("temporal_coverage")),
        **spatial(pkg_dict.get("spatial_coverage")),
    }
    return [{"key": key, "value": values[key]} for key in DERIVED_KEYS if values.get(key)]


def frequency(value: Any) -> Optional[str]:
    return value.strip() or None if isinstance(value, str) else None


def temporal(periods: Any) -> dict[str, str]:
    """``temporal_start`` / ``temporal_end`` of the period spanning every period."""
    periods = [p for p in _items(periods) if _date(p.get("start")) or _date(p.get("end"))]
    if not periods:
        return {}
    out = {}
    starts = [p.get("start") for p in periods]
    if all(_date(s) for s in starts):
        out[TEMPORAL_START] = min(starts, key=lambda s: _date(s, end=False)).strip()
    ends = [p.get("end") for p in periods]
    if all(_date(e) for e in ends):
        out[TEMPORAL_END] = max(ends, key=lambda e: _date(e, end=True)).strip()
    return out


def spatial(areas: Any) -> dict[str, str]:
    """``spatial-text``, ``spatial-uri`` and (several territories only, see the module's note)
    ``spatial`` of the dataset's territories."""
    areas = [a for a in _items(areas) if _text(a.get("uri")) or _text(a.get("text"))]
    if not areas:
        return {}
    labels = [label for label in (_label(a) for a in areas) if label]
    uris = [uri for uri in (_text(a.get("uri")) for a in areas) if uri]
    out = {SPATIAL_TEXT: ", ".join(labels), SPATIAL_URI: " ".join(uris)}
    if len(areas) > 1:
        geometry = bbox_geometry(_boxes(uris))
        if geometry:
            out[SPATIAL] = json.dumps(geometry)
    return {k: v for k, v in out.items() if v}


# ------------------------------------------------------------------ geometry
def bbox_geometry(boxes: Iterable[Box]) -> Optional[dict[str, Any]]:
    """A GeoJSON Polygon (one box left) or MultiPolygon of ``boxes``, overlapping or touching
    boxes merged first; None without a box."""
    merged = merge_boxes(boxes)
    if not merged:
        return None
    rings = [[_ring(box)] for box in merged]
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": rings[0]}
    return {"type": "MultiPolygon", "coordinates": rings}


def merge_boxes(boxes: Iterable[Box]) -> list[Box]:
    """Disjoint boxes covering ``boxes``: any two that overlap or touch become the box of both,
    until none do (sorted, so the result does not depend on the order of the territories)."""
    merged: list[Box] = []
    for box in boxes:
        while True:
            other = next((m for m in merged if _meet(m, box)), None)
            if other is None:
                break
            merged.remove(other)
            box = (min(box[0], other[0]), min(box[1], other[1]),
                   max(box[2], other[2]), max(box[3], other[3]))
        merged.append(box)
    return sorted(merged)


def _meet(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _ring(box: Box) -> list[list[float]]:
    """The box's exterior ring, counterclockwise as RFC 7946 asks, closed."""
    w, s, e, n = box
    return [[w, s], [e, s], [e, n], [w, n], [w, s]]


def _boxes(uris: Iterable[str]) -> list[Box]:
    out = []
    for uri in uris:
        ext = extents.extent(uri)
        if ext is not None:
            out.append((ext.west, ext.south, ext.east, ext.north))
    return out


# ------------------------------------------------------------------ writes
def without_derived_extras(data_dict: dict[str, Any]) -> dict[str, Any]:
    """``data_dict`` without the derived extras in its ``extras`` (a copy when there were
    some; ``data_dict`` itself otherwise, so applying it twice is applying it once)."""
    extras = data_dict.get("extras")
    if not isinstance(extras, list):
        return data_dict
    kept = [e for e in extras if not _is_derived(e)]
    if len(kept) == len(extras):
        return data_dict
    return {**data_dict, "extras": kept}


def boundary_step(action: str, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """``logic/boundary.py`` step: the derived extras are output-only."""
    return without_derived_extras(data_dict)


def add_to_api_answer(context: dict, pkg_dict: dict[str, Any]) -> None:
    """Put the derived extras in ``pkg_dict`` (in place: ``after_dataset_show``) when it is the
    action API's answer, and only then.

    ``after_dataset_show`` also runs when CKAN indexes a dataset (``ckan.logic``'s
    ``package_show_default_and_custom_schemas``: the dict stored in Solr as
    ``validated_data_dict``, which ``package_search`` answers with and ``package_show`` reads
    back) and when the activity plugin records a version of it: neither has ``api_version`` in
    its context, which CKAN's API view (``ckan/views/api.py``) sets. So the index, the search
    results and facets, the activity stream, the pages and the RDF never see these extras.
    Idempotent: derived extras already there are replaced, not repeated."""
    if not context.get("api_version") or pkg_dict.get("type") != DATASET_TYPE:
        return
    extras = pkg_dict.get("extras")
    kept = [e for e in extras if not _is_derived(e)] if isinstance(extras, list) else []
    pkg_dict["extras"] = kept + derived_extras(pkg_dict)


def _is_derived(extra: Any) -> bool:
    return isinstance(extra, dict) and extra.get("key") in DERIVED_KEYS


# ------------------------------------------------------------------ values
def _items(value: Any) -> list[dict[str, Any]]:
    """The subfield dicts of a repeating field (a list; a JSON list as the default schema
    shows it)."""
    value = decoded(value)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _label(area: dict[str, Any]) -> str:
    """The territory's name: the ``text`` the schema filled in, else the vocabulary's French
    label, else its URI."""
    uri = _text(area.get("uri"))
    concept = vocabularies.vocabulary(SPATIAL_VOCABULARY).get(uri) if uri else None
    return _text(area.get("text")) or (concept.label("fr") if concept else uri)


def _date(value: Any, end: bool = False) -> Optional[tuple[int, int, int]]:
    """(year, month, day) of a date, a year or a month (its first day, or its last with
    ``end``); None when it is not one."""
    match = _DATE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else (12 if end else 1)
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    day = int(match.group(3)) if match.group(3) else (last if end else 1)
    return (year, month, day) if 1 <= day <= last else None
