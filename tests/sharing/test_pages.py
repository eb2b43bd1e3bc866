"""What the sharing plugin adds to the portal's pages: the access level's badge wherever a
dataset is listed and on its page, the access-level facet of the search, and « Partagés avec
mon organisation » (the datasets shared with the user's organisations, their requests)."""
from __future__ import annotations

import re
from html import unescape

import pytest

from ckanext.internalportal import settings
from ckanext.internalportal.lib.access import level_concept
from tests.sharing.support import as_user, dataset, headers

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]

LEVELS = ("public", "internal", "restricted", "private")


def page(app, path, user=None, status=200) -> str:
    return unescape(app.get(path, headers=headers(user), status=status).body)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def badges(html: str) -> dict[str, str]:
    """The access-level badges of a page: level -> the text a reader reads."""
    return {level: text(label) for level, label in re.findall(
        r'<span class="badge[^"]*internalportal-access-level" data-access-level="([a-z]+)"'
        r'[^>]*>(.*?)</span>', html, re.S)}


def facet_items(html: str) -> dict[str, tuple[str, int]]:
    """The access-level facet: code (in the link) -> (label, count)."""
    found = {}
    for href, label, count in re.findall(
            r'<a [^>]*href="([^"]*access_level=[^"]*)"[^>]*>\s*'
            r'<span class="item-label">(.*?)</span>.*?<span class="item-count[^"]*">(\d+)',
            html, re.S):
        code = re.search(r"access_level=([a-z]+)", href).group(1)
        found[code] = (text(label), int(count))
    return found


def one_of_each(people) -> dict[str, dict]:
    return {level: dataset(people, level, title=f"Tableau {level}") for level in LEVELS}


def french(level: str, short: bool = True) -> str:
    label = level_concept(level).label("fr")
    return label.split(" (")[0] if short else label


# ------------------------------------------------------------------ badges
def test_search_results_carry_the_access_level_badge_of_each_dataset(people, app):
    one_of_each(people)

    html = page(app, "/dataset/", people["sysadmin"])

    assert badges(html) == {"public": "Public", "internal": "Interne",
                            "restricted": "Restreint", "private": "Privé"}
    assert "dataset-private" not in html  # CKAN's « Private » badge is replaced


def test_the_badges_come_from_the_vocabulary_with_its_whole_label_as_title(people, app):
    one_of_each(people)

    html = page(app, "/dataset/", people["sysadmin"])

    for level in LEVELS:
        assert badges(html)[level] == french(level)
        assert f'data-access-level="{level}" title="{french(level, short=False)}"' in html


def test_the_organisation_page_lists_its_datasets_with_their_badge(people, app):
    one_of_each(people)

    assert badges(page(app, f"/organization/{people['org']['name']}", people["member"])) == {
        "public": "Public", "internal": "Interne", "restricted": "Restreint",
        "private": "Privé"}
    assert badges(page(app, f"/organization/{people['org']['name']}", people["c_agent"])) == {
        "public": "Public", "internal": "Interne", "restricted": "Restreint"}


def test_the_dataset_page_shows_the_whole_label_of_its_level(people, app):
    pkg = dataset(people, "restricted")

    html = page(app, f"/dataset/{pkg['name']}", people["c_agent"])

    assert badges(html)["restricted"] == french("restricted", short=False)
    assert "Restreint (métadonnées visibles des agents, données réservées)" in text(html)


# ------------------------------------------------------------------ the facet
def test_the_search_page_has_an_access_level_facet_labelled_from_the_vocabulary(people, app):
    one_of_each(people)
    dataset(people, "restricted")

    html = page(app, "/dataset/", people["sysadmin"])

    assert "Niveau d'accès" in text(html)
    assert facet_items(html) == {"public": ("Public", 1), "internal": ("Interne", 1),
                                 "restricted": ("Restreint", 2), "private": ("Privé", 1)}


def test_the_facet_counts_only_what_the_reader_may_see(people, app):
    one_of_each(people)

    assert facet_items(page(app, "/dataset/", people["c_agent"])) == {
        "public": ("Public", 1), "internal": ("Interne", 1), "restricted": ("Restreint", 1)}
    assert facet_items(page(app, "/dataset/")) == {"public": ("Public", 1)}


def test_the_organisation_page_has_the_facet_too(people, app):
    one_of_each(people)

    html = page(app, f"/organization/{people['org']['name']}", people["c_agent"])

    assert "Niveau d'accès" in text(html)
    assert facet_items(html) == {"public": ("Public", 1), "internal": ("Interne", 1),
                                 "restricted": ("Restreint", 1)}


def test_the_facet_filters_the_search_by_level(people, app):
    made = one_of_each(people)

    html = page(app, "/dataset/?access_level=restricted", people["sysadmin"])

    assert made["restricted"]["title"] in html
    assert made["public"]["title"] not in html and made["private"]["title"] not in html


# --------------------------------------------------------- « Partagés avec mon organisation »
def test_members_of_b_see_what_is_shared_with_b_with_its_badge_and_end(people, app):
    pkg = dataset(people, "private", title="Effectifs par service")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["name"], expires="2099-12-31")

    html = page(app, "/partages", people["b_member"])

    section = re.search(rf'<section class="internalportal-shared-with" '
                        rf'data-organization="{people["b"]["name"]}">.*?</section>', html, re.S)
    assert section, html
    assert "Effectifs par service" in section.group(0)
    assert f'href="/dataset/{pkg["name"]}"' in section.group(0)
    assert badges(section.group(0)) == {"private": "Privé"}
    assert (f"Partagé par {people['org']['title']} · jusqu'au 31 décembre 2099"
            in text(section.group(0)))


def test_an_unrelated_ministry_sees_nothing_of_what_b_receives(people, app):
    pkg = dataset(people, "private", title="Effectifs par service")
    as_user(people["admin"], "dataset_share_create", id=pkg["id"],
            organization=people["b"]["name"])

    html = page(app, "/partages", people["c_agent"])

    assert "Effectifs par service" not in html and pkg["name"] not in html
    assert "Aucun jeu de données n'est partagé avec cette organisation." in text(html)


def test_the_page_lists_my_access_requests_with_their_decisions(people, app, smtp_sink):
    asked, refused = (dataset(people, "restricted", title=t)
                      for t in ("Contrôles sanitaires", "Signalements"))
    for pkg in (asked, refused):
        as_user(people["c_agent"], "dataset_access_request_create", id=pkg["id"],
                reason="Étude d'impact")
    [request] = as_user(people["admin"], "dataset_access_request_list", id=refused["id"])
    as_user(people["admin"], "dataset_access_request_refuse", id=request["id"],
            reason="Données nominatives")

    html = page(app, "/partages", people["c_agent"])

    rows = {text(m.group(1)): m.group(0) for m in re.finditer(
        r'<tr data-request="[^"]+" data-state="[a-z]+">\s*<td>(.*?)</td>.*?</tr>', html, re.S)}
    assert "Demande en attente" in text(rows["Contrôles sanitaires"])
    assert "Demande refusée" in text(rows["Signalements"])
    assert "Données nominatives" in rows["Signalements"]


def test_an_account_of_no_organisation_is_told_nothing_is_shared_with_it(people, app):
    html = text(page(app, "/partages", people["nobody"]))

    assert "Vous n'appartenez à aucune organisation : rien ne vous est partagé." in html


@pytest.mark.usefixtures("clean_db")
def test_the_page_asks_anonymous_visitors_to_sign_in(app):
    response = app.get("/partages", status=302, follow_redirects=False)

    assert "/user/login" in response.headers["Location"]


def test_the_page_is_linked_from_the_user_menu_and_the_dashboard(people, app):
    assert 'href="/partages"' in page(app, "/dataset/", people["b_member"])
    dashboard = page(app, "/dashboard/datasets", people["b_member"])
    assert 'href="/partages"' in dashboard
    assert "Partagés avec mon organisation" in text(dashboard)
    assert 'href="/partages"' not in page(app, "/dataset/")
