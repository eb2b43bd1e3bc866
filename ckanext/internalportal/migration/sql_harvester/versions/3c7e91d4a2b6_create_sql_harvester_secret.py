"""sql_harvester: the passwords taken out of SQL sources' URLs

Revision ID: 3c7e91d4a2b6
Revises:
Create Date: 2026-12-02 06:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "3c7e91d4a2b6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sql_harvester_secret",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("source_id", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False),
        sa.Column("bound_url", sa.UnicodeText, nullable=False),
        sa.Column("secret", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index("idx_sql_harvester_secret_source", "sql_harvester_secret", ["source_id"])


def downgrade():
    op.drop_table("sql_harvester_secret")
