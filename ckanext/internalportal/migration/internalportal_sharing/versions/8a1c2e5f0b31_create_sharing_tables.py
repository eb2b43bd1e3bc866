"""internalportal_sharing: shares, access requests, audit trail

Revision ID: 8a1c2e5f0b31
Revises:
Create Date: 2026-12-02 03:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "8a1c2e5f0b31"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "internalportal_share",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("group_id", sa.UnicodeText,
                  sa.ForeignKey("group.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="active"),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.UnicodeText),
        sa.Column("expires", sa.DateTime),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("can_edit", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("ended", sa.DateTime),
        sa.Column("ended_by", sa.UnicodeText),
        sa.Column("request_id", sa.UnicodeText),
    )
    op.create_index("idx_internalportal_share_active", "internalportal_share",
                    ["package_id", "group_id"], unique=True,
                    postgresql_where=sa.text("state = 'active'"))
    op.create_index("idx_internalportal_share_group", "internalportal_share",
                    ["group_id", "state"])
    op.create_index("idx_internalportal_share_expires", "internalportal_share", ["expires"],
                    postgresql_where=sa.text("state = 'active' AND expires IS NOT NULL"))

    op.create_table(
        "internalportal_access_request",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("group_id", sa.UnicodeText,
                  sa.ForeignKey("group.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("decided", sa.DateTime),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("decision_reason", sa.UnicodeText),
        sa.Column("share_id", sa.UnicodeText),
    )
    op.create_index("idx_internalportal_request_pending", "internalportal_access_request",
                    ["package_id", "group_id"], unique=True,
                    postgresql_where=sa.text("state = 'pending'"))

    op.create_table(
        "internalportal_sharing_event",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("timestamp", sa.DateTime, nullable=False),
        sa.Column("event", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("group_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("share_id", sa.UnicodeText),
        sa.Column("request_id", sa.UnicodeText),
        sa.Column("expires", sa.DateTime),
    )
    op.create_index("idx_internalportal_event_package", "internalportal_sharing_event",
                    ["package_id", "timestamp"])


def downgrade():
    op.drop_table("internalportal_sharing_event")
    op.drop_table("internalportal_access_request")
    op.drop_table("internalportal_share")
