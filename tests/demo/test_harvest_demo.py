"""The demo's harvest sources: a « business application » database on the project's
PostgreSQL, a ministry's shared folder, data.gouv.fr served locally; each harvested by the demo
load into datasets, personal values left out of the stored files, and a second load creating
nothing (no source, no dataset twice)."""
from __future__ import annotations

import csv
import dataclasses
import io
import shutil

import openpyxl
import pytest
import sqlalchemy as sa
import yaml

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import helpers

from ckanext.harvest.model import HarvestSource
from ckanext.internalportal import settings
from ckanext.internalportal.demo import harvest, loader
from ckanext.internalportal.lib.context import site_context

from ..harvesters.support import stored_file

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins")]

HMAC_KEY = "cle-hmac-de-la-demo-h"


# ---------------------------------------------------------------- the shipped sources (pure)
@pytest.fixture(scope="module")
def shipped_sources():
    return harvest.read_sources(None, loader.read_demo_data().organizations)


def test_the_demo_has_one_source_of_each_type_owned_by_a_demo_ministry(shipped_sources):
    assert sorted(s["type"] for s in shipped_sources) == ["files", "sql", "udata"]
    orgs = {o["name"] for o in loader.read_demo_data().organizations}
    assert {s["organization"] for s in shipped_sources} <= orgs


def test_the_sql_source_names_its_password_through_an_environment_variable():
    url = harvest.sql_url("postgresql://ckan_default:pass@127.0.0.1:5433/ckan", "demo_app",
                          "DEMO_APP_DB_PASSWORD")
    assert url == "postgresql://ckan_default:${DEMO_APP_DB_PASSWORD}@127.0.0.1:5433/demo_app"


def test_the_shared_folder_holds_a_windows_export_and_a_workbook_of_two_sheets(shipped_sources):
    folder = next(s["folder"] for s in shipped_sources if s["type"] == "files")
    raw = (folder / "marches-notifies-2024.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("cp1252").splitlines()[0]
    assert header.startswith("Numéro de marché;") and "(€)" in header and b"\r\n" in raw
    workbook = openpyxl.load_workbook(folder / "execution-budgetaire-2024.xlsx", read_only=True)
    assert len(workbook.sheetnames) == 2
    assert {p.name for p in folder.glob("*.meta.yaml")} and (folder / "metadata.yaml").is_file()


@pytest.mark.parametrize("change, message", [
    ({"type": "ftp"}, "« type » vaut sql, files, udata"),
    ({"organization": "ministere-inconnu"}, "l'organisation « ministere-inconnu » n'existe pas"),
    ({"folder": "absent"}, "folder introuvable"),
])
def test_a_bad_source_entry_is_named_in_french(tmp_path, shipped_sources, change, message):
    base = tmp_path / "demo"
    shutil.copytree(loader.DEFAULT_DATA_DIR, base)
    path = base / "harvest" / "sources.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    files = next(e for e in entries if e["type"] == "files")
    files.update(change)
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    with pytest.raises(loader.DemoDataError, match=message):
        harvest.read_sources(base, loader.read_demo_data(base).organizations)


# ---------------------------------------------------------------- against CKAN, for real
@pytest.fixture(scope="module")
def app_database():
    """The application's database of this test run (``demo_app_<CKAN's test database>``),
    created on the project's PostgreSQL by its superuser, owned by CKAN's user as
    ``make up`` creates ``demo_app``."""
    ckan_url = sa.make_url(tk.config["sqlalchemy.url"])
    name = f"demo_app_{ckan_url.database}"
    admin = sa.create_engine(ckan_url.set(username="postgres", password=None,
                                          database="postgres"),
                             isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name} OWNER {ckan_url.username} "
                             "ENCODING 'UTF8' TEMPLATE template0")
    yield name
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


@pytest.fixture
def demo_setup(ckan_config, monkeypatch, tmp_path, app_database):
    """The demo's ministries, the portal configured as scripts/ckan_ini.py does (declared
    root of the shares, HMAC key), the password variable exported as scripts/demo.sh does."""
    root = tmp_path / "partages"
    root.mkdir()
    monkeypatch.setitem(ckan_config, harvest.OPT_ALLOWED_ROOTS, str(root))
    monkeypatch.setitem(ckan_config, "ckanext.internalportal.harvest.hmac_key", HMAC_KEY)
    monkeypatch.setenv("DEMO_APP_DB_PASSWORD",
                       sa.make_url(tk.config["sqlalchemy.url"]).password or "")
    data = loader.read_demo_data()
    loader.load(dataclasses.replace(data, datasets=[], agents=[], shares=[],
                                    access_requests=[]), site_context)
    return root


def app_rows(database: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(sa.make_url(tk.config["sqlalchemy.url"]).set(database=database),
                              poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.exec_driver_sql(sql)]
    engine.dispose()
    return rows


def show(name: str) -> dict:
    return helpers.call_action("package_show", context=site_context(), id=name)


def stored_csv(resource: dict) -> str:
    return stored_file(resource).read_text(encoding="utf-8")


def harvested_datasets() -> int:
    return (model.Session.query(model.Package)
            .filter(model.Package.type == "dataset", model.Package.state == "active").count())


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_demo_harvests_each_source_keeps_personal_values_out_and_reloads_without_duplicates(
        demo_setup, app_database, shipped_sources, cli, app):
    lines: list[str] = []
    reports = {r.type: r for r in harvest.harvest(shipped_sources, site_context, lines.append,
                                                  app_database=app_database,
                                                  flask_app=app.flask_app)}

    assert all(r.failure is None and r.errors == [] for r in reports.values()), "\n".join(lines)
    assert all(r.status == "créée" for r in reports.values())
    # the application: two tables and a query; the shared folder: three files; data.gouv.fr:
    # Météo-France's four datasets, not the other organisation's
    assert (len(reports["sql"].datasets), len(reports["files"].datasets),
            len(reports["udata"].datasets)) == (3, 3, 4)
    assert reports["sql"].added == 3 and reports["udata"].added == 4
    assert any("Source « data-gouv-meteo-france » (udata) créée : 4 jeu(x)" in line
               for line in lines), lines

    # the SQL source keeps no password, only the name of the variable
    sql_source = HarvestSource.get(model.Package.get("sigale-agriculture").id)
    assert "${DEMO_APP_DB_PASSWORD}" in sql_source.url and app_database in sql_source.url

    # personal columns: hashed, generalised; the raw values never reach the stored CSV
    aides = next(d for d in map(show, reports["sql"].datasets)
                 if d["title"].startswith("Dotations jeunes agriculteurs"))
    assert aides["personal_data"] == "pseudonymised" and aides["access_level"] == "restricted"
    assert "aides_installation" in aides["notes"]  # the description names the table
    text = stored_csv(aides["resources"][0])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 300
    raw = app_rows(app_database, "SELECT nir, date_naissance::text, code_postal "
                                 "FROM aides_installation")
    assert not any(nir in text for nir, _, _ in raw)
    assert not any(born in text for _, born, _ in raw)
    assert {r["code_postal"] for r in rows} <= {cp[:2] for _, _, cp in raw}
    assert all(len(r["nir"]) == 64 for r in rows) and all(len(r["date_naissance"]) == 7
                                                          for r in rows)

    # the share: the Windows export stored as UTF-8, the workbook one resource per sheet,
    # the sidecars' titles, access levels and contact
    by_title = {show(n)["title"]: show(n) for n in reports["files"].datasets}
    marches = by_title["Marchés publics notifiés en 2024 par l'administration centrale"]
    assert stored_csv(marches["resources"][0]).startswith("Numéro de marché,Objet,")
    assert marches["access_level"] == "internal"
    assert marches["contact"][0]["email"] == "performance-achats@finances.gouv.fr"
    budget = next(d for t, d in by_title.items() if t.startswith("Exécution budgétaire 2024"))
    assert len(budget["resources"]) == 2
    assert by_title["Implantations des services d'administration centrale"][
        "access_level"] == "public"

    # data.gouv.fr: public links, the remote page kept
    meteo = [show(n) for n in reports["udata"].datasets]
    assert all(d["access_level"] == "public" and d["harvest_remote_url"].startswith(
        "https://www.data.gouv.fr/fr/datasets/") for d in meteo)
    assert all(r["url"].startswith("https://") for d in meteo for r in d["resources"])

    # a second `make demo`: the command, the same sources, nothing created twice (the local
    # data.gouv.fr has another port: its source's URL follows it)
    datasets = harvested_datasets()
    result = cli.invoke(ckan_cli, ["internalportal", "demo", "harvest",
                                   "--app-database", app_database])
    assert result.exit_code == 0, result.output
    assert "Source « sigale-agriculture » (sql) inchangée : 3 jeu(x) ; 0 ajouté(s), " \
           "0 mis à jour, 3 inchangé(s), 0 en erreur" in result.output
    assert "Source « partage-finances-achats-budget » (files) inchangée" in result.output
    assert "3 source(s) moissonnée(s), 10 jeu(x) moissonné(s)" in result.output
    assert model.Session.query(HarvestSource).filter_by(active=True).count() == 3
    assert harvested_datasets() == datasets == 10


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_source_that_fails_is_reported_and_the_others_are_harvested(
        demo_setup, shipped_sources):
    lines: list[str] = []
    reports = harvest.harvest(shipped_sources, site_context, lines.append,
                              app_database="demo_app_qui_n_existe_pas")
    by_type = {r.type: r for r in reports}
    assert "la base « demo_app_qui_n_existe_pas » de l'application est injoignable" in \
        by_type["sql"].failure
    assert any(line.startswith("Source « sigale-agriculture » (sql) : échec") for line in lines)
    assert by_type["files"].failure is None and len(by_type["files"].datasets) == 3
    assert by_type["udata"].failure is None and len(by_type["udata"].datasets) == 4
