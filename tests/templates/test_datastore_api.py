"""« Utiliser l'API » on the page of a resource whose data is in CKAN's DataStore
(internalportal/snippets/datastore_api.html): the exports of the table and the curl, Python and
R examples — run here as a reader would paste them, against the portal over HTTP."""
from __future__ import annotations

import html
import re
import shlex
import shutil
import subprocess

import pytest
import requests
from ckan.tests import factories, helpers

from ckanext.internalportal import settings
from tests.factories import create_dataset, well_filled

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_index")]


def resource_with_table(level: str):
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    pkg = create_dataset(org, user=editor, **well_filled(
        access_level=level, resources=[{"name": "Comptages", "url": "https://example.org/c.csv",
                                        "format": "CSV"}]))
    resource = pkg["resources"][0]
    helpers.call_action("datastore_create", context={"user": editor["name"]},
                        resource_id=resource["id"], force=True,
                        fields=[{"id": "commune", "type": "text"}, {"id": "n", "type": "int"}],
                        records=[{"commune": "Paris", "n": 3}, {"commune": "Lyon", "n": 2}])
    return pkg, resource, editor


def examples(page: str) -> dict[str, str]:
    blocks = re.findall(r'id="datastore-api-(curl|python|r)".*?<code>(.*?)</code>', page, re.S)
    return {key: html.unescape(code) for key, code in blocks}


def test_a_public_table_s_examples_run_as_pasted(app, live_portal, monkeypatch, ckan_config):
    monkeypatch.setitem(ckan_config, "ckan.site_url", live_portal)
    pkg, resource, _ = resource_with_table("public")
    page = requests.get(f"{live_portal}/dataset/{pkg['name']}/resource/{resource['id']}",
                        timeout=30).text
    assert "Utiliser l'API" in html.unescape(page)
    code = examples(page)
    assert set(code) == {"curl", "python", "r"}
    assert "Authorization" not in code["python"]
    # the Python example, as pasted
    scope: dict = {}
    exec(code["python"], scope)  # noqa: S102 - the page's own example
    assert [r["commune"] for r in scope["records"]] == ["Paris", "Lyon"]
    # the curl examples, as pasted, one command at a time
    if shutil.which("curl"):
        first = code["curl"].split("\n\n")[0]
        out = subprocess.run(shlex.split(first), capture_output=True, text=True, timeout=30)
        assert '"commune": "Paris"' in out.stdout or '"commune":"Paris"' in out.stdout
        sql = code["curl"].split("# SQL\n")[1]
        out = subprocess.run(shlex.split(sql), capture_output=True, text=True, timeout=30)
        assert "Lyon" in out.stdout
    # the exports
    csv = requests.get(f"{live_portal}/datastore/dump/{resource['id']}?format=csv&bom=True",
                       timeout=30)
    assert csv.status_code == 200 and "Paris" in csv.text


def test_a_non_public_table_s_examples_send_the_reader_s_token(app, live_portal, monkeypatch,
                                                               ckan_config):
    monkeypatch.setitem(ckan_config, "ckan.site_url", live_portal)
    pkg, resource, editor = resource_with_table("internal")
    page = requests.get(f"{live_portal}/dataset/{pkg['name']}/resource/{resource['id']}",
                        headers={"Authorization": editor["token"]}, timeout=30).text
    code = examples(page)
    assert 'os.environ["CKAN_API_TOKEN"]' in code["python"]
    assert 'Sys.getenv("CKAN_API_TOKEN")' in code["r"]
    monkeypatch.setenv("CKAN_API_TOKEN", editor["token"])
    scope: dict = {}
    exec(code["python"], scope)  # noqa: S102
    assert len(scope["records"]) == 2


def test_a_resource_without_a_table_has_no_api_block(app):
    org = factories.Organization()
    pkg = create_dataset(org, **well_filled(resources=[{"name": "Fichier",
                                                        "url": "https://example.org/f.csv"}]))
    page = app.get(f"/dataset/{pkg['name']}/resource/{pkg['resources'][0]['id']}").body
    assert 'id="datastore-api"' not in page
