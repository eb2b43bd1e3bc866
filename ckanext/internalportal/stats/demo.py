"""The demo's usage history (``ckan internalportal stats demo``): months of plausible readings
of the portal's datasets, recorded through the same path as real ones (Redis counters, then the
rollup), so that the statistics pages have something to show on a fresh demo.

Deterministic (a seed): run again, it replaces the past history (days before today, UTC) with
the same figures instead of adding to it; today's real readings are kept.

Who reads what: the producer's own organisation most, the public for public datasets, and a
few partner organisations (for a private dataset, the organisations it is shared with, when
internalportal_sharing records shares). Weekdays more than weekends, office hours, a slow
upward trend.
"""
from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from ckan import model

from ckanext.internalportal.stats import events, store
from ckanext.internalportal.stats import model as stats_model

OFFICE_HOURS = (9, 10, 11, 14, 15, 16)


def _datasets() -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(model.Package.id, model.Package.owner_org, model.Package.private)
        .where(model.Package.state == "active", model.Package.type == "dataset")
        .order_by(model.Package.name)).all()
    resources = defaultdict(list)
    for resource_id, package_id in model.Session.execute(
            sa.select(model.Resource.id, model.Resource.package_id)
            .where(model.Resource.state == "active").order_by(model.Resource.position)):
        resources[package_id].append(resource_id)
    return [{"id": r.id, "owner_org": r.owner_org, "private": r.private,
             "resources": resources[r.id]} for r in rows]


def _organizations() -> list[str]:
    return list(model.Session.execute(
        sa.select(model.Group.id).where(model.Group.is_organization.is_(True),
                                        model.Group.state == "active")
        .order_by(model.Group.name)).scalars())


def _shared_with(package_id: str) -> list[str]:
    try:
        from ckanext.internalportal.sharing.model import Share
        return [share.group_id for share in Share.active(package_id=package_id)]
    except Exception:  # sharing not installed, or its tables not created
        model.Session.rollback()
        return []


def _readers(dataset: dict, orgs: list[str], rng: random.Random) -> list[tuple[str, float]]:
    """(consumer, share of the readings) for a dataset."""
    others = [o for o in orgs if o != dataset["owner_org"]]
    if dataset["private"]:
        partners = _shared_with(dataset["id"])
    else:
        partners = rng.sample(others, k=min(len(others), rng.randint(1, 3)))
    readers = [(events.SAME, 0.45)]
    if not dataset["private"]:
        readers.append((events.PUBLIC, 0.25))
    for partner in partners:
        readers.append((partner, 0.3 / max(1, len(partners))))
    return readers


def counts(days: int, seed: int, today: datetime.date) -> dict[events.Counter, int]:
    """The history: counter -> events, for the ``days`` days before ``today``."""
    rng = random.Random(seed)
    datasets, orgs = _datasets(), _organizations()
    out: dict[events.Counter, int] = defaultdict(int)
    for rank, dataset in enumerate(datasets):
        popularity = 12.0 / (1 + rank % 12) * rng.uniform(0.6, 1.4)
        readers = _readers(dataset, orgs, rng)
        for back in range(days, 0, -1):
            day = today - datetime.timedelta(days=back)
            trend = 0.6 + 0.4 * (days - back) / days
            weekday = 1.0 if day.weekday() < 5 else 0.15
            for consumer, share in readers:
                expected = popularity * trend * weekday * share
                views = int(rng.gauss(expected, expected / 3) + 0.5) if expected >= 1 else (
                    1 if rng.random() < expected else 0)
                if views <= 0:
                    continue
                hour = datetime.datetime.combine(day, datetime.time(rng.choice(OFFICE_HOURS)))

                def put(event, channel, n, resource_id=""):
                    if n > 0:
                        out[events.Counter(hour, dataset["id"], resource_id, event, channel,
                                           consumer)] += n

                put("view", "web", views)
                put("search", "web", views * rng.randint(2, 6))
                for resource_id in dataset["resources"][:3]:
                    put("resource_view", "web", int(views * rng.uniform(0.1, 0.5)), resource_id)
                    put("download", "download", int(views * rng.uniform(0.1, 0.6)), resource_id)
                if consumer != events.PUBLIC:
                    put("api", "api", int(views * rng.uniform(0.0, 0.8)))
    return dict(out)


def generate(days: int = 180, seed: int = 2026,
             progress: Callable[[str], None] = lambda message: None) -> str:
    """Replace the past usage history with the demo's, through Redis and the rollup."""
    today = events.utcnow().date()
    # today's real readings first into PostgreSQL, where the deletion below leaves them
    store.flush()
    with model.meta.engine.begin() as conn:
        conn.execute(stats_model.hourly_table.delete().where(
            stats_model.hourly_table.c.hour < datetime.datetime.combine(today, datetime.time())))
        conn.execute(stats_model.daily_table.delete().where(
            stats_model.daily_table.c.day < today))
    history = counts(days, seed, today)
    progress(f"{len(history)} compteurs, {sum(history.values())} événements sur {days} jours…")
    store.add(history)
    report = store.flush()
    return str(report)
