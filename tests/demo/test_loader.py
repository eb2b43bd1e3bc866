"""The French demo loader: data files in, CKAN organisations/datasets/files out, idempotently."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories, helpers

from ckanext.internalportal import settings
from ckanext.internalportal.demo import loader
from ckanext.internalportal.lib.context import site_context

pytestmark = pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)


# ---------------------------------------------------------------- pure functions
def test_dataset_dict_maps_demo_keys_to_the_portal_schema_and_unknown_keys_to_extras():
    entry = {"name": "budget-2024", "title": "Budget 2024", "organization": "min-eco",
             "private": False, "contact_name": "Bureau du budget",
             "contact_email": "budget@finances.gouv.fr", "tags": ["budget", "finances"],
             "frequency": "ANNUAL", "themes": ["ECON", "GOVE"], "acronym_of_source": "X",
             "resources": [{"name": "x", "file": "x.csv"}]}
    pkg = loader.dataset_dict(entry, "org-id")
    assert pkg["owner_org"] == "org-id"
    assert pkg["contact"] == [{"name": "Bureau du budget", "email": "budget@finances.gouv.fr"}]
    assert "maintainer" not in pkg and "maintainer_email" not in pkg
    assert pkg["tags"] == [{"name": "budget"}, {"name": "finances"}]
    assert pkg["frequency"] == "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
    assert pkg["extras"] == [{"key": "acronym_of_source", "value": "X"}]
    assert "resources" not in pkg and "organization" not in pkg


def test_dataset_dict_sends_schema_fields_as_fields():
    entry = {"name": "x-data", "title": "X", "source_application": "Chorus", "other": "y"}
    pkg = loader.dataset_dict(entry, "org", schema_fields={"source_application"})
    assert pkg["source_application"] == "Chorus"
    assert pkg["extras"] == [{"key": "other", "value": "y"}]


def test_dataset_dict_maps_demo_keys_onto_the_dcat_ap_fields_of_the_schema():
    entry = {"name": "x-data", "title": "X", "themes": ["ECON", "GOVE"],
             "spatial": "Gironde (33)", "spatial_code": "DEP-33",
             "temporal_start": "2023-01-01", "contact_name": "Bureau du budget",
             "contact_email": "budget@finances.gouv.fr", "source_application": "Chorus"}
    fields = {"theme", "spatial_coverage", "temporal_coverage", "contact",
              "source_application"}
    pkg = loader.dataset_dict(entry, "org", schema_fields=fields)
    assert pkg["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/ECON",
                            "http://publications.europa.eu/resource/authority/data-theme/GOVE"]
    assert pkg["spatial_coverage"] == [{"uri": "http://id.insee.fr/geo/departement/33",
                                        "text": "Gironde"}]
    assert pkg["temporal_coverage"] == [{"start": "2023-01-01"}]
    assert pkg["contact"] == [{"name": "Bureau du budget", "email": "budget@finances.gouv.fr"}]
    assert pkg["source_application"] == "Chorus"
    assert "maintainer" not in pkg and "extras" not in pkg


@pytest.mark.parametrize("code, uri", [
    ("FR", "http://publications.europa.eu/resource/authority/country/FRA"),
    ("FR-MET", "http://publications.europa.eu/resource/authority/country/FRA"),
    ("REG-53", "http://id.insee.fr/geo/region/53"),
    ("DEP-2A", "http://id.insee.fr/geo/departement/2A"),
])
def test_spatial_codes_of_the_demo_data_become_insee_or_eu_uris(code, uri):
    pkg = loader.dataset_dict({"name": "x-data", "title": "X", "spatial_code": code}, "org",
                              schema_fields={"spatial_coverage"})
    assert pkg["spatial_coverage"][0]["uri"] == uri


def test_differs_ignores_keys_it_does_not_ask_for():
    existing = {"title": "A", "tags": [{"name": "b", "id": "1"}], "metadata_modified": "x",
                "extras": [{"key": "frequency", "value": "ANNUAL"}, {"key": "other", "value": "1"}]}
    assert not loader.differs({"title": "A", "tags": [{"name": "b"}],
                               "extras": [{"key": "frequency", "value": "ANNUAL"}]}, existing)
    assert loader.differs({"title": "B"}, existing)
    assert loader.differs({"tags": [{"name": "c"}]}, existing)
    assert loader.differs({"extras": [{"key": "frequency", "value": "MONTHLY"}]}, existing)


def test_shipped_demo_data_meets_the_portal_s_needs():
    data = loader.read_demo_data()
    assert len(data.organizations) >= 5
    assert len(data.datasets) >= 40
    assert any(d.get("private") for d in data.datasets)
    assert sum(1 for d in data.datasets if not d.get("private")) >= 20
    assert {d.get("license_id") for d in data.datasets} >= {"lov2", "odc-odbl"}
    formats = {Path(r["file"]).suffix for d in data.datasets for r in d["resources"]}
    assert {".csv", ".xlsx", ".json"} <= formats
    files = [r["file"] for d in data.datasets for r in d["resources"]]
    assert len(files) == len(set(files)), "each dataset has files of its own"


# ---------------------------------------------------------------- small data set on disk
def write_demo(base: Path, datasets: list[dict], orgs: list[dict] | None = None) -> Path:
    (base / "files").mkdir(parents=True, exist_ok=True)
    orgs = orgs or [{"name": "ministere-sante", "title": "Ministère de la Santé"},
                    {"name": "ministere-interieur", "title": "Ministère de l'Intérieur"}]
    (base / "organizations.yaml").write_text(yaml.safe_dump(orgs, allow_unicode=True))
    (base / "datasets.yaml").write_text(yaml.safe_dump(datasets, allow_unicode=True))
    for d in datasets:
        for r in d.get("resources", []):
            path = base / "files" / r["file"]
            if not path.exists():
                path.write_text(f"code;libellé\n1;{d['title']}\n", encoding="utf-8")
    return base


SMALL = [
    {"name": "vaccination-grippe", "title": "Vaccination contre la grippe",
     "notes": "Couverture vaccinale par département.", "organization": "ministere-sante",
     "license_id": "lov2", "private": False, "tags": ["santé", "vaccination"],
     "frequency": "ANNUAL",
     "resources": [{"name": "Couverture 2024", "file": "vaccination.csv", "format": "CSV"}]},
    {"name": "effectifs-police", "title": "Effectifs de la police nationale",
     "notes": "Effectifs par direction (usage interne).", "organization": "ministere-interieur",
     "license_id": "notspecified", "private": True, "tags": ["police"],
     "resources": [{"name": "Effectifs", "file": "effectifs.csv", "format": "CSV"}]},
]


@pytest.fixture
def small_demo(tmp_path):
    return loader.read_demo_data(write_demo(tmp_path / "demo", SMALL))


def counts(sysadmin_name: str) -> tuple[int, int, int, int]:
    orgs = helpers.call_action("organization_list", all_fields=False)
    everything = helpers.call_action("package_search", context={"user": sysadmin_name},
                                     q="*:*", include_private=True, rows=1000)
    public = helpers.call_action("package_search", context={"user": ""}, q="*:*", rows=1000)
    resources = sum(len(d["resources"]) for d in everything["results"])
    return len(orgs), everything["count"], public["count"], resources


# ---------------------------------------------------------------- against CKAN
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestLoad:
    def test_loading_the_shipped_demo_twice_gives_the_same_portal(self):
        data = loader.read_demo_data()
        admin = factories.Sysadmin()
        first = loader.load(data, site_context)
        after_first = counts(admin["name"])
        second = loader.load(data, site_context)
        after_second = counts(admin["name"])

        n_public = sum(1 for d in data.datasets if not d.get("private"))
        n_resources = sum(len(d["resources"]) for d in data.datasets)
        assert after_first == (len(data.organizations), len(data.datasets), n_public,
                               n_resources)
        assert after_second == after_first
        assert first.created == len(data.organizations) + len(data.datasets)
        assert first.files_uploaded == n_resources
        assert (second.created, second.updated, second.files_uploaded) == (0, 0, 0)
        assert second.unchanged == len(data.organizations) + len(data.datasets)

    def test_public_file_downloads_for_anyone_private_one_for_nobody_outside(self, app,
                                                                             small_demo):
        loader.load(small_demo, site_context)
        public = helpers.call_action("package_show", id="vaccination-grippe")
        res = public["resources"][0]
        assert res["url_type"] == "upload"
        body = app.get(res["url"]).body
        assert body == (small_demo.files_dir / "vaccination.csv").read_text(encoding="utf-8")

        private = helpers.call_action("package_show", id="effectifs-police")
        res = private["resources"][0]
        # refused, never a 200 login page (404 once the sharing plugin hides the dataset)
        assert app.get(res["url"]).status_code in (403, 404)  # anonymous
        outsider = factories.User()
        assert app.get(res["url"], headers={"Authorization": factories.APIToken(
            user=outsider["name"])["token"]}).status_code in (403, 404)

    def test_a_changed_file_is_uploaded_again_and_nothing_else_moves(self, tmp_path):
        base = write_demo(tmp_path / "demo", SMALL)
        loader.load(loader.read_demo_data(base), site_context)
        before = helpers.call_action("package_show", id="vaccination-grippe")
        (base / "files" / "vaccination.csv").write_text("code;taux\n33;54,2\n", encoding="utf-8")

        report = loader.load(loader.read_demo_data(base), site_context)

        after = helpers.call_action("package_show", id="vaccination-grippe")
        assert (report.created, report.updated, report.files_uploaded) == (0, 0, 1)
        assert after["resources"][0]["id"] == before["resources"][0]["id"]
        assert after["resources"][0]["hash"] != before["resources"][0]["hash"]
        assert len(after["resources"]) == 1

    def test_a_deleted_demo_dataset_comes_back_on_reload(self, small_demo):
        loader.load(small_demo, site_context)
        helpers.call_action("package_delete", context=site_context(), id="vaccination-grippe")
        report = loader.load(small_demo, site_context)
        assert report.updated == 1
        assert helpers.call_action("package_show", id="vaccination-grippe")["state"] == "active"


# ---------------------------------------------------------------- the command
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestCommand:
    def test_demo_load_command_reports_progress_and_counts(self, cli, tmp_path):
        base = write_demo(tmp_path / "demo", SMALL)
        result = cli.invoke(ckan_cli, ["internalportal", "demo", "load", "--data-dir", str(base)])
        assert result.exit_code == 0, result.output
        assert "[2/2] effectifs-police : créé" in result.output
        assert "4 créé(s)" in result.output
        again = cli.invoke(ckan_cli, ["internalportal", "demo", "load", "--data-dir", str(base)])
        assert "0 créé(s), 0 mis à jour, 4 inchangé(s)" in again.output

    def test_bad_demo_data_is_refused_in_french_before_anything_is_written(self, cli, tmp_path):
        broken = [dict(SMALL[0]), dict(SMALL[1], organization="ministere-inconnu")]
        base = write_demo(tmp_path / "demo", broken)
        result = cli.invoke(ckan_cli, ["internalportal", "demo", "load", "--data-dir", str(base)])
        assert result.exit_code != 0
        assert "l'organisation « ministere-inconnu » n'existe pas" in result.output
        assert helpers.call_action("package_list") == []
        assert helpers.call_action("organization_list") == []

    def test_missing_file_is_named(self, tmp_path):
        base = write_demo(tmp_path / "demo", SMALL)
        (base / "files" / "effectifs.csv").unlink()
        with pytest.raises(loader.DemoDataError, match="fichier introuvable : files/effectifs.csv"):
            loader.read_demo_data(base)

    def test_demo_admin_is_created_once_and_is_sysadmin(self, cli):
        args = ["internalportal", "demo", "admin", "chef-de-projet", "--password", "motdepasse-123"]
        assert cli.invoke(ckan_cli, args).exit_code == 0
        result = cli.invoke(ckan_cli, args)
        assert result.exit_code == 0, result.output
        users = [u for u in helpers.call_action("user_list") if u["name"] == "chef-de-projet"]
        assert len(users) == 1 and users[0]["sysadmin"] is True

