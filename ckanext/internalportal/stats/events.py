"""The usage events, as pure functions: what is counted, how a counter is named in Redis, who
the consumer is, and how a batch of counters becomes rows of the hourly and daily tables.

An event is one reading of a dataset (or of one of its resources):

====================  ==========  ===========================================================
event                 channel     when
====================  ==========  ===========================================================
``view``              web         the dataset's page is shown
``resource_view``     web         a resource's page is shown
``download``          download    a file is downloaded (FileStore) or an external link followed
``api``               api         ``package_show``, ``resource_show``, a DataStore read
``search``            web / api   the dataset appears in a page of search results
====================  ==========  ===========================================================

It is attributed to an hour (UTC), and to the **consumer**: the organisation(s) of the signed-in
reader (their ids), ``public`` for an anonymous visitor, ``same`` when the reader belongs to the
producer's organisation, ``none`` for a signed-in reader in no organisation. Nothing else about
the reader is kept: no user id, no address, no user agent.
"""
from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple, Optional

EVENTS = ("view", "resource_view", "download", "api", "search")
CHANNELS = ("web", "api", "download")
CHANNEL_OF_EVENT = {"view": "web", "resource_view": "web", "download": "download", "api": "api"}

# the totals an action returns, and the events each one adds up
TOTALS = {
    "views": ("view", "resource_view"),
    "downloads": ("download",),
    "api_calls": ("api",),
    "search_appearances": ("search",),
}
TOTAL_OF_EVENT = {event: total for total, events in TOTALS.items() for event in events}

PUBLIC = "public"
SAME = "same"
UNAFFILIATED = "none"
SPECIAL_CONSUMERS = (PUBLIC, SAME, UNAFFILIATED)

GRANULARITIES = ("hour", "day", "month")
HOUR_FORMAT = "%Y%m%d%H"
SEPARATOR = "|"


class Counter(NamedTuple):
    """One Redis counter: the events of one kind, for one dataset (and resource), one hour,
    one channel, one consumer."""
    hour: datetime.datetime
    package_id: str
    resource_id: str
    event: str
    channel: str
    consumer: str


def hour_of(moment: datetime.datetime) -> datetime.datetime:
    """The hour (naive UTC) an event of ``moment`` belongs to."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.replace(minute=0, second=0, microsecond=0)


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def field(counter: Counter) -> str:
    """The name of ``counter`` in the live Redis hash."""
    return SEPARATOR.join((counter.hour.strftime(HOUR_FORMAT), counter.package_id,
                           counter.resource_id, counter.event, counter.channel,
                           counter.consumer))


def parse_field(name: str | bytes) -> Optional[Counter]:
    """The counter a Redis field names; None for a name this version does not write (left
    out of the rollup, never an error)."""
    if isinstance(name, bytes):
        name = name.decode("utf-8", "replace")
    parts = name.split(SEPARATOR)
    if len(parts) != 6:
        return None
    hour, package_id, resource_id, event, channel, consumer = parts
    if event not in EVENTS or channel not in CHANNELS or not package_id or not consumer:
        return None
    try:
        moment = datetime.datetime.strptime(hour, HOUR_FORMAT)
    except ValueError:
        return None
    return Counter(moment, package_id, resource_id, event, channel, consumer)


def consumers(producer_org: Optional[str], reader_orgs: Optional[Iterable[str]]) -> tuple[str, ...]:
    """Who consumes a dataset of ``producer_org`` when read by a reader in ``reader_orgs``
    (their organisations' ids; None: an anonymous visitor). A reader of the producer's own
    organisation counts once, as ``same``; a reader of several others counts for each."""
    if reader_orgs is None:
        return (PUBLIC,)
    orgs = sorted(set(reader_orgs))
    if producer_org and producer_org in orgs:
        return (SAME,)
    return tuple(orgs) or (UNAFFILIATED,)


def bot_patterns(lines: Iterable[str]) -> Optional[re.Pattern]:
    """One case-insensitive pattern from a user-agent list (one substring per line, ``#``
    comments and blank lines ignored); None for an empty list."""
    words = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(re.escape(line.lower()))
    return re.compile("|".join(words)) if words else None


def is_bot(user_agent: Optional[str], patterns: Optional[re.Pattern]) -> bool:
    """Whether ``user_agent`` names a known robot of the list (an empty agent is not one)."""
    if not user_agent or patterns is None:
        return False
    return patterns.search(user_agent.lower()) is not None


def rollup(batch: Mapping[str | bytes, int | bytes | str]) -> tuple[dict[Counter, int],
                                                                     dict[tuple, int]]:
    """A batch of Redis counters -> the hourly rows and the daily rows to add, each a key ->
    count (the daily key: the counter with the day in place of the hour). Unreadable names and
    counts are left out."""
    hourly: dict[Counter, int] = defaultdict(int)
    daily: dict[tuple, int] = defaultdict(int)
    for name, value in batch.items():
        counter = parse_field(name)
        try:
            count = int(value)
        except (TypeError, ValueError):
            continue
        if counter is None or count <= 0:
            continue
        hourly[counter] += count
        daily[(counter.hour.date(),) + tuple(counter[1:])] += count
    return dict(hourly), dict(daily)


def bucket_of(moment: datetime.datetime | datetime.date, granularity: str) -> datetime.datetime:
    """The start of the ``granularity`` bucket ``moment`` falls in."""
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime(moment.year, moment.month, moment.day)
    if granularity == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.replace(day=1) if granularity == "month" else day


def next_bucket(moment: datetime.datetime, granularity: str) -> datetime.datetime:
    if granularity == "hour":
        return moment + datetime.timedelta(hours=1)
    if granularity == "day":
        return moment + datetime.timedelta(days=1)
    return (moment.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def count_buckets(start: datetime.datetime, end: datetime.datetime, granularity: str) -> int:
    """How many buckets ``buckets(start, end, granularity)`` gives, without making them."""
    first, last = bucket_of(start, granularity), bucket_of(end, granularity)
    if last < first:
        return 0
    if granularity == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    step = 3600 if granularity == "hour" else 86400
    return int((last - first).total_seconds() // step) + 1


def buckets(start: datetime.datetime, end: datetime.datetime, granularity: str) -> list[datetime.datetime]:
    """Every bucket from the one of ``start`` to the one of ``end``, both included."""
    out, current, last = [], bucket_of(start, granularity), bucket_of(end, granularity)
    while current <= last:
        out.append(current)
        current = next_bucket(current, granularity)
    return out


def empty_totals() -> dict[str, int]:
    return {total: 0 for total in TOTALS}


def series(rows: Iterable[tuple], start: datetime.datetime, end: datetime.datetime,
           granularity: str) -> list[dict]:
    """(moment, event, count) rows -> one point per bucket of the period, zeros included:
    ``{"date": ISO date or date-time, "views": …, "downloads": …, "api_calls": …,
    "search_appearances": …}``."""
    points = {moment: empty_totals() for moment in buckets(start, end, granularity)}
    for moment, event, count in rows:
        bucket = bucket_of(moment, granularity)
        total = TOTAL_OF_EVENT.get(event)
        if bucket in points and total:
            points[bucket][total] += int(count)
    fmt = "%Y-%m-%dT%H:00" if granularity == "hour" else (
        "%Y-%m" if granularity == "month" else "%Y-%m-%d")
    return [dict(date=moment.strftime(fmt), **values) for moment, values in points.items()]


def totals(rows: Iterable[tuple]) -> dict[str, int]:
    """(event, count) rows -> the four totals."""
    out = empty_totals()
    for event, count in rows:
        total = TOTAL_OF_EVENT.get(event)
        if total:
            out[total] += int(count)
    return out
