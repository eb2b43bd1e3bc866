"""The statistics pages as their readers see them: a dataset's « Statistiques » tab (the totals,
the trend as a chart and a table, who uses it for its producers only), the organisation's and
the portal's pages (their members, the sysadmins), the CSV of each table, the period form and
its refusals, and the home page's most used datasets (never one the visitor may not see).

The figures come from the real path: counters added to Redis (``store.add``, as the requests'
hook does) or real requests, then the rollup (``store.flush``)."""
from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest

import ckan.plugins.toolkit as tk

from ckanext.internalportal import settings
from ckanext.internalportal.stats import events
from tests.sharing.support import dataset, headers, world
# the sharing tests' caching of plugins and app (loaded and made once per module)
from tests.sharing.conftest import _apps, _plugins, app, with_plugins  # noqa: F401

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "counters", "clean_index")]

RESOURCES = [{"name": "Données", "url": "https://exemple.gouv.fr/data.csv", "format": "CSV"},
             {"name": "Notice", "url": "https://exemple.gouv.fr/notice.pdf", "format": "PDF"}]


# ------------------------------------------------------------------ builders and readers
def used(store, pkg, consumer, views=0, downloads=0, api=0, search=0, resource=""):
    """Readings of ``pkg`` by ``consumer`` this hour, counted and rolled up."""
    hour = events.hour_of(events.utcnow())
    counts = {}
    for event, channel, n, rid in (("view", "web", views, ""),
                                   ("download", "download", downloads, resource),
                                   ("api", "api", api, ""), ("search", "web", search, "")):
        if n:
            counts[events.Counter(hour, pkg["id"], rid, event, channel, consumer)] = n
    store.add(counts)
    store.flush()


def raw_page(app, path, user=None, status=200) -> str:
    return app.get(path, headers=headers(user), status=status).get_data(as_text=True)


def page(app, path, user=None, status=200) -> str:
    return html.unescape(raw_page(app, path, user, status))


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def totals(body: str) -> dict[str, str]:
    """The tiles: total -> the figure shown."""
    return {key: text(figure) for key, figure in re.findall(
        r'data-total="([a-z_]+)".*?<p class="fr-tile__title[^"]*">(.*?)</p>', body, re.S)}


def tables(body: str) -> dict[str, list[list[str]]]:
    """The tables of a page: caption -> rows (heading first), as the reader reads the cells."""
    found = {}
    for caption, inner in re.findall(r"<caption>(.*?)</caption>(.*?)</table>", body, re.S):
        found[text(caption)] = [[text(cell) for cell in re.findall(
            r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", inner, re.S)]
    return found


def table_with(body: str, heading: str) -> list[list[str]]:
    """The one table whose first heading is ``heading``."""
    matching = [rows for rows in tables(body).values() if rows and rows[0][0] == heading]
    assert len(matching) == 1, list(tables(body))
    return matching[0]


def chart(raw: str) -> dict[str, list]:
    """DSFR Chart's <line-chart> (in the page as served): its attributes, decoded."""
    match = re.search(r"<line-chart ([^>]*)>", raw)
    assert match, "no chart"
    return {name: json.loads(html.unescape(value)) for name, value in
            re.findall(r'(x|y|name)="([^"]*)"', match.group(1))}


def field_error(body: str, field: str) -> str:
    match = re.search(rf'<p class="fr-error-text" id="field-stats-{field}-error">(.*?)</p>',
                      body, re.S)
    return text(match.group(1)) if match else ""


def in_french(app, message: str) -> str:
    """``message`` as the portal's French pages give it (its translation, once the catalogue
    has it)."""
    with app.flask_app.test_request_context("/"):
        return tk._(message)


def csv_rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def today() -> str:
    return events.utcnow().date().isoformat()


@pytest.fixture
def usage(counters):
    """Ministry A's public dataset read by ministry B: 7 views, 3 downloads of its first
    resource, 2 API calls; found 5 times by anonymous searches."""
    people = world()
    pkg = dataset(people, "public", resources=RESOURCES)
    b = people["b"]["id"]
    used(counters, pkg, b, views=7, downloads=3, api=2, resource=pkg["resources"][0]["id"])
    used(counters, pkg, events.PUBLIC, search=5)
    return people, pkg


# ------------------------------------------------------------------ a dataset's tab
def test_producers_admin_sees_the_tab_the_totals_the_chart_and_who_uses_the_dataset(app, usage):
    people, pkg = usage
    stats_url = f"/dataset/{pkg['name']}/statistiques"

    assert f'href="{stats_url}"' in page(app, f"/dataset/{pkg['name']}", people["admin"])
    raw = raw_page(app, stats_url, people["admin"])
    body = html.unescape(raw)

    assert totals(body) == {"views": "7", "downloads": "3", "api_calls": "2",
                            "search_appearances": "5"}
    line = chart(raw)
    assert line["x"][0][-1] == today()
    assert [series[-1] for series in line["y"]] == [7, 3, 2]  # views, downloads, API calls
    series = table_with(body, in_french(app, "Period"))
    assert series[-1] == [today(), "7", "3", "2", "5"]
    consumers = table_with(body, in_french(app, "Consumer"))
    assert [people["b"]["title"], people["b"]["name"], "7", "3", "2", "0"] in consumers
    resources = table_with(body, in_french(app, "Resource"))
    assert resources[1][:4] == ["Données", pkg["resources"][0]["id"], "0", "3"]


def test_agent_of_another_ministry_sees_the_totals_but_not_who_uses_the_dataset(app, usage):
    people, pkg = usage

    body = page(app, f"/dataset/{pkg['name']}/statistiques", people["c_agent"])

    assert totals(body)["views"] == "7" and totals(body)["downloads"] == "3"
    assert people["b"]["title"] not in body and people["b"]["name"] not in body
    assert [rows[0][0] for rows in tables(body).values()] == [in_french(app, "Period")]
    assert 'id="stats-breakdown-note"' in body
    refused = app.get(f"/dataset/{pkg['name']}/statistiques.csv?table=consumers",
                      headers=headers(people["c_agent"]), status=400)
    assert people["b"]["name"] not in refused.get_data(as_text=True)


def test_anonymous_reader_of_a_public_dataset_sees_the_tab_and_its_totals(app, usage):
    people, pkg = usage

    assert f'href="/dataset/{pkg["name"]}/statistiques"' in page(app, f"/dataset/{pkg['name']}")
    body = page(app, f"/dataset/{pkg['name']}/statistiques")
    assert totals(body)["views"] == "7"
    assert people["b"]["name"] not in body


def test_private_dataset_statistics_do_not_exist_for_an_anonymous_visitor(app, counters):
    people = world()
    private = dataset(people, "private")
    used(counters, private, people["b"]["id"], views=4)

    for path in (f"/dataset/{private['name']}/statistiques",
                 f"/dataset/{private['name']}/statistiques.csv",
                 f"/dataset/{private['id']}/statistiques.csv?table=consumers"):
        body = app.get(path, status=404).get_data(as_text=True)
        assert private["title"] not in body and people["b"]["name"] not in body
    # nor for an agent of a ministry it is not shared with
    app.get(f"/dataset/{private['name']}/statistiques", headers=headers(people["c_agent"]),
            status=404)
    assert totals(page(app, f"/dataset/{private['name']}/statistiques",
                       people["member"]))["views"] == "4"


def test_a_dataset_nobody_used_says_so_instead_of_a_chart(app, counters):
    people = world()
    pkg = dataset(people, "public")

    body = page(app, f"/dataset/{pkg['name']}/statistiques", people["admin"])

    assert set(totals(body).values()) == {"0"}
    assert "internalportal-stats-empty" in body
    assert "<line-chart" not in body and "<table" not in body


# ------------------------------------------------------------------ the period
def test_an_unreadable_start_is_refused_beside_its_field_and_the_page_still_shows(app, usage):
    people, pkg = usage

    response = app.get(f"/dataset/{pkg['name']}/statistiques?start=abc&granularity=day",
                       headers=headers(people["admin"]), status=400)
    body = html.unescape(response.get_data(as_text=True))

    assert field_error(body, "start") == in_french(
        app, "Not a date: give it as YYYY-MM-DD (for example 2026-11-30).")
    assert field_error(body, "end") == ""
    assert re.search(r'<input id="field-stats-start" type="date" name="start" value="abc"', body)
    assert 'aria-describedby="field-stats-start-error"' in body
    # the default period's figures, and CSV links for it (not for the refused one)
    assert totals(body)["views"] == "7"
    links = re.findall(r'href="([^"]*statistiques\.csv[^"]*)"', body)
    assert links and not [link for link in links if "start=" in link]


def test_a_start_after_the_end_is_refused_and_the_default_period_shown(app, usage):
    people, pkg = usage

    response = app.get(f"/dataset/{pkg['name']}/statistiques?start=2026-11-20&end=2026-11-10",
                       headers=headers(people["admin"]), status=400)
    body = html.unescape(response.get_data(as_text=True))

    assert field_error(body, "start") == in_french(
        app, "The start of the period must come before its end.")
    assert 'value="2026-11-20"' in body and 'value="2026-11-10"' in body
    assert table_with(body, in_french(app, "Period"))[-1][0] == today()
    assert totals(body)["views"] == "7"


def test_the_period_asked_chooses_the_figures_and_the_csv_links_keep_it(app, usage):
    people, pkg = usage

    body = page(app, f"/dataset/{pkg['name']}/statistiques?start={today()}&end={today()}"
                     "&granularity=hour", people["admin"])

    hours = table_with(body, in_french(app, "Period"))[1:]
    assert len(hours) == 24 and all(row[0].startswith(today() + "T") for row in hours)
    assert [row[1:] for row in hours if row[1:] != ["0"] * 4] == [["7", "3", "2", "5"]]
    assert '<option value="hour" selected>' in body
    assert f'name="start" value="{today()}"' in body
    links = re.findall(r'href="([^"]*statistiques\.csv[^"]*)"', body)
    assert {re.search(r"table=(\w+)", link).group(1) for link in links} == {
        "series", "consumers", "resources"}
    for link in links:
        assert f"start={today()}" in link and "granularity=hour" in link

    long_ago = page(app, f"/dataset/{pkg['name']}/statistiques?start=2020-01-01"
                         "&end=2020-01-31", people["admin"])
    assert set(totals(long_ago).values()) == {"0"}
    assert "<line-chart" not in long_ago


def test_figures_per_month_add_up_the_days_of_the_month(app, usage):
    people, pkg = usage

    body = page(app, f"/dataset/{pkg['name']}/statistiques?start={today()}&end={today()}"
                     "&granularity=month", people["admin"])

    assert table_with(body, in_french(app, "Period"))[1:] == [[today()[:7], "7", "3", "2",
                                                               "5"]]


# ------------------------------------------------------------------ CSV
def test_csv_of_a_table_is_for_a_french_spreadsheet_with_the_figures(app, usage):
    people, pkg = usage

    response = app.get(f"/dataset/{pkg['name']}/statistiques.csv?table=series",
                       headers=headers(people["c_agent"]), status=200)

    assert response.headers["Content-Type"].startswith("text/csv")
    assert "charset=utf-8" in response.headers["Content-Type"]
    assert f'statistiques-{pkg["name"]}-series.csv' in response.headers["Content-Disposition"]
    raw = response.get_data(as_text=True)
    assert ";" in raw.splitlines()[0] and "," not in raw.splitlines()[0]
    rows = csv_rows(response)
    headings = [in_french(app, h) for h in
                ("Period", "Views", "Downloads", "API calls", "Search appearances")]
    assert rows[0] == headings and "Vues" in rows[0]
    assert rows[-1] == [today(), "7", "3", "2", "5"]
    assert len(rows) == 1 + 30  # the default period: the last 30 days, one row each

    consumers = csv_rows(app.get(f"/dataset/{pkg['name']}/statistiques.csv?table=consumers",
                                 headers=headers(people["admin"]), status=200))
    assert [people["b"]["title"], people["b"]["name"], "7", "3", "2", "0"] in consumers


# ------------------------------------------------------------------ an organisation
def test_organisation_statistics_are_for_its_members(app, usage):
    people, pkg = usage
    org = people["org"]["name"]
    stats_url = f"/organization/{org}/statistiques"

    assert f'href="{stats_url}"' in page(app, f"/organization/{org}", people["member"])
    body = page(app, stats_url, people["member"])
    assert totals(body)["views"] == "7"
    datasets = table_with(body, in_french(app, "Dataset"))
    assert datasets[1][:3] == [pkg["title"], pkg["name"], "7"]
    assert f'<a href="/dataset/{pkg["name"]}">' in body
    assert people["b"]["title"] in text(body)
    csv_body = csv_rows(app.get(f"{stats_url}.csv?table=datasets",
                                headers=headers(people["member"]), status=200))
    assert csv_body[1][:3] == [pkg["title"], pkg["name"], "7"]

    for outsider in (people["b_member"], people["c_agent"], None):
        assert f'href="{stats_url}"' not in page(app, f"/organization/{org}", outsider)
        app.get(stats_url, headers=headers(outsider), status=403)
        app.get(f"{stats_url}.csv", headers=headers(outsider), status=403)


# ------------------------------------------------------------------ the portal
def test_portal_statistics_are_for_the_sysadmins(app, usage):
    people, pkg = usage
    private = dataset(people, "private", name="jamais-consulte", title="Jamais consulté")

    assert 'href="/ckan-admin/statistiques"' in page(app, "/ckan-admin/", people["sysadmin"])
    body = page(app, "/ckan-admin/statistiques", people["sysadmin"])

    assert totals(body) == {"views": "7", "downloads": "3", "api_calls": "2",
                            "search_appearances": "5"}
    assert "<line-chart" in body
    most_used = tables(body)[in_french(app, "Most used datasets")]
    assert most_used[1][:3] == [pkg["title"], pkg["name"], "7"]
    consumers = table_with(body, in_french(app, "Consumer"))
    assert [people["b"]["title"], people["b"]["name"], "7", "3", "2", "0"] in consumers
    never = re.search(r'id="stats-never-used".*?data-count="(\d+)"', body, re.S)
    assert never.group(1) == "1"
    assert private["title"] in text(body.split('id="stats-never-used"')[1])
    assert re.search(r'data-fact="last_flush">\s*\S', body)
    assert re.search(r'data-fact="pending_counters">0<', body)
    assert re.search(r'data-fact="lost_events">0<', body)

    for reader in (people["admin"], people["c_agent"], None):
        app.get("/ckan-admin/statistiques", headers=headers(reader), status=403)
        app.get("/ckan-admin/statistiques.csv?table=never_used", headers=headers(reader),
                status=403)
    never_csv = csv_rows(app.get("/ckan-admin/statistiques.csv?table=never_used",
                                 headers=headers(people["sysadmin"]), status=200))
    assert [row[1] for row in never_csv[1:]] == [private["name"]]


# ------------------------------------------------------------------ the home page
def home_most_used(body: str) -> list[str]:
    """The titles of the home page's « most used » cards, in order ([] without the block)."""
    match = re.search(r'<section[^>]*id="home-most-used".*?</section>', body, re.S)
    if not match:
        return []
    return [text(title) for title in re.findall(
        r'<h3 class="fr-card__title">(.*?)</h3>', match.group(0), re.S)]


def test_home_lists_the_most_used_datasets_the_visitor_may_see(app, counters):
    people = world()
    assert home_most_used(page(app, "/")) == []  # nothing used yet: no block

    less = dataset(people, "public", name="moins-utilise", title="Moins utilisé")
    more = dataset(people, "public", name="plus-utilise", title="Plus utilisé")
    secret = dataset(people, "private", name="tres-utilise-prive", title="Très utilisé, privé")
    dataset(people, "public", name="jamais-utilise", title="Jamais utilisé")
    used(counters, less, events.PUBLIC, views=2)
    used(counters, more, events.PUBLIC, views=5, downloads=4)
    used(counters, secret, events.SAME, views=50)
    used(counters, less, events.PUBLIC, search=100)  # found is not used

    assert home_most_used(page(app, "/")) == ["Plus utilisé", "Moins utilisé"]
    assert home_most_used(page(app, "/", people["c_agent"])) == ["Plus utilisé",
                                                                 "Moins utilisé"]
    assert home_most_used(page(app, "/", people["member"])) == [
        "Très utilisé, privé", "Plus utilisé", "Moins utilisé"]



def test_an_organisation_nobody_read_exports_its_tables_with_their_headings(app, counters):
    people = world()
    dataset(people, "public")
    response = app.get(f"/organization/{people['org']['name']}/statistiques.csv",
                       query_string={"table": "consumers"}, headers=headers(people["admin"]),
                       status=200)
    assert csv_rows(response) == [[in_french(app, heading) for heading in (
        "Consumer", "Identifier", "Views", "Downloads", "API calls", "Search appearances")]]
