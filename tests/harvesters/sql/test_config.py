"""A SQL source's config read into tables and queries, every problem listed. Pure."""
from __future__ import annotations

import pytest

from ckanext.internalportal.harvesters.sql import config
from ckanext.internalportal.harvesters.sql.config import ConfigProblems, Entry


def problems_of(value) -> str:
    with pytest.raises(ConfigProblems) as error:
        config.entries(value)
    return str(error.value)


def test_tables_as_names_or_objects_and_queries_as_text_or_objects():
    entries = config.entries({
        "schema": "rh",
        "tables": ["agents", {"name": "services", "title": "Services", "schema": "ref"}],
        "queries": {"effectifs": "SELECT 1", "recents": {"sql": "SELECT 2", "title": "R"}}})
    assert [(e.kind, e.guid) for e in entries] == [
        ("table", "rh.agents"), ("table", "ref.services"), ("query", "query:effectifs"),
        ("query", "query:recents")]
    assert entries[1].options == {"title": "Services"}
    assert entries[3].sql == "SELECT 2" and entries[3].options == {"title": "R"}
    assert Entry.of_content(entries[3].content()) == entries[3]


@pytest.mark.parametrize("value, words", [
    ({}, "at least one table"),
    ({"tables": "communes"}, "must be a list"),
    ({"tables": [3]}, "neither"),
    ({"table": ["communes"]}, "Unknown key “table”"),
    ({"tables": [{"name": "a", "titre": "x"}]}, "Unknown key “titre” in the table “a”"),
    ({"queries": ["SELECT 1"]}, "must be an object"),
    ({"queries": {"q": 1}}, "must be a SELECT"),
    ({"tables": ["a", "a"]}, "named twice"),
    ({"tables": ["a"], "keywords": "emploi"}, "list of texts"),
    ({"tables": ["a"], "statement_timeout": "long"}, "number of seconds"),
])
def test_a_bad_config_says_what_is_wrong(value, words):
    assert words in problems_of(value)


def test_every_problem_is_listed_not_only_the_first():
    text = problems_of({"tables": [3, {"name": "b", "x": 1}], "queries": {"q": 1}, "y": 2})
    assert "neither" in text and "“x”" in text and "“q”" in text and "“y”" in text


def test_an_entry_overrides_the_source_and_adds_personal_columns_to_its():
    source = {"access_level": "internal", "keywords": ["rh"],
              "personal_columns": {"nir": "hash"},
              "tables": [{"name": "agents", "access_level": "restricted",
                          "personal_columns": {"email": "drop"}}]}
    entry = config.entries(source)[0]
    settings = entry.settings(source)
    assert settings["access_level"] == "restricted" and settings["keywords"] == ["rh"]
    # the table's own declaration never silently lifts the source's
    assert settings["personal_columns"] == {"nir": "hash", "email": "drop"}


def test_personal_columns_need_a_key_gdpr_fields_and_no_incremental_use():
    source = {"tables": [{"name": "agents", "incremental_column": "naissance",
                          "personal_columns": {"nir": "hash", "naissance": "generalise"}}]}
    entry = config.entries(source)[0]
    text = " ".join(config.render(p) for p in
                    config.personal_problems(source, entry, has_key=False))
    assert "hmac_key" in text
    text = " ".join(config.render(p) for p in
                    config.personal_problems(source, entry, has_key=True))
    assert "legal_basis" in text and "dpo_email" in text and "naissance" in text


def test_columns_named_by_an_entry_must_exist():
    source = {"personal_columns": {"nir": "hash"},
              "tables": [{"name": "a", "incremental_column": "maj",
                          "personal_columns": {"courriel": "drop"}}]}
    entry = config.entries(source)[0]
    text = " ".join(config.render(p) for p in config.column_problems(entry, ["id", "nom"]))
    assert "“maj”" in text and "“courriel”" in text
    # the source's own personal columns apply to the tables that have them
    assert "nir" not in text
