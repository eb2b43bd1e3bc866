"""The tables of internalportal_stats (created by its alembic migration,
``ckan db upgrade -p internalportal_stats``):

- ``internalportal_usage_hourly``: events per hour, dataset, resource, event, channel and
  consumer; kept ``ckanext.internalportal.stats.hourly_retention_days`` days;
- ``internalportal_usage_daily``: the same per day (UTC), kept forever;
- ``internalportal_usage_batch``: the Redis batches already added (what makes the rollup
  idempotent: a batch found here again is only removed from Redis);
- ``internalportal_usage_lost``: the events that could not be counted (Redis down), per hour.

No foreign key to ``package``: a deleted, even purged, dataset keeps its history. ``resource_id``
is ``''`` for the events of the dataset itself.
"""
from __future__ import annotations

import sqlalchemy as sa

from ckan.model.base import BaseModel

_metadata = BaseModel.metadata


def _usage_columns(moment: sa.Column) -> list:
    return [
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        moment,
        sa.Column("resource_id", sa.UnicodeText, primary_key=True, server_default=""),
        sa.Column("event", sa.UnicodeText, primary_key=True),
        sa.Column("channel", sa.UnicodeText, primary_key=True),
        sa.Column("consumer", sa.UnicodeText, primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
    ]


hourly_table = sa.Table(
    "internalportal_usage_hourly", _metadata,
    *_usage_columns(sa.Column("hour", sa.DateTime, primary_key=True)),
    sa.Index("idx_internalportal_usage_hourly_hour", "hour"),
)

daily_table = sa.Table(
    "internalportal_usage_daily", _metadata,
    *_usage_columns(sa.Column("day", sa.Date, primary_key=True)),
    sa.Index("idx_internalportal_usage_daily_day", "day"),
)

batch_table = sa.Table(
    "internalportal_usage_batch", _metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("flushed", sa.DateTime, nullable=False),
    sa.Column("counters", sa.Integer, nullable=False),
    sa.Column("events", sa.BigInteger, nullable=False),
)

lost_table = sa.Table(
    "internalportal_usage_lost", _metadata,
    sa.Column("hour", sa.DateTime, primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)
