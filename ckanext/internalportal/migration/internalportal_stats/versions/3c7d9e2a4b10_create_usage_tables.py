"""internalportal_stats: hourly and daily usage, rolled-up batches, lost events

Revision ID: 3c7d9e2a4b10
Revises:
Create Date: 2026-12-03 03:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "3c7d9e2a4b10"
down_revision = None
branch_labels = None
depends_on = None


def _usage_columns(moment):
    # the primary key leads with package_id: a dataset's figures are one index range
    return [
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        moment,
        sa.Column("resource_id", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("event", sa.UnicodeText, nullable=False),
        sa.Column("channel", sa.UnicodeText, nullable=False),
        sa.Column("consumer", sa.UnicodeText, nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
    ]


def upgrade():
    op.create_table(
        "internalportal_usage_hourly",
        *_usage_columns(sa.Column("hour", sa.DateTime, nullable=False)),
        sa.PrimaryKeyConstraint("package_id", "hour", "resource_id", "event", "channel",
                                "consumer", name="internalportal_usage_hourly_pkey"),
    )
    op.create_index("idx_internalportal_usage_hourly_hour", "internalportal_usage_hourly",
                    ["hour"])
    op.create_table(
        "internalportal_usage_daily",
        *_usage_columns(sa.Column("day", sa.Date, nullable=False)),
        sa.PrimaryKeyConstraint("package_id", "day", "resource_id", "event", "channel",
                                "consumer", name="internalportal_usage_daily_pkey"),
    )
    op.create_index("idx_internalportal_usage_daily_day", "internalportal_usage_daily",
                    ["day"])
    op.create_table(
        "internalportal_usage_batch",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("flushed", sa.DateTime, nullable=False),
        sa.Column("counters", sa.Integer, nullable=False),
        sa.Column("events", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "internalportal_usage_lost",
        sa.Column("hour", sa.DateTime, primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
    )


def downgrade():
    op.drop_table("internalportal_usage_lost")
    op.drop_table("internalportal_usage_batch")
    op.drop_index("idx_internalportal_usage_daily_day", "internalportal_usage_daily")
    op.drop_table("internalportal_usage_daily")
    op.drop_index("idx_internalportal_usage_hourly_hour", "internalportal_usage_hourly")
    op.drop_table("internalportal_usage_hourly")
