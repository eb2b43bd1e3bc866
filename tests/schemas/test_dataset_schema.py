"""schemas/dataset.yaml as scheming loads it: ckanext-dcat's DCAT-AP field names and presets,
the portal's fields, French and English labels."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ckan.tests import helpers

from ckanext.internalportal import settings

import ckanext.dcat
import ckanext.internalportal.schemas as schemas

pytestmark = pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)

DCAT_SCHEMA = Path(ckanext.dcat.__file__).parent / "schemas" / "dcat_ap_full.yaml"
PORTAL_FIELDS = {"access_level", "personal_data", "legal_basis", "dpo_email",
                 "source_application", "data_steward"}
# a harvested dataset's origin (harvesters/base.py), kept on the dataset, never in the form
HARVEST_FIELDS = {"harvest_source_id", "harvest_remote_id", "harvest_remote_url",
                  "withdrawn_at_source", "harvest_fingerprint"}
HARVEST_RESOURCE_FIELDS = {"data_dictionary", "harvest_key"}
ISSUE_FIELDS = {"title", "name", "notes", "tag_string", "owner_org", "license_id", "contact",
                "theme", "frequency", "access_rights", "spatial_coverage", "temporal_coverage",
                "conforms_to", "issued", "modified", "version", "identifier", "language"}
ISSUE_RESOURCE_FIELDS = {"url", "name", "description", "format", "mimetype", "license", "size",
                         "availability", "hash", "hash_algorithm"}


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_dataset_fields_are_dcat_s_names_plus_the_portal_s_own():
    ours = _yaml(Path(schemas.__file__).parent / "dataset.yaml")
    dcat = _yaml(DCAT_SCHEMA)
    names = {f["field_name"] for f in ours["dataset_fields"]}
    dcat_names = {f["field_name"] for f in dcat["dataset_fields"]}
    assert names == ISSUE_FIELDS | PORTAL_FIELDS | HARVEST_FIELDS
    assert names - PORTAL_FIELDS - HARVEST_FIELDS <= dcat_names
    resource_names = {f["field_name"] for f in ours["resource_fields"]}
    assert resource_names == ISSUE_RESOURCE_FIELDS | HARVEST_RESOURCE_FIELDS
    assert resource_names - HARVEST_RESOURCE_FIELDS <= {
        f["field_name"] for f in dcat["resource_fields"]}


def test_dcat_subfields_keep_dcat_s_names():
    ours = {f["field_name"]: f for f in _yaml(Path(schemas.__file__).parent / "dataset.yaml")[
        "dataset_fields"]}
    dcat = {f["field_name"]: f for f in _yaml(DCAT_SCHEMA)["dataset_fields"]}
    for name in ("contact", "spatial_coverage", "temporal_coverage"):
        ours_sub = {s["field_name"] for s in ours[name]["repeating_subfields"]}
        assert ours_sub <= {s["field_name"] for s in dcat[name]["repeating_subfields"]}, name


@pytest.mark.usefixtures("with_plugins")
class TestLoadedSchema:
    def schema(self) -> dict:
        return helpers.call_action("scheming_dataset_schema_show", type="dataset")

    def test_every_field_has_a_french_and_an_english_label(self):
        schema = self.schema()
        for field in schema["dataset_fields"] + schema["resource_fields"]:
            label = field.get("label")
            assert isinstance(label, dict) and label.get("fr") and label.get("en"), \
                field["field_name"]
            for sub in field.get("repeating_subfields", []):
                assert sub["label"].get("fr"), (field["field_name"], sub["field_name"])

    def test_presets_of_dcat_and_of_the_portal_are_expanded(self):
        fields = {f["field_name"]: f for f in self.schema()["dataset_fields"]}
        assert fields["issued"]["validators"] == \
            "ignore_missing dcat_date convert_to_json_if_datetime"  # dcat's preset, not a fork
        assert fields["theme"]["choices_helper"] == "internalportal_vocabulary_choices"
        assert fields["theme"]["form_snippet"] == "multiple_select.html"
        assert fields["access_rights"]["form_snippet"] is None  # derived, not editable

    def test_required_fields(self):
        required = {f["field_name"] for f in self.schema()["dataset_fields"]
                    if f.get("required")}
        assert required == {"title", "owner_org", "access_level", "personal_data"}

    def test_form_defaults_are_internal_access_no_personal_data_and_french(self):
        fields = {f["field_name"]: f for f in self.schema()["dataset_fields"]}
        assert fields["access_level"]["default"] == "internal"
        assert fields["personal_data"]["default"] == "none"
        assert fields["language"]["default"] == [
            "http://publications.europa.eu/resource/authority/language/FRA"]
