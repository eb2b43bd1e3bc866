"""Validators of the portal's dataset schema (schemas/dataset.yaml), registered by the plugin's
``@tk.blanket.validators`` (the names in ``__all__``).

The rules themselves are pure functions at the top (access level resolution, personal data);
the validators below them only read and write CKAN's flattened data. Messages are English msgids
translated in i18n/fr, each naming its field, and go through ``tk._`` when the validator runs, so
that a web or API request gets them in its language.
"""
from __future__ import annotations

import json
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckanext.scheming.validation import scheming_validator

from ckanext.internalportal.lib import access, licences, values
from ckanext.internalportal.lib.access import is_private_level
from ckanext.internalportal.lib.i18n import N_
from ckanext.internalportal.lib.values import is_empty as _empty, json_list
from ckanext.internalportal.logic import guards
from ckanext.internalportal.schemas import vocabularies

__all__ = [
    "internalportal_vocabulary",
    "internalportal_vocabulary_multiple",
    "internalportal_access_level",
    "internalportal_access_rights",
    "internalportal_if_personal_data_required",
    "internalportal_email",
    "internalportal_file_format",
    "internalportal_media_type",
    "internalportal_license",
    # hostile input (section at the end)
    "internalportal_text",
    "internalportal_text_list",
    "internalportal_strict_boolean",
    "internalportal_integer_between",
    "internalportal_keep_when_missing",
]

missing = tk.missing
Invalid = tk.Invalid
StopOnError = tk.StopOnError


# One message per vocabulary, so that the error says which field is wrong.
UNKNOWN_VALUE_MESSAGES = {
    "data-theme": N_("Unknown theme: {value}"),
    "frequency": N_("Unknown update frequency: {value}"),
    "file-type": N_("Unknown file format: {value}"),
    "planned-availability": N_("Unknown planned availability: {value}"),
    "language": N_("Unknown language: {value}"),
    "spatial": N_("Unknown spatial coverage: {value}"),
    "access-level": N_("Unknown access level: {value}"),
    "access-right": N_("Unknown access rights: {value}"),
    "personal-data": N_("Unknown personal data category: {value}"),
}
UNKNOWN_VALUE = N_("Unknown value: {value}")
NEVER_PUBLIC = N_("A dataset with personal or pseudonymised data can never be public: choose "
                  "internal, restricted or private access.")
# fields required for personal data, each with a message naming it
REQUIRED_FOR_PERSONAL_DATA = {
    "legal_basis": N_("Legal basis required: the dataset contains personal or pseudonymised "
                      "data."),
    "dpo_email": N_("Data protection officer's email required: the dataset contains personal "
                    "or pseudonymised data."),
}
REQUIRED_FOR_PERSONAL_DATA_DEFAULT = N_("Required: the dataset contains personal or "
                                        "pseudonymised data.")
INVALID_EMAIL = N_("Invalid email address: {value}")
INVALID_MEDIA_TYPE = N_("Invalid media type (expected an IANA type/subtype such as "
                        "text/csv): {value}")
UNKNOWN_LICENSE = N_("Unknown licence: {value}")
MISSING_VALUE = N_("Missing value")

DEFAULT_ACCESS_LEVEL = "public"  # CKAN's own default: a dataset is public unless said private
IANA_MEDIA_TYPE_URI = "iana.org/assignments/media-types/"


# ------------------------------------------------------------------ rules (pure)
def unknown_value_message(vocabulary: str) -> str:
    return UNKNOWN_VALUE_MESSAGES.get(vocabulary, UNKNOWN_VALUE)


def is_personal(personal_data: Any) -> bool:
    """Whether a ``personal_data`` value means the dataset falls under the GDPR."""
    concept = vocabularies.vocabulary("personal-data").get(personal_data)
    return bool(concept and concept.get("personal"))


def resolve_access_level(level: Optional[str], private: Optional[bool],
                         stored_level: Optional[str] = None,
                         stored_private: Optional[bool] = None) -> str:
    """The access level a create or update ends with.

    ``level`` and ``private`` are what the caller sent (None when absent), ``stored_*`` what the
    dataset had before an update. The access level is the source of truth and ``private``
    follows it; a caller who only speaks CKAN (``private`` alone, or CKAN's own forms and bulk
    actions, which patch ``private`` and resend the stored level) still gets its way:
    private=False gives public, private=True gives private.
    """
    if level:
        private_changed_alone = (
            private is not None and stored_private is not None and level == stored_level
            and private != stored_private and private != is_private_level(level))
        return access.LEVEL_OF_PRIVATE_FLAG[private] if private_changed_alone else level
    if private is not None:
        return access.LEVEL_OF_PRIVATE_FLAG[private]
    return stored_level or DEFAULT_ACCESS_LEVEL


def access_right_uri(level: Any) -> Optional[str]:
    """The EU access-right URI (dct:accessRights) an access level maps to."""
    concept = vocabularies.vocabulary("access-level").get(level)
    if not concept:
        return None
    right = vocabularies.vocabulary("access-right").by_code(concept.get("access_right"))
    return right.uri if right else None


def _error(errors: dict, key: tuple, message: str, **kwargs: Any) -> None:
    errors[key].append(tk._(message).format(**kwargs))


def _as_bool(value: Any) -> Optional[bool]:
    if _empty(value):
        return None
    try:
        return tk.asbool(value)
    except ValueError:
        return None


# ------------------------------------------------------------------ vocabulary fields
@scheming_validator
def internalportal_vocabulary(field: dict, schema: dict):
    """One value of the field's ``vocabulary`` (stored as its ``vocabulary_value``: URI by
    default). Empty: with ``keep_stored``, the value the dataset had (an update leaving the
    field out keeps it), else the field's ``default`` if any. With ``label_field``, the sibling
    subfield of that name receives the French label (spatial coverage ``text``)."""
    vocabulary = vocabularies.vocabulary(field["vocabulary"])
    value_key = field.get("vocabulary_value", "value")
    label_field = field.get("label_field")
    default = field.get("default")
    keep_stored = bool(field.get("keep_stored"))

    def validator(key, data, errors, context):
        value = data.get(key, missing)
        if _empty(value) and keep_stored and len(key) == 1:
            value = data[key] = _stored_extra(data, context, key[0]) or missing
        if _empty(value) and default is not None:
            value = data[key] = default
        if value is missing or value is None:
            data.pop(key, None)
            raise StopOnError
        if isinstance(value, str):
            value = data[key] = value.strip()
        if value == "":
            if label_field:
                data[key[:-1] + (label_field,)] = ""
            raise StopOnError
        concept = vocabulary.find(value, value_key)
        if concept is None:
            _error(errors, key, unknown_value_message(vocabulary.name), value=value)
            raise StopOnError
        if label_field:
            data[key[:-1] + (label_field,)] = concept.label("fr")

    return validator


@scheming_validator
def internalportal_vocabulary_multiple(field: dict, schema: dict):
    """Zero or more values of the field's ``vocabulary`` (a list, a JSON list or one string),
    stored as a JSON list in the order given, without duplicates. Empty: the ``default``."""
    vocabulary = vocabularies.vocabulary(field["vocabulary"])
    value_key = field.get("vocabulary_value", "value")
    default = field.get("default")

    def validator(key, data, errors, context):
        if errors.get(key):
            return
        values = json_list(data.get(key, missing))
        if values is None and data.get(key, missing) not in (missing, None):
            _error(errors, key, unknown_value_message(vocabulary.name),
                   value=data.get(key))
            raise StopOnError
        values = [v.strip() if isinstance(v, str) else v for v in values or []]
        values = [v for v in values if v not in ("", None)]
        if not values and default:
            values = list(default)
        if not values:
            if field.get("required"):
                _error(errors, key, MISSING_VALUE)
                raise StopOnError
            data.pop(key, None)
            raise StopOnError
        unknown = [v for v in values if vocabulary.find(v, value_key) is None]
        for value in unknown:
            _error(errors, key, unknown_value_message(vocabulary.name), value=value)
        if unknown:
            raise StopOnError
        data[key] = json.dumps(list(dict.fromkeys(values)))

    return validator


# ------------------------------------------------------------------ access level
def _stored_package(data: dict, context: dict) -> Any:
    """The dataset being updated (package_update puts it in the context), if any."""
    pkg = context.get("package")
    dataset_id = data.get(("id",))
    if pkg is None or _empty(dataset_id) or dataset_id not in (pkg.id, pkg.name):
        return None
    return pkg


def _stored_extra(data: dict, context: dict, name: str) -> Optional[str]:
    pkg = _stored_package(data, context)
    if pkg is None:
        return None
    return (pkg.extras or {}).get(name) or None


def _stored_access(data: dict, context: dict) -> tuple[Optional[str], Optional[bool]]:
    """The access level and ``private`` flag of the dataset being updated, if any."""
    pkg = _stored_package(data, context)
    if pkg is None:
        return None, None
    return (pkg.extras or {}).get("access_level") or None, bool(pkg.private)


def effective_personal_data(data: dict, context: dict) -> Any:
    """``personal_data`` as it will be saved: the value sent, else the stored one (an update
    that leaves the field out keeps it, see the field's ``keep_stored``), else none."""
    value = data.get(("personal_data",), missing)
    if _empty(value):
        return _stored_extra(data, context, "personal_data") or "none"
    return value.strip() if isinstance(value, str) else value


def internalportal_access_level(key, data, errors, context):
    """Resolve the access level (see ``resolve_access_level``), refuse an unknown one, set
    CKAN's ``private`` from it, and refuse public access to personal data."""
    given = data.get(key, missing)
    level = None if _empty(given) else str(given).strip()
    stored_level, stored_private = _stored_access(data, context)
    level = resolve_access_level(level, _as_bool(data.get(("private",))),
                                 stored_level, stored_private)
    if vocabularies.vocabulary("access-level").get(level) is None:
        _error(errors, key, unknown_value_message("access-level"), value=level)
        raise StopOnError
    data[key] = level
    data[("private",)] = is_private_level(level)
    if not is_private_level(level) and is_personal(effective_personal_data(data, context)):
        _error(errors, key, NEVER_PUBLIC)
        raise StopOnError


def internalportal_access_rights(key, data, errors, context):
    """dct:accessRights, derived from the access level (whatever the caller sent)."""
    uri = access_right_uri(data.get(("access_level",)))
    if uri is None:
        data.pop(key, None)
        raise StopOnError
    data[key] = uri


# ------------------------------------------------------------------ personal data (GDPR)
def internalportal_if_personal_data_required(key, data, errors, context):
    """Required when ``personal_data`` is pseudonymised or personal; optional otherwise."""
    value = data.get(key, missing)
    if _empty(value) and is_personal(effective_personal_data(data, context)):
        _error(errors, key, REQUIRED_FOR_PERSONAL_DATA.get(
            key[-1], REQUIRED_FOR_PERSONAL_DATA_DEFAULT))
        raise StopOnError
    if value is missing or value is None:
        data.pop(key, None)
        raise StopOnError


def internalportal_email(value: Any, context: dict) -> Any:
    """An email address (DPO, contact point), stored bare (a pasted « mailto: » link is
    accepted, as the quality score accepts it: ``lib.values.email_address``); empty is allowed
    (required-ness is elsewhere)."""
    if _empty(value):
        return value
    address = values.email_address(value)
    if address is None:
        raise Invalid(tk._(INVALID_EMAIL).format(value=value))
    return address


# ------------------------------------------------------------------ resources
def internalportal_file_format(key, data, errors, context):
    """A format the portal knows (file-type vocabulary, any case, extension or media type),
    stored as CKAN's short name (« CSV », « GeoJSON »…) that previews and harvesters read."""
    value = data.get(key, missing)
    if _empty(value):
        return
    concept = vocabularies.file_type(value)
    if concept is None:
        _error(errors, key, unknown_value_message("file-type"), value=value)
        raise StopOnError
    data[key] = concept.get("format")


def internalportal_media_type(key, data, errors, context):
    """An IANA media type (``type/subtype`` or its iana.org URI); empty: the format's."""
    value = data.get(key, missing)
    if _empty(value):
        concept = vocabularies.file_type(data.get(key[:-1] + ("format",)))
        if concept is not None and concept.get("mimetype"):
            data[key] = concept.get("mimetype")
        return
    value = str(value).strip()
    if not (values.media_type(value) or IANA_MEDIA_TYPE_URI in value):
        _error(errors, key, INVALID_MEDIA_TYPE, value=value)
        raise StopOnError
    data[key] = value


def internalportal_license(value: Any, context: dict) -> Any:
    """A licence id of the portal's licence list (data.gouv.fr's, or the ini's)."""
    if _empty(value):
        return value
    if value not in licences.licence_register():
        raise Invalid(tk._(UNKNOWN_LICENSE).format(value=value))
    return value


# ------------------------------------------------------------------ hostile input
# Thin validators over logic/guards.py's pure checks (the rules and their reasons are there):
# the schema's free-text fields and the search parameters take a clean text, never a number,
# a list, a NUL byte or a megabyte.
def _refuse(problem: Optional[tuple]) -> None:
    if problem:
        message, params = problem
        raise Invalid(tk._(message).format(**params))


def internalportal_text(value: Any, context: dict) -> Any:
    """One text of at most ``guards.MAX_TEXT`` characters (empty allowed)."""
    if value is missing:
        return value
    _refuse(guards.text_problem(value, guards.MAX_TEXT))
    return value


def internalportal_text_list(value: Any, context: dict) -> Any:
    """A list of texts, or one text."""
    if value is missing:
        return value
    _refuse(guards.text_list_problem(value))
    return value


def internalportal_strict_boolean(value: Any, context: dict) -> Any:
    """A boolean or a word CKAN reads as one; ``banana`` is refused, not read as false."""
    if value is missing:
        return value
    _refuse(guards.boolean_problem(value))
    return value


def internalportal_integer_between(minimum: int, maximum: int):
    """A whole number in ``minimum..maximum`` (a factory: ``internalportal_integer_between(0,
    1000)``)."""
    def validator(value: Any, context: dict) -> Any:
        if value is missing:
            return value
        _refuse(guards.integer_problem(value, minimum, maximum))
        return value
    return validator


# ------------------------------------------------------------------ harvested datasets' origin
def internalportal_keep_when_missing(key, data, errors, context):
    """A field the form never shows (a harvested dataset's source and remote identifier): an
    update that leaves it out keeps the stored value, so that a producer editing the dataset
    in the form does not cut it from its source. An explicit value, even empty, is saved."""
    value = data.get(key, missing)
    if value is missing and len(key) == 1:
        stored = _stored_extra(data, context, key[0])
        if stored is not None:
            data[key] = stored
            return
        data.pop(key, None)
