"""Validators of the sharing actions' input (pure: no database)."""
from __future__ import annotations

import datetime
from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.internalportal.lib.values import is_empty
from ckanext.internalportal.sharing.model import REQUEST_STATES, utcnow


def parse_expiry(value: Any, now: Optional[datetime.datetime] = None) -> datetime.datetime:
    """An expiry date as a naive UTC datetime. A bare date (``2027-03-31``) means the share
    works through that day: it ends at the following midnight (UTC). Raises ``ValueError`` on
    a value that is not a date, ``LookupError`` on a date already past."""
    now = now or utcnow()
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value + datetime.timedelta(days=1),
                                           datetime.time())
    elif isinstance(value, str):
        text = value.strip()
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            moment = datetime.datetime.combine(day + datetime.timedelta(days=1),
                                               datetime.time())
    else:
        raise ValueError(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    if moment <= now:
        raise LookupError(value)
    return moment


def internalportal_share_expiry(value: Any, context: Any) -> Optional[datetime.datetime]:
    if is_empty(value):
        return None
    try:
        return parse_expiry(value)
    except (ValueError, TypeError, OverflowError):
        raise tk.Invalid(tk._("Not a date: give it as YYYY-MM-DD (for example 2027-03-31)."))
    except LookupError:
        raise tk.Invalid(tk._("The expiry date must be in the future."))


def internalportal_reason_required(key, data, errors, context) -> None:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        errors[key].append(tk._("Say why: the reason is required."))
        raise tk.StopOnError


def internalportal_request_state(value: Any, context: Any) -> str:
    if value not in REQUEST_STATES:
        raise tk.Invalid(tk._("Unknown state: use pending, approved or refused."))
    return value
