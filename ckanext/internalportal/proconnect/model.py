"""The table of internalportal_proconnect (``ckan db upgrade -p internalportal_proconnect``):
``internalportal_proconnect_account``, one row per CKAN user who signed in through ProConnect.

- ``email`` (lower case, unique): the key agents are reconciled by, as ProConnect asks;
- ``sub``, ``uid``, ``idp_id``: what the provider last said, for support;
- ``siret``: the establishment of the last sign-in;
- ``organization_id``: the organisation the plugin itself placed the agent in (the one they
  leave when they move, ``leave_previous_organization``); null when their last sign-in
  matched none: they are then in the administrators' list of accounts to place;
- ``first_login`` / ``last_login`` (UTC).
"""
from __future__ import annotations

import sqlalchemy as sa

from ckan.model.base import BaseModel

account_table = sa.Table(
    "internalportal_proconnect_account", BaseModel.metadata,
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
