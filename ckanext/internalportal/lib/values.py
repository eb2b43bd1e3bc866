"""Reading values that users, forms, the API and harvesters send. Pure (no CKAN import).

One rule each, used by the validators, the quality score, the RDF profile and the plugins to
come: what counts as empty, what an e-mail address is, how a JSON list sent as text is read.
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional

# CKAN's navl « missing » marker, compared by name so that this module needs no CKAN import
_MISSING_REPR = "<missing>"

# An e-mail address as the portal accepts it: something@domain.tld, optionally written as a
# « mailto: » link (users paste them from web pages); the stored form is the bare address.
EMAIL_RE = re.compile(r"^(?:mailto:)?([^@\s:]+@[^@\s]+\.[^@\s]+)$", re.IGNORECASE)


def is_missing(value: Any) -> bool:
    """CKAN's ``tk.missing`` (navl's marker of a key the caller did not send)."""
    return type(value).__name__ == "Missing" or repr(value) == _MISSING_REPR


def is_empty(value: Any) -> bool:
    """None, CKAN's missing, "", whitespace, [] or {}; a list or dict made only of empty values
    is empty too (a repeating field whose subfields were left blank). 0 and False are values."""
    if value is None or is_missing(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return all(is_empty(v) for v in value)
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    return False


def email_address(value: Any) -> Optional[str]:
    """The bare address of an e-mail value (``mailto:`` and surrounding spaces removed), or
    None when it is not one."""
    if not isinstance(value, str):
        return None
    match = EMAIL_RE.match(value.strip())
    return match.group(1) if match else None


def is_email(value: Any) -> bool:
    return email_address(value) is not None


def json_list(value: Any) -> Optional[list[Any]]:
    """A multiple value as a list: a list or tuple as it is, a JSON list sent as text decoded,
    one non-empty string as a one-item list, an empty string as []; None for anything else
    (a number, a dict, a JSON text that is not a list)."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            decoded = json.loads(text)
        except ValueError:
            return [text]
        return decoded if isinstance(decoded, list) else None
    return [text]


def decoded(value: Any) -> Any:
    """A JSON list or object sent as text (CKAN extras, form posts) as the list or object;
    anything else unchanged."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# An IANA media type « type/subtype », optionally with parameters (« text/csv; charset=utf-8 »).
MEDIA_TYPE_RE = re.compile(r"^([a-z]+/[a-z0-9][a-z0-9!#$&^_.+-]*)\s*(?:;.*)?$", re.IGNORECASE)


def media_type(value: Any) -> Optional[str]:
    """The bare ``type/subtype`` of a media type value, lower case (parameters dropped), or
    None when it is not one."""
    if not isinstance(value, str):
        return None
    match = MEDIA_TYPE_RE.match(value.strip())
    return match.group(1).lower() if match else None
