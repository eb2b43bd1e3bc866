"""The config keys every source shares (base.COMMON_KEYS) as the portal's dataset fields, for
every harvester: one rule for a theme or a frequency given by its code (« ECON », « MONTHLY »)
or its URI, for keywords as a list or « a, b », for a contact as an address, a mapping or a
list of them. Pure (no CKAN import).

Values the schema refuses (an unknown licence, a public dataset with personal data) are left
for CKAN's validation, so that the job report says what the form would say; ``problems`` tells
them when the source is saved.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ckanext.internalportal.harvesters import personal
from ckanext.internalportal.lib.i18n import N_
from ckanext.internalportal.schemas import vocabularies

# the dataset fields given as they are
PASSED_FIELDS = ("access_level", "legal_basis", "dpo_email", "license_id")
# the fields given by a vocabulary's code ("ECON", "MONTHLY") or its stored value (URI)
VOCABULARY_FIELDS = {"theme": "data-theme", "frequency": "frequency"}


def vocabulary_value(name: str, value: Any) -> Any:
    """The stored value of a vocabulary's concept from its code or its value; None when the
    vocabulary has no such concept."""
    if not isinstance(value, str) or not value.strip():
        return None
    vocabulary = vocabularies.vocabulary(name)
    concept = vocabulary.by_code(value.strip().upper()) or vocabulary.get(value.strip())
    return concept.value if concept else None


def text_list(value: Any) -> list[str]:
    """A list, or one text of comma-separated values, as a list of texts."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def contacts(value: Any) -> list[dict]:
    """``contact`` as the schema's repeating field: [{"name", "email", "uri"}]."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, Mapping):
            out.append({k: str(item[k]) for k in ("name", "email", "uri") if item.get(k)})
        elif "@" in str(item):
            out.append({"email": str(item).strip()})
        else:
            out.append({"name": str(item).strip()})
    return out


def common_fields(settings: Mapping[str, Any]) -> dict:
    """The dataset fields of the common keys ``settings`` holds (the title, description and
    personal data are each harvester's)."""
    fields: dict[str, Any] = {}
    for key in PASSED_FIELDS:
        if settings.get(key):
            fields[key] = str(settings[key]).strip()
    themes = text_list(settings.get("theme"))
    if themes:
        fields["theme"] = [vocabulary_value("data-theme", t) or t for t in themes]
    if settings.get("frequency"):
        fields["frequency"] = (vocabulary_value("frequency", settings["frequency"])
                               or settings["frequency"])
    keywords = text_list(settings.get("keywords"))
    if keywords:
        fields["tag_string"] = ",".join(keywords)
    contact = contacts(settings.get("contact"))
    if contact:
        fields["contact"] = contact
    return fields


def problems(settings: Mapping[str, Any]) -> list[tuple[str, dict]]:
    """Access levels, themes and frequencies the portal's vocabularies do not know, and
    personal data made public (the schema would refuse the dataset at every run):
    (msgid, values) pairs."""
    out = []
    level = settings.get("access_level")
    if level and vocabularies.vocabulary("access-level").get(level) is None:
        out.append((N_("Unknown access level “%(value)s”: use public, internal, restricted or "
                       "private."), {"value": level}))
    if level == "public" and personal.personal_data_level(
            settings.get("personal_columns")) != "none":
        out.append((N_("A dataset keeping pseudonymised personal data can never be public: "
                       "choose internal, restricted or private access."), {}))
    for field, name in VOCABULARY_FIELDS.items():
        for value in text_list(settings.get(field)):
            if vocabulary_value(name, value) is None:
                out.append((N_("Unknown value “%(value)s” for “%(field)s”: use a code of the "
                               "%(vocabulary)s vocabulary (e.g. ECON, MONTHLY)."),
                            {"value": value, "field": field, "vocabulary": name}))
    return out
