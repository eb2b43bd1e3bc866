"""The rollup: exact, idempotent, and crash-safe — a ``ckan internalportal stats flush``
process killed (SIGKILL) in the middle loses nothing and counts nothing twice."""
from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from ckan import model
from ckanext.internalportal import settings
from ckanext.internalportal.stats import events

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("counters")]

ROOT = Path(__file__).resolve().parents[2]
CKAN = Path(sys.executable).with_name("ckan")


def _hour(days_ago=0, hour=10):
    return datetime.datetime.combine(events.utcnow().date() - datetime.timedelta(days=days_ago),
                                     datetime.time(hour))


def _sums():
    model.Session.remove()
    hourly = model.Session.execute(sa.text(
        "SELECT coalesce(sum(count), 0) FROM internalportal_usage_hourly")).scalar()
    daily = model.Session.execute(sa.text(
        "SELECT coalesce(sum(count), 0) FROM internalportal_usage_daily")).scalar()
    return int(hourly), int(daily)


def _killed_flush(step: str) -> None:
    process = subprocess.Popen(
        [str(CKAN), "-c", str(ROOT / "test.ini"), "internalportal", "stats", "flush",
         "--pause-at", step], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        cwd=ROOT)
    try:
        for line in process.stdout:
            if line.strip() == f"pause {step}":
                break
        else:
            pytest.fail(f"the flush ended before the step {step}")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


def test_a_flush_killed_before_its_commit_or_after_it_loses_nothing_and_counts_once(counters):
    counter = events.Counter(_hour(), "pkg-1", "", "view", "web", events.PUBLIC)
    counters.add({counter: 7, counter._replace(event="download", channel="download",
                                               resource_id="res-1"): 3})

    _killed_flush("before-commit")  # the transaction is rolled back by PostgreSQL
    assert _sums() == (0, 0)
    r = counters.client()
    assert list(r.scan_iter(match=counters.prefix() + "batch:*"))  # the batch waits

    _killed_flush("committed")  # applied, but its Redis key not deleted
    assert _sums() == (10, 10)
    assert list(r.scan_iter(match=counters.prefix() + "batch:*"))

    counters.add({counter: 2})
    report = counters.flush()
    assert report.already_applied == 1 and report.events == 2
    assert _sums() == (12, 12)
    assert not list(r.scan_iter(match=counters.prefix() + "batch:*"))
    assert counters.flush().events == 0  # nothing left, nothing added again
    assert _sums() == (12, 12)


def test_hours_older_than_the_retention_go_days_stay(counters):
    old = events.Counter(_hour(days_ago=100), "pkg-1", "", "view", "web", events.PUBLIC)
    recent = old._replace(hour=_hour(days_ago=1))
    counters.add({old: 4, recent: 5})
    report = counters.flush()
    assert report.hourly_deleted == 1
    assert _sums() == (5, 9)


def test_unreadable_counters_are_left_out_not_an_error(counters):
    r = counters.client()
    good = events.Counter(_hour(), "pkg-1", "", "api", "api", "org-b")
    r.hset(counters.key("live"), mapping={events.field(good): 2, "garbage": 5,
                                          "2026|x|y|unknown|web|public": 1})
    counters.flush()
    assert _sums() == (2, 2)
