"""The e-mails of access requests, sent with CKAN's mailer (``smtp.*`` settings).

A request goes to the admins of the dataset's owner organisation; a decision goes to the
requester — nobody else. The request is recorded before the mail is sent: a mail server
that fails loses nothing (the pending list shows the request; the failure is logged).
"""
from __future__ import annotations

import logging

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import mailer

from ckanext.internalportal.sharing.model import AccessRequest

log = logging.getLogger(__name__)


def _dataset_url(pkg: model.Package, tab: str = "") -> str:
    path = f"/dataset/{pkg.name}" + ("/partage" if tab == "sharing" else "")
    return tk.config.get("ckan.site_url", "").rstrip("/") + path


def owner_admins(pkg: model.Package) -> list[model.User]:
    """Those who decide on a dataset's requests: its organisation's admins (sysadmins see
    the requests in the portal, they get no mail)."""
    if not pkg.owner_org:
        return []
    members = model.Session.query(model.Member).filter(
        model.Member.group_id == pkg.owner_org, model.Member.table_name == "user",
        model.Member.state == "active", model.Member.capacity == "admin")
    users = [model.User.get(member.table_id) for member in members]
    # the site user is an admin of the organisations it created: it reads no mail
    site_user = tk.config.get("ckan.site_id")
    return [user for user in users if user is not None and user.state == "active"
            and user.name != site_user]


def _send(user: model.User, subject: str, body: str) -> bool:
    if not user.email:
        log.warning("internalportal_sharing: no e-mail address for %s", user.name)
        return False
    try:
        mailer.mail_recipient(user.display_name, user.email, subject, body)
    except mailer.MailerException as error:
        log.error("internalportal_sharing: mail to %s not sent: %s", user.name, error)
        return False
    return True


def request_received(request: AccessRequest) -> int:
    """Tell the owner organisation's admins; returns how many were mailed."""
    pkg, group = model.Package.get(request.package_id), model.Group.get(request.group_id)
    requester = model.User.get(request.user_id)
    site = tk.config.get("ckan.site_title")
    subject = tk._("[{site}] Access request for « {title} »").format(site=site,
                                                                     title=pkg.title)
    body = tk._(
        "{user} ({organization}) asks for access to the data of the dataset « {title} ».\n\n"
        "Reason given:\n{reason}\n\n"
        "Approve or refuse the request on the « Partage » tab of the dataset:\n{url}\n"
    ).format(user=requester.display_name if requester else request.user_id,
             organization=group.title if group else request.group_id, title=pkg.title,
             reason=request.reason, url=_dataset_url(pkg, "sharing"))
    return sum(_send(admin, subject, body) for admin in owner_admins(pkg))


def request_decided(request: AccessRequest) -> bool:
    """Tell the requester the decision (and its reason)."""
    pkg, requester = model.Package.get(request.package_id), model.User.get(request.user_id)
    if requester is None:
        return False
    site = tk.config.get("ckan.site_title")
    if request.state == "approved":
        subject = tk._("[{site}] Access granted to « {title} »").format(site=site,
                                                                        title=pkg.title)
        body = tk._("Your request for the data of « {title} » has been approved: the members "
                    "of your organisation can now use it.\n\n{url}\n")
    else:
        subject = tk._("[{site}] Access refused to « {title} »").format(site=site,
                                                                        title=pkg.title)
        body = tk._("Your request for the data of « {title} » has been refused.\n\n"
                    "Reason given:\n{reason}\n\n{url}\n")
    body = body.format(title=pkg.title, reason=request.decision_reason or "",
                       url=_dataset_url(pkg))
    return _send(requester, subject, body)

