"""Harvesting a business application's database: sources saved through harvest_source_create
(every check of the chained action), jobs run through ckanext-harvest's stages (and once
through the Redis queues), a real PostgreSQL database (conftest.app_db) and SQLite files, the
stored CSV files read back from CKAN's FileStore."""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories

from ckanext.internalportal import settings
from ckanext.internalportal.harvesters import base
from ckanext.internalportal.harvesters.tabular import read_data_dictionary
from tests.harvesters.sql.conftest import READER_PASSWORD, sqlite_db
from tests.harvesters.support import (make_source, run_job, run_job_through_queues,
                                      stored_file)

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.HARVEST_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


def stored_csv(resource) -> list[list[str]]:
    return list(csv.reader(io.StringIO(stored_file(resource).read_text("utf-8"))))


def storage_holds(text: str) -> bool:
    storage = Path(tk.config["ckan.storage_path"])
    needle = text.encode("utf-8")
    return any(needle in p.read_bytes() for p in storage.rglob("*") if p.is_file())


def show(dataset_id: str) -> dict:
    return tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset_id})


def the_resource(dataset: dict) -> dict:
    [resource] = dataset["resources"]
    return resource


def source_for(url: str, config, **fields) -> dict:
    return make_source("sql", url, config, **fields)


def update_source(source: dict, **changes) -> dict:
    data = tk.get_action("harvest_source_show")({"ignore_auth": True}, {"id": source["id"]})
    data.update(changes)
    if isinstance(data.get("config"), dict):
        data["config"] = json.dumps(data["config"])
    sysadmin = factories.Sysadmin()
    return tk.get_action("harvest_source_update")({"user": sysadmin["name"]}, data)


# ------------------------------------------------------------------ the issue's « done when »

def test_a_sqlite_table_of_5000_rows_then_its_database_deleted(tmp_path):
    path = tmp_path / "application.db"
    url = sqlite_db(path, "CREATE TABLE demandes (id integer PRIMARY KEY, objet text, "
                          "recue date)",
                    rows={"demandes": [(i, f"demande {i}", f"2024-01-{i % 28 + 1:02d}")
                                       for i in range(1, 5001)]})
    source = source_for(url, {"tables": ["demandes"]})
    job = run_job(source)
    assert job.errors == []
    [dataset] = job.datasets
    rows = stored_csv(the_resource(dataset))
    assert rows[0] == ["id", "objet", "recue"] and len(rows) == 5001
    assert rows[5000] == ["5000", "demande 5000", "2024-01-17"]
    assert base.progress_of(job.job["id"]).get("rows") == "5000"

    os.remove(path)
    job = run_job(source)
    [message] = job.gather_errors
    assert str(path) in message
    kept = show(dataset["id"])
    assert kept["state"] == "active" and not kept.get("withdrawn_at_source")
    assert kept["resources"] == dataset["resources"]
    assert len(stored_csv(the_resource(kept))) == 5001


# ------------------------------------------------------------------ a table, its comments

def test_a_postgresql_table_becomes_a_dataset_described_by_its_comments(app_db):
    t = app_db.table("communes")
    app_db.run(f"CREATE TABLE {t} (insee char(5) PRIMARY KEY, nom text NOT NULL, "
               f"population integer)",
               f"COMMENT ON TABLE {t} IS 'Communes de France'",
               f"COMMENT ON COLUMN {t}.nom IS 'Nom officiel de la commune'",
               f"INSERT INTO {t} VALUES ('75056', 'Paris', 2133111), "
               f"('2A004', 'Ajaccio', NULL), ('13055', 'Marseille', 873076)")
    source = source_for(app_db.url(), {"tables": [t], "keywords": ["territoire"],
                                       "theme": ["REGI"]})
    job = run_job(source)
    assert job.errors == []
    [dataset] = job.datasets
    assert dataset["title"] == "Communes de France"
    assert t in dataset["notes"] and app_db.name in dataset["notes"]
    assert [tag["name"] for tag in dataset["tags"]] == ["territoire"]
    assert dataset["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/REGI"]
    assert (dataset["access_level"], dataset["personal_data"]) == ("internal", "none")
    assert (dataset["harvest_source_id"], dataset["harvest_remote_id"]) == (source["id"], t)
    resource = the_resource(dataset)
    assert (resource["format"], resource["mimetype"], resource["url_type"]) == \
        ("CSV", "text/csv", "upload")
    assert read_data_dictionary(resource["data_dictionary"]) == [
        {"id": "insee", "type": "CHAR(5)", "nullable": False, "description": ""},
        {"id": "nom", "type": "TEXT", "nullable": False,
         "description": "Nom officiel de la commune"},
        {"id": "population", "type": "INTEGER", "nullable": True, "description": ""}]
    # rows in the order of the primary key: the same data always hash the same
    assert stored_csv(resource) == [["insee", "nom", "population"],
                                    ["13055", "Marseille", "873076"],
                                    ["2A004", "Ajaccio", ""], ["75056", "Paris", "2133111"]]
    found = tk.get_action("package_search")({"ignore_auth": True},
                                            {"q": t, "include_private": True})
    assert dataset["id"] in [d["id"] for d in found["results"]]


def test_config_titles_and_descriptions_win_over_the_database_comments(app_db):
    t = app_db.table("agents")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY)",
               f"COMMENT ON TABLE {t} IS 'Commentaire de la base'")
    job = run_job(source_for(app_db.url(), {"tables": [
        {"name": t, "title": "Effectifs", "description": "Les agents en poste.",
         "access_level": "restricted"}]}))
    [dataset] = job.datasets
    assert dataset["title"] == "Effectifs" and dataset["access_level"] == "restricted"
    assert dataset["notes"].startswith("Les agents en poste.") and t in dataset["notes"]


def test_a_configured_query_becomes_a_dataset_named_after_it(app_db):
    t = app_db.table("agents")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY, service text)",
               f"INSERT INTO {t} VALUES (1, 'RH'), (2, 'RH'), (3, 'DSI')")
    job = run_job(source_for(app_db.url(), {"queries": {"effectifs": {
        "sql": f"SELECT service, count(*) AS agents FROM {t} GROUP BY service "
               f"ORDER BY service;", "title": "Effectifs par service"}}}))
    assert job.errors == []
    [dataset] = job.datasets
    assert dataset["title"] == "Effectifs par service" and "effectifs" in dataset["notes"]
    assert dataset["harvest_remote_id"] == "query:effectifs"
    resource = the_resource(dataset)
    assert stored_csv(resource) == [["service", "agents"], ["DSI", "1"], ["RH", "2"]]
    assert [c["type"] for c in read_data_dictionary(resource["data_dictionary"])] == \
        ["text", "bigint"]


# ------------------------------------------------------------------ kept up to date

def test_unchanged_data_make_no_new_version_and_changed_data_update_it(app_db):
    t = app_db.table("budget")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY, montant numeric(12, 2))",
               f"INSERT INTO {t} VALUES (1, 10.50), (2, 20)")
    source = source_for(app_db.url(), {"tables": [t]})
    [first] = run_job(source).datasets
    again = run_job(source)
    assert [o["report_status"] for o in again.objects] == ["not modified"]
    assert show(first["id"])["metadata_modified"] == first["metadata_modified"]

    app_db.run(f"UPDATE {t} SET montant = 11 WHERE id = 1")
    changed = run_job(source)
    assert [o["report_status"] for o in changed.objects] == ["updated"]
    [dataset] = changed.datasets
    assert the_resource(dataset)["hash"] != the_resource(first)["hash"]
    assert the_resource(dataset)["id"] == the_resource(first)["id"]
    assert dataset["modified"]
    assert stored_csv(the_resource(dataset))[1] == ["1", "11.00"]


def test_an_incremental_column_fetches_only_new_rows_and_the_csv_keeps_them_all(app_db):
    t = app_db.table("courriers")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY, objet text)",
               f"INSERT INTO {t} VALUES (1, 'premier'), (2, 'deuxième'), (3, 'troisième')")
    source = source_for(app_db.url(), {"tables": [{"name": t, "incremental_column": "id"}]})
    [dataset] = run_job(source).datasets
    assert json.loads(the_resource(dataset)["harvest_watermark"])["value"] == "3"

    # a row changed in place is not seen (only rows after the watermark are read), the new
    # ones are appended
    app_db.run(f"UPDATE {t} SET objet = 'modifié' WHERE id = 1",
               f"INSERT INTO {t} VALUES (4, 'quatrième'), (5, 'cinquième')")
    job = run_job(source)
    assert job.errors == [] and base.progress_of(job.job["id"]).get("rows") == "2"
    [dataset] = job.datasets
    rows = stored_csv(the_resource(dataset))
    assert rows == [["id", "objet"], ["1", "premier"], ["2", "deuxième"], ["3", "troisième"],
                    ["4", "quatrième"], ["5", "cinquième"]]
    assert json.loads(the_resource(dataset)["harvest_watermark"])["value"] == "5"
    assert [o["report_status"] for o in run_job(source).objects] == ["not modified"]


def test_a_column_added_or_removed_is_harvested_afresh(app_db):
    t = app_db.table("stocks")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY, article text)",
               f"INSERT INTO {t} VALUES (1, 'vis'), (2, 'écrou')")
    source = source_for(app_db.url(), {"tables": [{"name": t, "incremental_column": "id"}]})
    run_job(source)
    app_db.run(f"ALTER TABLE {t} ADD COLUMN quantite integer DEFAULT 0",
               f"INSERT INTO {t} VALUES (3, 'clou', 7)")
    job = run_job(source)
    assert job.errors == []
    resource = the_resource(job.datasets[0])
    assert stored_csv(resource) == [["id", "article", "quantite"], ["1", "vis", "0"],
                                    ["2", "écrou", "0"], ["3", "clou", "7"]]
    assert [c["id"] for c in read_data_dictionary(resource["data_dictionary"])] == \
        ["id", "article", "quantite"]

    app_db.run(f"ALTER TABLE {t} DROP COLUMN article")
    resource = the_resource(run_job(source).datasets[0])
    assert stored_csv(resource) == [["id", "quantite"], ["1", "0"], ["2", "0"], ["3", "7"]]


# ------------------------------------------------------------------ saving a source

@pytest.fixture
def refused_table(app_db):
    t = app_db.table("existante")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY, nom text)")
    return t


REFUSED = [  # (URL, config, field of the error, words of the message)
    ("app", {"tables": "existante"}, "config", "must be a list"),
    ("app", {"tabless": ["x"]}, "config", "tabless"),
    ("down", {"tables": ["x"]}, "url", "127.0.0.1"),
    ("not-a-db", {"tables": ["x"]}, "url", "driver"),
    ("app", {"tables": ["absente"]}, "config", "absente"),
    ("app", {"queries": {"purge": "WITH d AS (DELETE FROM {t} RETURNING *) SELECT * FROM d"}},
     "config", "DELETE"),
    ("app", {"queries": {"deux": "SELECT 1; SELECT 2"}}, "config", "several statements"),
    ("app", {"queries": {"faute": "SELECT nom FROM {t} WHERE"}}, "config", "faute"),
    ("app", {"queries": {"inconnue": "SELECT * FROM absente"}}, "config", "absente"),
    ("app", {"tables": [{"name": "{t}", "incremental_column": "maj"}]}, "config", "maj"),
    ("app", {"tables": [{"name": "{t}", "personal_columns": {"nir": "drop"}}]}, "config",
     "nir"),
    ("app", {"tables": ["{t}"], "personal_columns": {"nom": "hash"}}, "config", "hmac_key"),
    ("app", {"tables": ["{t}"], "theme": ["ECONOMIE"]}, "config", "ECONOMIE"),
    ("app", {"tables": [{"name": "{t}", "access_level": "secret"}]}, "config", "secret"),
    ("sqlite-missing", {"tables": ["x"]}, "url", "absente.db"),
]


def test_a_source_that_cannot_work_is_refused_when_saved(app_db, refused_table, tmp_path):
    urls = {"app": app_db.url(), "down": "postgresql://u:mdp-secret@127.0.0.1:1/app",
            "not-a-db": "http://example.org/app",
            "sqlite-missing": f"sqlite:///{tmp_path / 'absente.db'}"}
    for url_kind, config, field, words in REFUSED:
        config = json.loads(json.dumps(config).replace("{t}", refused_table))
        with pytest.raises(tk.ValidationError) as error:
            source_for(urls[url_kind], config)
        messages = " ".join(error.value.error_dict.get(field, []))
        assert words in messages, (config, error.value.error_dict)
        assert "mdp-secret" not in str(error.value.error_dict)
        assert READER_PASSWORD not in str(error.value.error_dict)


def test_sql_is_listed_and_only_sysadmins_create_sql_sources(tmp_path):
    url = sqlite_db(tmp_path / "a.db", "CREATE TABLE t (id integer)")
    assert "sql" in [h["name"] for h in tk.get_action("harvesters_info_show")({}, {})]
    admin = factories.User()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    with pytest.raises(tk.NotAuthorized):
        make_source("sql", url, {"tables": ["t"]}, org=org,
                    context={"user": admin["name"], "ignore_auth": False})


# ------------------------------------------------------------------ secrets

def test_a_typed_password_is_never_shown_back(app_db, app, caplog):
    t = app_db.table("secrets")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY)", f"INSERT INTO {t} VALUES (1)")
    sysadmin = factories.SysadminWithToken()
    # a table that exists when saved, then dropped: its error goes to the job report
    gone = app_db.table("disparue")
    app_db.run(f"CREATE TABLE {gone} (id integer)")
    source = make_source("sql", app_db.url(), {"tables": [t, gone]},
                         context={"user": sysadmin["name"]})
    app_db.run(f"DROP TABLE {gone}")
    with caplog.at_level("DEBUG"):
        job = run_job(source)
    assert sorted(o["report_status"] for o in job.objects) == ["added", "errored"]

    shown = tk.get_action("harvest_source_show")({"ignore_auth": True}, {"id": source["id"]})
    assert "${secret:" in shown["url"]
    package = tk.get_action("package_show")({"ignore_auth": True}, {"id": source["id"]})
    activities = tk.get_action("package_activity_list")({"ignore_auth": True},
                                                        {"id": source["id"]})
    page = app.get(f"/harvest/{source['name']}",
                   headers={"Authorization": sysadmin["token"]}).body
    job_page = app.get(f"/harvest/{source['name']}/job/{job.job['id']}",
                       headers={"Authorization": sysadmin["token"]}).body
    for shown_back in (json.dumps(shown), json.dumps(package), json.dumps(activities),
                       json.dumps(job.report), page, job_page, caplog.text):
        assert READER_PASSWORD not in shown_back
    assert gone in json.dumps(job.report)
    # the password itself is kept apart, for this source only
    row = model.Session.execute(sa.text(
        "SELECT source_id, secret FROM sql_harvester_secret")).all()
    assert row == [(source["id"], READER_PASSWORD)]


def test_a_kept_password_stays_with_its_source_and_its_server(app_db, monkeypatch):
    t = app_db.table("lecture")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY)")
    source = source_for(app_db.url(), {"tables": [t]})
    stored = tk.get_action("harvest_source_show")({"ignore_auth": True},
                                                  {"id": source["id"]})["url"]
    # saved again as the form shows it: the password is still there
    update_source(source, url=stored, title="Renommée")
    assert run_job(source).errors == []
    # the same reference on another host would send the password there: refused
    with pytest.raises(tk.ValidationError) as error:
        update_source(source, url=stored.replace(f"@{app_db.host}:", "@localhost:"))
    assert "password" in error.value.error_dict["url"][0]
    # nor may another source borrow it
    with pytest.raises(tk.ValidationError):
        source_for(stored, {"tables": [t]}, title="Copie")
    # typing a new password replaces the kept one
    update_source(source, url=app_db.url(password="nouveau-mot-de-passe"))
    rows = model.Session.execute(sa.text("SELECT secret FROM sql_harvester_secret")).all()
    assert rows == [("nouveau-mot-de-passe",)]
    # an environment variable instead: the kept password is forgotten
    monkeypatch.setenv("IPAPP_DB_PASSWORD", READER_PASSWORD)
    update_source(source, url=app_db.url(password="${IPAPP_DB_PASSWORD}"))
    assert model.Session.execute(sa.text("SELECT * FROM sql_harvester_secret")).all() == []


def test_the_url_may_name_an_environment_variable_instead(app_db, monkeypatch):
    t = app_db.table("env")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY)", f"INSERT INTO {t} VALUES (1)")
    monkeypatch.setenv("IPAPP_DB_PASSWORD", READER_PASSWORD)
    url = app_db.url(password="${IPAPP_DB_PASSWORD}")
    source = source_for(url, {"tables": [t]})
    assert tk.get_action("harvest_source_show")({"ignore_auth": True},
                                                {"id": source["id"]})["url"] == url
    connect_url, found = base.harvester_of("sql").database_url(url)
    assert connect_url.password == READER_PASSWORD and found == [READER_PASSWORD]
    assert run_job(source).errors == []
    with pytest.raises(tk.ValidationError) as error:
        source_for(app_db.url(password="${HOME}"), {"tables": [t]})
    assert "password_env_vars" in error.value.error_dict["url"][0]


# ------------------------------------------------------------------ personal data

@pytest.fixture
def hmac_key(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, base.OPT_HMAC_KEY, "cle-de-test-du-moissonneur-sql")


def test_personal_columns_never_reach_the_stored_file(app_db, hmac_key):
    t = app_db.table("agents")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY, nir text, courriel text, "
               f"naissance date, code_postal text, service text)",
               f"INSERT INTO {t} VALUES (1, '1800575123456', 'jeanne.martin@example.fr', "
               f"'1980-05-17', '75011', 'RH'), (2, '2900613987654', "
               f"'paul.durand@example.fr', '1990-06-01', '20090', 'DSI')")
    job = run_job(source_for(app_db.url(), {
        "tables": [t], "legal_basis": "Mission d'intérêt public (art. 6.1.e RGPD)",
        "dpo_email": "dpd@ministere.gouv.fr",
        "personal_columns": {"nir": "hash", "courriel": "drop", "naissance": "generalise",
                             "code_postal": "generalise"}}))
    assert job.errors == []
    [dataset] = job.datasets
    assert dataset["personal_data"] == "pseudonymised"
    rows = stored_csv(the_resource(dataset))
    assert rows[0] == ["id", "nir", "naissance", "code_postal", "service"]
    assert rows[1][2:] == ["1980-05", "75", "RH"] and rows[2][2:] == ["1990-06", "2A", "DSI"]
    assert len(rows[1][1]) == 64
    for raw in ("1800575123456", "2900613987654", "jeanne.martin", "paul.durand",
                "1980-05-17", "75011", "20090"):
        assert not storage_holds(raw), raw
    dictionary = {c["id"]: c for c in read_data_dictionary(
        the_resource(dataset)["data_dictionary"])}
    assert "courriel" not in dictionary and "HMAC" in dictionary["nir"]["description"]


# ------------------------------------------------------------------ faults

def test_a_table_dropped_between_runs_leaves_its_dataset_as_it_was(app_db):
    t = app_db.table("ephemere")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY)", f"INSERT INTO {t} VALUES (1)")
    source = source_for(app_db.url(), {"tables": [t]})
    [dataset] = run_job(source).datasets
    app_db.run(f"DROP TABLE {t}")
    job = run_job(source)
    [message] = job.object_errors[t]
    assert t in message
    kept = show(dataset["id"])
    assert kept["resources"] == dataset["resources"] and not kept.get("withdrawn_at_source")
    assert stored_csv(the_resource(kept)) == [["id"], ["1"]]


def test_a_database_gone_between_runs_is_a_clear_error_and_datasets_stay(app_db):
    name = f"{app_db.name}_part"
    with app_db.admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}_old WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    owner = sa.create_engine(app_db.owner.url.set(database=name), poolclass=sa.pool.NullPool)
    with owner.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id integer PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1), (2)")
        conn.exec_driver_sql("GRANT SELECT ON t TO ipapp_reader")
    owner.dispose()
    source = source_for(app_db.url(database=name), {"tables": ["t"]})
    [dataset] = run_job(source).datasets
    with app_db.admin.connect() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE {name} RENAME TO {name}_old")
    try:
        job = run_job(source)
    finally:
        with app_db.admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}_old WITH (FORCE)")
    [message] = job.gather_errors
    assert name in message and READER_PASSWORD not in message
    kept = show(dataset["id"])
    assert kept["resources"] == dataset["resources"] and not kept.get("withdrawn_at_source")


def test_a_query_timing_out_is_reported_and_its_dataset_kept(app_db):
    t = app_db.table("lente")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY, attente float)",
               f"INSERT INTO {t} VALUES (1, 0)")
    source = source_for(app_db.url(), {
        "statement_timeout": 1,
        "queries": {"lente": f"SELECT id, pg_sleep(attente)::text AS s FROM {t}"}})
    [dataset] = run_job(source).datasets
    app_db.run(f"UPDATE {t} SET attente = 3")
    job = run_job(source)
    [message] = job.object_errors["query:lente"]
    assert "in time" in message
    assert show(dataset["id"])["resources"] == dataset["resources"]


def test_malformed_values_are_harvested_as_the_database_holds_them(app_db, tmp_path):
    t = app_db.table("dates")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY, d date)",
               f"INSERT INTO {t} VALUES (1, 'infinity'), (2, '10000-01-01'), (3, '2024-02-29')")
    [dataset] = run_job(source_for(app_db.url(), {"tables": [t]})).datasets
    assert stored_csv(the_resource(dataset))[1:] == [
        ["1", "infinity"], ["2", "10000-01-01"], ["3", "2024-02-29"]]

    url = sqlite_db(tmp_path / "a.db", "CREATE TABLE t (id integer, jour date, nom text)")
    conn = sqlite3.connect(tmp_path / "a.db")
    conn.execute("INSERT INTO t VALUES (1, 'pas une date', CAST(X'C3A9FF' AS TEXT))")
    conn.execute("INSERT INTO t VALUES ('deux', '2024-01-31', X'00FF')")
    conn.commit()
    conn.close()
    job = run_job(source_for(url, {"tables": ["t"]}))
    assert job.errors == []
    assert stored_csv(the_resource(job.datasets[0]))[1:] == [
        ["1", "pas une date", "é\ufffd"], ["deux", "2024-01-31", "00ff"]]
    # in the DataStore too, as text: its types refuse these values, nothing is left out
    if "datastore" in tk.config["ckan.plugins"]:
        fields, rows = datastore_rows(the_resource(job.datasets[0])["id"])
        assert set(fields.values()) == {"text"}
        assert [r["jour"] for r in rows] == ["pas une date", "2024-01-31"]


def test_a_table_removed_from_the_config_is_withdrawn_not_deleted(tmp_path):
    url = sqlite_db(tmp_path / "a.db", "CREATE TABLE a (id integer)",
                    "CREATE TABLE b (id integer)")
    source = source_for(url, {"tables": ["a", "b"]})
    datasets = {d["harvest_remote_id"]: d for d in run_job(source).datasets}
    update_source(source, config=json.dumps({"tables": ["a"]}))
    run_job(source)
    withdrawn = show(datasets["b"]["id"])
    assert withdrawn["state"] == "active" and withdrawn["withdrawn_at_source"]
    assert not show(datasets["a"]["id"]).get("withdrawn_at_source")


def test_harvest_through_the_redis_queues(tmp_path):
    url = sqlite_db(tmp_path / "a.db", "CREATE TABLE t (id integer PRIMARY KEY, nom text)",
                    rows={"t": [(1, "un"), (2, "deux")]})
    job = run_job_through_queues(source_for(url, {"tables": ["t"]}))
    assert job.job["status"] == "Finished" and job.errors == []
    assert stored_csv(the_resource(job.datasets[0])) == [["id", "nom"], ["1", "un"],
                                                         ["2", "deux"]]


def test_the_harvest_form_saves_a_source_without_its_password(app_db, app):
    t = app_db.table("formulaire")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY)")
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization()
    headers = {"Authorization": sysadmin["token"]}
    app.post("/harvest/new", headers=headers, data={
        "name": "source-formulaire", "title": "Application RH", "url": app_db.url(),
        "source_type": "sql", "frequency": "MANUAL", "owner_org": org["id"],
        "config": json.dumps({"tables": [t]}), "save": ""})
    source = tk.get_action("harvest_source_show")({"ignore_auth": True},
                                                  {"id": "source-formulaire"})
    assert source["source_type"] == "sql" and "${secret:" in source["url"]
    for path in ("/harvest/source-formulaire", "/harvest/edit/source-formulaire"):
        assert READER_PASSWORD not in app.get(path, headers=headers).body
    # a config the database refutes is a French error on the form, not a crash later
    page = app.post("/harvest/new", headers=headers, data={
        "name": "source-fautive", "title": "Fautive", "url": app_db.url(),
        "source_type": "sql", "frequency": "MANUAL", "owner_org": org["id"],
        "config": json.dumps({"tables": ["absente"]}), "save": ""}).body
    assert "absente" in page
    with pytest.raises(tk.ObjectNotFound):
        tk.get_action("harvest_source_show")({"ignore_auth": True}, {"id": "source-fautive"})


def datastore_rows(resource_id: str) -> tuple[dict, list[dict]]:
    found = tk.get_action("datastore_search")({"ignore_auth": True},
                                              {"resource_id": resource_id, "sort": "_id"})
    return ({f["id"]: f["type"] for f in found["fields"] if f["id"] != "_id"},
            [{k: v for k, v in r.items() if k != "_id"} for r in found["records"]])


@pytest.mark.usefixtures("clean_datastore")
def test_a_table_goes_into_the_datastore_with_the_database_s_types(app_db):
    t = app_db.table("mesures")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY, station varchar(40), "
               f"valeur numeric(6, 2), mesure_le timestamp, valide boolean, jour date)",
               f"INSERT INTO {t} VALUES (1, 'Brest', 12.5, '2026-11-30 08:00', true, "
               f"'2026-11-30'), (2, 'Lille', NULL, NULL, false, NULL)")
    source = source_for(app_db.url(), {"tables": [{"name": t, "incremental_column": "id"}]})
    [dataset] = run_job(source).datasets
    resource = the_resource(dataset)
    assert resource["datastore_active"] is True
    fields, rows = datastore_rows(resource["id"])
    assert fields == {"id": "int4", "station": "text", "valeur": "numeric",
                      "mesure_le": "timestamp", "valide": "bool", "jour": "date"}
    assert rows[0] == {"id": 1, "station": "Brest", "valeur": 12.5,
                       "mesure_le": "2026-11-30T08:00:00.000", "valide": True,
                       "jour": "2026-11-30"}
    assert rows[1]["valeur"] is None and rows[1]["mesure_le"] is None
    # the next run appends to the file; the table follows it, whole
    app_db.run(f"INSERT INTO {t} VALUES (3, 'Nice', 18.25, NULL, true, NULL)")
    [dataset] = run_job(source).datasets
    assert [r["station"] for r in datastore_rows(the_resource(dataset)["id"])[1]] == \
        ["Brest", "Lille", "Nice"]
    # an agent queries it by the API, as the resource page shows
    found = tk.get_action("datastore_search_sql")(
        {"ignore_auth": True},
        {"sql": f'SELECT station FROM "{resource["id"]}" WHERE valeur > 15'})
    assert [r["station"] for r in found["records"]] == ["Nice"]
    # a table harvested before the DataStore was enabled: the next run, unchanged, loads it
    from ckanext.internalportal.lib.context import site_context
    tk.get_action("datastore_delete")(site_context(),
                                      {"resource_id": resource["id"], "force": True})
    assert [o["report_status"] for o in run_job(source).objects] == ["not modified"]
    assert len(datastore_rows(resource["id"])[1]) == 3


@pytest.mark.usefixtures("clean_datastore")
def test_hashed_personal_columns_are_text_in_the_datastore(app_db, hmac_key):
    t = app_db.table("agents")
    app_db.run(f"CREATE TABLE {t} (id integer PRIMARY KEY, nir varchar(15), service text)",
               f"INSERT INTO {t} VALUES (1, '180017512345678', 'RH')")
    source = source_for(app_db.url(), {"tables": [{"name": t, "personal_columns":
                                                   {"nir": "hash"}}],
                                       "legal_basis": "Code de la sécurité sociale",
                                       "dpo_email": "dpd@ministere.gouv.fr"})
    [dataset] = run_job(source).datasets
    fields, rows = datastore_rows(the_resource(dataset)["id"])
    assert fields["nir"] == "text" and rows[0]["nir"] != "180017512345678"
