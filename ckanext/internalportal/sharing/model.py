"""The tables of internalportal_sharing (created by its alembic migration,
``ckan db upgrade -p internalportal_sharing``):

- ``internalportal_share``: a dataset granted to an organisation, until an optional date;
- ``internalportal_access_request``: an agent's request for the data of a restricted dataset,
  for their organisation, and its decision;
- ``internalportal_sharing_event``: the audit trail (grant, revoke, expiry, request, decision:
  who, when, which organisation, why). Rows are only ever added.
"""
from __future__ import annotations

import datetime
from typing import Optional

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Table, UnicodeText, text
from sqlalchemy.orm import Mapped

import ckan.model.types as _types
from ckan.model import meta
from ckan.model.base import BaseModel
from ckan.model.domain_object import DomainObject

SHARE_STATES = ("active", "revoked", "expired")
REQUEST_STATES = ("pending", "approved", "refused")
EVENTS = ("granted", "revoked", "expired", "requested", "approved", "refused")


def utcnow() -> datetime.datetime:
    """Naive UTC, as CKAN stores its timestamps."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Share(DomainObject, BaseModel):
    __table__ = Table(
        "internalportal_share", BaseModel.metadata,
        Column("id", UnicodeText, primary_key=True, default=_types.make_uuid),
        Column("package_id", UnicodeText, ForeignKey("package.id", ondelete="CASCADE"),
               nullable=False),
        Column("group_id", UnicodeText, ForeignKey("group.id", ondelete="CASCADE"),
               nullable=False),
        Column("state", UnicodeText, nullable=False, default="active"),
        Column("created", DateTime, nullable=False, default=utcnow),
        Column("created_by", UnicodeText),
        Column("expires", DateTime),
        Column("reason", UnicodeText),
        Column("can_edit", Boolean, nullable=False, default=False),
        Column("ended", DateTime),
        Column("ended_by", UnicodeText),
        Column("request_id", UnicodeText),
        Index("idx_internalportal_share_active", "package_id", "group_id", unique=True,
              postgresql_where=text("state = 'active'")),
        Index("idx_internalportal_share_group", "group_id", "state"),
        Index("idx_internalportal_share_expires", "expires",
              postgresql_where=text("state = 'active' AND expires IS NOT NULL")),
    )
    id: Mapped[str]
    package_id: Mapped[str]
    group_id: Mapped[str]
    state: Mapped[str]
    created: Mapped[datetime.datetime]
    created_by: Mapped[Optional[str]]
    expires: Mapped[Optional[datetime.datetime]]
    reason: Mapped[Optional[str]]
    can_edit: Mapped[bool]
    ended: Mapped[Optional[datetime.datetime]]
    ended_by: Mapped[Optional[str]]
    request_id: Mapped[Optional[str]]

    @classmethod
    def active(cls, package_id: Optional[str] = None, group_id: Optional[str] = None,
               now: Optional[datetime.datetime] = None):
        """The shares in force at ``now``: active and not past their date (a share past its
        date stops working at once, before the expiry sweep records it)."""
        now = now or utcnow()
        query = meta.Session.query(cls).filter(cls.state == "active").filter(
            (cls.expires.is_(None)) | (cls.expires > now))
        if package_id is not None:
            query = query.filter(cls.package_id == package_id)
        if group_id is not None:
            query = query.filter(cls.group_id == group_id)
        return query


class AccessRequest(DomainObject, BaseModel):
    __table__ = Table(
        "internalportal_access_request", BaseModel.metadata,
        Column("id", UnicodeText, primary_key=True, default=_types.make_uuid),
        Column("package_id", UnicodeText, ForeignKey("package.id", ondelete="CASCADE"),
               nullable=False),
        Column("group_id", UnicodeText, ForeignKey("group.id", ondelete="CASCADE"),
               nullable=False),
        Column("user_id", UnicodeText, nullable=False),
        Column("reason", UnicodeText, nullable=False),
        Column("state", UnicodeText, nullable=False, default="pending"),
        Column("created", DateTime, nullable=False, default=utcnow),
        Column("decided", DateTime),
        Column("decided_by", UnicodeText),
        Column("decision_reason", UnicodeText),
        Column("share_id", UnicodeText),
        Index("idx_internalportal_request_pending", "package_id", "group_id", unique=True,
              postgresql_where=text("state = 'pending'")),
    )
    id: Mapped[str]
    package_id: Mapped[str]
    group_id: Mapped[str]
    user_id: Mapped[str]
    reason: Mapped[str]
    state: Mapped[str]
    created: Mapped[datetime.datetime]
    decided: Mapped[Optional[datetime.datetime]]
    decided_by: Mapped[Optional[str]]
    decision_reason: Mapped[Optional[str]]
    share_id: Mapped[Optional[str]]


class SharingEvent(DomainObject, BaseModel):
    __table__ = Table(
        "internalportal_sharing_event", BaseModel.metadata,
        Column("id", UnicodeText, primary_key=True, default=_types.make_uuid),
        Column("timestamp", DateTime, nullable=False, default=utcnow),
        Column("event", UnicodeText, nullable=False),
        Column("package_id", UnicodeText, nullable=False),
        Column("group_id", UnicodeText, nullable=False),
        Column("user_id", UnicodeText),
        Column("reason", UnicodeText),
        Column("share_id", UnicodeText),
        Column("request_id", UnicodeText),
        Column("expires", DateTime),
        Index("idx_internalportal_event_package", "package_id", "timestamp"),
    )
    id: Mapped[str]
    timestamp: Mapped[datetime.datetime]
    event: Mapped[str]
    package_id: Mapped[str]
    group_id: Mapped[str]
    user_id: Mapped[Optional[str]]
    reason: Mapped[Optional[str]]
    share_id: Mapped[Optional[str]]
    request_id: Mapped[Optional[str]]
    expires: Mapped[Optional[datetime.datetime]]
