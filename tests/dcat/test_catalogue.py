"""The RDF catalogue holds the public datasets only: never a private, draft or deleted one."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.internalportal import settings

from tests.dcat import support

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    pytest.mark.ckan_config(support.PROFILES_OPTION, support.PROFILE),
]


def test_catalogue_leaves_out_private_draft_and_deleted_datasets(app):
    org = factories.Organization()
    public = support.create_dataset(org, **support.well_filled())
    internal = support.create_dataset(org, **support.well_filled(access_level="internal"))
    restricted = support.create_dataset(org, **support.well_filled(
        access_level="restricted", license_id="notspecified"))
    draft = support.create_dataset(org, **support.well_filled(state="draft"))
    deleted = support.create_dataset(org, **support.well_filled())
    helpers.call_action("package_delete", context=support.site_context(), id=deleted["id"])
    assert internal["private"] and restricted["private"] and draft["state"] == "draft"

    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    for headers in ({}, {"Authorization": token}):
        g = support.graph(app.get("/catalog.ttl", headers=headers).body)
        assert support.dataset_identifiers(g) == [public["id"]]
        assert support.violations(g) == []
        assert support.warnings(g) == []
    for pkg in (public, internal, restricted, draft):
        assert support.violations(support.dataset_graph(pkg)) == []


def test_an_empty_catalogue_is_still_valid(app):
    g = support.graph(app.get("/catalog.ttl").body)
    assert support.dataset_refs(g) == []
    assert support.violations(g) == []
