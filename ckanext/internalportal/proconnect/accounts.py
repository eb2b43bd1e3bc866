"""Accounts of agents signed in through ProConnect: found by professional e-mail address (as
ProConnect recommends: its ``sub`` differs per service and identity provider), created at the
first sign-in, updated at the next ones, placed in their organisation.

No duplicates, even for two sign-ins of the same person at once: the whole reconciliation of
an address runs under a PostgreSQL advisory lock on it, held on a connection of its own (the
CKAN actions used inside commit, which would end a transaction-level lock), and the account
table's e-mail is unique.
"""
from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.internalportal.lib.context import site_context
from ckanext.internalportal.proconnect.identity import Identity, user_name_candidates
from ckanext.internalportal.proconnect.mapping import Mapping
from ckanext.internalportal.proconnect.model import account_table

log = logging.getLogger(__name__)
LOCK_NAMESPACE = "internalportal_proconnect:"


class AccountRefused(Exception):
    """The address belongs to an account an administrator deleted: no sign-in."""


class AccountInvalid(Exception):
    """CKAN refused to create the account (its validators): ``errors`` says why."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class SignIn:
    """What a sign-in did: the user, whether it was created, the organisation the agent is
    in by their identity (None: matched none), the one they left (moved), and whether the
    account's former means of access were revoked (``secured``, see ``_secure``)."""
    user: model.User
    created: bool
    organization: model.Group | None
    left: model.Group | None
    matched_by: str | None
    secured: bool = False


def _secure(user: model.User) -> bool:
    """An account met by ProConnect for the first time, on a portal where anyone may register:
    whoever registered it could have typed someone else's address, so its password and API
    tokens are revoked before the address's real owner, proven by ProConnect, gets in (and
    their organisation's data with it). Sysadmins are left alone; accounts made by
    administrators (no self-registration) are trusted."""
    if user.sysadmin or not tk.asbool(tk.config.get("ckan.auth.create_user_via_web")):
        return False
    user.password = secrets.token_urlsafe(32)
    model.Session.query(model.ApiToken).filter(model.ApiToken.user_id == user.id).delete()
    log.warning("ProConnect : premier passage du compte %s, inscrit librement : mot de passe "
                "et jetons d'API révoqués", user.name)
    return True


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _users_by_email(email: str) -> list[model.User]:
    return (model.Session.query(model.User)
            .filter(sa.func.lower(model.User.email) == email)
            .order_by(model.User.created).all())


def _free_name(email: str) -> str:
    for name in user_name_candidates(email):
        if not model.User.by_name(name):
            return name
    return f"agent-{secrets.token_hex(6)}"


def _create_user(identity: Identity) -> model.User:
    data = {"name": _free_name(identity.email), "email": identity.email,
            "fullname": identity.fullname or identity.email,
            # never typed by anyone: the agent signs in through ProConnect
            "password": secrets.token_urlsafe(32)}
    try:
        created = tk.get_action("user_create")(site_context(), data)
    except tk.ValidationError as error:
        raise AccountInvalid(error.error_dict)
    return model.User.get(created["id"])


def _organization(name: str) -> model.Group | None:
    group = model.Group.get(name)
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group


def _capacity(user: model.User, group: model.Group) -> str | None:
    member = (model.Session.query(model.Member)
              .filter(model.Member.group_id == group.id, model.Member.table_name == "user",
                      model.Member.table_id == user.id, model.Member.state == "active")
              .first())
    return member.capacity if member else None


def sign_in(identity: Identity, mapping: Mapping, leave_previous: bool = True) -> SignIn:
    """The account of this identity, created or updated, in its organisation."""
    engine = model.Session.get_bind()
    with engine.connect() as lock:
        lock.execute(sa.text("SELECT pg_advisory_lock(hashtext(:key))"),
                     {"key": LOCK_NAMESPACE + identity.email})
        try:
            return _reconcile(identity, mapping, leave_previous)
        finally:
            model.Session.rollback()  # nothing left open on the request's session
            lock.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:key))"),
                         {"key": LOCK_NAMESPACE + identity.email})
            lock.commit()


def _reconcile(identity: Identity, mapping: Mapping, leave_previous: bool) -> SignIn:
    session = model.Session
    row = session.execute(sa.select(account_table).where(
        account_table.c.email == identity.email)).mappings().first()
    user = model.User.get(row["user_id"]) if row else None
    if user is None:
        users = _users_by_email(identity.email)
        live = [u for u in users if u.state != "deleted"]
        if users and not live:
            raise AccountRefused(identity.email)
        user = live[0] if live else None
        if len(live) > 1:
            log.warning("ProConnect : %d comptes ont l'adresse %s ; le plus ancien (%s) est "
                        "utilisé", len(live), identity.email, user.name)
    elif user.state == "deleted":
        raise AccountRefused(identity.email)
    created = user is None
    secured = False
    if created:
        user = _create_user(identity)
    else:
        secured = row is None and _secure(user)
        if identity.fullname and user.fullname != identity.fullname:
            user.fullname = identity.fullname
        session.commit()

    placement = mapping.place(identity.siret, identity.email)
    organization = _organization(placement.organization) if placement else None
    if placement and organization is None:
        log.warning("ProConnect : le fichier de rattachement désigne « %s », qui n'est pas "
                    "une organisation active du portail", placement.organization)
    if organization is not None and _capacity(user, organization) is None:
        tk.get_action("organization_member_create")(
            site_context(), {"id": organization.id, "username": user.name, "role": "member"})
    left = None
    previous_id = row["organization_id"] if row else None
    if (leave_previous and previous_id and organization is not None
            and previous_id != organization.id):
        previous = model.Group.get(previous_id)
        if previous is not None and _capacity(user, previous) == "member":
            tk.get_action("organization_member_delete")(
                site_context(), {"id": previous.id, "username": user.name})
            left = previous

    values = {"sub": identity.sub, "uid": identity.uid, "idp_id": identity.idp_id,
              "siret": identity.siret, "last_login": _now(),
              "organization_id": organization.id if organization is not None else None}
    if row:
        session.execute(account_table.update().where(
            account_table.c.user_id == row["user_id"]).values(**values))
    else:
        session.execute(account_table.insert().values(
            user_id=user.id, email=identity.email, first_login=values["last_login"], **values))
    session.commit()
    return SignIn(user=user, created=created, organization=organization, left=left,
                  matched_by=placement.matched_by if placement and organization else None,
                  secured=secured)


def unplaced(limit: int = 500) -> list[dict]:
    """The accounts whose last ProConnect sign-in matched no organisation and who are in
    none: the administrators' list, most recent first."""
    member = sa.select(model.Member.table_id).join(
        model.Group, model.Group.id == model.Member.group_id).where(
        model.Member.table_name == "user", model.Member.state == "active",
        model.Group.is_organization.is_(True), model.Group.state == "active")
    query = (sa.select(account_table, model.User.name, model.User.fullname)
             .join(model.User, model.User.id == account_table.c.user_id)
             .where(account_table.c.organization_id.is_(None), model.User.state == "active",
                    account_table.c.user_id.not_in(member))
             .order_by(account_table.c.last_login.desc()).limit(limit))
    return [{"name": r["name"], "fullname": r["fullname"], "email": r["email"],
             "siret": r["siret"], "first_login": r["first_login"].isoformat(),
             "last_login": r["last_login"].isoformat()}
            for r in model.Session.execute(query).mappings()]
