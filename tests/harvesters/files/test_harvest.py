"""Harvesting a shared folder: sources saved through harvest_source_create, jobs run through
ckanext-harvest's stages (and once through the Redis queues), real files in tmp_path and the
stored files read back from CKAN's FileStore."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
from pathlib import Path

import pytest

import ckan.plugins.toolkit as tk

from ckanext.internalportal import settings
from ckanext.internalportal.harvesters import base
from ckanext.internalportal.harvesters.tabular import read_data_dictionary
from tests.harvesters.support import (make_source, run_job, run_job_through_queues,
                                      stored_file)

pytestmark = [pytest.mark.ckan_config("ckan.plugins", settings.HARVEST_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db")]

DATA = Path(__file__).parent / "data"
ROOTS = "ckanext.internalportal.files_harvester.allowed_roots"


@pytest.fixture
def roots(tmp_path, ckan_config, monkeypatch):
    """/tmp/.../partages is the one allowed root; /tmp/.../secret lies outside it."""
    root = tmp_path / "partages"
    root.mkdir()
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "mots_de_passe.csv").write_text("compte;secret\nroot;TRESSECRET42\n",
                                              encoding="utf-8")
    monkeypatch.setitem(ckan_config, ROOTS, str(root))
    return root, secret


@pytest.fixture
def hmac_key(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, base.OPT_HMAC_KEY, "cle-de-test-du-moissonneur")


def make_workbook(path):
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "Effectifs"
    sheet.append(["Service", "Agents", "Arrivée"])
    sheet.append(["DRH", 12, dt.datetime(2024, 1, 31)])
    sheet.append(["DSI", 7, dt.datetime(2024, 3, 1)])
    second = book.create_sheet("Budget")
    second.append(["Poste", "Montant"])
    second.append(["Loyers", 1500.5])
    book.save(path)


def make_parquet(path, **columns):
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table(columns or {"id": [1, 2, 3], "ville": ["Lyon", "Lille", None]}),
                   path)


def fill_share(folder: Path) -> None:
    """A folder as a ministry's share holds it: a Windows CSV export with its sidecar, a
    workbook of two sheets, a JSON table, a Parquet file, and things to skip."""
    shutil.copy(DATA / "export_windows.csv", folder / "depenses.csv")
    (folder / "depenses.csv.meta.yaml").write_text(
        "title: Dépenses par département\n"
        "description: Les dépenses 2024, par département.\n"
        "keywords: [budget, dépenses]\n"
        "licence: lov2\n"
        "access_level: public\n"
        "contact: {name: Bureau du budget, email: budget@ministere.gouv.fr}\n"
        "columns: {Montant (€): Montant TTC en euros}\n", encoding="utf-8")
    make_workbook(folder / "effectifs.xlsx")
    (folder / "sites.json").write_text(json.dumps(
        [{"code": "01", "nom": "Site A"}, {"code": "02", "nom": "Site B"}], ensure_ascii=False),
        encoding="utf-8")
    make_parquet(folder / "villes.parquet")
    (folder / "lisez-moi.txt").write_text("pas une donnée", encoding="utf-8")
    (folder / "~$effectifs.xlsx").write_bytes(b"verrou")


def source_for(folder: Path, config=None, **fields):
    return make_source("files", str(folder), config or {}, **fields)


def by_remote_id(job) -> dict:
    return {d["harvest_remote_id"]: d for d in job.datasets}


def read_stored(resource) -> bytes:
    return stored_file(resource).read_bytes()


def stored_csv(resource) -> list[list[str]]:
    return list(csv.reader(io.StringIO(read_stored(resource).decode("utf-8"))))


def storage_holds(text: str) -> bool:
    storage = Path(tk.config["ckan.storage_path"])
    needle = text.encode("utf-8")
    return any(needle in p.read_bytes() for p in storage.rglob("*") if p.is_file())


# ------------------------------------------------------------------ saving a source

def test_a_source_is_refused_when_its_folder_cannot_be_harvested(roots, ckan_config,
                                                                  monkeypatch):
    root, secret = roots
    for url, words in [(str(root / "absent"), "absent"),
                       (str(secret), "allowed_roots"),
                       (f"{root}/../secret", "allowed_roots"),
                       ("partages/relatif", "partages/relatif")]:
        with pytest.raises(tk.ValidationError) as error:
            source_for(url)
        assert words in error.value.error_dict["url"][0], url
    monkeypatch.setitem(ckan_config, ROOTS, "")
    with pytest.raises(tk.ValidationError) as error:
        source_for(root)
    assert ROOTS in error.value.error_dict["url"][0]


def test_a_source_with_a_bad_config_is_refused_in_french_before_any_run(roots):
    root, _ = roots
    with pytest.raises(tk.ValidationError) as error:
        source_for(root, {"group_by": "year", "include": ["../secret/*"], "grouper": 1,
                          "personal_columns": {"nir": "hash"}})
    messages = " ".join(error.value.error_dict["config"])
    assert "group_by" in messages and "../secret/*" in messages and "grouper" in messages
    assert "hmac_key" in messages  # a hashed column needs the key


def test_types_are_listed_and_only_sysadmins_create_files_sources(roots):
    from ckan.tests import factories
    root, _ = roots
    types = [h["name"] for h in tk.get_action("harvesters_info_show")({}, {})]
    assert "files" in types
    admin = factories.User()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    with pytest.raises(tk.NotAuthorized):
        make_source("files", str(root), {}, org=org,
                    context={"user": admin["name"], "ignore_auth": False})


# ------------------------------------------------------------------ a run

def test_each_file_becomes_a_dataset_with_its_data_stored_as_utf8_csv(roots):
    root, _ = roots
    fill_share(root)
    job = run_job(source_for(root))
    assert job.errors == []
    datasets = by_remote_id(job)
    assert sorted(datasets) == ["depenses.csv", "effectifs.xlsx", "sites.json",
                                "villes.parquet"]

    depenses = datasets["depenses.csv"]
    assert depenses["title"] == "Dépenses par département"
    assert depenses["notes"].startswith("Les dépenses 2024, par département.")
    assert "depenses.csv" in depenses["notes"]
    assert sorted(t["name"] for t in depenses["tags"]) == ["budget", "dépenses"]
    assert depenses["license_id"] == "lov2"
    assert depenses["access_level"] == "public" and depenses["private"] is False
    assert depenses["contact"][0]["email"] == "budget@ministere.gouv.fr"
    [resource] = depenses["resources"]
    assert resource["format"] == "CSV" and resource["url_type"] == "upload"
    assert stored_csv(resource) == [
        ["Département", "Libellé", "Montant (€)", "Date de saisie"],
        ["75", "Île-de-France – Paris", "1234,50", "03/01/2024"],
        ["13", "Bouches-du-Rhône", "987,00", "15/02/2024"],
        ["2A", "Corse-du-Sud", "12,75", ""]]
    dictionary = {c["id"]: c for c in read_data_dictionary(resource["data_dictionary"])}
    assert dictionary["Montant (€)"]["type"] == "numeric"
    assert dictionary["Montant (€)"]["description"] == "Montant TTC en euros"
    assert dictionary["Date de saisie"]["nullable"] is True

    effectifs = datasets["effectifs.xlsx"]
    assert effectifs["title"] == "Effectifs"
    assert effectifs["access_level"] == "internal"  # the default, no sidecar
    sheets = {r["harvest_key"]: r for r in effectifs["resources"]}
    assert sorted(sheets) == ["Budget", "Effectifs"]
    assert stored_csv(sheets["Effectifs"]) == [["Service", "Agents", "Arrivée"],
                                               ["DRH", "12", "2024-01-31"],
                                               ["DSI", "7", "2024-03-01"]]
    assert stored_csv(sheets["Budget"]) == [["Poste", "Montant"], ["Loyers", "1500.5"]]

    [json_resource] = datasets["sites.json"]["resources"]
    assert json_resource["format"] == "JSON"
    assert read_stored(json_resource) == (root / "sites.json").read_bytes()
    [parquet] = datasets["villes.parquet"]["resources"]
    assert parquet["format"] == "PARQUET"
    assert read_stored(parquet) == (root / "villes.parquet").read_bytes()
    assert [c["id"] for c in read_data_dictionary(parquet["data_dictionary"])] == ["id", "ville"]

    assert (root / "sites.json").exists()  # the share is read, never moved or written
    progress = base.progress_of(job.job["id"])
    assert int(progress["files"]) == 4
    assert int(progress["rows"]) == 3 + 2 + 1 + 2 + 3


def test_unchanged_changed_new_and_removed_files_are_told_apart(roots):
    root, _ = roots
    (root / "a.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    (root / "b.csv").write_text("x,y\n3,4\n", encoding="utf-8")
    source = source_for(root)
    first = by_remote_id(run_job(source))

    again = run_job(source)
    assert again.errors == []
    assert {o["report_status"] for o in again.objects} == {"not modified"}

    (root / "a.csv").write_text("x,y,z\n1,2,3\n", encoding="utf-8")  # a column added
    (root / "b.csv").unlink()
    (root / "c.csv").write_text("x\n5\n", encoding="utf-8")
    third = run_job(source)
    assert third.errors == []
    status = {o["guid"]: o["report_status"] for o in third.objects}
    # b.csv: withdrawn at source, reported « updated » (the dataset is not deleted)
    assert (status["a.csv"], status["b.csv"], status["c.csv"]) == ("updated", "updated", "added")
    datasets = by_remote_id(third)
    a = datasets["a.csv"]
    assert a["id"] == first["a.csv"]["id"]
    assert a["resources"][0]["id"] == first["a.csv"]["resources"][0]["id"]
    assert stored_csv(a["resources"][0]) == [["x", "y", "z"], ["1", "2", "3"]]
    assert [c["id"] for c in read_data_dictionary(a["resources"][0]["data_dictionary"])] == [
        "x", "y", "z"]
    b = datasets["b.csv"]
    assert b["state"] == "active" and b["withdrawn_at_source"] == dt.date.today().isoformat()
    assert stored_csv(b["resources"][0]) == [["x", "y"], ["3", "4"]]  # kept as it was

    (root / "a.csv").write_text("x\n1\n", encoding="utf-8")  # columns removed
    (root / "b.csv").write_text("x,y\n3,4\n", encoding="utf-8")  # back again
    fourth = by_remote_id(run_job(source))
    assert stored_csv(fourth["a.csv"]["resources"][0]) == [["x"], ["1"]]
    assert fourth["b.csv"]["id"] == b["id"] and not fourth["b.csv"]["withdrawn_at_source"]


def test_a_sidecar_edited_updates_the_metadata_and_leaves_the_data_alone(roots):
    root, _ = roots
    (root / "a.csv").write_text("x\n1\n", encoding="utf-8")
    (root / "a.csv.meta.yaml").write_text("title: Premier titre\n", encoding="utf-8")
    source = source_for(root)
    [before] = run_job(source).datasets
    (root / "a.csv.meta.yaml").write_text("title: Second titre\nkeywords: [essai]\n",
                                          encoding="utf-8")
    job = run_job(source)
    assert job.errors == [] and [o["report_status"] for o in job.objects] == ["updated"]
    [after] = job.datasets
    assert (after["id"], after["title"]) == (before["id"], "Second titre")
    assert [t["name"] for t in after["tags"]] == ["essai"]
    [res_before], [res_after] = before["resources"], after["resources"]
    assert (res_after["id"], res_after["hash"], res_after["last_modified"]) == (
        res_before["id"], res_before["hash"], res_before["last_modified"])


def test_one_dataset_per_folder_when_configured(roots):
    root, _ = roots
    (root / "rh").mkdir()
    (root / "rh" / "metadata.yaml").write_text("title: Ressources humaines\n", encoding="utf-8")
    (root / "rh" / "agents.csv").write_text("nom;service\nA;DRH\n", encoding="cp1252")
    (root / "rh" / "agents.meta.yaml").write_text("title: Agents\ndescription: Les agents.\n",
                                                  encoding="utf-8")
    make_workbook(root / "rh" / "effectifs.xlsx")
    (root / "budget").mkdir()
    make_parquet(root / "budget" / "villes.parquet")
    job = run_job(source_for(root, {"group_by": "folder"}))
    assert job.errors == []
    datasets = by_remote_id(job)
    assert sorted(datasets) == ["budget", "rh"]
    rh = datasets["rh"]
    assert rh["title"] == "Ressources humaines"
    assert sorted(r["harvest_key"] for r in rh["resources"]) == [
        "agents.csv", "effectifs.xlsx#Budget", "effectifs.xlsx#Effectifs"]
    agents = next(r for r in rh["resources"] if r["harvest_key"] == "agents.csv")
    assert agents["name"] == "Agents" and agents["description"] == "Les agents."
    assert datasets["budget"]["title"] == "Budget"


def test_files_of_the_same_name_in_two_folders_are_two_datasets(roots):
    root, _ = roots
    for folder in ("nord", "sud"):
        (root / folder).mkdir()
        (root / folder / "ventes.csv").write_text(f"region\n{folder}\n", encoding="utf-8")
    job = run_job(source_for(root))
    assert job.errors == []
    names = [d["name"] for d in job.datasets]
    assert len(names) == 2 and len(set(names)) == 2
    assert {d["title"] for d in job.datasets} == {"Ventes"}


# ------------------------------------------------------------------ faults

def test_a_file_that_cannot_be_parsed_is_reported_and_the_others_imported(roots):
    root, _ = roots
    (root / "bon.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (root / "abime.xlsx").write_text("ceci n'est pas un classeur", encoding="utf-8")
    (root / "casse.json").write_text("{\"a\": ", encoding="utf-8")
    (root / "decale.csv").write_text("a;b\n1;2\n3;4;5\n", encoding="utf-8")
    (root / "faute.csv").write_text("a\n1\n", encoding="utf-8")
    (root / "faute.csv.meta.yaml").write_text("title: [non fermé\n", encoding="utf-8")
    job = run_job(source_for(root))
    errors = job.object_errors
    assert sorted(errors) == ["abime.xlsx", "casse.json", "decale.csv", "faute.csv"]
    assert "abime.xlsx" in errors["abime.xlsx"][0]
    assert "line 3" in errors["decale.csv"][0] or "3" in errors["decale.csv"][0]
    assert "faute.csv.meta.yaml" in errors["faute.csv"][0]
    assert sorted(by_remote_id(job)) == ["bon.csv"]

    # rows over the threshold may be let through, and are said to be set aside
    source = source_for(root, {"max_malformed_rows": 1}, name="avec-tolerance")
    decale = by_remote_id(run_job(source))["decale.csv"]
    assert stored_csv(decale["resources"][0]) == [["a", "b"], ["1", "2"]]
    assert "3" in decale["resources"][0]["description"]


def test_a_file_broken_after_a_good_run_leaves_its_dataset_as_it_was(roots):
    root, _ = roots
    make_workbook(root / "effectifs.xlsx")
    source = source_for(root)
    before = by_remote_id(run_job(source))["effectifs.xlsx"]
    (root / "effectifs.xlsx").write_bytes(b"tronque")
    job = run_job(source)
    assert list(job.object_errors) == ["effectifs.xlsx"]
    after = tk.get_action("package_show")({"ignore_auth": True}, {"id": before["id"]})
    assert [(r["id"], r["hash"]) for r in after["resources"]] == [
        (r["id"], r["hash"]) for r in before["resources"]]
    assert not after.get("withdrawn_at_source")


def test_a_folder_missing_at_run_time_is_a_clear_error_and_datasets_stay(roots):
    root, _ = roots
    share = root / "direction"
    share.mkdir()
    (share / "a.csv").write_text("x\n1\n", encoding="utf-8")
    source = source_for(share)
    [dataset] = run_job(source).datasets
    share.rename(root / "ailleurs")
    job = run_job(source)
    assert len(job.gather_errors) == 1 and "direction" in job.gather_errors[0]
    kept = tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset["id"]})
    assert kept["state"] == "active" and not kept.get("withdrawn_at_source")
    assert stored_csv(kept["resources"][0]) == [["x"], ["1"]]


def test_an_empty_mount_point_does_not_withdraw_every_dataset(roots):
    root, _ = roots
    (root / "a.csv").write_text("x\n1\n", encoding="utf-8")
    source = source_for(root)
    [dataset] = run_job(source).datasets
    (root / "a.csv").unlink()
    job = run_job(source)
    assert len(job.gather_errors) == 1
    kept = tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset["id"]})
    assert not kept.get("withdrawn_at_source")


def test_paths_leading_out_of_the_folder_are_reported_and_never_read(roots):
    root, secret = roots
    (root / "a.csv").write_text("x\n1\n", encoding="utf-8")
    os.symlink(secret / "mots_de_passe.csv", root / "comptes.csv")
    os.symlink(secret, root / "raccourci")
    source = source_for(root, {"files": {"a.csv": {"title": "A"}}})
    job = run_job(source)
    assert sorted(job.object_errors) == ["comptes.csv", "raccourci"]
    assert str(secret) in job.object_errors["comptes.csv"][0]
    assert by_remote_id(job)["a.csv"]["title"] == "A"  # the config's entry for the file
    assert sorted(by_remote_id(job)) == ["a.csv"]
    assert not storage_holds("TRESSECRET42")
    with pytest.raises(tk.ValidationError):
        source_for(root, {"files": {"../secret/mots_de_passe.csv": {}}}, name="autre")


# ------------------------------------------------------------------ personal data

def test_personal_columns_never_reach_the_stored_files(roots, hmac_key):
    root, _ = roots
    (root / "usagers.csv").write_text(
        "NIR;Nom;Code postal;Naissance;Montant\n"
        "1850575123456;Dupont;75011;1985-05-03;12\n"
        "2900133000111;Martin;20090;1990-01-13;7\n", encoding="cp1252")
    (root / "usagers.csv.meta.yaml").write_text(
        "personal_columns: {nom: drop, code postal: generalise, naissance: generalise}\n"
        "legal_basis: Mission d'intérêt public (art. 6.1.e RGPD)\n"
        "dpo_email: dpd@ministere.gouv.fr\n", encoding="utf-8")
    make_parquet(root / "usagers.parquet", nir=["1850575123456"], nom=["Dupont"],
                 montant=[12])
    (root / "usagers.json").write_text(json.dumps([{"nir": "1850575123456", "nom": "Dupont"}]),
                                       encoding="utf-8")
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(["Nir", "Nom", "Montant"])
    book.active.append(["2900133000111", "Martin", 7])
    book.save(root / "usagers.xlsx")
    source = source_for(root, {"personal_columns": {"nir": "hash"},
                               "files": {"usagers.parquet": {"personal_columns":
                                                             {"nom": "drop"}},
                                         "usagers.xlsx": {"personal_columns":
                                                          {"nom": "drop"}},
                                         "usagers.json": {"personal_columns":
                                                          {"nom": "drop"}}},
                               "legal_basis": "Mission d'intérêt public",
                               "dpo_email": "dpd@ministere.gouv.fr"})
    job = run_job(source)
    assert job.errors == []
    datasets = by_remote_id(job)
    rows = stored_csv(datasets["usagers.csv"]["resources"][0])
    assert rows[0] == ["NIR", "Code postal", "Naissance", "Montant"]
    assert rows[1][1:] == ["75", "1985-05", "12"] and rows[2][1:] == ["2A", "1990-01", "7"]
    assert len(rows[1][0]) == 64
    [sheet] = datasets["usagers.xlsx"]["resources"]
    assert stored_csv(sheet) == [["Nir", "Montant"], [rows[2][0], "7"]]
    for raw in ("1850575123456", "2900133000111", "Dupont", "Martin", "75011", "1985-05-03"):
        assert not storage_holds(raw), raw
    assert {d["personal_data"] for d in datasets.values()} == {"pseudonymised"}
    import pyarrow.parquet as pq
    table = pq.read_table(stored_file(datasets["usagers.parquet"]["resources"][0]))
    assert table.column_names == ["nir", "montant"]
    assert table.column("nir").to_pylist() == [rows[1][0]]  # the same key: joins work


def test_an_unknown_personal_action_is_refused_not_ignored(roots):
    root, _ = roots
    (root / "usagers.csv").write_text("nom;montant\nDupont;12\n", encoding="utf-8")
    (root / "usagers.csv.meta.yaml").write_text("personal_columns: {nom: supprimer}\n",
                                                encoding="utf-8")
    (root / "agents.csv").write_text("nom\nMartin\n", encoding="utf-8")
    (root / "agents.csv.meta.yaml").write_text("personal_columns: [nom]\n", encoding="utf-8")
    job = run_job(source_for(root))
    assert sorted(job.object_errors) == ["agents.csv", "usagers.csv"]
    assert "supprimer" in job.object_errors["usagers.csv"][0]
    assert job.datasets == []
    assert not storage_holds("Dupont") and not storage_holds("Martin")


def test_harvest_through_the_redis_queues(roots):
    root, _ = roots
    (root / "a.csv").write_text("x;y\n1;2\n", encoding="utf-8")
    make_workbook(root / "b.xlsx")
    job = run_job_through_queues(source_for(root))
    assert job.errors == []
    assert job.job["status"] == "Finished"
    assert sorted(by_remote_id(job)) == ["a.csv", "b.xlsx"]
