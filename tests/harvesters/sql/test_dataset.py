"""A table or query as dataset fields and a data dictionary. Pure: no database."""
from __future__ import annotations

from ckanext.internalportal.harvesters.sql import dataset
from ckanext.internalportal.harvesters.sql.config import Entry
from ckanext.internalportal.harvesters.sql.reader import ColumnInfo, Relation

RELATION = Relation(name="etat_civil", comment="Naissances déclarées", columns=[
    ColumnInfo("id", "INTEGER", False, "Identifiant"),
    ColumnInfo("nir", "CHAR(13)", True, "Numéro d'inscription au répertoire"),
    ColumnInfo("naissance", "DATE", True, ""),
    ColumnInfo("courriel", "TEXT", True, "")])


def test_the_title_comes_from_the_config_then_the_comment_then_the_name():
    assert dataset.title_of(Entry("table", "etat_civil", options={"title": " État civil "}),
                            RELATION) == "État civil"
    assert dataset.title_of(Entry("table", "etat_civil"), RELATION) == "Naissances déclarées"
    long = Relation(name="x", columns=[], comment="Une phrase.\nEt une autre.")
    assert dataset.title_of(Entry("table", "etat_civil"), long) == "Etat civil"


def test_the_description_names_the_table_or_the_query():
    notes = dataset.notes_of(Entry("table", "etat_civil", schema="rh"), RELATION, "app")
    assert notes.startswith("Naissances déclarées\n\n") and "“rh.etat_civil”" in notes
    notes = dataset.notes_of(Entry("query", "effectifs", sql="SELECT 1"),
                             Relation(name="effectifs", columns=[]), "app")
    assert "“effectifs”" in notes and "“app”" in notes


def test_fields_from_settings_with_vocabulary_codes_turned_into_their_values():
    fields = dataset.dataset_fields(
        Entry("table", "etat_civil"), RELATION,
        {"access_level": "restricted", "keywords": ["état civil", " naissances "],
         "theme": ["SOCI"], "frequency": "monthly", "personal_columns": {"nir": "hash"},
         "legal_basis": "Art. 6.1.e", "dpo_email": "dpd@ministere.gouv.fr"}, "app")
    assert fields["access_level"] == "restricted"
    assert fields["tag_string"] == "état civil,naissances"
    assert fields["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/SOCI"]
    assert fields["frequency"].endswith("/frequency/MONTHLY")
    assert fields["personal_data"] == "pseudonymised" and fields["legal_basis"] == "Art. 6.1.e"


def test_unknown_vocabulary_values_and_public_personal_data_are_problems():
    problems = dataset.vocabulary_problems({"theme": ["XXXX"], "frequency": "souvent",
                                            "access_level": "public",
                                            "personal_columns": {"nir": "generalise"}})
    values = [v.get("value") for _, v in problems]
    assert "XXXX" in values and "souvent" in values and len(problems) == 3
    assert dataset.vocabulary_problems({"theme": ["ECON"], "access_level": "public",
                                        "personal_columns": {"nir": "drop"}}) == []


def test_the_data_dictionary_follows_what_the_personal_columns_became():
    columns = dataset.output_columns(RELATION, {"nir": "hash", "naissance": "generalise",
                                                "courriel": "drop"})
    assert [c["id"] for c in columns] == ["id", "nir", "naissance"]
    assert columns[0] == {"id": "id", "type": "INTEGER", "nullable": False,
                          "description": "Identifiant"}
    assert columns[1]["type"] == "text" and "HMAC" in columns[1]["description"]
    assert columns[1]["description"].startswith("Numéro d'inscription")
    assert "YYYY-MM" in columns[2]["description"]
    assert dataset.same_columns(columns, [{"id": "id"}, {"id": "nir"}, {"id": "naissance"}])
    assert not dataset.same_columns(columns, [{"id": "id"}, {"id": "nir"}])
