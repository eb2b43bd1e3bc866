"""A udata dataset (API v1, ``GET /api/1/datasets/{id}/``) as this portal's schema fields and
resources. Pure: no CKAN import, no HTTP; the vocabularies are this package's data files.

The correspondences, and why:

- **Licence**: udata's ids (``GET /api/1/datasets/licenses/``) are this portal's own ids, since
  the portal installs data.gouv.fr's licence list (``schemas/vocabularies/licenses.json``).
  Other udata sites and older data.gouv.fr records use a few other spellings (``etalab-2.0``,
  ``odbl``, ``cc-by-4.0``...), and data.gouv.fr lists open software licences (MIT, Apache,
  CeCILL...) that the portal files as « Autre (ouverte) ». A licence the portal's register
  does not have becomes ``notspecified``: never a wrong licence.
- **Frequency**: udata's ids are the EU frequency codes in lower case (``annual``,
  ``update_cont``...; ``udata/core/dataset/constants.py``), plus the legacy Dublin Core names
  older records still carry (``punctual``, ``irregular``, ``semiannual``...), which udata itself
  maps as ``LEGACY_FREQUENCIES`` does and so do we. Stored as the EU URI of
  ``schemas/vocabularies/frequency.yaml``.
- **Spatial zones**: udata's GeoZone ids (``fr:departement:75``, ``fr:region:11``,
  ``country:fr``, optionally with a validity suffix ``@1860-07-01``) become the portal's
  territories (France, the 18 regions and 101 départements of the Insee COG). Finer zones
  (communes, EPCI, cantons) and foreign countries have no portal territory: they are left out
  (``unmapped_zones`` names them) rather than widened to a territory the data may not cover.
- **Contact points**: udata's ``contact_points`` (name, email, contact form); without any,
  the producing organisation and its page, so that a reader always knows whom to ask.
- **Resources** are links (the file stays at the source): format from udata's ``format``, else
  the MIME type, else the URL's extension (tens of thousands of data.gouv.fr resources have no
  format); the checksum kept with its algorithm. Community resources are not the producer's:
  not harvested.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Any, Collection, Iterable, Optional
from urllib.parse import unquote, urlsplit

from ckanext.internalportal.lib import values
from ckanext.internalportal.schemas import vocabularies

NOT_SPECIFIED = "notspecified"
OTHER_OPEN = "other-open"

# udata licence ids and other spellings -> the portal's licence ids (data.gouv.fr's list)
LICENCES = {
    **{same: same for same in (
        "lov2", "fr-lo", "odc-odbl", "odc-by", "odc-pddl", "cc-by", "cc-by-sa", "cc-zero",
        "other-at", "other-open", "other-pd", NOT_SPECIFIED)},
    "etalab-2.0": "lov2", "etalab-lo-2.0": "lov2", "licence-ouverte-2.0": "lov2", "lo-2.0": "lov2",
    "etalab-1.0": "fr-lo", "lo-1.0": "fr-lo", "licence-ouverte": "fr-lo",
    "odbl": "odc-odbl", "odbl-1.0": "odc-odbl", "odc-by-1.0": "odc-by", "pddl": "odc-pddl",
    "cc-by-4.0": "cc-by", "cc-by-3.0": "cc-by", "cc-by-2.0": "cc-by",
    "cc-by-sa-4.0": "cc-by-sa", "cc-by-sa-3.0": "cc-by-sa", "cc0": "cc-zero", "cc0-1.0": "cc-zero",
    # open software licences data.gouv.fr offers for code
    **{software: OTHER_OPEN for software in (
        "mit", "apache-2.0", "gpl-3.0", "gpl-2.0", "lgpl-3.0", "agpl-3.0", "mpl-2.0",
        "eupl-1.2", "eupl-1.1", "bsd-2-clause", "bsd-3-clause", "cecill-2.1", "cecill-b",
        "cecill-c")},
    "other-closed": NOT_SPECIFIED, "notspecified-closed": NOT_SPECIFIED,
}

# udata frequency ids that are not an EU code in lower case -> EU code
FREQUENCY_ALIASES = {
    # udata's LEGACY_FREQUENCIES (Dublin Core and older udata ids)
    "irregular": "IRREG", "punctual": "AS_NEEDED", "realtime": "UPDATE_CONT",
    "continuous": "UPDATE_CONT", "fourtimesaday": "CONT", "threetimesaday": "CONT",
    "semidaily": "DAILY_2", "fourtimesaweek": "OTHER", "threetimesaweek": "WEEKLY_3",
    "semiweekly": "WEEKLY_2", "threetimesamonth": "MONTHLY_3", "semimonthly": "MONTHLY_2",
    "fortnighly": "BIWEEKLY", "fortnightly": "BIWEEKLY", "threetimesayear": "ANNUAL_3",
    "semiannual": "ANNUAL_2", "biannual": "ANNUAL_2",
    # udata codes the portal's EU list does not hold
    "weekly_5": "OTHER",
}

# udata's checksum types -> SPDX algorithm names (``sha2`` is udata's old name of sha256)
CHECKSUM_ALGORITHMS = {"sha1": "sha1", "sha2": "sha256", "sha256": "sha256", "md5": "md5"}
SPDX_ALGORITHM = "http://spdx.org/rdf/terms#checksumAlgorithm_"
HEX = re.compile(r"^[0-9a-fA-F]+$")

# CKAN's tag rule (ckan.logic.validators.tag_name_validator, MIN/MAX_TAG_LENGTH)
TAG_RE = re.compile(r"^[\w \-.]*$", re.UNICODE)
TAG_MIN, TAG_MAX = 2, 100

# GeoZone ids: "<level>:<code>" (fr:departement:75, country:fr), optionally "@<validity>"
_ZONE = re.compile(r"^(?P<level>[a-z-]+(?::[a-z-]+)?):(?P<code>[^:@]+)(?:@.*)?$", re.I)
# the five overseas régions (udata's country-subset:fr:drom)
DROM_REGIONS = ("01", "02", "03", "04", "06")


@dataclass
class MappedResource:
    """One udata resource as the harvester's ``Resource`` takes it (a link)."""
    key: str
    name: str
    url: str
    format: str                # the file-type vocabulary's format, "" when unknown
    description: str = ""
    mimetype: Optional[str] = None
    # udata's checksum: the hex digest, its algorithm in extras["hash_algorithm"] (an SPDX URI),
    # the form the resource schema and the DCAT export read
    hash: Optional[str] = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class Mapped:
    dataset: dict[str, Any]
    resources: list[MappedResource]
    remote_url: Optional[str]
    unmapped_zones: list[str] = field(default_factory=list)


def mapped(udata: dict[str, Any], licences: Optional[Collection[str]] = None) -> Mapped:
    """The dataset fields and resources of a udata dataset. ``licences``: the portal's licence
    ids (CKAN's register), to fall back to ``notspecified`` for one it does not have."""
    zones, unmapped = spatial_coverage(_dict(udata.get("spatial")).get("zones"))
    dataset = {
        "title": _text(udata.get("title")) or _text(udata.get("slug")),
        "notes": _text(udata.get("description")),
        "tag_string": ",".join(tags(udata.get("tags"))),
        "license_id": licence(udata.get("license"), licences),
        "frequency": frequency(udata.get("frequency")),
        "temporal_coverage": temporal_coverage(udata.get("temporal_coverage")),
        "spatial_coverage": zones,
        "contact": contacts(udata.get("contact_points"), udata.get("organization")),
        "issued": date(udata.get("created_at")),
        "modified": date(udata.get("last_update") or udata.get("last_modified")),
    }
    return Mapped(
        dataset={k: v for k, v in dataset.items() if not values.is_empty(v)},
        resources=[r for r in (resource(raw) for raw in _list(udata.get("resources"))) if r],
        remote_url=_text(udata.get("page")) or None,
        unmapped_zones=unmapped,
    )


# ------------------------------------------------------------------ dataset fields
def licence(value: Any, known: Optional[Collection[str]] = None) -> str:
    """The portal's licence id of a udata licence id (``notspecified`` when none matches, or
    when ``known`` is given and lacks the match)."""
    text = _text(value).lower()
    ours = LICENCES.get(text, NOT_SPECIFIED)
    if known is not None and ours not in known:
        return NOT_SPECIFIED
    return ours


def frequency(value: Any) -> Optional[str]:
    """The EU frequency URI of a udata frequency; None when empty or not one."""
    text = _text(value)
    if not text:
        return None
    code = FREQUENCY_ALIASES.get(text.lower(), text.upper())
    concept = vocabularies.vocabulary("frequency").by_code(code)
    return concept.uri if concept else None


def temporal_coverage(value: Any) -> list[dict[str, str]]:
    """``[{"start", "end"}]`` (ISO dates) of udata's ``{"start", "end"}``; [] without one."""
    period = _dict(value)
    start, end = date(period.get("start")), date(period.get("end"))
    if not (start or end):
        return []
    return [{k: v for k, v in (("start", start), ("end", end)) if v}]


def spatial_coverage(zones: Any) -> tuple[list[dict[str, str]], list[str]]:
    """(``[{"uri", "text"}]`` of the portal's territories, the zones left out) of udata's
    GeoZone ids; each territory once, in udata's order."""
    areas: list[dict[str, str]] = []
    unmapped: list[str] = []
    for zone in _list(zones):
        concepts = territories(zone)
        if not concepts:
            if _text(zone):
                unmapped.append(_text(zone))
            continue
        for concept in concepts:
            if all(a["uri"] != concept.uri for a in areas):
                areas.append({"uri": concept.uri, "text": concept.label("fr")})
    return areas, unmapped


def territories(zone: Any) -> list[vocabularies.Concept]:
    """The portal territories a udata GeoZone id designates ([] for none)."""
    match = _ZONE.match(_text(zone))
    if not match:
        return []
    level, code = match.group("level").lower(), match.group("code").upper()
    if (level, code) in (("country", "FR"), ("country-subset:fr", "METRO"), ("fr", "METRO")):
        return _concepts("country", ["FRA"])
    if (level, code) in (("country-subset:fr", "DROM"), ("fr", "DROM")):
        return _concepts("region", DROM_REGIONS)
    if level == "fr:region":
        return _concepts("region", [code])
    if level == "fr:departement":
        return _concepts("departement", [code])
    return []


def tags(value: Any) -> list[str]:
    """udata's tags that CKAN accepts as tags (characters, length), each once."""
    out: list[str] = []
    for tag in _list(value):
        tag = _text(tag)
        if TAG_MIN <= len(tag) <= TAG_MAX and TAG_RE.match(tag) and tag not in out:
            out.append(tag)
    return out


def contacts(points: Any, organization: Any = None) -> list[dict[str, str]]:
    """``[{"name", "email", "uri"}]`` of udata's contact points (an address that is not one
    is left out); without any, the organisation with its page."""
    out = []
    for point in _list(points):
        point = _dict(point)
        contact = {
            "name": _text(point.get("name")),
            "email": values.email_address(point.get("email")) or "",
            "uri": _url(point.get("contact_form")),
        }
        contact = {k: v for k, v in contact.items() if v}
        if contact and contact not in out:
            out.append(contact)
    if out:
        return out
    org = _dict(organization)
    contact = {k: v for k, v in (("name", _text(org.get("name"))),
                                 ("uri", _url(org.get("page")))) if v}
    return [contact] if contact else []


def date(value: Any) -> Optional[str]:
    """``YYYY-MM-DD`` of an ISO date or date-time; None when it is not one."""
    text = _text(value)
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None


def utc_datetime(value: Any) -> Optional[str]:
    """``YYYY-MM-DDTHH:MM:SS`` in UTC (CKAN's resource dates) of an ISO date-time with or
    without an offset; None when it is not one."""
    text = _text(value)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when.replace(microsecond=0).isoformat()


# ------------------------------------------------------------------ resources
def resource(raw: Any) -> Optional[MappedResource]:
    """A udata resource as a link; None without an http(s) URL or an id."""
    raw = _dict(raw)
    url = _url(raw.get("url")) or _url(raw.get("latest"))
    key = _text(raw.get("id"))
    if not url or not key:
        return None
    fmt = resource_format(raw.get("format"), raw.get("mime"), url)
    mimetype = values.media_type(raw.get("mime"))
    if not mimetype and fmt:
        mimetype = vocabularies.file_type(fmt).get("mimetype")
    extras: dict[str, Any] = {}
    size = raw.get("filesize")
    if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
        extras["size"] = size
    digest, algorithm = checksum(raw.get("checksum"))
    if digest:
        extras["hash_algorithm"] = SPDX_ALGORITHM + algorithm
    modified = utc_datetime(raw.get("last_modified"))
    if modified:
        extras["last_modified"] = modified
    return MappedResource(
        key=key,
        name=_text(raw.get("title")) or _filename(url) or key,
        url=url,
        format=fmt or "",
        description=_text(raw.get("description")),
        mimetype=mimetype,
        hash=digest,
        extras=extras,
    )


def resource_format(fmt: Any, mime: Any = None, url: Any = None) -> Optional[str]:
    """The file-type vocabulary's format of a resource: udata's ``format``, else its MIME
    type, else its URL's extension (``.csv.gz`` read as its last extension: ``gz`` is no
    data format the portal knows, so such a file has none); None when none is known."""
    candidates = [_text(fmt), values.media_type(mime) or ""]
    name = _filename(_text(url))
    suffix = PurePosixPath(name).suffix.lstrip(".") if name else ""
    candidates.append(suffix)
    for candidate in candidates:
        concept = vocabularies.file_type(candidate) if candidate else None
        if concept is not None:
            return concept.get("format")
    return None


def checksum(value: Any) -> tuple[Optional[str], Optional[str]]:
    """(hex digest, SPDX algorithm name) of udata's ``{"type", "value"}``; (None, None)
    when it is not a hexadecimal digest of a known algorithm."""
    data = _dict(value)
    digest = _text(data.get("value")).lower()
    algorithm = CHECKSUM_ALGORITHMS.get(_text(data.get("type")).lower())
    if not digest or not HEX.match(digest) or not algorithm:
        return None, None
    return digest, algorithm


# ------------------------------------------------------------------ values
def _concepts(name: str, codes: Iterable[str]) -> list[vocabularies.Concept]:
    vocabulary = vocabularies.vocabulary(name)
    return [c for c in (vocabulary.by_code(code) for code in codes) if c is not None]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _url(value: Any) -> str:
    text = _text(value)
    parts = urlsplit(text)
    return text if parts.scheme in ("http", "https") and parts.netloc else ""


def _filename(url: str) -> str:
    path = urlsplit(url).path if url else ""
    return unquote(path.rstrip("/").rsplit("/", 1)[-1]) if path else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
