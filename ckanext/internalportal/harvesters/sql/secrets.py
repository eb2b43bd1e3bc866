"""The password of a source's database URL: never stored where it can be shown back.

A source's URL is shown in many places: ``harvest_source_show`` and ``package_show``, the
source's page and edit form, the activity stream, job reports, logs. So the password never
stays in it. Two ways to give one:

- type it in the URL (``postgresql://harvest:s3cret@db.app/app``): when the source is saved,
  the password is taken out and kept in the table ``sql_harvester_secret`` (migration
  ``sql_harvester``), and the URL stored on the source holds a reference instead:
  ``postgresql://harvest:${secret:<32 hex>}@db.app/app``. Re-saving the source with the
  reference keeps the password; typing a new one replaces it.
- name an environment variable of the portal's processes (``postgresql://harvest:
  ${APP_DB_PASSWORD}@db.app/app``): read when the harvester connects, never stored. Only the
  names the option ``ckanext.internalportal.sql_harvester.password_env_vars`` allows may be
  read (default ``*_DB_PASSWORD``): a source must not be able to send, say, CKAN's own
  secret key to a server of its choosing.

A kept password is bound to the rest of its URL (driver, user, host, port, database,
parameters) and to its source: a reference copied into another source, or kept while the
host is changed, is refused (the password would otherwise be sent to another server).
"""
from __future__ import annotations

import datetime
import fnmatch
import os
import re
import secrets as _random
from dataclasses import dataclass
from typing import Optional
from urllib.parse import unquote

import sqlalchemy as sa

from ckanext.internalportal.lib.i18n import N_

TABLE = "sql_harvester_secret"
MASK = "********"
_SECRET_REF = re.compile(r"^\$\{secret:([0-9a-f]{32})\}$")
_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
# scheme://user:password@host... ; the password runs to the last "@" (one left unencoded)
_USERINFO = re.compile(r"^(?P<head>[A-Za-z][\w+.-]*://)(?P<user>[^:/@?#]*)"
                       r"(?::(?P<password>.*))?@(?P<tail>[^@]*)$", re.DOTALL)

NONE, LITERAL, SECRET, ENV = "none", "literal", "secret", "env"


class SecretError(ValueError):
    """A password that cannot be found: ``msgid`` (N_) and ``values``."""

    def __init__(self, msgid: str, **values: str):
        super().__init__(msgid % values if values else msgid)
        self.msgid = msgid
        self.values = values


@dataclass(frozen=True)
class UrlParts:
    head: str                   # "postgresql://"
    user: str                   # as written (percent-encoded)
    password: Optional[str]     # as written, None when the URL has none
    tail: str                   # "host:port/db?params"

    @property
    def kind(self) -> str:
        if self.password is None or self.password == "":
            return NONE
        if _SECRET_REF.match(self.password):
            return SECRET
        if _ENV_REF.match(self.password):
            return ENV
        return LITERAL

    @property
    def reference(self) -> Optional[str]:
        """The token of a kept password, or the name of an environment variable."""
        match = _SECRET_REF.match(self.password or "") or _ENV_REF.match(self.password or "")
        return match.group(1) if match else None

    @property
    def bound(self) -> str:
        """The URL without its password: what a kept password is bound to."""
        return f"{self.head}{self.user}@{self.tail}"

    def with_password(self, password: Optional[str]) -> str:
        if password is None:
            return self.bound if self.user else f"{self.head}{self.tail}"
        return f"{self.head}{self.user}:{password}@{self.tail}"


def split(url: str) -> Optional[UrlParts]:
    """The parts of a URL with a user (``None`` for ``sqlite:///file.db``)."""
    match = _USERINFO.match(url or "")
    if not match:
        return None
    return UrlParts(match.group("head"), match.group("user"), match.group("password"),
                    match.group("tail"))


def display_url(url: str) -> str:
    """The URL as it may be shown anywhere: a typed or kept password masked, the name of an
    environment variable shown (it is no secret, and tells the administrator where to look)."""
    parts = split(url)
    if parts is None or parts.kind in (NONE, ENV):
        return url
    return parts.with_password(MASK)


def new_token() -> str:
    return _random.token_hex(16)


def reference(token: str) -> str:
    """What the URL stored on the source holds in place of a kept password."""
    return "${secret:%s}" % token


def env_allowed(name: str, patterns: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in (patterns or "").split())


def env_password(name: str, patterns: str) -> str:
    if not env_allowed(name, patterns):
        raise SecretError(N_("The environment variable “%(name)s” may not be read by the SQL "
                             "harvester: its name must match "
                             "ckanext.internalportal.sql_harvester.password_env_vars "
                             "(“%(patterns)s”)."), name=name, patterns=patterns)
    value = os.environ.get(name)
    if value is None:
        raise SecretError(N_("The environment variable “%(name)s” named in the URL is not set "
                             "for the portal's processes (web and harvest consumers)."),
                          name=name)
    return value


# ---------------------------------------------------------------------------- the table
metadata = sa.MetaData()
secret_table = sa.Table(
    TABLE, metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("source_id", sa.UnicodeText, nullable=False),
    sa.Column("bound_url", sa.UnicodeText, nullable=False),
    sa.Column("secret", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False),
)


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def forget_others(session, source_id: str, token: Optional[str]) -> int:
    """Forgets the source's kept passwords but ``token`` (all when None): how many."""
    query = secret_table.delete().where(secret_table.c.source_id == source_id)
    if token is not None:
        query = query.where(secret_table.c.id != token)
    return session.execute(query).rowcount


def keep(session, token: str, source_id: str, bound_url: str, secret: str) -> None:
    """Keeps a typed password for the source, forgetting the source's older ones."""
    forget_others(session, source_id, token)
    session.execute(secret_table.insert().values(id=token, source_id=source_id,
                                                 bound_url=bound_url, secret=secret,
                                                 created=_utcnow()))


def kept(session, token: str, bound_url: str, source_id: Optional[str] = None
         ) -> Optional[str]:
    """The password kept under ``token`` for this very URL (and source, when given)."""
    query = sa.select(secret_table.c.secret).where(secret_table.c.id == token,
                                                   secret_table.c.bound_url == bound_url)
    if source_id is not None:
        query = query.where(secret_table.c.source_id == source_id)
    return session.execute(query).scalar()


def password_of(parts: UrlParts, *, session, env_patterns: str,
                source_id: Optional[str] = None) -> Optional[str]:
    """The real password of a URL (decoded), or None when it has none. SecretError when a
    reference cannot be followed."""
    kind = parts.kind
    if kind == NONE:
        return None
    if kind == LITERAL:
        return unquote(parts.password)
    if kind == ENV:
        return env_password(parts.reference, env_patterns)
    secret = kept(session, parts.reference, parts.bound, source_id)
    if secret is None:
        raise SecretError(N_("The password kept for this source does not match its URL (the "
                             "host, user or database changed, or the URL was copied from "
                             "another source): type the password in the URL again."))
    return secret
