"""The DSFR theme without a browser: its pure rules (breadcrumb links, the conformity wording,
the Marianne block), what the settings change in the header and the footer, the four pages the
footer links, the page's language, and that nothing is loaded from outside the portal (the
DSFR comes from npm with the lock file and is served by the portal)."""
from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest

from ckanext.internalportal import settings
from ckanext.internalportal.theme import helpers as theme
from ckanext.internalportal.theme.views import PAGES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ckanext" / "internalportal"
VENDOR = PACKAGE / "public" / "internalportal" / "vendor"


# ---------------------------------------------------------------- pure rules

def test_breadcrumb_links_get_the_dsfr_class_and_the_last_one_is_the_current_page():
    items = ('<li><a href="/organization/">Organisations</a></li>'
             '<li class="active"><a href="/dataset/x" title="X">X</a></li>')
    html = theme.breadcrumb_links(items)
    assert html.count('class="fr-breadcrumb__link"') == 2
    assert html.count('aria-current="page"') == 1
    assert html.index('aria-current="page"') > html.index("/organization/")
    assert '<a class="fr-breadcrumb__link" aria-current="page" href="/dataset/x"' in html


def test_a_breadcrumb_link_already_in_dsfr_is_left_as_it_is():
    items = '<li><a class="fr-breadcrumb__link" href="/a">A</a></li>'
    assert theme.breadcrumb_links(items).count("fr-breadcrumb__link") == 1


def test_an_empty_breadcrumb_stays_empty():
    assert theme.breadcrumb_links("") == ""


@pytest.mark.parametrize("setting, wording", [
    ("none", "not compliant"), ("partial", "partially compliant"),
    ("full", "fully compliant"),
    # a typo must never claim more than the setting meant
    ("totalement", "not compliant"), ("", "not compliant")])
def test_the_conformity_wording_never_claims_more_than_the_setting(setting, wording):
    assert theme.accessibility_label(setting) == wording


def test_the_marianne_block_has_one_line_per_line_of_the_setting():
    assert theme.brand_lines("Ministère\n  de l'Intérieur \n\n") == ["Ministère",
                                                                    "de l'Intérieur"]
    assert theme.brand_lines("") == []


# ---------------------------------------------------------------- pages


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)
@pytest.mark.ckan_config("ckanext.internalportal.theme.brand", "Ministère\nde l'Intérieur")
@pytest.mark.ckan_config("ckanext.internalportal.theme.ministry", "Direction du numérique")
@pytest.mark.ckan_config("ckanext.internalportal.theme.accessibility", "partial")
@pytest.mark.usefixtures("with_plugins")
def test_the_settings_name_the_ministry_in_the_header_and_the_conformity_in_the_footer(app):
    html = app.get("/").body
    assert re.search(r'<p class="fr-logo">\s*Ministère<br>de l(&#39;|\')Intérieur\s*</p>', html)
    assert '<p class="fr-header__service-tagline">Direction du numérique</p>' in html
    footer = _text(html[html.index('<footer class="fr-footer"'):])
    assert "Accessibilité : partiellement conforme" in footer
    statement = _text(app.get("/accessibilite").body)
    assert "est partiellement conforme avec le référentiel général" in statement
    assert "Direction du numérique s'engage à rendre ses services numériques accessibles" \
        in statement


@pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_by_default_the_state_s_block_and_an_honest_non_conformity(app):
    html = app.get("/").body
    assert re.search(r'<p class="fr-logo">\s*République<br>Française\s*</p>', html)
    assert "fr-header__service-tagline" not in html
    assert "Accessibilité : non conforme" in _text(html)
    assert "Aucun audit d'accessibilité n'a encore été réalisé" in _text(
        app.get("/accessibilite").body)


@pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)
@pytest.mark.ckan_config("ckanext.internalportal.theme.contact_email", "donnees@interieur.gouv.fr")
@pytest.mark.ckan_config("ckanext.internalportal.theme.dpo_email", "dpd@interieur.gouv.fr")
@pytest.mark.usefixtures("with_plugins")
def test_the_footer_pages_answer_in_french_with_their_title_and_contacts(app):
    titles = {"accessibility": "Accessibilité", "legal_notice": "Mentions légales",
              "personal_data": "Données personnelles", "sitemap": "Plan du site"}
    home = app.get("/").body
    for endpoint, (url, _template) in PAGES.items():
        assert f'href="{url}"' in home, f"the footer does not link {url}"
        html = app.get(url).body
        assert re.search(rf"<h1[^>]*>\s*{titles[endpoint]}\s*</h1>", html), url
        assert html.count("<h1") == 1, url
    assert "mailto:donnees@interieur.gouv.fr" in app.get("/accessibilite").body
    assert "mailto:dpd@interieur.gouv.fr" in app.get("/donnees-personnelles").body
    sitemap = app.get("/plan-du-site").body
    for url in ("/dataset/", "/organization/", "/accessibilite", "/mentions-legales"):
        assert f'href="{url}"' in sitemap, url


@pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_the_page_s_language_is_on_html_and_english_is_offered(app):
    assert re.search(r'<html lang="fr"[^>]* data-fr-scheme="system"', app.get("/").body)
    english = app.get("/en/").body
    assert re.search(r'<html lang="en"', english)
    assert "Accessibility: not compliant" in _text(english)
    assert 'hreflang="fr"' in english and 'hreflang="en"' in english


@pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_the_dsfr_stylesheet_fonts_and_script_are_served_by_the_portal(app):
    html = app.get("/").body
    styles = re.findall(r'<link href="([^"]+)" rel="stylesheet"', html)
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', html)
    assert all(url.startswith("/") and not url.startswith("//") for url in styles + scripts)
    dsfr = next(url for url in styles if url.endswith("_dsfr.css"))
    css = app.get(dsfr).body
    assert "DSFR v1.15.3" in css
    # cssrewrite pointed the fonts and icons at the portal's public directory, and it serves them
    fonts = re.findall(r"url\(([^)]*fonts/Marianne-Regular\.woff2)\)", css)
    assert fonts
    font = urljoin(dsfr, fonts[0])
    assert font == "/internalportal/vendor/dsfr/fonts/Marianne-Regular.woff2"
    assert app.get(font).status_code == 200
    assert any(url.endswith("_dsfr.module.js") for url in
               re.findall(r'<script type="module" src="([^"]+)"', html))


# ---------------------------------------------------------------- nothing from outside

EXTERNAL_LOAD = re.compile(
    r"""(?:<script[^>]+src|<link[^>]+href|<img[^>]+src|@import\s+url|@import)\s*=?\s*\(?["']?"""
    r"""(?:https?:)?//""", re.IGNORECASE)


def test_no_template_or_stylesheet_loads_a_file_from_outside_the_portal():
    files = [*PACKAGE.rglob("templates/**/*.html"), *(PACKAGE / "assets").rglob("*.css"),
             *(PACKAGE / "assets").rglob("*.js")]
    assert len(files) > 20
    offenders = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in files
                 for match in EXTERNAL_LOAD.finditer(path.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_the_dsfr_comes_from_npm_with_the_lock_file_and_no_cdn():
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    packages = lock["packages"]
    for name in ("@gouvfr/dsfr", "@gouvfr/dsfr-chart", "axe-core"):
        entry = packages[f"node_modules/{name}"]
        assert entry["integrity"].startswith("sha512-"), name
        assert json.loads((ROOT / "package.json").read_text())[
            "devDependencies" if name == "axe-core" else "dependencies"][name] == entry["version"]
    # the DSFR's terms of use are accepted for the version the package asks
    cgu = (ROOT / "node_modules" / "@gouvfr" / "dsfr" / "doc" / "legal" / "cgu.md").read_text()
    version = re.search(r"cguVersion:\s*'([^']+)'", cgu).group(1)
    assert f"accept-license: '{version}'" in (ROOT / ".dsfr.yml").read_text()
    # what make assets copied is the locked version
    assert "DSFR v" + packages["node_modules/@gouvfr/dsfr"]["version"] in (
        VENDOR / "dsfr" / "dsfr.min.css").read_text(encoding="utf-8")[:300]


# ---------------------------------------------------------------- the layout's place

def test_the_dsfr_layout_sits_once_just_above_ckan_s_own_templates():
    from ckanext.internalportal.theme.layout import below_plugins
    paths = ["/ini", "/portal", "/theme", "/sharing", "/activity", "/ckan"]
    assert below_plugins(paths, "/theme") == ["/ini", "/portal", "/sharing", "/activity",
                                              "/theme", "/ckan"]
    assert below_plugins(["/ckan"], "/theme") == ["/theme", "/ckan"]


# the plugins in the reverse of the portal's order: the DSFR header still ends the chain
@pytest.mark.ckan_config("ckan.plugins", " ".join(reversed(settings.PORTAL_PLUGINS.split())))
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_agent_s_menu_has_the_dashboard_and_sharing_links_whatever_the_plugin_order(app):
    from ckan.tests import factories
    from tests.sharing.support import headers
    user = factories.UserWithToken()
    html = app.get("/dataset/", headers=headers(user)).body
    header = html[html.index('<header role="banner" class="fr-header"'):html.index("</header>")]
    assert 'class="fr-btn fr-icon-dashboard-3-line" href="/dashboard/"' in header
    assert 'href="/partages"' in header
    # ckanext-activity's Bootstrap link (a tooltip named otherwise than it reads) is not there
    assert "data-bs-toggle" not in header


# the base plugin alone: ckanext-harvest, when loaded, hides its sources from every search; the
# home page must not count on it
@pytest.mark.ckan_config("ckan.plugins", "internalportal")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_the_home_page_lists_the_latest_datasets_and_never_a_harvest_source(app):
    from ckan.tests import factories
    factories.Dataset(title="Jeu de la page d'accueil")
    factories.Dataset(type="harvest", title="Source de moissonnage CKAN")
    latest = _text(app.get("/").body)
    assert "Jeu de la page d'accueil" in latest
    assert "Source de moissonnage CKAN" not in latest
