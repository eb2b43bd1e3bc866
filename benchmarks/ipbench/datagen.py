"""Deterministic synthetic catalogue (French-looking), and its loader.

The pure part (organisations(), users(), dataset()) builds the dicts from the seed only, so
the same N, M and seed always give the same catalogue. The loader runs in its own process:

    python -m ipbench.datagen INI --datasets N --orgs M --seed S

and creates everything through CKAN's action API in-process (site user), committing the
database in batches. It does not index: every measured configuration rebuilds the Solr
index under its own plugins before it is measured (worker.py).

The sharing profile (`--shares N`, run.py --shares) adds access levels and N shares between
organisations, and loads the datasets in bulk through CKAN's model tables (load_bulk).

Bump GENERATOR_VERSION whenever what is generated changes: run.py regenerates the data
set when the recorded version differs.
"""
from __future__ import annotations

import random
import re
import sys
import time
import unicodedata

GENERATOR_VERSION = 1
NAME_PREFIX = "bench-"
PRIVATE_SHARE = 0.30

ORGANISATIONS = [
    "Ministère de l'Intérieur",
    "Ministère de l'Économie et des Finances",
    "Ministère des Armées",
    "Ministère de la Justice",
    "Ministère de l'Éducation nationale",
    "Ministère de la Santé et de la Prévention",
    "Ministère du Travail, du Plein emploi et de l'Insertion",
    "Ministère de la Transition écologique",
    "Ministère de l'Agriculture et de la Souveraineté alimentaire",
    "Ministère de la Culture",
    "Ministère de l'Europe et des Affaires étrangères",
    "Ministère de l'Enseignement supérieur et de la Recherche",
    "Ministère des Sports et des Jeux Olympiques",
    "Ministère de la Transformation et de la Fonction publiques",
    "Direction générale des Finances publiques",
    "Direction générale des Collectivités locales",
    "Direction interministérielle du Numérique",
    "Institut national de la statistique et des études économiques",
    "Direction de l'information légale et administrative",
    "Secrétariat général du Gouvernement",
    "Direction générale de la Santé",
    "Direction générale de l'Aménagement, du Logement et de la Nature",
    "Direction de la Sécurité sociale",
    "Direction générale des Douanes et Droits indirects",
]

THEMES = [
    "Effectifs", "Budget", "Dépenses", "Subventions versées", "Marchés publics", "Indicateurs",
    "Statistiques", "Inventaire", "Recensement", "Registre", "Cartographie", "Liste",
    "Suivi", "Bilan annuel", "Tableau de bord", "Annuaire", "Consommation énergétique",
    "Qualité de l'air", "Contrôles", "Délais de traitement", "Fréquentation", "Taux de réussite",
    "Demandes reçues", "Accidents déclarés", "Émissions de gaz à effet de serre",
]
SUBJECTS = [
    "des agents publics", "des établissements scolaires", "des hôpitaux",
    "des collectivités territoriales", "des associations", "des aides agricoles",
    "des routes nationales", "des contrôles sanitaires", "des permis de construire",
    "des titres de séjour", "des bâtiments de l'État", "des musées nationaux",
    "des tribunaux judiciaires", "des bureaux de poste", "des gares ferroviaires",
    "des stations de mesure", "des logements sociaux", "des entreprises exportatrices",
    "des demandeurs d'emploi", "des bourses étudiantes", "des équipements sportifs",
    "des forêts domaniales", "des cours d'eau", "des véhicules de service",
    "des marchés de travaux", "des plaintes enregistrées",
]
QUALIFIERS = [
    "par région", "par département", "par commune", "par académie", "par mois",
    "par trimestre", "par ministère", "par catégorie", "en France métropolitaine",
    "dans les outre-mer", "par tranche d'âge", "par type de structure",
]
FREQUENCIES = ["chaque mois", "chaque trimestre", "chaque année", "chaque semaine",
               "en continu", "deux fois par an"]
SOURCES = [
    "des systèmes d'information de gestion", "des déclarations des services déconcentrés",
    "d'enquêtes annuelles", "des bases administratives", "des remontées des préfectures",
    "des fichiers comptables", "des capteurs du réseau national",
]
CAVEATS = [
    "les chiffres de l'année en cours sont provisoires",
    "certaines valeurs inférieures à 5 sont masquées pour préserver le secret statistique",
    "la méthode de calcul a changé en 2019",
    "les données antérieures à 2017 ne sont pas comparables",
    "les codes géographiques suivent le code officiel géographique en vigueur",
]
TAGS = [
    "santé", "éducation", "finances publiques", "environnement", "transport", "agriculture",
    "emploi", "logement", "sécurité", "justice", "culture", "énergie", "numérique",
    "territoires", "population", "budget", "fonction publique", "eau", "biodiversité",
    "urbanisme", "climat", "recherche", "sport", "social", "économie", "international",
    "défense", "tourisme", "mobilité", "déchets",
]
FORMATS = [("CSV", "csv"), ("JSON", "json"), ("XLSX", "xlsx"), ("PDF", "pdf"),
           ("ZIP", "zip"), ("GeoJSON", "geojson"), ("XML", "xml")]
RESOURCE_NAMES = ["Données complètes", "Extraction annuelle", "Documentation",
                  "Fichier des métadonnées", "Série historique", "Données géographiques",
                  "Dictionnaire des variables"]
# licence ids known to both CKAN's default list and the portal's (data.gouv.fr) list
LICENSES = ["cc-by", "cc-by-sa", "cc-zero", "odc-odbl", "odc-by", "other-open",
            "notspecified"]
FIRST_NAMES = ["Camille", "Dominique", "Claude", "Sacha", "Alix", "Maxime", "Morgane"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]

# query words for the search scenarios: every one of them is found in the catalogue
QUERY_WORDS = [
    "santé", "budget", "effectifs", "transport", "région", "département", "hôpitaux",
    "marchés publics", "qualité de l'air", "logement", "agents publics", "énergie",
    "subventions", "recensement", "emploi", "tribunaux", "forêts", "musées", "2021",
    "statistiques région", "environnement", "commune",
]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _rng(seed: int, *parts: object) -> random.Random:
    # str seeds are hashed with SHA-512: stable across runs and Python versions
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def organisations(n: int, seed: int) -> list[dict]:
    orgs = []
    for i in range(n):
        base = ORGANISATIONS[i % len(ORGANISATIONS)]
        title = base if i < len(ORGANISATIONS) else f"{base} ({i // len(ORGANISATIONS) + 1})"
        rng = _rng(seed, "org", i)
        orgs.append({
            "name": f"{NAME_PREFIX}org-{i + 1:03d}-{slugify(title)}"[:100].rstrip("-"),
            "title": title,
            "description": (f"Jeux de données publiés par {title}. "
                            f"Contact : {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}."),
        })
    return orgs


# the users: name, organisation index (or None) and role in it.
# "membre" is the one the "search as a member" scenarios authenticate as.
USERS = [
    ("membre", 0, "member"),
    ("editeur", 1, "editor"),
    ("admin-org", 2, "admin"),
    ("externe", None, None),
]
MEMBER_USER = f"{NAME_PREFIX}membre"


def users(n_orgs: int) -> list[dict]:
    out = []
    for short, org, role in USERS:
        out.append({
            "name": f"{NAME_PREFIX}{short}",
            "fullname": f"Utilisateur de mesure ({short})",
            "email": f"{NAME_PREFIX}{short}@bench.internalportal.localhost",
            "org": None if org is None else org % n_orgs,
            "role": role,
        })
    return out


def dataset(i: int, n_orgs: int, seed: int, org_names: list[str]) -> dict:
    """The i-th dataset (0-based) of the catalogue, as a package_create data dict."""
    rng = _rng(seed, "dataset", i)
    theme, subject = rng.choice(THEMES), rng.choice(SUBJECTS)
    qualifier, year = rng.choice(QUALIFIERS), rng.randint(2012, 2024)
    title = f"{theme} {subject} {qualifier} {year}"
    org_index = rng.randrange(n_orgs)
    org_title = ORGANISATIONS[org_index % len(ORGANISATIONS)]
    first = rng.randint(year - 8, year - 1)
    fmt_main = rng.choice(FORMATS)
    notes = " ".join([
        f"Ce jeu de données présente : {theme.lower()} {subject} {qualifier}, "
        f"mis à jour {rng.choice(FREQUENCIES)}.",
        f"Les données sont produites par les services de l'organisation « {org_title} » "
        f"à partir {rng.choice(SOURCES)}.",
        f"Elles couvrent la période {first}-{year} et sont diffusées au format {fmt_main[0]}.",
        f"Attention : {rng.choice(CAVEATS)}.",
    ])
    tags = rng.sample(TAGS, rng.randint(2, 5))
    name = f"{NAME_PREFIX}{i + 1:05d}-{slugify(title)}"[:100].rstrip("-")
    resources = []
    for k in range(rng.randint(1, 3)):
        fmt = fmt_main if k == 0 else rng.choice(FORMATS)
        resources.append({
            "name": f"{rng.choice(RESOURCE_NAMES)} {year}",
            "description": f"{theme} {subject} ({fmt[0]}).",
            "format": fmt[0],
            "url": f"https://donnees.bench.internalportal.localhost/{name}/{k + 1}.{fmt[1]}",
        })
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return {
        "name": name,
        "title": title,
        "notes": notes,
        "owner_org": org_names[org_index],
        "private": rng.random() < PRIVATE_SHARE,
        "tag_string": ",".join(tags),
        "license_id": rng.choice(LICENSES),
        "author": author,
        "author_email": f"{slugify(author).replace('-', '.')}@bench.internalportal.localhost",
        "maintainer": org_title,
        "version": f"{year}.{rng.randint(1, 12)}",
        "url": f"https://www.bench.internalportal.localhost/{slugify(theme)}",
        "resources": resources,
    }


# ------------------------------------------------------------------ sharing profile (--shares)
# The catalogue of the sharing scenario (run.py --shares N): every dataset gets an access
# level (the portal schema's `access_level`, a package extra; CKAN's `private` follows it), and
# N shares of restricted and private datasets to other organisations are written in the
# sharing plugin's table. Loaded in bulk (SQL through CKAN's model tables), not through
# package_create: 10,000 datasets by the action API take a quarter of an hour on 2 cores.
#
# Levels: enough restricted + private datasets for one organisation to receive 5,000 shares
# (the largest step of the filter study, run.py --share-steps).
LEVELS = [("public", 0.30), ("internal", 0.15), ("restricted", 0.25), ("private", 0.30)]
SHAREABLE = ("restricted", "private")
# the member's organisation (org 0) receives MEMBER_ORG_SHARES of the N shares, among them
# every restricted/private dataset of READER_ORG (org 1): those are the "shared datasets" of
# the show/page scenarios, read in the configurations without sharing by `bench-lecteur`, a
# member of their owner organisation.
MEMBER_ORG, READER_ORG = 0, 1
MEMBER_ORG_SHARES = 100
SHARING_USERS = [("lecteur", READER_ORG, "member")]
READER_USER = f"{NAME_PREFIX}lecteur"
SHARE_REASON = "bench"             # the generated shares
STEP_REASON = "bench-step"         # the shares added by the filter study (removed at its end)


def access_level(i: int, seed: int) -> str:
    """The access level of the i-th dataset of the sharing profile (its own draw: dataset()
    stays the same)."""
    x = _rng(seed, "level", i).random()
    acc = 0.0
    for level, share in LEVELS:
        acc += share
        if x < acc:
            return level
    return LEVELS[-1][0]


def share_plan(n: int, m: int, seed: int, n_shares: int,
               owners: list[int], levels: list[str]) -> list[tuple[int, int]]:
    """N distinct (dataset index, organisation index) shares of restricted/private datasets to
    an organisation other than their owner: MEMBER_ORG_SHARES to the member's organisation
    (READER_ORG's datasets first), the others spread at random over the other organisations."""
    rng = _rng(seed, "shares")
    shareable = [i for i in range(n) if levels[i] in SHAREABLE]
    to_member = [i for i in shareable if owners[i] == READER_ORG]
    others = [i for i in shareable if owners[i] not in (MEMBER_ORG, READER_ORG)]
    rng.shuffle(others)
    k_member = min(MEMBER_ORG_SHARES, n_shares)
    member = (to_member + others)[:k_member]
    plan = [(i, MEMBER_ORG) for i in member]
    seen = set(plan)
    if m > 2 and shareable:
        attempts = 0
        while len(plan) < n_shares and attempts < 50 * n_shares:
            attempts += 1
            i = rng.choice(shareable)
            org = rng.randrange(1, m)
            if org == owners[i] or (i, org) in seen:
                continue
            seen.add((i, org))
            plan.append((i, org))
    return plan


def tag_prefix(n: int, m: int, seed: int) -> int:
    """How many first datasets the setup step creates alone: enough to create every tag, so
    that the parallel parts never race to insert the same new tag."""
    org_names = [o["name"] for o in organisations(m, seed)]
    seen: set[str] = set()
    for i in range(n):
        seen.update(dataset(i, m, seed, org_names)["tag_string"].split(","))
        if len(seen) == len(TAGS):
            return i + 1
    return n


def part_indices(n: int, m: int, seed: int, part: int, parts: int) -> range:
    """Indices of the datasets created by part `part` (0-based) of `parts`, after the setup."""
    start = tag_prefix(n, m, seed)
    return range(start + part, n, parts)


# ------------------------------------------------------------------ loader (subprocess)
def load(ini: str, n: int, m: int, seed: int, part: int | None, parts: int,
         progress_every: int = 200) -> dict:
    """part None: the setup (organisations, users, member roles, the tag prefix);
    part k: its share of the remaining datasets. Commits the database every 50 datasets."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    app = make_app(load_config(ini))
    label = "préparation" if part is None else f"partie {part + 1}/{parts}"
    with app._wsgi_app.test_request_context():
        from ckanext.internalportal.lib.context import site_context as ctx

        t0 = time.perf_counter()
        org_dicts = organisations(m, seed)
        if part is None:
            for org in org_dicts:
                tk.get_action("organization_create")(ctx(), dict(org))
            for u in users(m):
                tk.get_action("user_create")(ctx(), {
                    "name": u["name"], "fullname": u["fullname"], "email": u["email"],
                    "password": _password(),
                })
                if u["org"] is not None:
                    tk.get_action("organization_member_create")(ctx(), {
                        "id": org_dicts[u["org"]]["name"], "username": u["name"],
                        "role": u["role"],
                    })
            print(f"    {label} : {m} organisations, {len(USERS)} utilisateurs "
                  f"({time.perf_counter() - t0:.1f} s)", flush=True)
            indices = range(tag_prefix(n, m, seed))
        else:
            indices = part_indices(n, m, seed, part, parts)

        org_names = [o["name"] for o in org_dicts]
        t0 = time.perf_counter()
        stats = {"datasets": 0, "private": 0, "resources": 0}
        total = len(indices)
        for k, i in enumerate(indices, 1):
            d = dataset(i, m, seed, org_names)
            tk.get_action("package_create")(ctx(return_id_only=True, defer_commit=True), d)
            stats["datasets"] += 1
            stats["private"] += int(d["private"])
            stats["resources"] += len(d["resources"])
            if k % 50 == 0:
                model.repo.commit()
            if k % progress_every == 0 or k == total:
                elapsed = time.perf_counter() - t0
                print(f"    {label} : {k:>6}/{total} jeux de données  {k / elapsed:6.1f}/s  "
                      f"({elapsed:.0f} s)", flush=True)
        model.repo.commit()
    stats["seconds"] = round(time.perf_counter() - t0, 1)
    return stats


def load_bulk(ini: str, n: int, m: int, seed: int, n_shares: int) -> dict:
    """The sharing profile: organisations and users through the action API (CKAN's own
    members, capacities, activities), then the datasets, their tags, resources and owner
    memberships, and the shares, inserted in bulk through CKAN's model tables (what
    package_create writes for these dicts, without its activity rows), one transaction."""
    import datetime
    import uuid

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.model.group import member_table
    from ckan.model.package import package_table
    from ckan.model.resource import resource_table
    from ckan.model.tag import package_tag_table, tag_table
    from sqlalchemy import text

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        from ckanext.internalportal.lib.context import site_context as ctx

        t0 = time.perf_counter()
        org_dicts = organisations(m, seed)
        org_ids = []
        for org in org_dicts:
            org_ids.append(tk.get_action("organization_create")(ctx(), dict(org))["id"])
        for u in users(m) + [
                {"name": f"{NAME_PREFIX}{short}", "fullname": f"Utilisateur de mesure ({short})",
                 "email": f"{NAME_PREFIX}{short}@bench.internalportal.localhost",
                 "org": org % m, "role": role} for short, org, role in SHARING_USERS]:
            tk.get_action("user_create")(ctx(), {
                "name": u["name"], "fullname": u["fullname"], "email": u["email"],
                "password": _password()})
            if u["org"] is not None:
                tk.get_action("organization_member_create")(ctx(), {
                    "id": org_dicts[u["org"]]["name"], "username": u["name"],
                    "role": u["role"]})
        site_user_id = model.User.get(ctx()["user"]).id
        print(f"    préparation : {m} organisations, {len(USERS) + len(SHARING_USERS)} "
              f"utilisateurs ({time.perf_counter() - t0:.1f} s)", flush=True)

        t0 = time.perf_counter()
        org_names = [o["name"] for o in org_dicts]
        org_index = {name: k for k, name in enumerate(org_names)}
        tag_ids = {t: str(uuid.uuid4()) for t in TAGS}
        start = datetime.datetime(2024, 1, 1)
        packages, resources, package_tags, members = [], [], [], []
        owners, levels, ids = [], [], []
        stats = {"datasets": 0, "private": 0, "resources": 0, "levels": {}}
        for i in range(n):
            d = dataset(i, m, seed, org_names)
            level = access_level(i, seed)
            pkg_id = str(uuid.uuid4())
            when = start + datetime.timedelta(minutes=7 * i)
            owner = org_ids[org_index[d["owner_org"]]]
            owners.append(org_index[d["owner_org"]])
            levels.append(level)
            ids.append(pkg_id)
            packages.append({
                "id": pkg_id, "name": d["name"], "title": d["title"], "version": d["version"],
                "url": d["url"], "author": d["author"], "author_email": d["author_email"],
                "maintainer": d["maintainer"], "maintainer_email": None, "notes": d["notes"],
                "license_id": d["license_id"], "type": "dataset", "owner_org": owner,
                "creator_user_id": site_user_id, "metadata_created": when,
                "metadata_modified": when, "private": level != "public", "state": "active",
                "extras": {"access_level": level},
            })
            for pos, r in enumerate(d["resources"]):
                resources.append({
                    "id": str(uuid.uuid4()), "package_id": pkg_id, "url": r["url"],
                    "format": r["format"], "description": r["description"], "position": pos,
                    "name": r["name"], "created": when, "metadata_modified": when,
                    "url_type": None, "extras": {}, "state": "active",
                })
            for t in d["tag_string"].split(","):
                package_tags.append({"id": str(uuid.uuid4()), "package_id": pkg_id,
                                     "tag_id": tag_ids[t], "state": "active"})
            members.append({"id": str(uuid.uuid4()), "table_name": "package",
                            "table_id": pkg_id, "capacity": "organization",
                            "group_id": owner, "state": "active"})
            stats["datasets"] += 1
            stats["private"] += int(level != "public")
            stats["resources"] += len(d["resources"])
            stats["levels"][level] = stats["levels"].get(level, 0) + 1
        plan = share_plan(n, m, seed, n_shares, owners, levels)
        shares = [{"id": str(uuid.uuid4()), "package_id": ids[i], "group_id": org_ids[org],
                   "state": "active", "created": start, "created_by": site_user_id,
                   "reason": SHARE_REASON, "can_edit": False} for i, org in plan]

        s = model.Session
        s.execute(tag_table.insert(), [{"id": tid, "name": t, "vocabulary_id": None}
                                       for t, tid in tag_ids.items()])
        for table, rows in ((package_table, packages), (resource_table, resources),
                            (package_tag_table, package_tags), (member_table, members)):
            for k in range(0, len(rows), 2000):
                s.execute(table.insert(), rows[k:k + 2000])
        if shares:
            s.execute(text(
                "INSERT INTO internalportal_share (id, package_id, group_id, state, created, "
                "created_by, reason, can_edit) VALUES (:id, :package_id, :group_id, :state, "
                ":created, :created_by, :reason, :can_edit)"), shares)
        model.repo.commit()
        stats["shares"] = len(shares)
        stats["member_org_shares"] = sum(1 for _, org in plan if org == MEMBER_ORG)
        stats["seconds"] = round(time.perf_counter() - t0, 1)
        print(f"    {n} jeux de données, {stats['resources']} ressources, {len(shares)} "
              f"partages insérés en bloc ({stats['seconds']} s)", flush=True)
    return stats


def _password() -> str:
    import secrets
    return secrets.token_urlsafe(24)


def main(argv: list[str]) -> int:
    import argparse
    import json

    ap = argparse.ArgumentParser(prog="ipbench.datagen")
    ap.add_argument("ini")
    ap.add_argument("--datasets", type=int, required=True)
    ap.add_argument("--orgs", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--part", type=int, default=None,
                    help="0-based part of the datasets after the setup (default: the setup)")
    ap.add_argument("--parts", type=int, default=1)
    ap.add_argument("--shares", type=int, default=0,
                    help="sharing profile: access levels and this many shares, bulk loaded")
    ap.add_argument("--out", required=True, help="JSON file receiving the counts")
    args = ap.parse_args(argv)
    try:
        if args.shares:
            stats = load_bulk(args.ini, args.datasets, args.orgs, args.seed, args.shares)
        else:
            stats = load(args.ini, args.datasets, args.orgs, args.seed, args.part, args.parts)
    except Exception as e:  # noqa: BLE001 - reported in French, with the cause
        import traceback
        traceback.print_exc()
        print(f"ERREUR : la génération des données a échoué : {e!r}", file=sys.stderr)
        return 4
    with open(args.out, "w") as f:
        json.dump(stats, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
