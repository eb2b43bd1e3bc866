"""The dataset schema's validators: the pure rules, then every rule through package_create /
package_update with the portal's plugins, in French (the test site's language), checking that a
refused call saves nothing."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.internalportal import settings
from ckanext.internalportal.logic import validators as v
from tests import factories as builders
from tests.factories import EU, INSEE

pytestmark = pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)


# ---------------------------------------------------------------- pure rules
@pytest.mark.parametrize("level, private, stored_level, stored_private, expected", [
    ("restricted", None, None, None, "restricted"),      # the level alone
    ("public", True, None, None, "public"),              # the level wins over a stale flag
    ("internal", False, None, None, "internal"),
    (None, False, None, None, "public"),                 # CKAN callers: private alone
    (None, True, None, None, "private"),
    (None, None, None, None, "public"),                  # nothing: CKAN's default, public
    (None, None, "restricted", True, "restricted"),      # update without either: kept
    ("internal", False, "internal", True, "public"),     # visibility changed alone (bulk action)
    ("public", True, "public", False, "private"),
    ("internal", True, "internal", True, "internal"),    # nothing changed
    ("restricted", True, "internal", True, "restricted"),
    ("public", True, "internal", True, "public"),        # level changed, stale flag resent
])
def test_resolve_access_level(level, private, stored_level, stored_private, expected):
    assert v.resolve_access_level(level, private, stored_level, stored_private) == expected


@pytest.mark.parametrize("level, private, right", [
    ("public", False, "PUBLIC"), ("internal", True, "RESTRICTED"),
    ("restricted", True, "RESTRICTED"), ("private", True, "NON_PUBLIC"),
])
def test_access_level_gives_ckan_private_flag_and_eu_access_right(level, private, right):
    assert v.is_private_level(level) is private
    assert v.access_right_uri(level) == f"{EU}/access-right/{right}"


def test_personal_data_categories():
    assert not v.is_personal("none")
    assert v.is_personal("pseudonymised") and v.is_personal("personal")
    assert not v.is_personal(None) and not v.is_personal("unknown")


# ---------------------------------------------------------------- through the actions
def well_filled(org_id: str, **overrides: Any) -> dict[str, Any]:
    """The suite's well-filled dataset, with one theme, one territory and one file (the
    values these tests read back) and no language."""
    data = builders.well_filled(**{
        "name": "accidents-routiers-2023", "owner_org": org_id,
        "theme": [f"{EU}/data-theme/TRAN"],
        "spatial_coverage": [{"uri": f"{INSEE}/departement/33"}],
        "resources": [{"url": "https://example.gouv.fr/accidents.csv", "name": "Accidents",
                       "format": "CSV"}],
        **overrides})
    if "language" not in overrides:
        del data["language"]  # these tests check the schema's default (French)
    return data


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


@pytest.fixture
def org():
    return factories.Organization(name="ministere-interieur")


@pytest.fixture
def call(sysadmin):
    def call(action: str, **data_dict: Any) -> dict[str, Any]:
        return helpers.call_action(action, context={"user": sysadmin["name"]}, **data_dict)
    return call


def refused(call, action: str, **data_dict: Any) -> dict[str, Any]:
    with pytest.raises(tk.ValidationError) as e:
        call(action, **data_dict)
    return e.value.error_dict


def nothing_created(call) -> bool:
    return call("package_search", q="*:*", include_private=True)["count"] == 0 and \
        call("package_list") == []


# a request in the site's language (French), so that messages are translated as for the web
# and API users; clean_index because refusals are checked through package_search too
with_portal = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index",
                                      "with_request_context")


@with_portal
class TestVocabularyFields:
    def test_a_well_filled_dataset_is_stored_with_its_uris_and_labels(self, call, org):
        pkg = call("package_create", **well_filled(org["id"]))
        assert pkg["theme"] == [f"{EU}/data-theme/TRAN"]
        assert pkg["frequency"] == f"{EU}/frequency/ANNUAL"
        assert pkg["spatial_coverage"] == [{"uri": f"{INSEE}/departement/33", "text": "Gironde"}]
        assert pkg["language"] == [f"{EU}/language/FRA"]
        assert pkg["access_rights"] == f"{EU}/access-right/PUBLIC"
        assert pkg["private"] is False

    @pytest.mark.parametrize("field, value, error", [
        ("theme", [f"{EU}/data-theme/NOPE"], f"Thème inconnu : {EU}/data-theme/NOPE"),
        ("theme", ["ECON"], "Thème inconnu : ECON"),
        ("frequency", f"{EU}/frequency/SOMETIMES",
         f"Fréquence de mise à jour inconnue : {EU}/frequency/SOMETIMES"),
        ("language", ["klingon"], "Langue inconnue : klingon"),
        ("access_level", "secret", "Niveau d'accès inconnu : secret"),
        ("personal_data", "maybe", "Catégorie de données personnelles inconnue : maybe"),
        ("license_id", "wtfpl", "Licence inconnue : wtfpl"),
    ])
    def test_an_unknown_value_is_refused_in_french_naming_the_field_and_nothing_is_created(
            self, call, org, field, value, error):
        errors = refused(call, "package_create", **well_filled(org["id"], **{field: value}))
        assert errors[field] == [error]
        assert nothing_created(call)

    def test_an_unknown_territory_is_refused_in_its_subfield(self, call, org):
        data = well_filled(org["id"], spatial_coverage=[{"uri": f"{INSEE}/departement/99"}])
        errors = refused(call, "package_create", **data)
        assert errors["spatial_coverage"] == [
            {"uri": [f"Couverture géographique inconnue : {INSEE}/departement/99"]}]
        assert nothing_created(call)

    def test_the_territory_label_is_always_the_vocabulary_s(self, call, org):
        data = well_filled(org["id"], spatial_coverage=[
            {"uri": f"{EU}/country/FRA", "text": "France métropolitaine"},
            {"uri": f"{INSEE}/region/53"}])
        pkg = call("package_create", **data)
        assert pkg["spatial_coverage"] == [{"uri": f"{EU}/country/FRA", "text": "France"},
                                           {"uri": f"{INSEE}/region/53", "text": "Bretagne"}]

    def test_a_refused_update_keeps_the_old_values(self, call, org):
        call("package_create", **well_filled(org["id"]))
        errors = refused(call, "package_update", **well_filled(
            org["id"], id="accidents-routiers-2023", title="Nouveau titre",
            frequency="weekly"))
        assert errors["frequency"] == ["Fréquence de mise à jour inconnue : weekly"]
        pkg = call("package_show", id="accidents-routiers-2023")
        assert pkg["title"] == builders.well_filled()["title"]
        assert pkg["frequency"] == f"{EU}/frequency/ANNUAL"

    def test_a_single_theme_and_duplicates_are_accepted(self, call, org):
        pkg = call("package_create", **well_filled(
            org["id"], theme=f"{EU}/data-theme/ECON", language=[f"{EU}/language/FRA"] * 2))
        assert pkg["theme"] == [f"{EU}/data-theme/ECON"]
        assert pkg["language"] == [f"{EU}/language/FRA"]

    def test_the_publisher_organisation_is_required(self, call, org):
        errors = refused(call, "package_create", **well_filled(None))
        assert "owner_org" in errors
        assert nothing_created(call)


@with_portal
class TestAccessLevel:
    @pytest.mark.parametrize("level, private, right", [
        ("public", False, "PUBLIC"), ("internal", True, "RESTRICTED"),
        ("restricted", True, "RESTRICTED"), ("private", True, "NON_PUBLIC"),
    ])
    def test_private_and_access_rights_follow_the_access_level(self, call, org, level,
                                                               private, right):
        pkg = call("package_create", **well_filled(org["id"], access_level=level))
        assert (pkg["access_level"], pkg["private"]) == (level, private)
        assert pkg["access_rights"] == f"{EU}/access-right/{right}"

    def test_access_rights_sent_by_the_caller_are_ignored(self, call, org):
        pkg = call("package_create", **well_filled(
            org["id"], access_level="private", access_rights=f"{EU}/access-right/PUBLIC"))
        assert pkg["access_rights"] == f"{EU}/access-right/NON_PUBLIC"

    def test_the_access_level_wins_over_a_contradicting_private_flag(self, call, org):
        pkg = call("package_create", **well_filled(org["id"], access_level="internal",
                                                   private=False))
        assert pkg["private"] is True

    @pytest.mark.parametrize("private, level", [(False, "public"), (True, "private")])
    def test_ckan_callers_sending_only_private_get_an_access_level(self, call, org, private,
                                                                  level):
        data = well_filled(org["id"], private=private)
        del data["access_level"]
        pkg = call("package_create", **data)
        assert (pkg["access_level"], pkg["private"]) == (level, private)

    def test_ckan_factories_still_create_public_datasets(self, org):
        pkg = factories.Dataset(owner_org=org["id"])
        assert (pkg["access_level"], pkg["private"], pkg["personal_data"]) == \
            ("public", False, "none")

    def test_changing_only_the_visibility_changes_the_access_level(self, call, org):
        call("package_create", **well_filled(org["id"], access_level="internal"))
        pkg = call("package_patch", id="accidents-routiers-2023", private=False)
        assert (pkg["access_level"], pkg["private"]) == ("public", False)
        pkg = call("package_patch", id="accidents-routiers-2023", private=True)
        assert (pkg["access_level"], pkg["private"]) == ("private", True)

    def test_changing_the_access_level_moves_private_along(self, call, org):
        call("package_create", **well_filled(org["id"], access_level="private"))
        pkg = call("package_patch", id="accidents-routiers-2023", access_level="public")
        assert (pkg["access_level"], pkg["private"]) == ("public", False)
        assert pkg["access_rights"] == f"{EU}/access-right/PUBLIC"

    def test_ckan_bulk_make_public_sets_the_access_level(self, call, org):
        pkg = call("package_create", **well_filled(org["id"], access_level="restricted"))
        call("bulk_update_public", datasets=[pkg["id"]], org_id=org["id"])
        pkg = call("package_show", id=pkg["id"])
        assert (pkg["access_level"], pkg["private"]) == ("public", False)


@with_portal
class TestPersonalData:
    @pytest.mark.parametrize("personal_data", ["personal", "pseudonymised"])
    def test_personal_data_can_never_be_public(self, call, org, personal_data):
        data = well_filled(org["id"], personal_data=personal_data,
                           legal_basis="Mission d'intérêt public (art. 6.1.e RGPD)",
                           dpo_email="dpd@interieur.gouv.fr")
        errors = refused(call, "package_create", **data)
        assert errors == {"access_level": [
            "Un jeu de données contenant des données personnelles ou pseudonymisées ne peut "
            "jamais être public : choisissez un accès interne, restreint ou privé."]}
        assert nothing_created(call)

    def test_personal_data_cannot_be_made_public_through_ckan_s_private_flag(self, call, org):
        data = well_filled(org["id"], personal_data="pseudonymised", private=False,
                           legal_basis="Mission d'intérêt public (art. 6.1.e RGPD)",
                           dpo_email="dpd@interieur.gouv.fr")
        del data["access_level"]
        assert "access_level" in refused(call, "package_create", **data)
        data["access_level"] = "restricted"
        call("package_create", **data)
        errors = refused(call, "package_patch", id="accidents-routiers-2023", private=False)
        assert "access_level" in errors
        pkg = call("package_show", id="accidents-routiers-2023")
        assert (pkg["access_level"], pkg["private"]) == ("restricted", True)

    def test_legal_basis_and_dpo_are_required_for_personal_data(self, call, org):
        errors = refused(call, "package_create", **well_filled(
            org["id"], access_level="restricted", personal_data="personal"))
        assert errors == {
            "legal_basis": ["Base légale obligatoire : le jeu de données contient des données "
                            "personnelles ou pseudonymisées."],
            "dpo_email": ["Adresse du délégué à la protection des données obligatoire : le jeu "
                          "de données contient des données personnelles ou pseudonymisées."],
        }
        assert nothing_created(call)

    def test_a_dataset_with_personal_data_is_stored_with_its_gdpr_fields(self, call, org):
        pkg = call("package_create", **well_filled(
            org["id"], access_level="private", personal_data="personal",
            legal_basis="Obligation légale (art. 6.1.c RGPD)", dpo_email="dpd@ecologie.gouv.fr"))
        assert (pkg["personal_data"], pkg["legal_basis"], pkg["dpo_email"]) == (
            "personal", "Obligation légale (art. 6.1.c RGPD)", "dpd@ecologie.gouv.fr")

    def test_gdpr_fields_are_optional_without_personal_data(self, call, org):
        pkg = call("package_create", **well_filled(org["id"]))
        assert "legal_basis" not in pkg and "dpo_email" not in pkg

    def test_a_pasted_mailto_link_is_stored_as_the_bare_address_the_quality_check_accepts(
            self, call, org):
        pkg = call("package_create", **well_filled(
            org["id"], access_level="private", personal_data="personal",
            legal_basis="Obligation légale (art. 6.1.c RGPD)",
            dpo_email="mailto:dpd@ecologie.gouv.fr",
            contact=[{"name": "ONISR", "email": "mailto:onisr@interieur.gouv.fr"}]))
        assert pkg["dpo_email"] == "dpd@ecologie.gouv.fr"
        assert pkg["contact"][0]["email"] == "onisr@interieur.gouv.fr"
        report = call("dataset_quality_show", id=pkg["id"])
        assert next(c for c in report["checks"] if c["name"] == "contact_point")["passed"]

    def test_a_malformed_dpo_email_is_refused(self, call, org):
        errors = refused(call, "package_create", **well_filled(
            org["id"], access_level="private", personal_data="personal",
            legal_basis="Obligation légale (art. 6.1.c RGPD)", dpo_email="dpd-at-ecologie"))
        assert errors == {"dpo_email": ["Adresse électronique invalide : dpd-at-ecologie"]}

    def test_declaring_personal_data_on_a_public_dataset_is_refused_and_changes_nothing(
            self, call, org):
        call("package_create", **well_filled(org["id"]))
        errors = refused(call, "package_patch", id="accidents-routiers-2023",
                         personal_data="pseudonymised", legal_basis="Art. 6.1.e RGPD",
                         dpo_email="dpd@interieur.gouv.fr")
        assert list(errors) == ["access_level"]
        pkg = call("package_show", id="accidents-routiers-2023")
        assert (pkg["personal_data"], pkg["access_level"]) == ("none", "public")
        assert "legal_basis" not in pkg

    def test_an_update_leaving_personal_data_out_keeps_it_and_its_rules(self, call, org):
        gdpr = {"legal_basis": "Obligation légale (art. 6.1.c RGPD)",
                "dpo_email": "dpd@ecologie.gouv.fr"}
        call("package_create", **well_filled(org["id"], access_level="private",
                                             personal_data="personal", **gdpr))
        data = well_filled(org["id"], id="accidents-routiers-2023", access_level="internal",
                           **gdpr)
        del data["personal_data"]
        assert call("package_update", **data)["personal_data"] == "personal"
        data["access_level"] = "public"
        assert "access_level" in refused(call, "package_update", **data)
        del data["legal_basis"]
        data["access_level"] = "internal"
        assert list(refused(call, "package_update", **data)) == ["legal_basis"]
        pkg = call("package_show", id="accidents-routiers-2023")
        assert (pkg["personal_data"], pkg["access_level"]) == ("personal", "internal")

    def test_a_malformed_contact_email_is_refused(self, call, org):
        errors = refused(call, "package_create", **well_filled(
            org["id"], contact=[{"name": "ONISR", "email": "onisr"}]))
        assert errors == {"contact": [{"email": ["Adresse électronique invalide : onisr"]}]}


@with_portal
class TestResources:
    def test_format_is_stored_as_ckan_s_short_name_with_its_media_type(self, call, org):
        pkg = call("package_create", **well_filled(org["id"], resources=[
            {"url": "https://example.gouv.fr/a.geojson", "name": "a", "format": "geojson"},
            {"url": "https://example.gouv.fr/b.csv", "name": "b"},
            {"url": "https://example.gouv.fr/c", "name": "c", "format": "text/turtle",
             "mimetype": "text/turtle; charset=utf-8", "size": "1024",
             "availability": f"{EU}/planned-availability/STABLE", "license": "odc-odbl"}]))
        a, b, c = pkg["resources"]
        assert (a["format"], a["mimetype"]) == ("GeoJSON", "application/geo+json")
        assert (b["format"], b["mimetype"]) == ("CSV", "text/csv")
        assert (c["format"], c["mimetype"], c["size"]) == ("TTL", "text/turtle; charset=utf-8",
                                                           1024)
        assert (c["availability"], c["license"]) == (f"{EU}/planned-availability/STABLE",
                                                     "odc-odbl")

    @pytest.mark.parametrize("resource, field, error", [
        ({"format": "FOO"}, "format", "Format de fichier inconnu : FOO"),
        ({"mimetype": "csv"}, "mimetype", "Type de média invalide (attendu : un type IANA "
                                          "type/sous-type, par exemple text/csv) : csv"),
        ({"availability": "forever"}, "availability", "Disponibilité prévue inconnue : forever"),
        ({"license": "wtfpl"}, "license", "Licence inconnue : wtfpl"),
    ])
    def test_a_bad_resource_value_is_refused_in_french_and_nothing_is_created(
            self, call, org, resource, field, error):
        res = dict({"url": "https://example.gouv.fr/a.csv", "name": "a"}, **resource)
        errors = refused(call, "package_create", **well_filled(org["id"], resources=[res]))
        assert errors == {"resources": [{field: [error]}]}
        assert nothing_created(call)

    def test_a_bad_size_is_refused(self, call, org):
        res = {"url": "https://example.gouv.fr/a.csv", "name": "a", "size": "grand"}
        errors = refused(call, "package_create", **well_filled(org["id"], resources=[res]))
        assert list(errors["resources"][0]) == ["size"]

    def test_a_refused_resource_update_keeps_the_resource(self, call, org):
        pkg = call("package_create", **well_filled(org["id"]))
        res = pkg["resources"][0]
        errors = refused(call, "resource_patch", id=res["id"], format="FOO", name="Autre nom")
        assert errors["format"] == ["Format de fichier inconnu : FOO"]
        after = call("resource_show", id=res["id"])
        assert (after["format"], after["name"]) == ("CSV", "Accidents")
