"""Personal columns at harvest time (harvesters/personal.py): what reaches the stored file."""
from __future__ import annotations

import datetime as dt

import pytest

from ckanext.internalportal.harvesters import personal

KEY = b"cle-de-test"


def rows_after(actions, rows, columns=("nir", "code_postal", "naissance", "commune")):
    cols, out = personal.apply(list(columns), iter(rows), actions, KEY)
    return cols, list(out)


def test_a_dropped_column_is_gone_from_header_and_rows():
    cols, rows = rows_after({"nir": "drop"}, [["1850575123456", "75011", "1985-05-03", "Paris"]])
    assert cols == ["code_postal", "naissance", "commune"]
    assert rows == [["75011", "1985-05-03", "Paris"]]


def test_a_hashed_column_keeps_joins_but_not_the_value():
    cols, rows = rows_after({"nir": "hash"}, [["1850575123456", "", "", "a"],
                                              ["1850575123456", "", "", "b"],
                                              ["2900133000111", "", "", "c"]])
    assert rows[0][0] == rows[1][0] != rows[2][0]
    assert "1850575123456" not in rows[0][0] and len(rows[0][0]) == 64
    # another key gives another hash: without the key nobody recomputes it from a guess
    _, other = personal.apply(["nir"], iter([["1850575123456"]]), {"nir": "hash"}, b"autre")
    assert list(other)[0][0] != rows[0][0]


@pytest.mark.parametrize("value,expected", [
    ("75011", "75"), ("97411", "974"), ("20090", "2A"), ("20200", "2B"), ("01000", "01"),
    ("1985-05-03", "1985-05"), ("03/05/1985", "1985-05"), (dt.date(1985, 5, 3), "1985-05"),
    ("1985-05-03 10:22:01", "1985-05"), ("rue de la Paix", ""), (None, None), ("", ""),
])
def test_generalise_keeps_the_month_or_the_departement_and_never_the_raw_value(value, expected):
    assert personal.generalise_value(value) == expected


def test_hashing_without_a_key_is_refused():
    with pytest.raises(personal.PersonalDataError):
        personal.apply(["nir"], iter([["1"]]), {"nir": "hash"}, None)


def test_the_dataset_holds_pseudonymised_data_unless_every_personal_column_is_dropped():
    assert personal.personal_data_level({}) == "none"
    assert personal.personal_data_level({"nir": "drop"}) == "none"
    assert personal.personal_data_level({"nir": "drop", "cp": "generalise"}) == "pseudonymised"
    assert personal.personal_data_level({"nir": "hash"}) == "pseudonymised"


def test_a_declaration_with_an_unknown_action_or_a_hash_without_key_is_reported():
    assert personal.check({"nir": "hash", "cp": "drop"}, has_key=True) == []
    problems = personal.check({"nir": "chiffrer", "cp": "hash"}, has_key=False)
    assert [values["column"] for _, values in problems] == ["nir", "cp"]
    assert personal.check(["nir"], has_key=True)  # not an object
