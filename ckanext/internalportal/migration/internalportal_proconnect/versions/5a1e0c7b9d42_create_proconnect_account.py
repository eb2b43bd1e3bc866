"""internalportal_proconnect: the accounts signed in through ProConnect

Revision ID: 5a1e0c7b9d42
Revises:
Create Date: 2026-12-04 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "5a1e0c7b9d42"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "internalportal_proconnect_account",
        sa.Column("user_id", sa.UnicodeText,
                  sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("email", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("sub", sa.UnicodeText, nullable=False),
        sa.Column("uid", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("idp_id", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("siret", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("organization_id", sa.UnicodeText,
                  sa.ForeignKey("group.id", ondelete="SET NULL"), nullable=True),
        sa.Column("first_login", sa.DateTime, nullable=False),
        sa.Column("last_login", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("internalportal_proconnect_account")
