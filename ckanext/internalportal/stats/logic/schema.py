"""Input schemas of the usage actions (applied with ``tk.navl_validate``), and their
validators (pure: no database)."""
from __future__ import annotations

import datetime
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from ckanext.internalportal.lib.values import is_empty
from ckanext.internalportal.stats import events

# the longest period each granularity may cover (a series stays a few hundred points)
MAX_BUCKETS = {"hour": 24 * 31, "day": 366 * 3, "month": 12 * 30}
DEFAULT_DAYS = 30


def parse_moment(value: Any, end: bool = False) -> datetime.datetime:
    """A date (``2026-11-30``) or a date-time (ISO 8601) as a naive UTC datetime; a bare end
    date means the whole of that day. Raises ``ValueError``."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time())
        if end:
            moment += datetime.timedelta(days=1, microseconds=-1)
    elif isinstance(value, str):
        text = value.strip()
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            return parse_moment(day, end)
    else:
        raise ValueError(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def _moment(end: bool):
    def validator(value: Any, context: Any) -> Optional[datetime.datetime]:
        if is_empty(value):
            return None
        try:
            return parse_moment(value, end)
        except (ValueError, TypeError, OverflowError):
            raise tk.Invalid(tk._("Not a date: give it as YYYY-MM-DD (for example "
                                  "2026-11-30)."))
    return validator


internalportal_usage_start = _moment(False)
internalportal_usage_end = _moment(True)


def internalportal_usage_granularity(value: Any, context: Any) -> str:
    if is_empty(value):
        return "day"
    if value not in events.GRANULARITIES:
        raise tk.Invalid(tk._("Unknown granularity: choose hour, day or month."))
    return value


def period(data: dict, now: Optional[datetime.datetime] = None) -> tuple[datetime.datetime,
                                                                         datetime.datetime]:
    """The period asked for: ``end`` defaults to now, ``start`` to ``DEFAULT_DAYS`` days
    before ``end``. Raises ``tk.ValidationError`` (French message, field named) for a start
    after the end or a period too long for the granularity."""
    now = now or events.utcnow()
    end = data.get("end") or now
    start = data.get("start") or events.bucket_of(end - datetime.timedelta(days=DEFAULT_DAYS - 1),
                                                  "day")
    granularity = data.get("granularity") or "day"
    if start > end:
        raise tk.ValidationError({"start": [tk._("The start of the period must come before "
                                                 "its end.")]})
    if events.count_buckets(start, end, granularity) > MAX_BUCKETS[granularity]:
        raise tk.ValidationError({"granularity": [
            tk._("The period is too long for this granularity (at most {count} points): "
                 "choose a shorter period or a coarser granularity.").format(
                count=MAX_BUCKETS[granularity])]})
    return start, end


@validator_args
def usage_show(not_missing: Validator, not_empty: Validator, unicode_safe: Validator,
               ignore_missing: Validator) -> Schema:
    return {
        "id": [not_missing, not_empty, unicode_safe],
        "start": [ignore_missing, internalportal_usage_start],
        "end": [ignore_missing, internalportal_usage_end],
        "granularity": [internalportal_usage_granularity],
    }


@validator_args
def site_usage_show(unicode_safe: Validator, ignore_missing: Validator) -> Schema:
    return {
        "start": [ignore_missing, internalportal_usage_start],
        "end": [ignore_missing, internalportal_usage_end],
        "granularity": [internalportal_usage_granularity],
    }
