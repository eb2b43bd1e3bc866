"""Is a dataset updated as often as its declared frequency says? Pure, with an explicit ``now``.

Frequencies are the EU "frequency" authority table
(http://publications.europa.eu/resource/authority/frequency/…): a full URI or its code
(``ANNUAL``), in any case. A few other spellings (Dublin Core ``cld:freq``, data.gouv.fr) are
mapped to the EU code. A dataset is stale when its last modification is older than the
tolerance of its frequency: one period plus a margin for late releases (ANNUAL: 13 months).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

DAY = timedelta(days=1)

# EU frequency code -> tolerance since the last modification. None: never stale.
TOLERANCES: dict[str, timedelta | None] = {
    # several times a day, or continuously: a modification in the last couple of days
    "UPDATE_CONT": 3 * DAY, "CONT": 3 * DAY,
    "1MIN": 2 * DAY, "5MIN": 2 * DAY, "10MIN": 2 * DAY, "15MIN": 2 * DAY, "30MIN": 2 * DAY,
    "HOURLY": 2 * DAY, "BIHOURLY": 2 * DAY, "TRIHOURLY": 2 * DAY, "12HRS": 2 * DAY,
    "DAILY_2": 3 * DAY, "DAILY": 3 * DAY,                 # a long weekend
    "WEEKLY_3": 10 * DAY, "WEEKLY_2": 10 * DAY, "WEEKLY": 10 * DAY,
    "BIWEEKLY": 17 * DAY,                                 # every two weeks
    "MONTHLY_3": 38 * DAY, "MONTHLY_2": 38 * DAY, "MONTHLY": 38 * DAY,
    "BIMONTHLY": 69 * DAY,                                # every two months
    "QUARTERLY": 100 * DAY,
    "ANNUAL_3": 130 * DAY,                                # three times a year
    "ANNUAL_2": 200 * DAY,                                # twice a year
    "ANNUAL": 396 * DAY,                                  # 13 months
    "BIENNIAL": 761 * DAY, "TRIENNIAL": 1126 * DAY, "QUADRENNIAL": 1492 * DAY,
    "QUINQUENNIAL": 1857 * DAY, "DECENNIAL": 3683 * DAY,
    "BIDECENNIAL": 7335 * DAY, "TRIDECENNIAL": 10988 * DAY,
    # no schedule: never stale
    "IRREG": None, "NEVER": None, "UNKNOWN": None, "OTHER": None, "AS_NEEDED": None,
    "NOT_PLANNED": None, "OP_DATPRO": None,
}

# Other spellings met in harvested metadata -> EU code.
ALIASES = {
    "CONTINUOUS": "CONT", "IRREGULAR": "IRREG", "PUNCTUAL": "NEVER",
    "SEMIANNUAL": "ANNUAL_2", "THREETIMESAYEAR": "ANNUAL_3",
    "SEMIMONTHLY": "MONTHLY_2", "THREETIMESAMONTH": "MONTHLY_3",
    "SEMIWEEKLY": "WEEKLY_2", "THREETIMESAWEEK": "WEEKLY_3",
    "SEMIDAILY": "DAILY_2",
}


def frequency_code(value: Any) -> str | None:
    """``http://…/frequency/ANNUAL``, ``annual`` or ``ANNUAL`` -> ``ANNUAL``; None if empty."""
    if not isinstance(value, str) or not value.strip():
        return None
    code = value.strip().rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].upper()
    return ALIASES.get(code, code)


def is_declared(value: Any) -> bool:
    """A frequency that tells something (UNKNOWN does not, as on data.gouv.fr)."""
    return frequency_code(value) not in (None, "UNKNOWN")


def tolerance(value: Any) -> timedelta | None:
    """How long after its last modification a dataset of this frequency becomes stale;
    None when it never does (no schedule, unknown or missing frequency)."""
    code = frequency_code(value)
    return TOLERANCES.get(code) if code else None


def is_stale(frequency: Any, last_modified: datetime | None, now: datetime) -> bool:
    """Whether ``now`` is past the tolerance of ``frequency`` since ``last_modified``.

    Never stale without a schedule (IRREG, NEVER, UNKNOWN, missing) or without a date.
    Naive datetimes are taken as UTC.
    """
    limit = tolerance(frequency)
    if limit is None or last_modified is None:
        return False
    return _utc(now) - _utc(last_modified) > limit


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
