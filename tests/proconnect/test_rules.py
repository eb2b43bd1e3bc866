"""The pure rules of internalportal_proconnect: the mapping file (SIRET, SIREN, e-mail domain →
organisation), the claims read, the user names proposed, the pages one may return to."""
from __future__ import annotations

from pathlib import Path

import pytest

from ckanext.internalportal.proconnect import identity, mapping

DEMO_MAPPING = (Path(__file__).resolve().parents[2] / "ckanext" / "internalportal" / "demo"
                / "data" / "proconnect_organisations.yaml")

ENTRIES = [
    {"organization": "ministere-interieur", "siren": ["110000015"],
     "email_domains": ["interieur.gouv.fr"]},
    {"organization": "ministere-economie", "siren": ["110000031"],
     "siret": ["13000004900011"], "email_domains": ["finances.gouv.fr"]},
    {"organization": "dgfip", "email_domains": ["dgfip.finances.gouv.fr"]},
]


def test_a_siret_wins_over_its_siren_and_the_domain():
    rules = mapping.parse(ENTRIES)
    assert rules.place("13000004900011", "x@interieur.gouv.fr") == mapping.Placement(
        "ministere-economie", "siret")
    # another establishment of the Interior's legal unit: by its SIREN
    assert rules.place("110 000 015 00099", "x@example.org") == mapping.Placement(
        "ministere-interieur", "siren")


def test_the_e_mail_domain_is_the_fallback_and_the_longest_domain_wins():
    rules = mapping.parse(ENTRIES)
    assert rules.place("", "agent@finances.gouv.fr").organization == "ministere-economie"
    assert rules.place("99999999999999", "a@dgfip.finances.gouv.fr").organization == "dgfip"
    assert rules.place(None, "a@bureau.interieur.gouv.fr").matched_by == "email_domain"
    # a look-alike domain is not a sub-domain
    assert rules.place("", "a@faux-interieur.gouv.fr") is None
    assert rules.place("55200000000015", "lou@entreprise-exemple.fr") is None


@pytest.mark.parametrize("entries, says", [
    ({"organization": "x"}, "une liste"),
    ([{"organization": "Ministère"}], "identifiant d'une organisation"),
    ([{"organization": "mi", "siret": ["1234"]}], "un SIRET a 14 chiffres"),
    ([{"organization": "mi", "siren": ["12345678901"]}], "un SIREN a 9 chiffres"),
    ([{"organization": "mi", "email_domains": ["pas un domaine"]}], "nom de domaine"),
    ([{"organization": "mi", "sirett": ["1"]}], "clé inconnue sirett"),
    ([{"organization": "a1", "siren": ["110000015"]},
      {"organization": "b1", "siren": ["110000015"]}], "déjà rattaché à « a1 »"),
])
def test_a_wrong_mapping_file_is_refused_whole_with_a_french_message(entries, says):
    with pytest.raises(mapping.MappingError) as error:
        mapping.parse(entries)
    assert says in str(error.value)


def test_a_missing_file_says_which(tmp_path):
    with pytest.raises(mapping.MappingError, match="illisible"):
        mapping.load(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("- organization: [\n", encoding="utf-8")
    with pytest.raises(mapping.MappingError, match="YAML"):
        mapping.load(broken)


def test_the_demo_mapping_places_each_demo_agent_of_a_ministry():
    import yaml
    rules = mapping.load(DEMO_MAPPING)
    agents = yaml.safe_load((DEMO_MAPPING.parent / "proconnect_agents.yaml").read_text("utf-8"))
    organizations = {o["name"] for o in yaml.safe_load(
        (DEMO_MAPPING.parent / "organizations.yaml").read_text("utf-8"))}
    assert rules.organizations <= organizations
    placed = {a["email"]: rules.place(a["siret"], a["email"]) for a in agents}
    assert placed.pop("lou.garnier@entreprise-exemple.fr") is None
    assert {p.organization for p in placed.values()} == organizations
    assert {p.matched_by for p in placed.values()} == {"siren"}


def test_the_claims_read():
    agent = identity.from_claims({
        "sub": "abc", "email": " Camille.Durand@Interieur.gouv.fr ", "given_name": "Camille",
        "usual_name": "Durand", "siret": "110 000 015 00013", "uid": "42", "idp_id": "fia1"})
    assert agent.email == "camille.durand@interieur.gouv.fr"
    assert agent.fullname == "Camille Durand"
    assert agent.siret == "11000001500013"
    assert identity.from_claims({"sub": "a", "email": "a@b.fr", "siret": "12"}).siret == ""


@pytest.mark.parametrize("claims, reason", [
    ({"sub": "a"}, "missing_email"),
    ({"sub": "a", "email": ""}, "missing_email"),
    ({"sub": "a", "email": ["a@b.fr"]}, "missing_email"),
    ({"sub": "a", "email": "pas-une-adresse"}, "invalid_email"),
    ({"email": "a@b.fr"}, "missing_sub"),
])
def test_an_identity_without_a_usable_address_opens_no_account(claims, reason):
    with pytest.raises(identity.IdentityError) as error:
        identity.from_claims(claims)
    assert str(error.value) == reason


def test_user_names_from_the_address():
    assert identity.user_name_base("Camille.Durand@x.gouv.fr") == "camille-durand"
    assert identity.user_name_base("élodie.noël+data@x.fr") == "elodie-noel-data"
    assert identity.user_name_base("x@y.fr") == "agent-x"
    names = identity.user_name_candidates("a.b@c.fr")
    assert [next(names), next(names), next(names)] == ["a-b", "a-b-2", "a-b-3"]


@pytest.mark.parametrize("value", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/ok\r\nLocation: https://evil.example", "", None, "dataset",
    "http://test.internalportal.localhost/dataset",
])
def test_came_from_outside_the_portal_is_dropped(value):
    assert identity.safe_came_from(value) is None


@pytest.mark.parametrize("value", ["/dataset/x", "/partages?q=route#r", "/"])
def test_came_from_a_path_of_the_portal_is_kept(value):
    assert identity.safe_came_from(value) == value
