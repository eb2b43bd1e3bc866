"""Pages of internalportal_sharing (``tk.blanket.blueprints``).

- ``/dataset/<id>/partage``: the « Partage » tab, for those who may share the dataset (its
  shares, a form to share it with another organisation, the pending access requests);
  revoke, approve and refuse post to their own addresses and come back to it;
- ``/dataset/<id>/demande-acces``: an agent asks for the data of a restricted dataset;
- ``/partages``: « Partagés avec mon organisation », what the user's organisations receive and
  the access requests they made;
- ``/dataset/<id>/partage/journal.csv``: the sharing audit as CSV.

Every page calls the plugin's actions: they decide (404 for whoever may not see the dataset,
403 for whoever sees it but may not act, a ``ValidationError`` shown on the form, data kept,
nothing changed); the pages only arrange what the actions answer.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Optional

import ckan.model as model
import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.internalportal.lib.context import csv_attachment
from ckanext.internalportal.sharing import access, received, rules
from ckanext.internalportal.sharing.logic.action import AUDIT_COLUMNS

sharing = Blueprint("internalportal_sharing", __name__)

# the fields of the forms (their errors are shown next to them, the others above the form)
SHARE_FIELDS = ("organization", "expires", "reason")
REQUEST_FIELDS = ("reason", "organization")


_context = access.current_user_context


def _action(name: str, data_dict: dict[str, Any]) -> Any:
    return tk.get_action(name)(_context(), data_dict)


def _dataset(id: str) -> dict[str, Any]:
    """The dataset if the current user may see it, else 404 (``package_show`` decides)."""
    try:
        return _action("package_show", {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))


def _form(*keys: str) -> dict[str, str]:
    return {key: tk.request.form.get(key, "").strip() for key in keys}


def _messages(errors: dict[str, Any], shown: tuple[str, ...] = ()) -> list[str]:
    """The messages of a ``ValidationError``'s ``error_dict``, flattened, but those of the
    fields in ``shown`` (the form shows them next to their field)."""
    found = []
    for key, value in errors.items():
        if key in shown:
            continue
        for message in value if isinstance(value, list) else [value]:
            found.extend(_messages(message) if isinstance(message, dict) else [str(message)])
    return found


# ------------------------------------------------------------------ the « Partage » tab
def _all_organizations() -> list[dict[str, Any]]:
    """Every organisation of the portal (``organization_list`` gives them by pages)."""
    found: list[dict[str, Any]] = []
    while True:
        page = _action("organization_list", {
            "all_fields": True, "offset": len(found), "sort": "title asc",
            "include_dataset_count": False, "include_extras": False})
        found.extend(page)
        if not page:
            return found


def _sharing_page(pkg: dict[str, Any], share_data: Optional[dict] = None,
                  share_errors: Optional[dict] = None, request_data: Optional[dict] = None,
                  request_errors: Optional[dict] = None, status: int = 200):
    """The tab: the form (with ``share_data``/``share_errors`` after a refused post), the
    shares in force, the pending requests (``request_data``/``request_errors`` keyed by
    request id)."""
    shares = _action("dataset_share_list", {"id": pkg["id"]})
    shared = {share["organization"]["id"] for share in shares}
    organizations = [org for org in _all_organizations()
                     if org["id"] != pkg.get("owner_org") and org["id"] not in shared]
    requests = _action("dataset_access_request_list", {"id": pkg["id"], "state": "pending"})
    return tk.render("internalportal_sharing/dataset_sharing.html", {
        "pkg_dict": pkg, "dataset_type": pkg.get("type") or "dataset",
        "shareable": access.level_of(model.Package.get(pkg["id"])) in rules.SHAREABLE_LEVELS,
        "shares": shares, "organizations": organizations, "requests": requests,
        "data": share_data or {}, "errors": share_errors or {},
        "error_summary": _messages(share_errors or {}, SHARE_FIELDS),
        "request_data": request_data or {}, "request_errors": request_errors or {},
    }), status


def _may_share(pkg: dict[str, Any]) -> None:
    """403 unless the current user may share the dataset (its auth function decides)."""
    try:
        tk.check_access("dataset_share_create", _context(), {"id": pkg["id"]})
    except tk.NotAuthorized as error:
        tk.abort(403, str(error))


def _back(pkg: dict[str, Any]):
    return tk.redirect_to("internalportal_sharing.dataset_sharing", id=pkg["name"])


def _title(share: dict[str, Any]) -> str:
    """The organisation of a share or a request, as the actions answer them."""
    return share["organization"]["title"] or share["organization"]["name"]


@sharing.route("/dataset/<id>/partage", methods=["GET", "POST"])
def dataset_sharing(id: str):
    """The « Partage » tab; a post shares the dataset with the chosen organisation."""
    pkg = _dataset(id)
    _may_share(pkg)
    if tk.request.method != "POST":
        return _sharing_page(pkg)
    data = _form(*SHARE_FIELDS)
    try:
        share = _action("dataset_share_create", {"id": pkg["id"], **data})
    except tk.ValidationError as error:
        return _sharing_page(pkg, share_data=data, share_errors=error.error_dict, status=400)
    tk.h.flash_success(tk._("The dataset is now shared with {organization}.").format(
        organization=_title(share)))
    return _back(pkg)


@sharing.route("/dataset/<id>/partage/revoquer", methods=["POST"])
def share_revoke(id: str):
    """Revoke a share (« Révoquer »)."""
    pkg = _dataset(id)
    _may_share(pkg)
    data = _form("organization", "reason")
    try:
        share = _action("dataset_share_delete", {"id": pkg["id"], **data})
    except tk.ValidationError as error:
        for message in _messages(error.error_dict):
            tk.h.flash_error(message)
        return _back(pkg)
    tk.h.flash_success(tk._("{organization} no longer has access to the dataset.").format(
        organization=_title(share)))
    return _back(pkg)


def _decide(id: str, request_id: str, form: str, keys: tuple[str, ...], done: str):
    """Approve (``form="approve"``) or refuse a pending request of the dataset; errors come
    back on the request's own form."""
    action = f"dataset_access_request_{form}"
    pkg = _dataset(id)
    _may_share(pkg)
    pending = _action("dataset_access_request_list", {"id": pkg["id"], "state": "pending"})
    request = next((r for r in pending if r["id"] == request_id), None)
    if request is None:
        return tk.abort(404, tk._("Access request not found"))
    data = _form(*keys)
    try:
        _action(action, {"id": request_id, **data})
    except tk.ValidationError as error:
        return _sharing_page(pkg, request_data={request_id: data}, request_errors={
            request_id: {"form": form, "fields": error.error_dict,
                         "messages": _messages(error.error_dict)}}, status=400)
    tk.h.flash_success(done.format(organization=_title(request)))
    return _back(pkg)


@sharing.route("/dataset/<id>/partage/demandes/<request_id>/approuver", methods=["POST"])
def request_approve(id: str, request_id: str):
    """Approve a pending request: the dataset is shared with the requester's organisation."""
    return _decide(id, request_id, "approve", ("expires", "reason"),
                   tk._("Request approved: the dataset is now shared with {organization}."))


@sharing.route("/dataset/<id>/partage/demandes/<request_id>/refuser", methods=["POST"])
def request_refuse(id: str, request_id: str):
    """Refuse a pending request, with a reason."""
    return _decide(id, request_id, "refuse", ("reason",),
                   tk._("Request of {organization} refused."))


# ------------------------------------------------------------------ « Demander l'accès »
@sharing.route("/dataset/<id>/demande-acces", methods=["GET", "POST"])
def request_access(id: str):
    """An agent asks for the data of a restricted dataset, for one of their organisations."""
    pkg = _dataset(id)
    if tk.current_user.is_anonymous:
        return tk.abort(403, tk._("Sign in to ask for access."))
    organizations = _action("organization_list_for_user", {"permission": "read"})
    data, errors = {}, {}
    if tk.request.method == "POST":
        data = _form(*REQUEST_FIELDS)
        try:
            request = _action("dataset_access_request_create", {"id": pkg["id"], **data})
        except tk.ValidationError as error:
            errors = error.error_dict
        except tk.NotAuthorized as error:
            return tk.abort(403, str(error))
        else:
            tk.h.flash_success(tk._(
                "Your request has been sent to the administrators of {owner}: you will get "
                "an e-mail when they decide.").format(
                    owner=(pkg.get("organization") or {}).get("title")
                    or request["organization"]["title"]))
            return tk.redirect_to(f"{pkg.get('type') or 'dataset'}.read", id=pkg["name"])
    return tk.render("internalportal_sharing/request_access.html", {
        "pkg_dict": pkg, "dataset_type": pkg.get("type") or "dataset",
        "organizations": organizations, "data": data, "errors": errors,
        # one organisation: no picker, its errors go above the form
        "error_summary": _messages(errors, REQUEST_FIELDS if len(organizations) > 1
                                   else ("reason",)),
    }), 400 if errors else 200


# --------------------------------------------------------- « Partagés avec mon organisation »
@sharing.route("/partages")
def shared_with_me():
    """What is shared with the user's organisations, and the access requests they made."""
    if tk.current_user.is_anonymous:
        tk.h.flash_error(tk._("Sign in to see what is shared with your organisation."))
        return tk.redirect_to("user.login")
    sections = [{"organization": section["organization"],
                 "datasets": received.with_datasets(section["rows"])}
                for section in received.by_organisation()]
    return tk.render("internalportal_sharing/shared_with_me.html", {
        "sections": sections, "requests": _action("access_request_list_mine", {}),
    })


# ------------------------------------------------------------------ the audit CSV
@sharing.route("/dataset/<id>/partage/journal.csv")
def audit_csv(id: str) -> Response:
    """The sharing audit of a dataset as CSV (owner organisation's admins): 404 for those who
    may not see the dataset, 403 for the others."""
    try:
        rows = tk.get_action("dataset_sharing_audit_list")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return csv_attachment(out.getvalue(), f"partages-{id}.csv")


# ------------------------------------------------------------------ CKAN's resource page
@sharing.before_app_request
def reserved_resource_page() -> Optional[Response]:
    """CKAN's resource page asks ``package_show`` only; it shows the data (URL, previews):
    ``resource_show``'s rule too, so a restricted dataset's resource page answers 403 to an
    agent without its data (404 as before for whoever may not see the dataset)."""
    if not str(tk.request.endpoint or "").endswith("_resource.read"):
        return None
    try:
        _action("resource_show", {"id": (tk.request.view_args or {}).get("resource_id")})
    except tk.ObjectNotFound:
        return None  # CKAN's page answers its own 404
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    return None


def get_blueprints() -> list[Blueprint]:
    return [sharing]
