"""The shipped demo data fit the DCAT-AP schema: every one of the 44 datasets validates through
package_create as the loader builds it (files replaced by URLs: the upload path is covered by
tests/demo), and the deliberately poor ones stay poor."""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from ckanext.internalportal import settings
from ckanext.internalportal.demo import loader
from ckanext.internalportal.lib.context import site_context

pytestmark = pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)

EU = "http://publications.europa.eu/resource/authority"


@pytest.fixture
def created():
    """Every demo dataset created through package_create, by name."""
    data = loader.read_demo_data()
    def call(action, **data_dict):
        return helpers.call_action(action, context=site_context(), **data_dict)

    schema = call("scheming_dataset_schema_show", type="dataset")
    fields = {f["field_name"] for f in schema["dataset_fields"]}
    orgs = {o["name"]: call("organization_create", **loader.organization_dict(o))["id"]
            for o in data.organizations}
    out = {}
    for entry in data.datasets:
        pkg = loader.dataset_dict(entry, orgs[entry["organization"]], fields)
        pkg["resources"] = [
            dict(loader.resource_dict(r, "0" * 64), url=f"https://demo.gouv.fr/{r['file']}")
            for r in entry["resources"]]
        out[entry["name"]] = (entry, call("package_create", **pkg))
    return out


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_every_demo_dataset_validates_and_keeps_its_meaning(created):
    assert len(created) == 44
    for name, (entry, pkg) in created.items():
        assert pkg["access_level"] == entry["access_level"], name
        assert pkg["private"] is entry["private"], name
        assert pkg["personal_data"] == entry["personal_data"], name
        if entry.get("frequency"):
            assert pkg["frequency"] == f"{EU}/frequency/{entry['frequency']}", name
        if entry.get("themes"):
            assert pkg["theme"] == [f"{EU}/data-theme/{t}" for t in entry["themes"]], name
        if entry.get("spatial_code"):
            uri = pkg["spatial_coverage"][0]["uri"]
            assert uri.startswith(("http://id.insee.fr/geo/", f"{EU}/country/FRA")), name
        if entry.get("contact_email"):
            assert pkg["contact"] == [{"name": entry["contact_name"],
                                       "email": entry["contact_email"]}], name
        assert {r["format"] for r in pkg["resources"]} <= {"CSV", "JSON", "XLSX"}, name
        assert all(r["mimetype"] for r in pkg["resources"]), name


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_personal_data_of_the_demo_is_never_public_and_has_its_gdpr_fields(created):
    personal = [pkg for _, pkg in created.values() if pkg["personal_data"] != "none"]
    assert len(personal) == 8
    for pkg in personal:
        assert pkg["private"] is True and pkg["access_level"] != "public"
        assert pkg["legal_basis"] and pkg["dpo_email"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_three_poor_demo_datasets_stay_poor_but_valid(created):
    poor = [pkg for entry, pkg in created.values() if entry.get("demo_quality") == "poor"]
    assert len(poor) == 3
    for pkg in poor:
        assert len(pkg.get("notes") or "") < 100
        assert not pkg.get("frequency") and not pkg.get("theme")
        assert not pkg.get("spatial_coverage") and not pkg.get("contact")
