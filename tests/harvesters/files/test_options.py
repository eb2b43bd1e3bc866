"""A files source's config, the settings of one file, and the dataset fields they give (no
CKAN)."""
from __future__ import annotations

from ckanext.internalportal.harvesters import fields as common
from ckanext.internalportal.harvesters.base import COMMON_KEYS
from ckanext.internalportal.harvesters.files import dataset, options


def problems(config, has_key=True):
    return options.problems(config, COMMON_KEYS, has_key=has_key)


def test_a_plain_config_is_valid():
    assert problems({}) == []
    assert problems({"group_by": "folder", "include": ["*.csv"], "exclude": "tmp/*",
                     "recursive": False, "max_malformed_rows": 10, "access_level": "internal",
                     "personal_columns": {"nir": "hash"},
                     "files": {"stats/ventes.csv": {"title": "Ventes", "licence": "lov2"}}}) == []


def test_each_mistake_of_a_config_is_named():
    found = problems({"group-by": "folder", "group_by": "annee", "include": ["/etc/*"],
                      "recursive": "oui", "max_malformed_rows": -1,
                      "personal_columns": {"nir": "hash", "nom": "effacer"},
                      "files": {"../x.csv": {}, "a.csv": {"titre": "x"}, "b.csv": "x"}},
                     has_key=False)
    text = "\n".join(found)
    for words in ("group-by", "“group_by”", "/etc/*", "“recursive”", "“max_malformed_rows”",
                  "hmac_key", "effacer", "../x.csv", "titre", "“b.csv”"):
        assert words in text, words
    assert len(found) == 10


def test_later_layers_win_and_personal_columns_merge_column_by_column():
    merged = options.merge(
        {"access_level": "internal", "personal_columns": {"nir": "hash"}},
        {"licence": "lov2", "access_level": "public", "tags": ["a"]},
        {"personal_columns": {"nom": "drop"}, "columns": {"x": "X"}},
        {"license": "cc-by"})
    assert merged == {"access_level": "public", "license_id": "cc-by", "keywords": ["a"],
                      "personal_columns": {"nir": "hash", "nom": "drop"},
                      "columns": {"x": "X"}}


def test_config_entry_of_a_file_or_folder():
    config = {"files": {"stats/ventes.csv": {"title": "V"}, "stats/": {"title": "S"}}}
    assert options.entry_of(config, "stats/ventes.csv") == {"title": "V"}
    assert options.entry_of(config, "stats") == {"title": "S"}
    assert options.entry_of(config, "autre.csv") == {}


def test_dataset_fields_from_hand_written_sidecars():
    fields = dataset.fields(
        {"title": " Ventes ", "description": "Les ventes.", "keywords": "budget, ventes",
         "theme": "ECON", "contact": "budget@ministere.gouv.fr", "license_id": "lov2",
         "access_level": "public"},
        default_title="ignored", provenance="Moissonné de « ventes.csv ».",
        personal_columns={})
    assert fields == {"title": "Ventes", "notes": "Les ventes.\n\nMoissonné de « ventes.csv ».",
                      "personal_data": "none", "tag_string": "budget,ventes",
                      "theme": ["http://publications.europa.eu/resource/authority/data-theme/ECON"],
                      "contact": [{"email": "budget@ministere.gouv.fr"}],
                      "license_id": "lov2", "access_level": "public"}
    fields = dataset.fields({}, default_title="Ventes 2024", provenance="P",
                            personal_columns={"nir": "hash", "nom": "drop"})
    assert (fields["title"], fields["notes"], fields["personal_data"]) == (
        "Ventes 2024", "P", "pseudonymised")
    assert common.contacts([{"name": "Bureau", "email": "b@x.fr", "autre": 1}, "Service"]) == [
        {"name": "Bureau", "email": "b@x.fr"}, {"name": "Service"}]


def test_titles_from_file_names():
    assert dataset.humanised("ventes_par-region_2024.csv") == "Ventes par-region 2024"
    assert dataset.humanised("budget") == "Budget"
