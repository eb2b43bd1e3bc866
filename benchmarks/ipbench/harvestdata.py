"""The sources the harvest benchmark reads (run.py --harvest), made once and reused.

- A « business application »: the PostgreSQL database ``ipbench_app`` on the project's server
  (127.0.0.1:5433, owner ckan_default), created by the superuser ``postgres`` through the
  server's socket directory (``.state/postgres``, as scripts/services.sh does), holding the
  table ``subventions`` of N rows (grants of a ministry: ids, French text with accents,
  commas and quotes, dates, amounts, nullable columns), generated in one ``INSERT ... SELECT``
  over ``generate_series`` (deterministic: no random()). Its table comment notes the
  generator version and N: a table with the same comment and N rows is reused.
- A shared folder: ``.state/bench/files/`` of F small CSV files in ten sub-folders, two kinds
  as found on a ministry's shares: UTF-8 with ``,`` and Windows exports (cp1252, ``;``,
  decimal commas). ``.state/bench/files.json`` (outside the folder: the harvester would read
  it) records what is there; a folder that matches is reused.

No CKAN import: the orchestrator (run.py) calls it before starting the measuring processes.
"""
from __future__ import annotations

import json
import random
import shutil
import time
from pathlib import Path

from .common import PG_HOST, PG_PASSWORD, PG_PORT, PG_USER, ROOT, STATE, BenchError, EXIT_DATA

GENERATOR_VERSION = 1
APP_DB = "ipbench_app"
TABLE = "subventions"
FILES_DIR = STATE / "files"
FILES_RECORD = STATE / "files.json"
FILES_VERSION = 1

COLUMNS = ["id", "numero_dossier", "beneficiaire", "commune", "code_postal", "date_depot",
           "date_decision", "montant", "statut", "commentaire", "mis_a_jour"]


def app_url(password: bool = True) -> str:
    """The SQLAlchemy URL of the business application's database (the harvest source's url)."""
    secret = f":{PG_PASSWORD}" if password else ""
    return f"postgresql://{PG_USER}{secret}@{PG_HOST}:{PG_PORT}/{APP_DB}"


def _socket_dir() -> str:
    return str((ROOT / ".state" / "postgres").resolve())


def _superuser():
    import psycopg2
    try:
        conn = psycopg2.connect(host=_socket_dir(), port=PG_PORT, user="postgres",
                                dbname="postgres", connect_timeout=5)
    except psycopg2.OperationalError as e:
        raise BenchError("impossible de se connecter en superutilisateur « postgres » par le "
                         f"socket {_socket_dir()} (création de la base {APP_DB}) : "
                         f"{str(e).strip().splitlines()[0]}", EXIT_DATA) from e
    conn.autocommit = True
    return conn


def _app_connect():
    import psycopg2
    return psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, password=PG_PASSWORD,
                            dbname=APP_DB, connect_timeout=5)


def ensure_app_db() -> bool:
    """Creates ipbench_app (owner ckan_default) if missing; True when it was created."""
    conn = _superuser()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (APP_DB,))
            if cur.fetchone():
                return False
            cur.execute(f"CREATE DATABASE {APP_DB} OWNER {PG_USER} ENCODING 'UTF8' "
                        "TEMPLATE template0")
            return True
    finally:
        conn.close()


def _marker(rows: int) -> str:
    return f"[ipbench v{GENERATOR_VERSION} n={rows}]"


TABLE_COMMENT = ("Subventions accordées par le ministère aux associations, entreprises et "
                 "collectivités (données synthétiques du banc de mesure)")

COLUMN_COMMENTS = {
    "id": "Identifiant interne du dossier",
    "numero_dossier": "Numéro du dossier de demande",
    "beneficiaire": "Raison sociale du bénéficiaire",
    "commune": "Commune du siège du bénéficiaire",
    "code_postal": "Code postal du siège",
    "date_depot": "Date de dépôt de la demande",
    "date_decision": "Date de la décision (vide tant que le dossier est en instruction)",
    "montant": "Montant accordé, en euros",
    "statut": "État du dossier",
    "commentaire": "Observations du service instructeur",
    "mis_a_jour": "Dernière modification du dossier",
}

_COMMUNES = [("Paris", "75011"), ("Marseille", "13002"), ("Lyon", "69003"),
             ("Toulouse", "31000"), ("Nice", "06000"), ("Nantes", "44000"),
             ("Montpellier", "34000"), ("Strasbourg", "67000"), ("Bordeaux", "33000"),
             ("Lille", "59000"), ("Rennes", "35000"), ("Reims", "51100"),
             ("Saint-Étienne", "42000"), ("Le Havre", "76600"), ("Toulon", "83000"),
             ("Grenoble", "38000"), ("Dijon", "21000"), ("Angers", "49000"),
             ("Nîmes", "30000"), ("Villeurbanne", "69100"), ("Clermont-Ferrand", "63000"),
             ("Le Mans", "72000"), ("Aix-en-Provence", "13100"), ("Brest", "29200"),
             ("Tours", "37000"), ("Amiens", "80000"), ("Limoges", "87000"),
             ("Annecy", "74000"), ("Perpignan", "66000"), ("Besançon", "25000"),
             ("Orléans", "45000"), ("Rouen", "76000"), ("Mulhouse", "68100"),
             ("Caen", "14000"), ("Nancy", "54000"), ("Saint-Denis", "97400"),
             ("Ajaccio", "20000"), ("Fort-de-France", "97200"), ("Pointe-à-Pitre", "97110"),
             ("Cayenne", "97300"), ("Évry-Courcouronnes", "91000")]
_KINDS = ["Association", "Coopérative", "Société", "Fondation", "Syndicat mixte",
          "Commune de", "Groupement d'intérêt public", "Entreprise"]
_NAMES = ["des Amis de la Forêt", "Horizon Solidaire", "Les Jardins d'Élise", "Énergies Vertes",
          "du Patrimoine Bâti", "Culture & Avenir", "Atelier Saint-Éloi", "Mobilité Douce",
          "Boulangerie Lefèvre", "Numérique pour Tous", "de l'Étang Bleu", "Terres d'Océan",
          "Réseau « Santé Rurale »", "Compagnie du Théâtre", "Hôpital Régional", "Les Écuries",
          "Sports, Loisirs et Jeunesse", "Bibliothèque Populaire", "Agro-Écologie du Sud",
          "Crèche Les Lutins"]
_STATUTS = ["accordée", "refusée", "en instruction", "soldée", "annulée"]
_COMMENTS = ["Dossier complet, pièces reçues", "Avis « favorable » du comité régional",
             "Relance envoyée ; réponse attendue", "Versement en deux tranches, 60 % puis 40 %",
             "Bénéficiaire déjà aidé en 2019, plafond respecté",
             "Projet d'intérêt général — priorité haute", "Pièce manquante : RIB",
             "Contrôle sur place effectué, conforme"]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _insert_sql(rows: int) -> str:
    # deterministic spread: products by primes modulo the array sizes
    return f"""
    INSERT INTO {TABLE}
    SELECT i,
      'SUB-' || (2015 + i % 10) || '-' || lpad(i::text, 7, '0'),
      (a.kinds)[1 + (i * 7) % cardinality(a.kinds)] || ' '
        || (a.names)[1 + (i * 13) % cardinality(a.names)],
      (a.communes)[1 + (i * 17) % cardinality(a.communes)],
      (a.cps)[1 + (i * 17) % cardinality(a.cps)],
      DATE '2015-01-01' + ((i * 37) % 3650),
      CASE WHEN i % 7 = 0 THEN NULL ELSE DATE '2015-01-01' + ((i * 37) % 3650)
        + 15 + ((i * 11) % 120) END,
      round((500 + ((i::bigint * 7919) % 5000000) / 100.0)::numeric, 2),
      CASE WHEN i % 7 = 0 THEN 'en instruction'
        ELSE (a.statuts)[1 + (i * 3) % cardinality(a.statuts)] END,
      CASE WHEN i % 5 < 3 THEN NULL
        ELSE (a.comments)[1 + (i * 19) % cardinality(a.comments)] || ' (le '
          || to_char(DATE '2015-01-01' + ((i * 37) % 3650) + 3, 'DD/MM/YYYY') || ')' END,
      TIMESTAMP '2024-01-01 08:00:00' + ((i::bigint * 104729) % 31536000) * INTERVAL '1 second'
    FROM generate_series(1, {int(rows)}) AS i,
      (SELECT {_array(_KINDS)} AS kinds, {_array(_NAMES)} AS names,
              {_array([c for c, _ in _COMMUNES])} AS communes,
              {_array([p for _, p in _COMMUNES])} AS cps,
              {_array(_STATUTS)} AS statuts, {_array(_COMMENTS)} AS comments) AS a
    """


def _create_sql() -> str:
    return f"""
    DROP TABLE IF EXISTS {TABLE};
    CREATE TABLE {TABLE} (
      id bigint PRIMARY KEY,
      numero_dossier text NOT NULL,
      beneficiaire text NOT NULL,
      commune text NOT NULL,
      code_postal varchar(5) NOT NULL,
      date_depot date NOT NULL,
      date_decision date,
      montant numeric(12, 2) NOT NULL,
      statut text NOT NULL,
      commentaire text,
      mis_a_jour timestamp NOT NULL
    );
    """


def table_state() -> dict | None:
    """{"rows", "comment", "bytes"} of the table, or None when it is not there."""
    conn = _app_connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass(%s)", (TABLE,))
            if cur.fetchone()[0] is None:
                return None
            cur.execute(f"SELECT obj_description(%s::regclass, 'pg_class'), count(*), "
                        f"pg_total_relation_size(%s::regclass) FROM {TABLE}", (TABLE, TABLE))
            comment, rows, size = cur.fetchone()
            return {"rows": rows, "comment": comment or "", "bytes": size}
    finally:
        conn.close()


def ensure_table(rows: int, regenerate: bool = False) -> dict:
    """The table of ``rows`` rows, generated unless already there. Returns what the result
    records: rows, reused or generated, generation time, size on disk."""
    created_db = ensure_app_db()
    state = None if created_db else table_state()
    if (not regenerate and state and state["rows"] == rows
            and state["comment"].endswith(_marker(rows))):
        return {"database": APP_DB, "table": TABLE, "rows": rows, "generated": False,
                "bytes": state["bytes"], "columns": len(COLUMNS)}
    t0 = time.perf_counter()
    conn = _app_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(_create_sql())
            cur.execute(_insert_sql(rows))
            cur.execute(f"COMMENT ON TABLE {TABLE} IS %s",
                        (f"{TABLE_COMMENT} {_marker(rows)}",))
            for col, text in COLUMN_COMMENTS.items():
                cur.execute(f"COMMENT ON COLUMN {TABLE}.{col} IS %s", (text,))
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {TABLE}")
    finally:
        conn.close()
    seconds = round(time.perf_counter() - t0, 1)
    state = table_state()
    if not state or state["rows"] != rows:
        raise BenchError(f"après génération, la table {TABLE} a {state and state['rows']} "
                         f"lignes au lieu de {rows}.", EXIT_DATA)
    return {"database": APP_DB, "table": TABLE, "rows": rows, "generated": True,
            "generation_s": seconds, "bytes": state["bytes"], "columns": len(COLUMNS)}


# ------------------------------------------------------------------ the shared folder
_FILE_TOPICS = ["effectifs", "budget", "marches-publics", "subventions", "equipements",
                "frequentation", "consommation-energie", "parc-automobile", "formations",
                "accidents-travail"]
_SERVICES = ["Direction des achats", "Service financier", "Bureau des ressources humaines",
             "Délégation régionale", "Secrétariat général", "Inspection générale"]


def _file_rows(rng: random.Random, n: int, windows: bool) -> tuple[list[str], list[list[str]]]:
    header = ["code", "libellé", "service", "date", "montant", "quantité", "observation"]
    rows = []
    for k in range(n):
        amount = rng.randint(100, 9_999_999) / 100
        amount_text = f"{amount:.2f}".replace(".", ",") if windows else f"{amount:.2f}"
        rows.append([
            f"{rng.randint(1, 99999):05d}",
            f"{rng.choice(_NAMES)} — ligne {k + 1}",
            rng.choice(_SERVICES),
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2015, 2025)}"
            if windows else f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-"
                            f"{rng.randint(1, 28):02d}",
            amount_text,
            str(rng.randint(0, 500)),
            rng.choice(["", "", "à vérifier", "reçu, conforme", "prévision ; non définitif"]),
        ])
    return header, rows


def _write_csv(path: Path, header: list[str], rows: list[list[str]], windows: bool) -> None:
    import csv
    with open(path, "w", newline="", encoding="cp1252" if windows else "utf-8") as f:
        writer = csv.writer(f, delimiter=";" if windows else ",",
                            lineterminator="\r\n" if windows else "\n")
        writer.writerow(header)
        writer.writerows(rows)


def ensure_files(count: int, seed: int = 42, regenerate: bool = False) -> dict:
    """``count`` CSV files under .state/bench/files/ (ten sub-folders), 40 % of them Windows
    exports (cp1252, ``;``), 20 to 200 rows each; reused when the record matches."""
    want = {"version": FILES_VERSION, "count": count, "seed": seed}
    if not regenerate and FILES_RECORD.exists() and FILES_DIR.is_dir():
        try:
            recorded = json.loads(FILES_RECORD.read_text())
        except ValueError:
            recorded = {}
        present = sum(1 for _ in FILES_DIR.rglob("*.csv"))
        if all(recorded.get(k) == v for k, v in want.items()) and present == count:
            return {**recorded, "generated": False}
    t0 = time.perf_counter()
    FILES_RECORD.unlink(missing_ok=True)
    shutil.rmtree(FILES_DIR, ignore_errors=True)
    rng = random.Random(seed)
    kinds = {"utf8_comma": 0, "cp1252_semicolon": 0}
    total_rows = total_bytes = 0
    for k in range(count):
        windows = k % 5 in (1, 3)
        folder = FILES_DIR / f"direction-{k % 10 + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        n = rng.randint(20, 200)
        header, rows = _file_rows(rng, n, windows)
        path = folder / f"{_FILE_TOPICS[k % len(_FILE_TOPICS)]}-{k + 1:04d}.csv"
        _write_csv(path, header, rows, windows)
        kinds["cp1252_semicolon" if windows else "utf8_comma"] += 1
        total_rows += n
        total_bytes += path.stat().st_size
    record = {**want, "kinds": kinds, "rows": total_rows, "bytes": total_bytes,
              "folder": str(FILES_DIR), "generation_s": round(time.perf_counter() - t0, 1)}
    FILES_RECORD.write_text(json.dumps(record, indent=2) + "\n")
    return {**record, "generated": True}
