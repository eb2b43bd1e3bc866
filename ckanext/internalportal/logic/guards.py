"""What a value must look like before CKAN's own actions see it: the shapes a request may take.

Pure functions, no CKAN state. A check returns ``None`` when the value is acceptable, else a
``Problem``: an English msgid and its parameters, that the caller translates with ``tk._`` and
files under the field's name (logic/boundary.py's step, the chained actions of logic/action.py,
the validators at the end of logic/validators.py). Why each limit:

- text: a ``str``, never a number, boolean, list or object (CKAN's ``unicode_safe`` would store
  ``12345`` or ``["a"]`` as text, and a field without validators stores it raw and fails in
  PostgreSQL);
- no NUL byte (PostgreSQL refuses it), no other C0 control character and no lone surrogate (not
  encodable in UTF-8, and not allowed in XML 1.0: the RDF/XML catalogue would no longer parse);
- at most ``MAX_TEXT`` characters (Solr refuses a term over 32 766 bytes in its ``string``
  fields, 4 bytes a character at worst), ``MAX_LONG_TEXT`` for Markdown descriptions;
- whole numbers between 0 and PostgreSQL's ``bigint`` (a resource's size), search offsets up to
  ``MAX_START`` (Solr's ``int``, and deep paging a whole catalogue is the RDF route's job).
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping, Optional

from ckanext.internalportal.lib.i18n import N_

Problem = tuple[str, dict]
Errors = dict[str, list[Any]]  # Problems, or one dict of errors per item of a list

MAX_TEXT = 8_000
MAX_LONG_TEXT = 100_000
MAX_BIGINT = 2 ** 63 - 1
MAX_START = 100_000
MAX_FACET_LIMIT = 1_000
JSON_TYPES = (bool, int, float, list, dict)  # what a request decodes to, besides str and None
TRUE_WORDS = {"true", "yes", "t", "y", "1", "on"}
FALSE_WORDS = {"false", "no", "f", "n", "0", "off", ""}
BOOLEAN_WORDS = TRUE_WORDS | FALSE_WORDS
# C0 controls but tab, LF and CR; lone surrogates; the two non-characters XML 1.0 excludes
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


EXPECTED_TEXT = N_("Expected a text, not a number, a boolean, a list or an object.")
FORBIDDEN_CHARACTER = N_("Forbidden character (NUL byte, control character or invalid "
                         "Unicode): remove it.")
TOO_LONG = N_("Text too long: {max} characters at most.")
EXPECTED_LIST = N_("Expected a list of texts (or one text).")
EXPECTED_OBJECTS = N_("Expected a list of objects, one per item, with named fields.")
EXPECTED_OBJECT = N_("Expected an object with named fields.")
EXPECTED_INTEGER = N_("Expected a whole number between {min} and {max}.")
EXPECTED_BOOLEAN = N_("Expected true or false.")
INVALID_QUERY = N_("Invalid search syntax (check the brackets, quotes and field names).")
UNKNOWN_RDF_FORMAT = N_("Unknown RDF format: {value}. Available: {formats}.")
UNKNOWN_STATE = N_("Unknown state (expected active, draft or deleted).")
INVALID_PARAMETER = N_("Invalid parameter {name}: {message}")


def _problem(message: str, **params: Any) -> Problem:
    return (message, params)


def _file(errors: dict, key: Any, problem: Any) -> None:
    """File ``problem`` (a Problem, or one dict of errors per item) under ``key``, if any."""
    if problem:
        errors[key] = problem if isinstance(problem, list) else [problem]


def messages(errors: Errors, translate: Callable[[str], str]) -> dict[str, Any]:
    """``errors`` as CKAN's ``ValidationError`` takes them, each message translated
    (``translate`` is ``tk._``); the errors of a list of objects stay one dict per item, as
    CKAN and scheming give them (``{"resources": [{}, {"size": [...]}]}``)."""
    def render(error: Any) -> Any:
        if isinstance(error, tuple):
            msgid, params = error
            return translate(msgid).format(**params)
        if isinstance(error, dict):
            return {key: render(value) for key, value in error.items()}
        return [render(item) for item in error]

    out: dict[str, Any] = {}
    for key, problems in errors.items():
        texts = render(problems)
        # CKAN's ValidationError reads the errors of ``tags`` as one dict per tag
        out[key] = ([{"name": texts}] if key == "tags" and problems
                    and isinstance(problems[0], tuple) else texts)
    return out


# ------------------------------------------------------------------ values
def text_problem(value: Any, max_length: int = MAX_TEXT) -> Optional[Problem]:
    """One text (or nothing: ``None`` is an empty value)."""
    if value is None:
        return None
    if not isinstance(value, str):
        # only what JSON or a form can carry: Python callers pass other objects that CKAN
        # reads as texts (bulk_update_* gives package_patch a database row as the id)
        return _problem(EXPECTED_TEXT) if isinstance(value, JSON_TYPES) else None
    if FORBIDDEN.search(value):
        return _problem(FORBIDDEN_CHARACTER)
    if len(value) > max_length:
        return _problem(TOO_LONG, max=max_length)
    return None


def text_list_problem(value: Any, max_length: int = MAX_TEXT) -> Optional[Problem]:
    """A list of texts, or one text (a comma-separated or JSON list for CKAN and scheming)."""
    if value is None or isinstance(value, str):
        return text_problem(value, max_length)
    if not isinstance(value, (list, tuple)):
        return _problem(EXPECTED_LIST)
    for item in value:
        if not isinstance(item, str):
            return _problem(EXPECTED_LIST)
        problem = text_problem(item, max_length)
        if problem:
            return problem
    return None


def integer_problem(value: Any, minimum: int = 0, maximum: int = MAX_BIGINT) -> Optional[Problem]:
    """A whole number (or its decimal text) in ``minimum..maximum``; empty is acceptable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    expected = _problem(EXPECTED_INTEGER, min=minimum, max=maximum)
    if isinstance(value, bool):
        return expected
    if isinstance(value, float):
        if not value.is_integer():
            return expected
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 40 or not re.fullmatch(r"[+-]?\d+", text):
            return expected
        value = int(text)
    if not isinstance(value, int) or not minimum <= value <= maximum:
        return expected
    return None


def boolean_problem(value: Any) -> Optional[Problem]:
    """A boolean, or a word CKAN reads as one (``true``, ``false``, ``1``, ``0``…)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lower() in BOOLEAN_WORDS:
        return None
    return _problem(EXPECTED_BOOLEAN)


# ------------------------------------------------------------------ scheming fields
LIST_PRESETS = {"multiple_select", "multiple_checkbox", "multiple_text",
                "tag_string_autocomplete", "internalportal_multiple_select"}
LONG_TEXT_SNIPPETS = {"markdown.html", "textarea.html"}


def field_kind(field: Mapping[str, Any]) -> str:
    """The shape a scheming field takes: ``repeating`` (a list of objects), ``list`` (texts),
    ``int`` (a whole number), ``long_text`` (Markdown) or ``text``."""
    if "repeating_subfields" in field:
        return "repeating"
    if field.get("preset") in LIST_PRESETS or field.get("field_name") == "tag_string":
        return "list"
    if "int_validator" in str(field.get("validators", "")):
        return "int"
    if field.get("form_snippet") in LONG_TEXT_SNIPPETS:
        return "long_text"
    return "text"


def value_problem(field: Mapping[str, Any], value: Any) -> Any:
    """``None``, a ``Problem``, or for a list of objects one dict of errors per item."""
    kind = field_kind(field)
    if kind == "repeating":
        return items_errors(field["repeating_subfields"], value)
    if kind == "list":
        return text_list_problem(value)
    if kind == "int":
        return integer_problem(value)
    return text_problem(value, MAX_LONG_TEXT if kind == "long_text" else MAX_TEXT)


def object_errors(fields: Iterable[Mapping[str, Any]], item: dict) -> dict[str, list]:
    """The keys of one object with the wrong shape: each of ``fields`` present has its shape;
    other keys (CKAN's own: ids, positions, states…) are checked loosely."""
    by_name = {f["field_name"]: f for f in fields}
    errors: dict[str, list] = {}
    for key, value in item.items():
        _file(errors, str(key), value_problem(by_name[key], value) if key in by_name
              else loose_problem(value))
    return errors


def items_errors(fields: Iterable[Mapping[str, Any]], value: Any) -> Any:
    """A list of objects (repeating subfields, resources) or nothing: ``None`` when it is well
    shaped, a ``Problem`` when it is not a list of objects, else one dict of errors per item."""
    problem = objects_problem(value)
    if problem or value is None:
        return problem
    fields = list(fields)
    per_item = [object_errors(fields, item) for item in value]
    return per_item if any(per_item) else None


def objects_problem(value: Any) -> Optional[Problem]:
    """A list of objects; or nothing."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return _problem(EXPECTED_OBJECTS)
    return None


def loose_problem(value: Any) -> Optional[Problem]:
    """A key no schema describes: numbers and booleans pass (CKAN's output has them:
    ``num_resources``, ``position``, ``private``…), texts must be clean."""
    if value is None or isinstance(value, (bool, int, float)):
        return None
    if isinstance(value, str):
        return text_problem(value, MAX_LONG_TEXT)
    return None  # lists and objects of CKAN's output (organization, relationships…)


# CKAN's own keys of a dataset that are not scheming fields, with their checks
CORE_TEXT_KEYS = ("id", "name", "title", "notes", "url", "version", "author", "author_email",
                  "maintainer", "maintainer_email", "type", "owner_org", "license_id")
CORE_OBJECT_LISTS = ("tags", "extras", "groups")
STATES = ("active", "draft", "deleted")


def texts_items_problem(value: Any) -> Optional[Problem]:
    """A list of objects whose values are all texts (CKAN's tags, extras and groups: names,
    ids, keys and values are texts in CKAN's own output too)."""
    problem = objects_problem(value)
    if problem or value is None:
        return problem
    for item in value:
        for field_value in item.values():
            problem = text_problem(field_value, MAX_LONG_TEXT)
            if problem:
                return problem
    return None


def dataset_errors(dataset_fields: Iterable[Mapping[str, Any]],
                   resource_fields: Iterable[Mapping[str, Any]],
                   data: Mapping[str, Any]) -> Errors:
    """Every top-level key of a dataset write whose value has the wrong shape, with the
    problem: the scheming fields by their kind, the resources by the resource fields, CKAN's
    own keys (``tags``, ``extras``, ``groups``, ids, ``private``)."""
    errors: Errors = {}
    fields = {f["field_name"]: f for f in dataset_fields}
    for key, value in data.items():
        if key in fields:
            problem = value_problem(fields[key], value)
        elif key == "resources":
            problem = items_errors(resource_fields, value)
        elif key in CORE_OBJECT_LISTS:
            problem = texts_items_problem(value)
        elif key == "state":
            problem = text_problem(value) or (
                None if value in STATES or value is None else _problem(UNKNOWN_STATE))
        elif key in CORE_TEXT_KEYS:
            problem = text_problem(value, MAX_TEXT)
        elif key == "private":
            problem = boolean_problem(value)
        else:
            continue
        _file(errors, key, problem)
    return errors


def resource_errors(resource_fields: Iterable[Mapping[str, Any]],
                    data: Mapping[str, Any]) -> Errors:
    """The keys of a resource write (``resource_create``…) with the wrong shape."""
    errors: Errors = {}
    fields = {f["field_name"]: f for f in resource_fields}
    for key, value in data.items():
        if key in fields:
            problem = value_problem(fields[key], value)
        elif key in ("id", "package_id"):
            problem = text_problem(value, MAX_TEXT)
        else:
            problem = loose_problem(value)
        _file(errors, key, problem)
    return errors


# ------------------------------------------------------------------ routes
def rdf_format_problem(fmt: Any, formats: Iterable[str]) -> Optional[Problem]:
    """An RDF extension of the catalogue and dataset routes (``ttl``, ``rdf``…)."""
    formats = sorted(formats)
    if fmt in formats:
        return None
    shown = str(fmt)[:20] if isinstance(fmt, str) and not FORBIDDEN.search(str(fmt)) else "?"
    return _problem(UNKNOWN_RDF_FORMAT, value=shown, formats=", ".join(formats))


def is_solr_client_error(message: str) -> bool:
    """Whether a search error is Solr refusing the query itself (HTTP 400: syntax, unknown
    field, number out of range), which is the caller's to fix, not a server failure."""
    return "(HTTP 400)" in message
