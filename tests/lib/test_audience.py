"""Who reads what (lib/audience.py): the schema's signed-in-only fields, who counts as an
anonymous reader, and which fields a page shows."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ckan.tests import factories

from ckanext.internalportal import settings
from ckanext.internalportal.lib import audience

pytestmark = pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)

SCHEMA = Path(audience.__file__).resolve().parent.parent / "schemas" / "dataset.yaml"
INTERNAL = {"legal_basis", "dpo_email", "source_application", "data_steward",
            # where a harvested dataset comes from (harvesters/base.py)
            "harvest_source_id", "harvest_remote_id", "harvest_fingerprint"}
FIELDS = [
    {"field_name": "title"},
    {"field_name": "source_application", "internalportal_audience": "signed_in"},
    {"field_name": "frequency"},
    {"field_name": "data_steward", "internalportal_audience": "signed_in"},
]


@pytest.fixture(scope="module")
def schema():
    return yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))


def test_the_schema_keeps_the_internal_details_for_signed_in_readers(schema):
    assert audience.signed_in_fields(schema["dataset_fields"]) == INTERNAL


def test_checksums_stay_readable_by_everyone_in_the_api_and_on_the_resource_page(schema):
    assert audience.signed_in_fields(schema["resource_fields"]) == frozenset()


def test_an_anonymous_reader_gets_the_fields_without_the_signed_in_ones_in_order():
    assert [f["field_name"] for f in audience.fields_for_reader(FIELDS, anonymous=True)] == \
        ["title", "frequency"]
    assert audience.hidden_fields(FIELDS, anonymous=True) == {"source_application",
                                                              "data_steward"}


def test_a_signed_in_reader_gets_every_field():
    assert audience.fields_for_reader(FIELDS, anonymous=False) == FIELDS
    assert audience.hidden_fields(FIELDS, anonymous=False) == frozenset()


def test_a_page_shows_no_row_for_an_empty_field():
    data = {"title": "Effectifs", "source_application": "", "frequency": None,
            "data_steward": "Chef du bureau"}
    shown = audience.displayed_fields(FIELDS, data, anonymous=False)
    assert [f["field_name"] for f in shown] == ["title", "data_steward"]


def test_a_repeating_field_whose_entries_are_all_blank_is_empty():
    fields = [{"field_name": "contact"}, {"field_name": "version"}]
    shown = audience.displayed_fields(
        fields, {"contact": [{"name": "", "email": " "}], "version": 0}, anonymous=False)
    assert [f["field_name"] for f in shown] == ["version"]     # 0 is a value


def test_code_outside_a_web_request_reads_everything():
    assert audience.is_anonymous_reader() is False


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_web_request_without_a_user_is_anonymous_and_with_a_token_is_not(app):
    with app.flask_app.test_request_context("/dataset/"):
        assert audience.is_anonymous_reader() is True
    user = factories.UserWithToken()
    with app.flask_app.test_request_context("/dataset/",
                                            headers={"Authorization": user["token"]}):
        assert audience.is_anonymous_reader() is False
