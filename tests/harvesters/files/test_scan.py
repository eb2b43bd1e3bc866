"""The source's folder: allowed roots, path safety, walking, sidecars (no CKAN)."""
from __future__ import annotations

import os

import pytest

from ckanext.internalportal.harvesters.files import scan
from ckanext.internalportal.harvesters.files.scan import PathRefused, ScanError


@pytest.fixture
def share(tmp_path):
    """/tmp/.../partages/direction (the source) next to /tmp/.../secret (outside it)."""
    root = tmp_path / "partages"
    source = root / "direction"
    (source / "sous-dossier").mkdir(parents=True)
    (source / "ventes.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (source / "sous-dossier" / "budget.xlsx").write_bytes(b"")
    (source / "notes.txt").write_text("pas une donnée", encoding="utf-8")
    (source / ".cache.csv").write_text("a\n", encoding="utf-8")
    (source / "~$ventes.xlsx").write_bytes(b"")
    (source / "ventes.csv.meta.yaml").write_text("title: Ventes\n", encoding="utf-8")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwd.csv").write_text("user;password\nroot;x\n", encoding="utf-8")
    return root, source, secret


# ------------------------------------------------------------------ the source's directory

def test_source_under_an_allowed_root_is_accepted_as_path_or_file_url(share):
    root, source, _ = share
    assert scan.checked_root(str(source), [str(root)]) == source.resolve()
    assert scan.checked_root(source.as_uri(), [str(root)]) == source.resolve()


def test_no_allowed_root_means_no_folder_and_says_which_option_to_set(share):
    _, source, _ = share
    with pytest.raises(ScanError) as error:
        scan.checked_root(str(source), [])
    assert "ckanext.internalportal.files_harvester.allowed_roots" in error.value.text()


@pytest.mark.parametrize("how", ["dotdot", "symlink", "sibling"])
def test_folder_outside_the_allowed_roots_is_refused(share, how):
    root, source, secret = share
    url = {"dotdot": f"{source}/../../secret",
           "symlink": str(_link(root / "raccourci", secret)),
           "sibling": str(secret)}[how]
    with pytest.raises(ScanError) as error:
        scan.checked_root(url, [str(root)])
    assert "allowed_roots" in error.value.text()


def _link(link, target):
    os.symlink(target, link)
    return link


@pytest.mark.parametrize("url", ["relative/path", "https://example.org/share",
                                 "file://serveur/partage"])
def test_url_that_is_not_a_local_absolute_path_is_refused(url, share):
    root, _, _ = share
    with pytest.raises(ScanError):
        scan.checked_root(url, [str(root)])


def test_missing_folder_and_plain_file_are_refused(share):
    root, source, _ = share
    with pytest.raises(ScanError) as error:
        scan.checked_root(str(source / "absent"), [str(root)])
    assert "does not exist" in error.value.text()
    with pytest.raises(ScanError) as error:
        scan.checked_root(str(source / "ventes.csv"), [str(root)])
    assert "not a folder" in error.value.text()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_unreadable_folder_is_refused(share):
    root, source, _ = share
    locked = source / "verrouille"
    locked.mkdir()
    locked.chmod(0)
    try:
        with pytest.raises(ScanError):
            scan.checked_root(str(locked), [str(root)])
    finally:
        locked.chmod(0o755)


# ------------------------------------------------------------------ walking

def test_walk_finds_the_data_files_and_skips_the_rest(share):
    _, source, _ = share
    found = [(f.rel, f.kind) for f in scan.walk(source)]
    assert found == [("ventes.csv", "csv"), ("sous-dossier/budget.xlsx", "xlsx")]


def test_link_out_of_the_folder_is_reported_and_not_followed(share):
    _, source, secret = share
    _link(source / "passwd.csv", secret / "passwd.csv")
    _link(source / "fuite", secret)
    found = {f.rel: f for f in scan.walk(source)}
    assert isinstance(found["passwd.csv"].refused, PathRefused)
    assert isinstance(found["fuite"].refused, PathRefused)
    assert found["passwd.csv"].kind is None
    assert not any(rel.startswith("fuite/") for rel in found)


def test_link_inside_the_folder_to_a_file_is_read_and_to_a_folder_not_walked_twice(share):
    _, source, _ = share
    _link(source / "alias.csv", source / "ventes.csv")
    _link(source / "boucle", source)
    rels = [f.rel for f in scan.walk(source)]
    assert rels == ["alias.csv", "ventes.csv", "sous-dossier/budget.xlsx"]


def test_file_name_that_is_not_utf8_is_reported_not_read(share):
    _, source, _ = share
    with open(os.fsencode(source) + b"/d\xe9penses.csv", "wb") as f:  # cp1252 « dépenses »
        f.write(b"a;b\n1;2\n")
    refused = [f for f in scan.walk(source) if f.refused is not None]
    assert [f.rel for f in refused] == ["d\ufffdpenses.csv"]
    refused[0].rel.encode("utf-8")  # storable as a guid


def test_include_exclude_and_not_recursive(share):
    _, source, _ = share
    assert [f.rel for f in scan.walk(source, include=["*.xlsx"])] == [
        "sous-dossier/budget.xlsx"]
    assert [f.rel for f in scan.walk(source, exclude=["sous-dossier/*"])] == ["ventes.csv"]
    assert [f.rel for f in scan.walk(source, recursive=False)] == ["ventes.csv"]


def test_safe_path_refuses_dotdot_and_links_out(share):
    _, source, secret = share
    root = source.resolve()
    assert scan.safe_path(root, "ventes.csv") == root / "ventes.csv"
    with pytest.raises(PathRefused):
        scan.safe_path(root, "../../secret/passwd.csv")
    _link(source / "passwd.csv", secret / "passwd.csv")
    with pytest.raises(PathRefused) as error:
        scan.safe_path(root, "passwd.csv")
    assert "passwd.csv" in error.value.text()


def test_named_pipe_posing_as_a_csv_is_refused_without_blocking(share):
    _, source, _ = share
    os.mkfifo(source / "tube.csv")
    with pytest.raises(ScanError) as error:
        scan.open_inside(source.resolve(), "tube.csv")
    assert "tube.csv" in error.value.text()


def test_snapshot_copies_the_file_read_through_a_checked_descriptor(share, tmp_path):
    _, source, secret = share
    copy = scan.snapshot(source.resolve(), "ventes.csv", tmp_path / "copie.csv")
    assert copy.read_text(encoding="utf-8") == "a;b\n1;2\n"
    _link(source / "fuite.csv", secret / "passwd.csv")
    with pytest.raises(PathRefused):
        scan.snapshot(source.resolve(), "fuite.csv", tmp_path / "fuite.csv")
    assert not (tmp_path / "fuite.csv").exists()


# ------------------------------------------------------------------ sidecars

def test_file_sidecar_wins_over_folder_metadata_inherited_from_parents(share):
    _, source, _ = share
    root = source.resolve()
    (source / "metadata.yaml").write_text(
        "licence: lov2\naccess_level: public\nkeywords: [budget]\n", encoding="utf-8")
    (source / "sous-dossier" / "metadata.yaml").write_text("access_level: internal\n",
                                                           encoding="utf-8")
    (source / "sous-dossier" / "budget.meta.yaml").write_text(
        "title: Budget\ndescription: Le budget.\n", encoding="utf-8")
    assert scan.metadata_for(root, "sous-dossier/budget.xlsx") == {
        "licence": "lov2", "access_level": "internal", "keywords": ["budget"],
        "title": "Budget", "description": "Le budget."}
    assert scan.metadata_for(root, "ventes.csv") == {
        "licence": "lov2", "access_level": "public", "keywords": ["budget"],
        "title": "Ventes"}


@pytest.mark.parametrize("text,words", [
    ("title: [non fermé\n", "line"),
    ("- une liste\n- pas un objet\n", "keys and values"),
    ("titre: faute de frappe\n", "unknown keys: titre"),
])
def test_bad_sidecar_is_a_clear_error_naming_the_file(share, text, words):
    _, source, _ = share
    (source / "ventes.csv.meta.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ScanError) as error:
        scan.metadata_for(source.resolve(), "ventes.csv")
    assert "ventes.csv.meta.yaml" in error.value.text()
    assert words in error.value.text()


def test_sidecar_linking_out_is_refused(share):
    _, source, secret = share
    (secret / "meta.yaml").write_text("title: x\n", encoding="utf-8")
    (source / "ventes.csv.meta.yaml").unlink()
    _link(source / "ventes.csv.meta.yaml", secret / "meta.yaml")
    with pytest.raises(PathRefused):
        scan.metadata_for(source.resolve(), "ventes.csv")
