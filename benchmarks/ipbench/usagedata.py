"""The usage history the statistics profile measures (run.py --stats): N rolled-up events
(10,000,000 by default) written straight into internalportal_stats's tables of ckan_bench,
``internalportal_usage_hourly`` and ``internalportal_usage_daily``, in SQL, as the rollup
(store.flush) would have left them after a year of use of the bench's catalogue.

Every event is drawn on its own, then the draws are added up per key exactly as the rollup does
(``count`` = the events of one dataset, resource, event, channel and consumer in one hour, or
one day): the sum of ``count`` in the daily table is N, exactly; the hourly table holds the
events of the last HOURLY_DAYS days (the plugin keeps 90), the same ones, per hour.

- **dataset**: a Zipf law of exponent ZIPF_S over the bench's active datasets, in an order drawn
  from the seed, except the first: the **most used dataset** is the first public dataset (by
  name) of the organisation whose administrator is ``bench-admin-org`` (the profile's producer);
  private datasets get half the weight of their rank (fewer readers);
- **day**: the DAYS days before the anchor (today, UTC, excluded), growing by half over the
  year, weekends at 30 % and 20 % of a weekday; **hour** (UTC): office hours in France;
- **event and channel**: search appearances 55 % (web 3/4, API 1/4), dataset pages 16 %,
  resource pages 5 %, downloads 11 %, API reads 13 % (package_show 3/4, resource_show and
  DataStore 1/4); events of a resource go to one of the dataset's resources, the first ones
  more often;
- **consumer**: for a public dataset, anonymous 30 %, its own organisation 25 %, agents in no
  organisation 5 %, another organisation 40 % (a Zipf law over the organisations; drawing the
  owner counts as ``same``); for a private one, its organisation 95 %, no organisation 5 %.

The drawing is one ``INSERT … SELECT`` over ``generate_series`` per table (random() after
setseed(), one serial plan: deterministic), on integer codes joined to small lookup tables;
the primary key and the day/hour index are dropped during the load and rebuilt after with the
migration's names and definitions, rows go in in time order (as successive rollups write
them), then ``VACUUM ANALYZE``. The daily table's comment records the parameters, the anchor
day and a digest of the catalogue: the history is reused when all match and the count adds up
to N, rebuilt otherwise (a new day, another catalogue, --regenerate).

No CKAN import (psycopg2 on ckan_bench): run.py calls it after the migrations.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
import time

from .common import BenchError, EXIT_DATA, info, pg_connect

GENERATOR_VERSION = 1
DAYS = 365
HOURLY_DAYS = 89          # < ckanext.internalportal.stats.hourly_retention_days (90)
ZIPF_S = 0.9
ORG_ZIPF_S = 0.8
PRIVATE_WEIGHT = 0.5
PRODUCER_USER = "bench-admin-org"

HOURLY = "internalportal_usage_hourly"
DAILY = "internalportal_usage_daily"
KEY = "package_id, {moment}, resource_id, event, channel, consumer"

# (event, channel, of a resource, share of the events)
KINDS = [
    ("search", "web", False, 0.55 * 0.75),
    ("search", "api", False, 0.55 * 0.25),
    ("view", "web", False, 0.16),
    ("resource_view", "web", True, 0.05),
    ("download", "download", True, 0.11),
    ("api", "api", False, 0.13 * 0.75),
    ("api", "api", True, 0.13 * 0.25),
]
# hours 0..23 UTC (France: UTC+1 in winter, +2 in summer)
HOUR_WEIGHTS = [0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 2.0, 3.2, 3.5, 3.3, 2.6,
                2.2, 3.0, 3.3, 3.0, 2.2, 1.2, 0.7, 0.5, 0.4, 0.3, 0.2, 0.15]
WEEKDAY_WEIGHTS = [1.0, 1.0, 1.0, 1.0, 1.0, 0.3, 0.2]      # Monday .. Sunday
GROWTH = 0.5              # the last day of the year has 1.5 times the first's traffic


def _thresholds(weights: list[float]) -> list[float]:
    """[0, c1, …, c(n-1)]: width_bucket(random(), thresholds) is then 1..n with these odds."""
    total = float(sum(weights))
    out, acc = [], 0.0
    for w in weights:
        out.append(acc / total)
        acc += w
    return out


def _marker(events: int, seed: int, anchor: dt.date, digest: str) -> str:
    return (f"[ipbench usage v{GENERATOR_VERSION} events={events} seed={seed} days={DAYS} "
            f"hourly_days={HOURLY_DAYS} anchor={anchor.isoformat()} catalogue={digest}]")


def _catalogue(cur) -> dict:
    cur.execute("SELECT p.id, p.name, p.owner_org, p.private FROM package p "
                "WHERE p.state = 'active' AND p.type = 'dataset' ORDER BY p.name")
    packages = cur.fetchall()
    cur.execute("SELECT r.id, r.package_id FROM resource r JOIN package p ON p.id = "
                "r.package_id WHERE r.state = 'active' AND p.state = 'active' "
                "ORDER BY r.package_id, r.position, r.id")
    resources: dict[str, list[str]] = {}
    for rid, pid in cur.fetchall():
        resources.setdefault(pid, []).append(rid)
    cur.execute("SELECT id, name FROM \"group\" WHERE is_organization AND state = 'active' "
                "ORDER BY name")
    orgs = cur.fetchall()
    cur.execute("SELECT m.group_id FROM member m JOIN \"user\" u ON u.id = m.table_id "
                "WHERE u.name = %s AND m.table_name = 'user' AND m.capacity = 'admin' "
                "AND m.state = 'active'", (PRODUCER_USER,))
    row = cur.fetchone()
    if not packages or not orgs or row is None:
        raise BenchError("profil statistiques : catalogue de mesure incomplet (jeux, "
                         f"organisations ou administrateur {PRODUCER_USER})", EXIT_DATA)
    producer_org = row[0]
    top = next((p for p in packages if p[2] == producer_org and not p[3]), None)
    if top is None:
        raise BenchError("profil statistiques : aucun jeu public dans l'organisation de "
                         f"{PRODUCER_USER}", EXIT_DATA)
    h = hashlib.sha256()
    for p in packages:
        h.update(f"{p[0]}|{p[2]}|{p[3]}|{','.join(resources.get(p[0], []))}\n".encode())
    for o in orgs:
        h.update(f"{o[0]}\n".encode())
    return {"packages": packages, "resources": resources, "orgs": orgs,
            "producer_org": producer_org, "top": top, "digest": h.hexdigest()[:12]}


def _day_weights(anchor: dt.date, days: int) -> list[tuple[dt.date, float]]:
    out = []
    for k in range(days):          # k = 0: the oldest day
        day = anchor - dt.timedelta(days=days - k)
        out.append((day, (1 + GROWTH * k / max(1, days - 1)) * WEEKDAY_WEIGHTS[day.weekday()]))
    return out


def describe_top(cat: dict) -> dict:
    pid, name, owner, _private = cat["top"]
    org = next(o[1] for o in cat["orgs"] if o[0] == owner)
    return {"id": pid, "name": name, "organization": org}


def _state(cur) -> dict:
    out = {}
    for table in (DAILY, HOURLY):
        cur.execute(f"SELECT count(*), coalesce(sum(count), 0) FROM {table}")
        rows, events = cur.fetchone()
        cur.execute("SELECT pg_total_relation_size(%s), pg_relation_size(%s)", (table, table))
        total, heap = cur.fetchone()
        out[table] = {"rows": rows, "events": int(events), "total_mb": round(total / 2**20, 1),
                      "heap_mb": round(heap / 2**20, 1)}
    return out


def _top_state(cur, top_id: str, anchor: dt.date) -> dict:
    cur.execute(f"SELECT count(*), coalesce(sum(count), 0) FROM {DAILY} WHERE package_id = %s",
                (top_id,))
    rows, events = cur.fetchone()
    cur.execute(f"SELECT count(*), coalesce(sum(count), 0) FROM {DAILY} WHERE package_id = %s "
                "AND day >= %s", (top_id, anchor - dt.timedelta(days=30)))
    rows30, events30 = cur.fetchone()
    cur.execute(f"SELECT count(*) FROM {HOURLY} WHERE package_id = %s", (top_id,))
    hourly_rows = cur.fetchone()[0]
    return {"daily_rows": rows, "events": int(events), "daily_rows_last_30_days": rows30,
            "events_last_30_days": int(events30), "hourly_rows": hourly_rows}


def ensure(events: int, seed: int, regenerate: bool = False) -> dict:
    """The usage history in ckan_bench (reused or rebuilt): what is there, for the result."""
    anchor = dt.datetime.now(dt.timezone.utc).date()
    conn = pg_connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass(%s), to_regclass(%s)", (HOURLY, DAILY))
            if None in cur.fetchone():
                raise BenchError("tables de internalportal_stats absentes de ckan_bench "
                                 "(ckan db upgrade sous « portal » ?)", EXIT_DATA)
            cat = _catalogue(cur)
            marker = _marker(events, seed, anchor, cat["digest"])
            cur.execute("SELECT obj_description(%s::regclass, 'pg_class')", (DAILY,))
            comment = cur.fetchone()[0] or ""
        conn.commit()
        why = None
        if regenerate:
            why = "régénération demandée (--regenerate)"
        elif marker not in comment:
            why = ("aucun historique généré" if "[ipbench usage" not in comment else
                   f"paramètres, jour ou catalogue différents ({comment.strip()})")
        else:
            with conn.cursor() as cur:
                state = _state(cur)
            conn.commit()
            if state[DAILY]["events"] != events:
                why = (f"la table quotidienne compte {state[DAILY]['events']} événements au "
                       f"lieu de {events}")
        if why is None:
            info(f"historique d'usage réutilisé : {events:,} événements".replace(",", " ")
                 + f", {state[DAILY]['rows']} lignes quotidiennes, {state[HOURLY]['rows']} "
                   f"lignes horaires (jour d'ancrage {anchor})")
            with conn.cursor() as cur:
                top = _top_state(cur, cat["top"][0], anchor)
            conn.commit()
            return {"regenerated": False, "marker": marker, "tables": state,
                    "top_dataset": {**describe_top(cat), **top}, "parameters": parameters(),
                    "anchor": anchor.isoformat(), "seconds": 0.0}
        info(f"historique d'usage : génération ({why})")
        t0 = time.perf_counter()
        timings = _generate(conn, cat, events, seed, anchor, marker)
        with conn.cursor() as cur:
            state = _state(cur)
            top = _top_state(cur, cat["top"][0], anchor)
        conn.commit()
        if state[DAILY]["events"] != events:
            raise BenchError(f"historique d'usage : {state[DAILY]['events']} événements "
                             f"générés au lieu de {events}", EXIT_DATA)
        seconds = round(time.perf_counter() - t0, 1)
        info(f"historique d'usage : {events:,} événements".replace(",", " ")
             + f", {state[DAILY]['rows']} lignes quotidiennes ({state[DAILY]['total_mb']} Mo), "
               f"{state[HOURLY]['rows']} lignes horaires ({state[HOURLY]['total_mb']} Mo) en "
               f"{seconds} s")
        return {"regenerated": True, "marker": marker, "tables": state,
                "top_dataset": {**describe_top(cat), **top}, "parameters": parameters(),
                "anchor": anchor.isoformat(), "seconds": seconds, "timings": timings}
    finally:
        conn.close()


def parameters() -> dict:
    return {"generator_version": GENERATOR_VERSION, "days": DAYS, "hourly_days": HOURLY_DAYS,
            "zipf_s": ZIPF_S, "org_zipf_s": ORG_ZIPF_S, "private_weight": PRIVATE_WEIGHT,
            "growth": GROWTH, "weekday_weights": WEEKDAY_WEIGHTS,
            "hour_weights_utc": HOUR_WEIGHTS,
            "kinds": [{"event": e, "channel": c, "resource": r, "share": round(s, 4)}
                      for e, c, r, s in KINDS],
            "consumers": {"public_dataset": {"public": 0.30, "same": 0.25, "none": 0.05,
                                             "other_organisation": 0.40},
                          "private_dataset": {"same": 0.95, "none": 0.05}},
            "producer": PRODUCER_USER}


def _draws_sql(n_param: str, day_param: str, with_hour: bool) -> str:
    """The aggregated draws (integer codes): one row per key, its number of events."""
    hour = "width_bucket(random(), %(hours)s::float8[])" if with_hour else "1"
    return f"""
        SELECT d.di, d.dayi, d.hi, d.k,
               CASE WHEN (%(kres)s::bool[])[d.k]
                    THEN ds.res_start + least(floor(power(d.ur, 1.6) * ds.res_n)::int,
                                              ds.res_n - 1)
                    ELSE 0 END AS ri,
               CASE WHEN ds.public THEN
                        CASE WHEN d.uc < 0.30 THEN -1 WHEN d.uc < 0.55 THEN -2
                             WHEN d.uc < 0.60 THEN -3
                             WHEN d.ob = ds.owner_idx THEN -2 ELSE d.ob END
                    ELSE CASE WHEN d.uc < 0.95 THEN -2 ELSE -3 END END AS cons,
               count(*) AS n
        FROM (SELECT width_bucket(random(), %(datasets)s::float8[]) AS di,
                     width_bucket(random(), %({day_param})s::float8[]) AS dayi,
                     {hour} AS hi,
                     width_bucket(random(), %(kinds)s::float8[]) AS k,
                     random() AS ur, random() AS uc,
                     width_bucket(random(), %(orgs)s::float8[]) AS ob
              FROM generate_series(1, %({n_param})s) OFFSET 0) d
        JOIN ipbench_ds ds ON ds.di = d.di
        GROUP BY 1, 2, 3, 4, 5, 6
    """


def _generate(conn, cat: dict, events: int, seed: int, anchor: dt.date, marker: str) -> dict:
    rng = random.Random(f"{seed}:usage")
    packages = list(cat["packages"])
    top = cat["top"]
    rest = [p for p in packages if p[0] != top[0]]
    rng.shuffle(rest)
    ordered = [top] + rest
    weights = [(r + 1) ** -ZIPF_S * (PRIVATE_WEIGHT if p[3] else 1.0)
               for r, p in enumerate(ordered)]
    org_ids = [o[0] for o in cat["orgs"]]
    org_order = list(org_ids)
    rng.shuffle(org_order)
    org_weights = [(org_order.index(o) + 1) ** -ORG_ZIPF_S for o in org_ids]
    days = _day_weights(anchor, DAYS)
    old, recent = days[:DAYS - HOURLY_DAYS], days[DAYS - HOURLY_DAYS:]
    total_w = sum(w for _, w in days)
    n_recent = round(events * sum(w for _, w in recent) / total_w)
    n_old = events - n_recent
    params = {
        "datasets": _thresholds(weights), "orgs": _thresholds(org_weights),
        "kinds": _thresholds([k[3] for k in KINDS]), "kres": [k[2] for k in KINDS],
        "hours": _thresholds(HOUR_WEIGHTS), "recent_days": _thresholds([w for _, w in recent]),
        "old_days": _thresholds([w for _, w in old]),
        "n_recent": n_recent, "n_old": n_old,
        "recent_start": recent[0][0], "old_start": old[0][0],
        "events": [k[0] for k in KINDS], "channels": [k[1] for k in KINDS],
    }
    timings: dict[str, float] = {}

    def step(name: str, sql: str, args: dict | None = None) -> None:
        t = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(sql, args)
        timings[name] = round(time.perf_counter() - t, 1)

    with conn.cursor() as cur:
        cur.execute("SET max_parallel_workers_per_gather = 0")
        cur.execute("SET work_mem = '256MB'")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET synchronous_commit = off")
        # lookup tables: the integer codes of the draws
        cur.execute("CREATE TEMP TABLE ipbench_ds (di int PRIMARY KEY, package_id text, "
                    "owner_idx int, public bool, res_start int, res_n int) ON COMMIT DROP")
        cur.execute("CREATE TEMP TABLE ipbench_res (ri int PRIMARY KEY, resource_id text) "
                    "ON COMMIT DROP")
        cur.execute("CREATE TEMP TABLE ipbench_org (oi int PRIMARY KEY, org_id text) "
                    "ON COMMIT DROP")
        org_index = {o: k + 1 for k, o in enumerate(org_ids)}
        ds_rows, res_rows, ri = [], [], 1
        for di, (pid, _name, owner, private) in enumerate(ordered, 1):
            res = cat["resources"].get(pid) or []
            ds_rows.append((di, pid, org_index.get(owner, 0), not private, ri, max(1, len(res))))
            for rid in res:
                res_rows.append((ri, rid))
                ri += 1
            if not res:       # a dataset without resources: its "resource" events go to ''
                res_rows.append((ri, ""))
                ri += 1
        from psycopg2.extras import execute_values
        execute_values(cur, "INSERT INTO ipbench_ds VALUES %s", ds_rows, page_size=1000)
        execute_values(cur, "INSERT INTO ipbench_res VALUES %s", res_rows, page_size=1000)
        execute_values(cur, "INSERT INTO ipbench_org VALUES %s",
                       [(k, o) for o, k in org_index.items()], page_size=1000)
        cur.execute("ANALYZE ipbench_ds; ANALYZE ipbench_res; ANALYZE ipbench_org")
        cur.execute(f"TRUNCATE {HOURLY}, {DAILY}")
        for table, moment in ((HOURLY, "hour"), (DAILY, "day")):
            cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_pkey")
            cur.execute(f"DROP INDEX IF EXISTS idx_{table}_{moment}")
        cur.execute("SELECT setseed(%s)", (((seed * 7919) % 1000) / 1000.0,))

    decode = """
        FROM ipbench_g g JOIN ipbench_ds ds ON ds.di = g.di
        LEFT JOIN ipbench_res r ON r.ri = g.ri
        LEFT JOIN ipbench_org o ON o.oi = g.cons
    """
    consumer = ("CASE g.cons WHEN -1 THEN 'public' WHEN -2 THEN 'same' WHEN -3 THEN 'none' "
                "ELSE o.org_id END")
    # the last HOURLY_DAYS days, per hour: the hourly table, and the daily one from it
    step("draw_recent_s", "CREATE TEMP TABLE ipbench_g ON COMMIT DROP AS "
         + _draws_sql("n_recent", "recent_days", True), params)
    step("hourly_insert_s", f"""
        INSERT INTO {HOURLY} (package_id, hour, resource_id, event, channel, consumer, count)
        SELECT ds.package_id,
               %(recent_start)s::timestamp + (g.dayi - 1) * interval '1 day'
                   + (g.hi - 1) * interval '1 hour',
               coalesce(r.resource_id, ''), (%(events)s::text[])[g.k],
               (%(channels)s::text[])[g.k], {consumer}, g.n
        {decode} ORDER BY g.dayi, g.hi""", params)
    step("daily_recent_insert_s", f"""
        INSERT INTO {DAILY} (package_id, day, resource_id, event, channel, consumer, count)
        SELECT ds.package_id, %(recent_start)s::date + (g.dayi - 1),
               coalesce(r.resource_id, ''), (%(events)s::text[])[g.k],
               (%(channels)s::text[])[g.k], {consumer}, sum(g.n)
        {decode} GROUP BY g.dayi, 1, 3, 4, 5, 6 ORDER BY g.dayi""", params)
    step("drop_recent_s", "DROP TABLE ipbench_g")
    # the older days, per day
    step("draw_old_s", "CREATE TEMP TABLE ipbench_g ON COMMIT DROP AS "
         + _draws_sql("n_old", "old_days", False), params)
    step("daily_old_insert_s", f"""
        INSERT INTO {DAILY} (package_id, day, resource_id, event, channel, consumer, count)
        SELECT ds.package_id, %(old_start)s::date + (g.dayi - 1),
               coalesce(r.resource_id, ''), (%(events)s::text[])[g.k],
               (%(channels)s::text[])[g.k], {consumer}, g.n
        {decode} ORDER BY g.dayi""", params)
    # the migration's primary keys and indexes (3c7d9e2a4b10_create_usage_tables.py)
    for table, moment in ((HOURLY, "hour"), (DAILY, "day")):
        step(f"{table}_pkey_s", f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey "
             f"PRIMARY KEY ({KEY.format(moment=moment)})")
        step(f"{table}_index_s", f"CREATE INDEX idx_{table}_{moment} ON {table} ({moment})")
    with conn.cursor() as cur:
        cur.execute(f"COMMENT ON TABLE {DAILY} IS %s",
                    ("Statistiques d'usage quotidiennes (historique synthétique du banc de "
                     f"mesure) {marker}",))
    conn.commit()
    t = time.perf_counter()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {HOURLY}")
            cur.execute(f"VACUUM ANALYZE {DAILY}")
    finally:
        conn.autocommit = False
    timings["vacuum_analyze_s"] = round(time.perf_counter() - t, 1)
    timings.update(n_recent=n_recent, n_old=n_old)
    return timings
