"""The metadata quality score: weighted checks over a dataset dict. Pure (no CKAN import).

Each check is a small function ``(pkg, now) -> bool`` with a stable snake_case name, a weight
and a hint telling the producer what to fix. The score is
``round(100 × sum of the weights of passed checks / sum of all weights)``, halves rounded up.

Hints are English msgids marked with ``N_`` (one of Babel's default keywords, so ``make i18n``
extracts them into the French catalogue) and translated where they are shown: the action and
the template helpers pass ``tk._`` as ``translate``. This keeps the module free of CKAN, so the
score is computed the same way in the action, the search index and the tests.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlsplit

from ckanext.internalportal.lib.access import is_open_data
from ckanext.internalportal.lib.i18n import N_

from . import freshness
from .fields import as_list, field, is_email, is_empty, parse_date

Pkg = Mapping[str, Any]

# Below this many characters a description rarely says what the data are, where they come from
# and how to use them. Keep the hint of ``description_length`` in step.
MIN_DESCRIPTION_LENGTH = 100
# Licence ids meaning "no licence chosen" (enough for internal data, not for open data).
UNSET_LICENSES = frozenset({"notspecified"})


@dataclass(frozen=True)
class Check:
    name: str
    weight: int
    hint: str
    test: Callable[[Pkg, datetime], bool]


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    weight: int
    hint: str


# ------------------------------------------------------------------ the checks
def has_title(pkg: Pkg, now: datetime) -> bool:
    return not is_empty(field(pkg, "title"))


def has_description(pkg: Pkg, now: datetime) -> bool:
    return not is_empty(field(pkg, "notes"))


def description_long_enough(pkg: Pkg, now: datetime) -> bool:
    notes = field(pkg, "notes")
    return isinstance(notes, str) and len(notes.strip()) >= MIN_DESCRIPTION_LENGTH


def has_keywords(pkg: Pkg, now: datetime) -> bool:
    tags = [t.get("name") if isinstance(t, Mapping) else t for t in as_list(field(pkg, "tags"))]
    return not is_empty(tags) or not is_empty(field(pkg, "tag_string"))


def has_themes(pkg: Pkg, now: datetime) -> bool:
    return bool(as_list(field(pkg, "theme", "themes")))


def has_contact_point(pkg: Pkg, now: datetime) -> bool:
    """A DCAT-AP contact point with an e-mail; CKAN's maintainer/author e-mail count too (they
    are what ckanext-dcat publishes as contact point when there is none)."""
    for contact in as_list(field(pkg, "contact")):
        if isinstance(contact, Mapping) and is_email(contact.get("email")):
            return True
    return is_email(field(pkg, "contact_email", "maintainer_email", "author_email"))


def has_publisher(pkg: Pkg, now: datetime) -> bool:
    """The publisher is the organisation the dataset belongs to."""
    return not is_empty(field(pkg, "owner_org", "organization"))


def has_license(pkg: Pkg, now: datetime) -> bool:
    """A licence is chosen; open data need a real one ("License not specified" is what the
    schema advises for internal data)."""
    license_id = field(pkg, "license_id")
    if not isinstance(license_id, str):
        return False
    return not is_open_data(pkg) or license_id.strip() not in UNSET_LICENSES


def has_access_rights(pkg: Pkg, now: datetime) -> bool:
    """DCAT-AP access rights, or the portal's own access level they are derived from."""
    return not is_empty(field(pkg, "access_rights", "access_level"))


def has_update_frequency(pkg: Pkg, now: datetime) -> bool:
    return freshness.is_declared(field(pkg, "frequency"))


def has_spatial_coverage(pkg: Pkg, now: datetime) -> bool:
    return not is_empty(field(pkg, "spatial_coverage", "spatial_uri", "spatial_text",
                              "spatial", "spatial_code"))


def has_temporal_coverage(pkg: Pkg, now: datetime) -> bool:
    return not is_empty(field(pkg, "temporal_coverage", "temporal_start", "temporal_end"))


def has_issued_and_modified(pkg: Pkg, now: datetime) -> bool:
    return not is_empty(field(pkg, "issued")) and not is_empty(field(pkg, "modified"))


def _resources(pkg: Pkg) -> list[Mapping[str, Any]]:
    return [r for r in pkg.get("resources") or [] if isinstance(r, Mapping)]


def has_resources(pkg: Pkg, now: datetime) -> bool:
    return bool(_resources(pkg))


# The three checks on "every resource" fail on a dataset without resources: there is nothing
# to credit (``has_resources`` tells the producer what to do).
def resources_have_url_and_format(pkg: Pkg, now: datetime) -> bool:
    resources = _resources(pkg)
    return bool(resources) and all(
        not is_empty(r.get("url")) and not is_empty(r.get("format")) for r in resources)


def resources_have_description(pkg: Pkg, now: datetime) -> bool:
    resources = _resources(pkg)
    return bool(resources) and all(not is_empty(r.get("description")) for r in resources)


def is_reachable(resource: Mapping[str, Any]) -> bool:
    """A file uploaded to the portal, or an http(s) URL. No network: a path on a network share,
    a workstation or an ftp server is what others cannot open."""
    if resource.get("url_type") == "upload":
        return True
    url = resource.get("url")
    if not isinstance(url, str):
        return False
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def resources_reachable(pkg: Pkg, now: datetime) -> bool:
    resources = _resources(pkg)
    return bool(resources) and all(is_reachable(r) for r in resources)


def last_modified(pkg: Pkg) -> datetime | None:
    """The declared modification date of the data (``modified``), else CKAN's
    ``metadata_modified``."""
    return parse_date(field(pkg, "modified")) or parse_date(pkg.get("metadata_modified"))


def frequency_respected(pkg: Pkg, now: datetime) -> bool:
    return not freshness.is_stale(field(pkg, "frequency"), last_modified(pkg), now)


# ------------------------------------------------------------------ the table
CHECKS: tuple[Check, ...] = (
    # DCAT-AP mandatory
    Check("title", 3, N_("Give the dataset a title."), has_title),
    Check("description", 3, N_("Describe the dataset: what the data are, where they come "
                               "from, how to use them."), has_description),
    Check("description_length", 2, N_("Write a description of at least 100 characters: "
                                      "content, source, method, limits."),
          description_long_enough),
    # DCAT-AP recommended
    Check("keywords", 1, N_("Add keywords so that your colleagues find the dataset when they "
                            "search."), has_keywords),
    Check("themes", 1, N_("Choose at least one theme (EU data themes)."), has_themes),
    Check("contact_point", 2, N_("Give a contact point with an e-mail address, so that users "
                                 "can ask their questions."), has_contact_point),
    Check("publisher", 2, N_("Attach the dataset to the organisation that publishes it."),
          has_publisher),
    Check("license", 2, N_("Choose a licence: open data need a real one (for example "
                           "Licence Ouverte / Etalab 2.0), not “License not specified”."),
          has_license),
    Check("access_rights", 1, N_("State the access level (public, internal, restricted or "
                                 "private)."), has_access_rights),
    Check("update_frequency", 1, N_("Give the update frequency (annual, monthly…)."),
          has_update_frequency),
    Check("spatial_coverage", 1, N_("Give the spatial coverage (whole of France, region, "
                                    "department…)."), has_spatial_coverage),
    Check("temporal_coverage", 1, N_("Give the temporal coverage: the period the data "
                                     "cover."), has_temporal_coverage),
    Check("issued_modified", 1, N_("Give the publication date and the date of the last "
                                   "modification of the data."), has_issued_and_modified),
    # resources
    Check("has_resources", 3, N_("Add at least one resource: a file or a link to the data."),
          has_resources),
    Check("resources_url_format", 2, N_("Give every resource a file or a URL, and its format "
                                        "(CSV, XLSX, JSON…)."), resources_have_url_and_format),
    Check("resources_description", 1, N_("Describe every resource: what the file contains, "
                                         "its columns, its period."),
          resources_have_description),
    Check("resources_reachable", 2, N_("Upload every file to the portal or link it with a web "
                                       "address (http or https): a path on a network share "
                                       "or a workstation cannot be opened by others."),
          resources_reachable),
    # freshness
    Check("frequency_respected", 2, N_("The data are older than their update frequency "
                                       "promises: publish the latest version, or correct the "
                                       "frequency or the modification date."),
          frequency_respected),
)


# ------------------------------------------------------------------ scoring
def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(timezone.utc)


def evaluate(pkg: Pkg, now: datetime | None = None,
             checks: Iterable[Check] = CHECKS) -> list[CheckResult]:
    """Every check run on ``pkg``, in the table's order. ``now`` defaults to the current time
    (it only matters to ``frequency_respected``)."""
    moment = _now(now)
    return [CheckResult(c.name, bool(c.test(pkg, moment)), c.weight, c.hint) for c in checks]


def _round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def score(results: Iterable[CheckResult]) -> int:
    """0–100: the share of the weights of the passed checks."""
    results = list(results)
    total = sum(r.weight for r in results)
    if not total:
        return 0
    return _round_half_up(100 * sum(r.weight for r in results if r.passed) / total)


def dataset_score(pkg: Pkg, now: datetime | None = None) -> int:
    return score(evaluate(pkg, now))


def quality_report(pkg: Pkg, now: datetime | None = None,
                   translate: Callable[[str], str] = lambda msgid: msgid) -> dict[str, Any]:
    """``{"score": int, "checks": [{"name", "passed", "weight", "hint"}]}``, hints translated
    with ``translate`` (``tk._`` in CKAN)."""
    results = evaluate(pkg, now)
    return {
        "score": score(results),
        "checks": [{"name": r.name, "passed": r.passed, "weight": r.weight,
                    "hint": translate(r.hint)} for r in results],
    }


# ------------------------------------------------------------------ averages
def average_from_counts(counts: Mapping[Any, int]) -> int | None:
    """The mean score from ``{score: number of datasets}`` (a search facet: keys may be
    strings such as ``"045"``); None when there are no datasets."""
    total = sum(counts.values())
    if not total:
        return None
    return _round_half_up(sum(int(s) * n for s, n in counts.items()) / total)
