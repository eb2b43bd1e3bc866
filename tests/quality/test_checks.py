"""The weighted checks and the score, on crafted dataset dicts (no CKAN)."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import ckanext.internalportal
from ckanext.internalportal.quality import checks
from ckanext.internalportal.quality.checks import (CHECKS, Check, average_from_counts,
                                                   dataset_score, evaluate, quality_report,
                                                   score)

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
EU = "http://publications.europa.eu/resource/authority"
NOTES = ("Nombre d'accidents corporels de la circulation routière et de victimes survenus en "
         "2023, par département, issus des bulletins d'analyse des accidents corporels.")


def full(**changes):
    """A dataset as the DCAT-AP 3 schema shows it, every check passing at NOW."""
    pkg = {
        "title": "Accidents corporels de la circulation routière – 2023",
        "notes": NOTES,
        "tags": [{"name": "sécurité routière"}],
        "owner_org": "0b6e…", "organization": {"name": "ministere-interieur"},
        "license_id": "lov2",
        "contact": [{"name": "ONISR", "email": "onisr@interieur.gouv.fr", "uri": ""}],
        "theme": [f"{EU}/data-theme/TRAN"],
        "frequency": f"{EU}/frequency/ANNUAL",
        "access_rights": f"{EU}/access-right/PUBLIC",
        "spatial_coverage": [{"uri": f"{EU}/country/FRA", "text": "France"}],
        "temporal_coverage": [{"start": "2023-01-01", "end": "2023-12-31"}],
        "issued": "2024-06-15", "modified": "2025-01-10",
        "metadata_modified": "2025-01-10T09:00:00.123456",
        "resources": [
            {"url": "http://portail.example/dataset/x/resource/1/download/accidents.csv",
             "url_type": "upload", "name": "Accidents", "format": "CSV",
             "description": "Une ligne par département."},
            {"url": "https://www.data.gouv.fr/fr/datasets/r/abc", "url_type": "",
             "name": "Mensuel", "format": "JSON", "description": "Totaux mensuels."},
        ],
    }
    pkg.update(changes)
    return pkg


def extras_shaped():
    """The same dataset as a CKAN without the portal's schema gives it (``ckan_harvester``):
    the DCAT fields as extras."""
    pkg = full()
    for key in ("contact", "theme", "frequency", "access_rights", "spatial_coverage",
                "temporal_coverage", "issued", "modified"):
        del pkg[key]
    pkg["maintainer_email"] = "onisr@interieur.gouv.fr"
    pkg["extras"] = [{"key": "frequency", "value": "ANNUAL"},
                     {"key": "themes", "value": '["TRAN"]'},
                     {"key": "access_level", "value": "public"},
                     {"key": "spatial", "value": "France entière"},
                     {"key": "temporal_start", "value": "2023-01-01"},
                     {"key": "issued", "value": "2024-06-15"},
                     {"key": "modified", "value": "2025-01-10"}]
    return pkg


def failed(pkg):
    return {r.name for r in evaluate(pkg, NOW) if not r.passed}


def with_resource(**changes):
    resources = full()["resources"]
    resources[1] = {**resources[1], **changes}
    return full(resources=resources)


# ------------------------------------------------------------------ the whole score
def test_a_well_filled_dataset_scores_100():
    assert failed(full()) == set()
    assert dataset_score(full(), NOW) == 100


def test_a_well_filled_dataset_harvested_with_its_dcat_fields_as_extras_scores_100():
    assert failed(extras_shaped()) == set()
    assert dataset_score(extras_shaped(), NOW) == 100


def test_an_empty_ish_dataset_scores_low():
    assert dataset_score({}, NOW) < 10
    assert dataset_score({"title": "Tableau", "notes": "À compléter.", "owner_org": "o",
                          "license_id": "notspecified", "resources": []}, NOW) <= 35


@pytest.mark.parametrize("changes, expected", [
    ({"title": ""}, {"title"}),
    ({"notes": None}, {"description", "description_length"}),
    ({"notes": "Trop court."}, {"description_length"}),
    ({"notes": " " * 150 + "court"}, {"description_length"}),
    ({"tags": []}, {"keywords"}),
    ({"theme": []}, {"themes"}),
    ({"contact": [{"name": "ONISR", "email": ""}]}, {"contact_point"}),
    ({"contact": [{"name": "ONISR", "email": "onisr"}]}, {"contact_point"}),
    ({"owner_org": None, "organization": None}, {"publisher"}),
    ({"license_id": "notspecified"}, {"license"}),
    ({"license_id": ""}, {"license"}),
    ({"access_rights": ""}, {"access_rights"}),
    ({"frequency": None}, {"update_frequency"}),
    ({"frequency": f"{EU}/frequency/UNKNOWN"}, {"update_frequency"}),
    ({"spatial_coverage": [{"uri": "", "text": ""}]}, {"spatial_coverage"}),
    ({"temporal_coverage": []}, {"temporal_coverage"}),
    ({"issued": None}, {"issued_modified"}),
    ({"resources": []}, {"has_resources", "resources_url_format", "resources_description",
                         "resources_reachable"}),
    ({"modified": "2024-01-10"}, {"frequency_respected"}),
], ids=lambda v: "-".join(sorted(v)) if isinstance(v, set) else None)
def test_each_check_fails_on_what_it_checks_and_only_there(changes, expected):
    assert failed(full(**changes)) == expected


@pytest.mark.parametrize("changes, expected", [
    ({"format": ""}, {"resources_url_format"}),
    ({"url": "", "url_type": ""}, {"resources_url_format", "resources_reachable"}),
    ({"description": " "}, {"resources_description"}),
    ({"url": "\\\\srv-fichiers\\stats\\accidents.xlsx"}, {"resources_reachable"}),
    ({"url": "file:///C:/Users/agent/Documents/accidents.xlsx"}, {"resources_reachable"}),
    ({"url": "ftp://ftp.interieur.gouv.fr/accidents.csv"}, {"resources_reachable"}),
    ({"url": "https://"}, {"resources_reachable"}),
    ({"url": "accidents.csv", "url_type": "upload"}, set()),
    ({"url": "HTTPS://WWW.DATA.GOUV.FR/r/abc"}, set()),
])
def test_every_resource_is_checked(changes, expected):
    assert failed(with_resource(**changes)) == expected


def test_contact_point_is_also_the_maintainer_e_mail_that_ckanext_dcat_publishes():
    assert "contact_point" not in failed(full(contact=None, maintainer_email="a@interieur.gouv.fr"))


def test_internal_data_may_keep_license_not_specified_but_open_data_may_not():
    assert "license" not in failed(full(license_id="notspecified", access_level="internal"))
    assert "license" not in failed(full(license_id="notspecified", private=True))
    assert "license" in failed(full(license_id="notspecified", access_level="public"))
    assert "license" in failed(full(license_id="", access_level="internal"))


def test_access_rights_are_also_the_portal_s_access_level():
    assert "access_rights" not in failed(full(access_rights=None, access_level="internal"))


def test_freshness_falls_back_to_metadata_modified_and_respects_irregular_data():
    stale = full(modified=None, metadata_modified="2024-01-10T09:00:00")
    assert failed(stale) == {"issued_modified", "frequency_respected"}
    assert "frequency_respected" not in failed(full(modified="2019-01-01",
                                                    frequency=f"{EU}/frequency/IRREG"))
    assert "frequency_respected" not in failed(full(modified="2019-01-01", frequency=None))


def test_the_score_is_the_rounded_share_of_passed_weights():
    def check(name, weight, passed):
        return Check(name, weight, "", lambda pkg, now: passed)
    assert score(evaluate({}, NOW, [check("a", 1, True), check("b", 2, False)])) == 33
    assert score(evaluate({}, NOW, [check("a", 1, True), check("b", 7, False)])) == 13  # 12.5
    assert score(evaluate({}, NOW, [check("a", 3, True)])) == 100
    assert score([]) == 0


def test_each_failed_check_costs_its_weight():
    total = sum(c.weight for c in CHECKS)
    assert dataset_score(full(tags=[]), NOW) == round(100 * (total - 1) / total)
    assert dataset_score(full(resources=[]), NOW) == round(100 * (total - 8) / total)


# ------------------------------------------------------------------ the report
def test_report_lists_every_check_in_order_with_translated_hints():
    report = quality_report(full(tags=[]), NOW, translate=str.upper)
    assert report["score"] < 100
    assert [c["name"] for c in report["checks"]] == [c.name for c in CHECKS]
    keywords = next(c for c in report["checks"] if c["name"] == "keywords")
    assert keywords == {"name": "keywords", "passed": False, "weight": 1,
                        "hint": checks.CHECKS[3].hint.upper()}


def test_checks_have_stable_names_positive_weights_and_hints():
    names = [c.name for c in CHECKS]
    assert len(set(names)) == len(names)
    for check in CHECKS:
        assert re.fullmatch(r"[a-z][a-z_]*[a-z]", check.name)
        assert check.weight > 0
        assert check.hint.endswith(".")
    assert str(checks.MIN_DESCRIPTION_LENGTH) in next(
        c.hint for c in CHECKS if c.name == "description_length")


def test_every_hint_is_translated_into_french():
    po_file = (Path(ckanext.internalportal.__file__).parent
               / "i18n/fr/LC_MESSAGES/ckanext-internalportal.po")
    catalog = read_po(po_file.open("rb"))
    for check in CHECKS:
        message = catalog.get(check.hint)
        assert message is not None and message.string, check.name


# ------------------------------------------------------------------ averages
def test_average_from_search_facet_counts():
    assert average_from_counts({"045": 2, "100": 1}) == 63
    assert average_from_counts({"050": 1, "051": 1}) == 51   # halves rounded up
    assert average_from_counts({"100": 1, "050": 1, "021": 1}) == 57
    assert average_from_counts({}) is None
