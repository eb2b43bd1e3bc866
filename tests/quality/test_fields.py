"""The one accessor the checks read through: top level first, then extras."""
from __future__ import annotations

from datetime import datetime

from ckanext.internalportal.quality.fields import as_list, field, is_email, is_empty, parse_date


def test_field_reads_the_top_level_before_the_extras():
    pkg = {"frequency": "MONTHLY", "extras": [{"key": "frequency", "value": "ANNUAL"}]}
    assert field(pkg, "frequency") == "MONTHLY"


def test_field_falls_back_to_the_extras_when_the_top_level_is_missing_or_empty():
    extras = [{"key": "frequency", "value": "ANNUAL"}]
    assert field({"extras": extras}, "frequency") == "ANNUAL"
    assert field({"frequency": "", "extras": extras}, "frequency") == "ANNUAL"
    assert field({"frequency": [], "extras": extras}, "frequency") == "ANNUAL"


def test_field_decodes_json_lists_and_objects_sent_as_extras():
    pkg = {"extras": [{"key": "themes", "value": '["TRAN", "ENER"]'},
                      {"key": "contact", "value": '[{"email": "a@b.fr"}]'}]}
    assert field(pkg, "theme", "themes") == ["TRAN", "ENER"]
    assert field(pkg, "contact") == [{"email": "a@b.fr"}]


def test_field_tries_the_names_in_order_and_gives_none_when_all_are_empty():
    pkg = {"theme": [], "extras": [{"key": "themes", "value": "[]"}]}
    assert field(pkg, "theme", "themes") is None
    assert field({}, "anything") is None
    assert field({"extras": None}, "anything") is None
    assert field({"spatial_text": "Bretagne"}, "spatial_uri", "spatial_text") == "Bretagne"


def test_lists_of_empty_values_are_empty():
    assert is_empty([{"uri": "", "text": None}])
    assert is_empty("   ")
    assert not is_empty([{"uri": "", "text": "France"}])
    assert not is_empty(0) and not is_empty(False)
    assert as_list(None) == [] and as_list("x") == ["x"] and as_list(["", "y"]) == ["y"]


def test_is_email():
    assert is_email("onisr@interieur.gouv.fr") and is_email("mailto:a@b.fr")
    assert not is_email("onisr") and not is_email("") and not is_email(None)


def test_parse_date_reads_what_ckanext_dcat_accepts_as_naive_utc():
    assert parse_date("2024") == datetime(2024, 1, 1)
    assert parse_date("2024-03") == datetime(2024, 3, 1)
    assert parse_date("2024-03-15") == datetime(2024, 3, 15)
    assert parse_date("2024-03-15T10:30:00.123456") == datetime(2024, 3, 15, 10, 30, 0, 123456)
    assert parse_date("2024-03-15T12:30:00+02:00") == datetime(2024, 3, 15, 10, 30)
    assert parse_date("2024-03-15T10:30:00Z") == datetime(2024, 3, 15, 10, 30)
    assert parse_date("le 15 mars") is None and parse_date(None) is None and parse_date("") is None
