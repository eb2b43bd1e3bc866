"""What a grant, a revoke, an expiry, a request and a decision change, in one place: the row,
the audit event, the activity on the dataset, the search index and the labels of the dataset's
past activities. The actions (logic/action.py) check rights and input, then call these.

Every change takes effect at once: the dataset is reindexed in the same call, so its new
labels are in Solr before the answer.
"""
from __future__ import annotations

import datetime
import logging
from typing import Optional

import sqlalchemy as sa

import ckan.model as model
from ckan.lib.search import rebuild
from ckan.logic import index_update_package
from ckan.model import meta

from ckanext.internalportal.sharing import access
from ckanext.internalportal.sharing.model import AccessRequest, Share, SharingEvent, utcnow

log = logging.getLogger(__name__)

# event -> activity type (snippets/activities/<type with underscores>.html)
ACTIVITY_TYPES = {
    "granted": "shared package",
    "revoked": "unshared package",
    "expired": "share expired package",
    "requested": "access requested package",
    "approved": "access approved package",
    "refused": "access refused package",
}


def record(event: str, pkg: model.Package, group_id: str, user_id: Optional[str],
           reason: Optional[str] = None, share: Optional[Share] = None,
           request: Optional[AccessRequest] = None) -> SharingEvent:
    """The audit row and the dataset's activity for one event (added to the session)."""
    row = SharingEvent(event=event, package_id=pkg.id, group_id=group_id, user_id=user_id,
                       reason=reason, share_id=share.id if share else None,
                       request_id=request.id if request else None,
                       expires=share.expires if share else None, timestamp=utcnow())
    meta.Session.add(row)
    if _activity_loaded():
        actor = model.User.get(user_id) if user_id else None
        # flushed so that the dataset's labels include this event's share
        meta.Session.flush()
        meta.Session.add(_activity(event, pkg, group_id, model.Group.get(group_id), user_id,
                                   actor.name if actor else None, reason,
                                   share.expires if share else None))
    return row


def _activity(event: str, pkg: model.Package, group_id: str, group: Optional[model.Group],
              user_id: Optional[str], actor: Optional[str], reason: Optional[str],
              expires: Optional[datetime.datetime]):
    """The dataset's activity for one event, with the dataset's data labels of now
    (``group``: the organisation, None when it is gone)."""
    from ckanext.activity.model import Activity

    data = {
        # the few fields the stream shows: never the whole dataset (resource URLs)
        "package": {"id": pkg.id, "name": pkg.name, "title": pkg.title, "type": pkg.type},
        "organization": {"id": group_id, "name": group.name if group else None,
                         "title": group.title if group else None},
        "actor": actor,
        "reason": reason,
        "expires": expires.isoformat() if expires else None,
    }
    return Activity(user_id or _site_user_id(), pkg.id, ACTIVITY_TYPES[event], data,
                    access.dataset_data_labels(pkg))


def _activity_loaded() -> bool:
    import ckan.plugins as p

    return p.plugin_loaded("activity")


def _site_user_id() -> str:
    from ckanext.internalportal.lib.context import site_context

    name = site_context()["user"]
    return model.User.get(name).id


def refresh(pkg: model.Package) -> None:
    """After a change of shares: activities relabelled, committed, then the dataset reindexed
    (the index reads the database)."""
    access.relabel_activities(pkg)
    meta.Session.commit()
    rebuild(pkg.id)


def grant(pkg: model.Package, group: model.Group, user_id: Optional[str],
          expires: Optional[datetime.datetime], reason: Optional[str],
          can_edit: bool = False, request: Optional[AccessRequest] = None) -> Share:
    share = Share(package_id=pkg.id, group_id=group.id, state="active", created=utcnow(),
                  created_by=user_id, expires=expires, reason=reason, can_edit=can_edit,
                  request_id=request.id if request else None)
    meta.Session.add(share)
    meta.Session.flush()
    record("granted", pkg, group.id, user_id, reason, share=share, request=request)
    return share


def revoke(share: Share, user_id: Optional[str], reason: Optional[str] = None) -> None:
    """A share revoked by ``user_id``: it stops at once (expiries: ``expire_due_shares``)."""
    pkg = model.Package.get(share.package_id)
    share.state, share.ended, share.ended_by = "revoked", utcnow(), user_id
    meta.Session.flush()
    record("revoked", pkg, share.group_id, user_id, reason, share=share)


def due_shares_exist(now: Optional[datetime.datetime] = None) -> bool:
    """A cheap check (partial index): is any active share past its date?"""
    with meta.engine.connect() as connection:
        row = connection.execute(sa.text(
            "SELECT 1 FROM internalportal_share WHERE state = 'active' "
            "AND expires IS NOT NULL AND expires <= :now LIMIT 1"),
            {"now": now or utcnow()}).first()
    return row is not None


def _swept_in_this_request() -> bool:
    """Whether this request has already looked for due shares (``access.request_store``): a
    page reads labels a dozen times, one look is enough."""
    store = access.request_store()
    if store is None:
        return False
    if store.get("swept"):
        return True
    store["swept"] = True
    return False


def expire_due_shares(now: Optional[datetime.datetime] = None) -> list[str]:
    """Record every share past its date as expired and reindex the datasets concerned, in
    sessions of their own: the caller's session (a search in the middle of an action) is
    neither used nor committed. Returns the datasets' ids.

    Access already stops at the date without this (``Share.active``); the sweep writes the
    audit event and the activity, relabels the dataset's activities and takes the
    organisation's label out of the search index. It runs before every search
    (chained ``package_search``) and from ``ckan internalportal-sharing expire``."""
    if now is None and _swept_in_this_request():
        return []
    now = now or utcnow()
    if not due_shares_exist(now):
        return []
    session = meta.create_local_session()
    try:
        due = (session.query(Share).filter(Share.state == "active")
               .filter(Share.expires.isnot(None)).filter(Share.expires <= now)
               .with_for_update(skip_locked=True).all())
        # the expiry's activity stands under the granter's name (CKAN hides the site
        # user's activities); its snippet names no actor
        expired = [(share.created_by, share.package_id, share.group_id, share.expires)
                   for share in due]
        for share in due:
            share.state, share.ended = "expired", now
            session.add(SharingEvent(event="expired", package_id=share.package_id,
                                     group_id=share.group_id, user_id=None,
                                     share_id=share.id, expires=share.expires,
                                     timestamp=now))
        session.commit()
        package_ids = sorted({package_id for _, package_id, _, _ in expired})
        if _activity_loaded():
            _record_expiry_activities(session, expired)
            session.commit()
    finally:
        session.close()
    for package_id in package_ids:
        index_update_package({"model": model, "session": meta.Session, "user": "",
                              "ignore_auth": True}, package_id)
    log.info("internalportal_sharing: %d share(s) expired on %d dataset(s)",
             len(expired), len(package_ids))
    return package_ids


def _record_expiry_activities(session, expired) -> None:
    for granter, package_id, group_id, expires in expired:
        pkg = session.get(model.Package, package_id)
        if pkg is None:
            continue
        session.add(_activity("expired", pkg, group_id, session.get(model.Group, group_id),
                              granter, None, None, expires))
        access.relabel_activities(pkg, session)
