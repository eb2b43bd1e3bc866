"""Pages of internalportal_stats (``tk.blanket.blueprints``).

- ``/dataset/<id>/statistiques``: the « Statistiques » tab of a dataset (whoever sees the
  dataset: totals and trend; its organisation's members: who uses it, which resources);
- ``/organization/<id>/statistiques``: the same for an organisation's datasets (its members);
- ``/ckan-admin/statistiques``: the portal's (sysadmins): most used datasets, most active
  consumers, trend, datasets never used;
- each with ``.csv``: the page's tables (``?table=series|consumers|resources|datasets|
  never_used``).

The period comes from the query string (``start``, ``end``: YYYY-MM-DD; ``granularity``:
hour, day, month); a bad one shows the page with the default period and the French message
beside the field (400). The actions decide who sees what (404 for a dataset one may not see,
403 for an organisation's or the portal's figures); the pages only arrange what they answer.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.internalportal.lib.context import csv_attachment, current_user_context
from ckanext.internalportal.stats import export

stats = Blueprint("internalportal_stats", __name__)

PERIOD_FIELDS = ("start", "end", "granularity")


def _period_args() -> dict[str, str]:
    values = {key: tk.request.args.get(key, "").strip() for key in PERIOD_FIELDS}
    return {key: value for key, value in values.items() if value}


def _usage(action: str, data_dict: dict[str, Any]) -> tuple[dict[str, Any], dict, int]:
    """The action's answer for the asked period, or, when the period is refused, for the
    default one with the errors (and the status 400)."""
    period = _period_args()
    try:
        return tk.get_action(action)(current_user_context(), dict(data_dict, **period)), {}, 200
    except tk.ValidationError as error:
        if set(error.error_dict) - set(PERIOD_FIELDS):
            raise
        return tk.get_action(action)(current_user_context(), data_dict), error.error_dict, 400


def _denied(error: Exception, not_found: str):
    if isinstance(error, tk.ObjectNotFound):
        return tk.abort(404, tk._(not_found))
    return tk.abort(403, str(error))


def _page(template: str, usage: dict, errors: dict, status: int, **extra: Any):
    # the form keeps what was asked; the CSV links, the period shown (the default one when
    # the asked one was refused)
    extra_vars = {"usage": usage, "errors": errors, "form": _period_args(),
                  "csv_args": {} if errors else _period_args(), **extra}
    return tk.render(template, extra_vars), status


def _csv(usage: dict, kind: str, name: str) -> Response:
    table = tk.request.args.get("table", "series")
    rows = export.table(usage, table, kind)
    if rows is None:
        return tk.abort(400, tk._("Unknown table: {table}").format(table=table))
    return csv_attachment(export.to_csv(rows), f"statistiques-{name}-{table}.csv")


# ------------------------------------------------------------------ a dataset
@stats.route("/dataset/<id>/statistiques")
def dataset(id: str):
    try:
        pkg_dict = tk.get_action("package_show")(current_user_context(), {"id": id})
        usage, errors, status = _usage("dataset_usage_show", {"id": pkg_dict["id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    return _page("internalportal_stats/dataset.html", usage, errors, status,
                 pkg_dict=pkg_dict, pkg=pkg_dict)


@stats.route("/dataset/<id>/statistiques.csv")
def dataset_csv(id: str):
    try:
        usage, _errors, _status = _usage("dataset_usage_show", {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    return _csv(usage, "dataset", usage["dataset"]["name"])


# ------------------------------------------------------------------ an organisation
@stats.route("/organization/<id>/statistiques")
def organization(id: str):
    try:
        usage, errors, status = _usage("organization_usage_show", {"id": id})
        group_dict = tk.get_action("organization_show")(
            current_user_context(), {"id": usage["organization"]["id"], "include_datasets": False,
                         "include_users": False, "include_extras": True})
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return _denied(error, "Organization not found")
    return _page("internalportal_stats/organization.html", usage, errors, status,
                 group_dict=group_dict, group_type="organization")


@stats.route("/organization/<id>/statistiques.csv")
def organization_csv(id: str):
    try:
        usage, _errors, _status = _usage("organization_usage_show", {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return _denied(error, "Organization not found")
    return _csv(usage, "organization", usage["organization"]["name"])


# ------------------------------------------------------------------ the portal
@stats.route("/ckan-admin/statistiques")
def site():
    try:
        usage, errors, status = _usage("site_usage_show", {})
    except tk.NotAuthorized as error:
        return _denied(error, "")
    return _page("internalportal_stats/site.html", usage, errors, status)


@stats.route("/ckan-admin/statistiques.csv")
def site_csv():
    try:
        usage, _errors, _status = _usage("site_usage_show", {})
    except tk.NotAuthorized as error:
        return _denied(error, "")
    return _csv(usage, "site", "portail")


def get_blueprints() -> list[Blueprint]:
    return [stats]
