"""The internalportal plugin loads next to scheming, dcat, harvest and activity, in French."""
from __future__ import annotations

import pytest

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.internalportal import settings
from ckanext.internalportal.lib.plugin import I18N_DIR, I18N_DOMAIN, SuiteTranslation

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


def test_status_show_lists_the_portal_plugins_and_french_locale():
    status = helpers.call_action("status_show")
    for plugin in settings.PORTAL_PLUGINS.split():
        assert plugin in status["extensions"]
        assert p.plugin_loaded(plugin)
    assert status["locale_default"] == "fr"


def test_site_title_defaults_to_the_portal_title_in_french():
    assert tk.config["ckan.site_title"] == "Portail interne des données"


@pytest.mark.ckan_config("ckan.site_title", "Données du ministère de l'Intérieur")
def test_an_explicit_site_title_is_kept(make_app):
    make_app()
    assert tk.config["ckan.site_title"] == "Données du ministère de l'Intérieur"


def test_home_page_is_in_french(app):
    html = app.get("/").body
    assert '<html lang="fr"' in html
    assert "Bienvenue sur le portail interne des données" in html
    assert "Parcourir les jeux de données" in html


def test_home_page_is_in_english_under_en(app):
    html = app.get("/en/").body
    assert "Welcome to the internal data portal" in html


def test_ckan_serves_our_strings_from_the_suite_s_one_catalogue(app):
    plugin = p.get_plugin("internalportal")
    assert isinstance(plugin, SuiteTranslation)
    # the catalogue CKAN's Babel reads, next to CKAN's own
    config = app.flask_app.config
    pairs = list(zip(config["BABEL_TRANSLATION_DIRECTORIES"].split(";"),
                     config["BABEL_DOMAIN"].split(";")))
    assert (str(I18N_DIR), I18N_DOMAIN) in pairs
    # msgid "Welcome to the internal data portal" (templates/home/snippets/promoted.html)
    assert "Bienvenue sur le portail interne des données" in app.get("/").body


def test_licence_list_is_data_gouv_fr_s():
    licences = {lic["id"]: lic for lic in helpers.call_action("license_list")}
    assert licences["lov2"]["title"] == "Licence Ouverte / Open Licence version 2.0"
    assert licences["lov2"]["url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
    assert "odc-odbl" in licences and "notspecified" in licences
    assert "cc-by" in licences


def test_config_options_are_declared_with_french_defaults():
    from ckan.common import config_declaration
    for key in ("ckanext.internalportal.site_title", "ckanext.internalportal.site_intro",
                "ckanext.internalportal.demo.data_dir"):
        assert key in config_declaration
    intro = config_declaration.get("ckanext.internalportal.site_intro").default
    assert "ministères partenaires" in intro
