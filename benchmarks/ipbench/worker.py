"""One configuration, in its own Python process, driven by run.py through stdin/stdout.

    python -m ipbench.worker --config NAME --ini PATH --round R --seed S [--rebuild]

At start: load the configuration (load_config + make_app), rebuild its search index under
its plugins if asked (--rebuild: its first round), create the member's API token, record what
the anonymous user and the member see, then announce itself ready. Then it obeys one JSON
command per line on stdin and answers one line on stdout, prefixed with PROTOCOL_PREFIX
(every other output line is progress, shown as is by run.py):

    {"cmd": "warmup", "scenario": S, "n": K}   K untimed requests      -> {"event": "done"}
    {"cmd": "measure", "scenario": S, "n": K}  K timed requests (ms)   -> {"event": "samples", ...}
    {"cmd": "quit"}                            revoke the token, exit  -> {"event": "bye"}
    {"cmd": "set_shares", "count": K}          the member's organisation receives K shares
                                               (sharing profile, filter study)
                                               -> {"event": "shares", ...}
    {"cmd": "filter"}                          the member's Solr filter -> {"event": "filter", ...}
    {"cmd": "redis_trips", "scenario": S, "n": K}   statistics profile: K untimed requests,
                                               the Redis round trips they made (counted in
                                               the client, and seen by the server)
                                               -> {"event": "redis_trips", ...}
    {"cmd": "record_timing", "n": N}           statistics profile: store.record timed N times
                                               in the process -> {"event": "record_timing", ...}

run.py keeps one such process per configuration alive during a round and alternates them in
small batches, so that a burst of load from elsewhere on the machine hits both alike. Each
scenario has its own seeded random generator per round, continued from batch to batch: every
configuration receives exactly the same request sequence. Each configuration has its own
ckan.site_id, so its Solr documents survive the other one's rounds (see common.py).
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from sqlalchemy import text

from . import datagen
from .common import EXIT_MEASURE, SITE_URL
from .configs import CONFIGS
from .scenarios import SCENARIOS, BenchClient, Ctx
from .stats import percentile

PROTOCOL_PREFIX = "@@ipbench "


def send(event: dict) -> None:
    sys.stdout.write(PROTOCOL_PREFIX + json.dumps(event) + "\n")
    sys.stdout.flush()


def _p(msg: str) -> None:
    print(f"    {msg}", flush=True)


def rebuild_index(flask_app, threads: int = 2, chunk: int = 50, procs: int = 1,
                  ini: str | None = None) -> dict:
    """Clear this site's documents from the Solr core, then index every dataset under the
    loaded plugins, as `ckan search-index rebuild` does (ckan.lib.search.rebuild, one Solr
    commit at the end, then an optimize to one segment), in `threads` threads (each with its own request context and
    database session: the work waits on PostgreSQL and Solr half of the time)."""
    import ckan.model as model
    from ckan.lib import search

    t0 = time.perf_counter()
    with flask_app.test_request_context():
        search.clear_all()
        ids = [r[0] for r in model.Session.query(model.Package.id)
               .filter(model.Package.state == "active").order_by(model.Package.id)]
        model.Session.remove()
    index_in_parts(flask_app, ids, threads, procs, ini, chunk)
    with flask_app.test_request_context():
        # one segment, no deleted documents: the same index layout for every configuration,
        # and no background merge left running during the measurements
        from ckan.lib.search.common import make_connection
        make_connection().optimize(maxSegments=1, waitSearcher=True)
    return {"indexed": len(ids), "threads": threads, "procs": procs,
            "seconds": round(time.perf_counter() - t0, 2)}


def index_in_parts(flask_app, ids: list[str], threads: int, procs: int, ini: str | None,
                   chunk: int = 50) -> None:
    """index_packages() in this process (procs 1), or split between `procs` helper processes
    (ipbench.indexer, as `ckan search-index rebuild-fast` does), then one Solr commit."""
    if procs <= 1 or not ini or len(ids) < 4 * chunk:
        index_packages(flask_app, ids, threads, chunk)
        return
    import os
    import subprocess
    import tempfile
    from ckan.lib import search

    files, children = [], []
    config = os.path.basename(ini).rsplit(".", 1)[0]
    try:
        for k in range(procs):
            fd, path = tempfile.mkstemp(prefix="ipbench-ids-", suffix=".txt")
            with os.fdopen(fd, "w") as f:
                f.write("\n".join(ids[k::procs]) + "\n")
            files.append(path)
            children.append(subprocess.Popen(
                [sys.executable, "-m", "ipbench.indexer", ini, path, "--threads", str(threads),
                 "--label", f"{config} : index {k + 1}/{procs}"]))
        codes = [c.wait() for c in children]
    finally:
        for c in children:
            if c.poll() is None:
                c.terminate()
        for path in files:
            os.unlink(path)
    if any(codes):
        raise RuntimeError(f"indexation en {procs} processus : codes de sortie {codes}")
    with flask_app.test_request_context():
        search.commit()


def index_packages(flask_app, ids: list[str], threads: int = 2, chunk: int = 50,
                   commit: bool = True, label: str = "index") -> None:
    """(Re)index these datasets under the loaded plugins, `threads` at a time, then commit."""
    import ckan.model as model
    from ckan.lib import search

    t0 = time.perf_counter()

    def index(batch: list[str]) -> int:
        with flask_app.test_request_context():
            try:
                search.rebuild(package_ids=batch, quiet=True)
            finally:
                model.Session.remove()
        return len(batch)

    batches = [ids[i:i + chunk] for i in range(0, len(ids), chunk)]
    report_every = max(1, len(batches) // 4)
    done = 0
    with ThreadPoolExecutor(max(1, threads)) as pool:
        for k, n in enumerate(pool.map(index, batches), 1):
            done += n
            if k % report_every == 0 or k == len(batches):
                elapsed = time.perf_counter() - t0
                _p(f"{label} : {done:>6}/{len(ids)} jeux de données  {done / elapsed:6.1f}/s")
    if commit:
        with flask_app.test_request_context():
            search.commit()


def build_ctx(config: str, seed: int, round_no: int) -> tuple[Ctx, dict]:
    """Public datasets, organisations and a fresh API token of the member (revoked at the end);
    in the sharing profile, the shared datasets and who reads them (scenarios.py)."""
    import ckan.model as model
    import ckan.plugins as plugins
    import ckan.plugins.toolkit as tk

    public = [r[0] for r in model.Session.query(model.Package.name).filter(
        model.Package.state == "active", model.Package.private.is_(False),
        model.Package.type == "dataset").order_by(model.Package.name)]
    orgs = [r[0] for r in model.Session.query(model.Group.name).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active")
        .order_by(model.Group.name)]
    if not public or not orgs:
        raise RuntimeError("aucun jeu de données public ou aucune organisation dans ckan_bench")
    member = model.User.get(datagen.MEMBER_USER)
    if member is None:
        raise RuntimeError(f"utilisateur {datagen.MEMBER_USER} absent de ckan_bench")
    member_orgs = [o["name"] for o in tk.get_action("organization_list_for_user")(
        {"user": member.name}, {"id": member.name, "permission": "read"})]
    from ckanext.internalportal.lib.context import site_context
    context = site_context()
    site_user = context["user"]
    token = tk.get_action("api_token_create")(
        context, {"user": member.name, "name": f"bench-{config}-r{round_no}"})["token"]
    model.Session.commit()
    ctx = Ctx(rng=random.Random(0), config=config, public_datasets=public,
              organisations=orgs, member_org=member_orgs[0] if member_orgs else orgs[0],
              member_token=token, words=list(datagen.QUERY_WORDS))
    tokens = [token]
    reader = model.User.get(datagen.READER_USER)
    if reader is not None:       # the sharing profile (run.py --shares)
        member_org = model.Group.get(ctx.member_org)
        shared = [r[0] for r in model.Session.execute(text(
            "SELECT p.name FROM internalportal_share s JOIN package p ON p.id = s.package_id "
            "JOIN \"group\" g ON g.id = p.owner_org JOIN member m ON m.group_id = g.id "
            "AND m.table_name = 'user' AND m.table_id = :reader AND m.state = 'active' "
            "WHERE s.group_id = :org AND s.state = 'active' AND s.reason = :reason "
            "AND p.state = 'active' ORDER BY p.name"),
            {"reader": reader.id, "org": member_org.id, "reason": datagen.SHARE_REASON})]
        if not shared:
            raise RuntimeError("profil partage : aucun jeu de l'organisation de "
                               f"{datagen.READER_USER} partagé avec {ctx.member_org}")
        if plugins.plugin_loaded("internalportal_sharing"):
            reader_name, reader_token = member.name, token      # through the share
        else:       # no sharing: a member of the owner organisation reads them
            reader_name = reader.name
            reader_token = tk.get_action("api_token_create")(
                context, {"user": reader.name, "name": f"bench-{config}-r{round_no}"})["token"]
            tokens.append(reader_token)
            model.Session.commit()
        ctx.extra.update(shared_datasets=shared, reader=reader_name,
                         reader_headers={"Authorization": reader_token},
                         member_org_id=member_org.id)
    return ctx, {"site_user": site_user, "tokens": tokens}


# the permission filter CKAN adds to the member's searches, as sent to Solr (recorded by a
# wrapper of PackageSearchQuery.run, installed in every configuration alike)
LAST_FILTER: dict = {}


def capture_permission_filter() -> None:
    from ckan.lib.search.query import PackageSearchQuery
    original = PackageSearchQuery.run

    def run(self, query, permission_labels=None, **kwargs):
        result = original(self, query, permission_labels=permission_labels, **kwargs)
        LAST_FILTER["labels"] = None if permission_labels is None else list(permission_labels)
        LAST_FILTER["fq"] = next((f for f in query.get("fq", [])
                                  if isinstance(f, str) and f.startswith("+permission_labels:")),
                                 None)
        return result

    PackageSearchQuery.run = run


def member_filter(client: BenchClient, ctx: Ctx) -> dict:
    """The member's `+permission_labels:(...)` filter: labels, characters, and what it lets
    through (a `*:*` search with include_private)."""
    LAST_FILTER.clear()
    count = _count(client, ctx.member_headers, q="*:*", include_private="true")
    labels, fq = LAST_FILTER.get("labels"), LAST_FILTER.get("fq")
    kinds: dict[str, int] = {}
    for label in labels or []:
        kind = label.split("-", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"labels": None if labels is None else len(labels), "label_kinds": kinds,
            "chars": None if fq is None else len(fq), "fq": fq, "member_count": count}


def set_member_shares(flask_app, ctx: Ctx, target: int, threads: int,
                      reindex: bool = True, procs: int = 1, ini: str | None = None) -> dict:
    """The member's organisation receives `target` active shares: restricted/private datasets
    of other organisations (by name) are shared with it (reason STEP_REASON), or the shares
    this study added are ended (deleted); the datasets whose labels changed are reindexed."""
    import ckan.model as model

    t0 = time.perf_counter()
    org_id = ctx.extra["member_org_id"]
    with flask_app.test_request_context():
        s = model.Session
        now = s.execute(text("SELECT count(*) FROM internalportal_share WHERE group_id = :g "
                             "AND state = 'active'"), {"g": org_id}).scalar()
        changed: list[str] = []
        if target > now:
            changed = [r[0] for r in s.execute(text(
                "SELECT p.id FROM package p WHERE p.state = 'active' AND p.type = 'dataset' "
                "AND p.extras->>'access_level' IN ('restricted', 'private') "
                "AND p.owner_org <> :g AND NOT EXISTS (SELECT 1 FROM internalportal_share s "
                "WHERE s.package_id = p.id AND s.group_id = :g AND s.state = 'active') "
                "ORDER BY p.name LIMIT :k"), {"g": org_id, "k": target - now})]
            if len(changed) < target - now:
                raise RuntimeError(f"{target} partages demandés : seulement "
                                   f"{now + len(changed)} jeux partageables")
            s.execute(text(
                "INSERT INTO internalportal_share (id, package_id, group_id, state, created, "
                "reason, can_edit) VALUES (:id, :p, :g, 'active', now() at time zone 'utc', "
                ":reason, false)"),
                [{"id": str(uuid.uuid4()), "p": p, "g": org_id, "reason": datagen.STEP_REASON}
                 for p in changed])
        elif target < now:
            changed = [r[0] for r in s.execute(text(
                "DELETE FROM internalportal_share WHERE id IN (SELECT id FROM "
                "internalportal_share WHERE group_id = :g AND state = 'active' AND reason = "
                ":reason ORDER BY package_id LIMIT :k) RETURNING package_id"),
                {"g": org_id, "reason": datagen.STEP_REASON, "k": now - target})]
            if len(changed) < now - target:
                raise RuntimeError(f"{target} partages demandés : les partages générés "
                                   f"({now - len(changed)}) restent")
        s.commit()
        model.Session.remove()
    t1 = time.perf_counter()
    if changed and reindex:
        index_in_parts(flask_app, changed, threads, procs, ini)
        with flask_app.test_request_context():
            # the same layout as after the rebuild: one segment, no deleted documents
            from ckan.lib.search.common import make_connection
            make_connection().optimize(maxSegments=1, waitSearcher=True)
    return {"shares": target, "before": now, "changed": len(changed),
            "reindexed": len(changed) if reindex else 0, "db_s": round(t1 - t0, 2),
            "reindex_s": round(time.perf_counter() - t1, 2)}


# ------------------------------------------------------------------ statistics profile (--stats)
STATS_NEW_PREFIX = "bench-stats-new-"      # the datasets package_create makes (purged)


def stats_setup(ctx: Ctx, meta: dict, config: str, round_no: int, top: str,
                year_start: str) -> None:
    """The producer (bench-admin-org, administrator of the most used dataset's organisation)
    and its token, a sysadmin's token (the site user), the public datasets' resources."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckanext.internalportal.lib.context import site_context
    from .usagedata import PRODUCER_USER

    context = site_context()
    producer = model.User.get(PRODUCER_USER)
    if producer is None:
        raise RuntimeError(f"utilisateur {PRODUCER_USER} absent de ckan_bench")
    orgs = [o["name"] for o in tk.get_action("organization_list_for_user")(
        {"user": producer.name}, {"id": producer.name, "permission": "admin"})]
    if not orgs:
        raise RuntimeError(f"{PRODUCER_USER} n'administre aucune organisation")
    token = tk.get_action("api_token_create")(
        context, {"user": producer.name, "name": f"bench-{config}-r{round_no}"})["token"]
    admin_token = tk.get_action("api_token_create")(
        context, {"user": meta["site_user"], "name": f"bench-{config}-r{round_no}"})["token"]
    model.Session.commit()
    meta["tokens"] += [token, admin_token]
    downloads = [tuple(r) for r in model.Session.execute(text(
        "SELECT p.name, r.id FROM resource r JOIN package p ON p.id = r.package_id "
        "WHERE r.state = 'active' AND p.state = 'active' AND NOT p.private "
        "AND p.type = 'dataset' ORDER BY p.name, r.position"))]
    if model.Package.get(top) is None:
        raise RuntimeError(f"jeu le plus consulté introuvable : {top}")
    ctx.extra.update(producer=producer.name, producer_org=orgs[0],
                     producer_headers={"Authorization": token},
                     sysadmin_headers={"Authorization": admin_token},
                     top_dataset=top, year_start=year_start, downloads=downloads,
                     new_prefix=f"{STATS_NEW_PREFIX}{config}-r{round_no}-")


def purge_created(config: str) -> int:
    """Purge the datasets package_create made under this configuration (any round): the
    catalogue is the generated one again (run.py checks its counts before reusing it)."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckanext.internalportal.lib.context import site_context

    names = [r[0] for r in model.Session.execute(text(
        "SELECT name FROM package WHERE name LIKE :p"),
        {"p": f"{STATS_NEW_PREFIX}{config}-%"})]
    for name in names:
        tk.get_action("dataset_purge")(site_context(), {"id": name})
    model.Session.commit()
    return len(names)


def stats_redis_cleanup() -> int:
    """Remove this site's usage counters from Redis (the requests' events are never rolled up
    into the generated history) and the periodic rollup jobs they enqueued."""
    import ckan.plugins.toolkit as tk
    from ckanext.internalportal.lib.context import site_context
    from ckanext.internalportal.stats import store

    r = store.client()
    keys = list(r.scan_iter(match=store.prefix() + "*", count=1000))
    if keys:
        r.delete(*keys)
    try:
        tk.get_action("job_clear")(site_context(), {})
    except Exception:  # noqa: BLE001 - no queue to clear
        pass
    return len(keys)


class TripCounter:
    """Redis round trips made by this process: every send of a command or of a pipeline goes
    through Connection.send_packed_command, then waits for the answer(s). Counted for every
    connection, and apart for those of internalportal_stats's pool (store.client()); the
    pipelines executed and their commands; the SQL statements sent to PostgreSQL."""

    def __init__(self):
        import redis.client
        import redis.connection
        self.counts = {"round_trips": 0, "stats_round_trips": 0, "pipelines": 0,
                       "pipeline_commands": 0}
        counts = self.counts
        send = redis.connection.AbstractConnection.send_packed_command
        execute = redis.client.Pipeline.execute

        def stats_pool():
            store = sys.modules.get("ckanext.internalportal.stats.store")
            if store is None or not getattr(store, "_clients", None):
                return []
            return [c.connection_pool for c in store._clients.values()]

        def counted_send(conn, command, check_health=True):
            counts["round_trips"] += 1
            if any(conn in getattr(p, "_in_use_connections", ()) for p in stats_pool()):
                counts["stats_round_trips"] += 1
            return send(conn, command, check_health)

        def counted_execute(pipe, *a, **kw):
            counts["pipelines"] += 1
            counts["pipeline_commands"] += len(pipe.command_stack)
            return execute(pipe, *a, **kw)

        redis.connection.AbstractConnection.send_packed_command = counted_send
        redis.client.Pipeline.execute = counted_execute
        # and the SQL statements, for the record (what else the plugin asks per request)
        import sqlalchemy.event
        from sqlalchemy.engine import Engine
        counts["sql_statements"] = 0

        @sqlalchemy.event.listens_for(Engine, "before_cursor_execute")
        def _sql(*_a, **_kw):
            counts["sql_statements"] += 1

    def snapshot(self) -> dict:
        return dict(self.counts)


SERVER_FIELDS = ("total_commands_processed", "total_reads_processed")


class HookTimer:
    """The time internalportal_stats's own hooks take per request, in this process: its
    ``after_dataset_search`` and its Flask ``after_request`` (where the request's events are
    recorded), added up per request — the plugin's cost, apart from the machine's noise that
    the portal / portal_nostats ratios carry. (``after_dataset_show`` only keeps a reference.)"""

    def __init__(self, flask_app):
        from ckanext.internalportal.stats import capture
        self.samples: list[float] = []
        self._current = 0.0
        search = capture.after_dataset_search

        def timed_search(results):
            t = time.perf_counter()
            try:
                return search(results)
            finally:
                self._current += time.perf_counter() - t

        capture.after_dataset_search = timed_search
        funcs = flask_app.after_request_funcs.get(None, [])
        self.installed = False
        for i, f in enumerate(funcs):
            if f is capture.after_request:
                def timed_after(response, f=f):
                    t = time.perf_counter()
                    try:
                        return f(response)
                    finally:
                        self.samples.append((self._current + time.perf_counter() - t) * 1000)
                        self._current = 0.0
                funcs[i] = timed_after
                self.installed = True




def _server_info(conn) -> dict:
    """What the Redis server has processed so far: commands, reads (one per batch of commands
    received at once, i.e. per round trip of a client), calls per command."""
    stats = conn.info("stats")
    out = {k: int(stats[k]) for k in SERVER_FIELDS}
    for name, v in conn.info("commandstats").items():
        out[name.replace("cmdstat_", "")] = int(v["calls"])
    return out


def _delta(a: dict, b: dict) -> dict:
    return {k: b.get(k, 0) - a.get(k, 0) for k in set(a) | set(b) if b.get(k, 0) - a.get(k, 0)}


def redis_trips(runner: "Runner", counter: TripCounter, scenario: str, n: int,
                hooks: Optional[HookTimer] = None) -> dict:
    """n untimed requests of the scenario (the same sequence in every configuration): round
    trips counted in the client, and the server's own counters (INFO stats, commandstats) over
    the same window, less what INFO itself adds, with the server's idle rate (other clients)
    measured just after over one second."""
    import redis as redis_lib
    from .common import REDIS_DB, REDIS_PORT
    conn = redis_lib.Redis(host="127.0.0.1", port=REDIS_PORT, db=REDIS_DB)
    o1 = _server_info(conn)
    o2 = _server_info(conn)
    overhead = _delta(o1, o2)            # what one _server_info() adds to the counters
    before = _server_info(conn)
    before_client = counter.snapshot()      # after: the INFO calls are not counted
    first_hook = len(hooks.samples) if hooks else 0
    t0 = time.perf_counter()
    runner.run(scenario, n, timed=False, phase="trips:")
    if hooks:  # the events the sender thread has not sent yet belong to this window
        from ckanext.internalportal.stats import store
        store.wait_sent()
    seconds = time.perf_counter() - t0
    after_client = counter.snapshot()
    after = _server_info(conn)
    time.sleep(1.0)
    idle = _server_info(conn)
    conn.close()
    server = {k: v - overhead.get(k, 0) for k, v in _delta(before, after).items()}
    server = {k: v for k, v in server.items() if v}
    background = {k: v - overhead.get(k, 0) for k, v in _delta(after, idle).items()}
    background = {k: v for k, v in background.items() if v}
    client = {k: after_client[k] - before_client[k] for k in after_client}
    hook_ms = hooks.samples[first_hook:] if hooks else []
    return {"scenario": scenario, "requests": n, "seconds": round(seconds, 2),
            "plugin_hooks_ms": ({"p50": round(percentile(hook_ms, 50), 3),
                                 "p95": round(percentile(hook_ms, 95), 3),
                                 "requests": len(hook_ms)} if hook_ms else None),
            "client": client,
            "client_per_request": {k: round(v / n, 3) for k, v in client.items()},
            "server": server,
            "server_per_request": {k: round(v / n, 3) for k, v in server.items()},
            "server_background_per_s": background}


def record_timing(flask_app, ctx: Ctx, n: int) -> dict:
    """store.record timed n times in the process, on the real Redis: one dataset page's
    counter (anonymous), and a page of 20 search results (20 counters), each sent as a request
    would send it without the sender thread (``background=False``: the Redis round trip
    itself, what the thread does), then handed to the thread as a request does
    (``*_handed``)."""
    import ckan.model as model
    from ckanext.internalportal.stats import capture, store

    out = {}
    with flask_app.test_request_context():
        top = model.Package.get(ctx.extra["top_dataset"])
        page = [model.Package.get(name) for name in ctx.public_datasets[:20]]
        view = capture.counters_for(top.id, top.owner_org, "view", "web", orgs=None)
        search = [c for p in page for c in capture.counters_for(
            p.id, p.owner_org, "search", "web", orgs=None)]
        cases = {"view_1_counter": (view, False), "search_20_counters": (search, False),
                 "view_1_counter_handed": (view, True),
                 "search_20_counters_handed": (search, True)}
        model.Session.remove()
        lost_before = store.lost_events()
        for name, (counters, background) in cases.items():
            for _ in range(min(200, n)):                 # warm-up
                store.record(counters, background=background)
            store.wait_sent()
            samples, failed = [], 0
            gc.collect()
            for _ in range(n):
                t0 = time.perf_counter_ns()
                ok = store.record(counters, background=background)
                samples.append((time.perf_counter_ns() - t0) / 1e6)
                failed += not ok
                if background and len(samples) % 50 == 0:
                    store.wait_sent()  # the thread keeps up, as between real requests
            out[name] = {"counters": len(counters), "calls": n, "failed": failed,
                         "p50_ms": round(percentile(samples, 50), 4),
                         "p95_ms": round(percentile(samples, 95), 4),
                         "p99_ms": round(percentile(samples, 99), 4),
                         "mean_ms": round(sum(samples) / n, 4),
                         "max_ms": round(max(samples), 4)}
        out["lost_events"] = store.lost_events() - lost_before
    return out


def _count(client: BenchClient, headers: dict | None = None, **params) -> int:
    r = client.get("/api/3/action/package_search", params={"rows": 0, **params},
                   headers=headers)
    return json.loads(r.get_data())["result"]["count"] if r.status_code == 200 else -1


def sanity(client: BenchClient, ctx: Ctx, index: bool = True) -> dict:
    """What each identity sees (recorded, not asserted): later permission work changes it."""
    if not index:
        return {"index": False}
    if "shared_datasets" in ctx.extra:
        f = member_filter(client, ctx)
        return {
            "anonymous_count": _count(client, q="*:*"),
            "member_count": f["member_count"],
            "member_private_count": _count(client, ctx.member_headers, q="*:*",
                                           include_private="true", fq="capacity:private"),
            "member_filter": {k: f[k] for k in ("labels", "label_kinds", "chars", "fq")},
            "shared_datasets_read": len(ctx.extra["shared_datasets"]),
            "reader": ctx.extra["reader"],
        }
    return {
        "anonymous_count": _count(client, q="*:*"),
        "member_count": _count(client, ctx.member_headers, q="*:*", include_private="true"),
        "member_private_count": _count(client, ctx.member_headers, q="*:*",
                                       include_private="true", fq="capacity:private"),
    }


class Runner:
    """Runs batches of a scenario's requests; one warm-up and one timed random generator per
    scenario, seeded from (seed, scenario, round) and continued across batches."""

    def __init__(self, client: BenchClient, ctx: Ctx, seed: int, round_no: int):
        self.client, self.ctx, self.seed, self.round_no = client, ctx, seed, round_no
        self.rngs: dict[tuple[str, str], random.Random] = {}

    def _rng(self, name: str, phase: str) -> random.Random:
        key = (name, phase)
        if key not in self.rngs:
            self.rngs[key] = random.Random(f"{self.seed}:{name}:{phase}:{self.round_no}")
        return self.rngs[key]

    def _once(self, name: str) -> float:
        sc = SCENARIOS[name]
        if sc.prepare is not None:      # untimed (e.g. empty or warm a cache)
            sc.prepare(self.client, self.ctx)
        t0 = time.perf_counter()
        resp = sc.fn(self.client, self.ctx)
        resp.get_data()     # the body is part of the request
        elapsed = (time.perf_counter() - t0) * 1000
        status = resp.status_code
        resp.close()
        if status != sc.expect_status:
            body = resp.get_data(as_text=True)[:500]
            raise RuntimeError(f"scénario {name} : statut HTTP {status} au lieu de "
                               f"{sc.expect_status} ({resp.request.url})\n{body}")
        return elapsed

    def run(self, name: str, n: int, timed: bool, phase: str = "") -> list[float]:
        if name not in SCENARIOS:
            raise RuntimeError(f"scénario inconnu : {name}")
        self.ctx.rng = self._rng(name, phase + ("timed" if timed else "warmup"))
        if timed:
            gc.collect()    # no collection debt carried over from the previous batch
        return [self._once(name) for _ in range(n)]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="ipbench.worker")
    ap.add_argument("--config", required=True)
    ap.add_argument("--ini", required=True)
    ap.add_argument("--round", type=int, required=True, dest="round_no")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--index-threads", type=int, default=2)
    ap.add_argument("--index-procs", type=int, default=1)
    ap.add_argument("--rebuild", action="store_true",
                    help="rebuild this configuration's search index first")
    ap.add_argument("--stats-top", default=None,
                    help="statistics profile: the most used dataset (name)")
    ap.add_argument("--stats-year-start", default=None,
                    help="statistics profile: the start of the one-year period (YYYY-MM-DD)")
    args = ap.parse_args(argv)

    try:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app
        import ckan.model as model
        import ckan.plugins.toolkit as tk

        t0 = time.perf_counter()
        app = make_app(load_config(args.ini))
        startup = time.perf_counter() - t0
        flask_app = app._wsgi_app
        capture_permission_filter()
        has_index = CONFIGS[args.config].index
        rebuild = (rebuild_index(flask_app, args.index_threads, procs=args.index_procs,
                                 ini=args.ini)
                   if args.rebuild and has_index else None)
        stats_profile = args.stats_top is not None
        counter = TripCounter() if stats_profile else None
        hooks = (HookTimer(flask_app) if stats_profile
                 and "internalportal_stats" in CONFIGS[args.config].plugins else None)
        purged = 0
        with flask_app.test_request_context():
            ctx, meta = build_ctx(args.config, args.seed, args.round_no)
            if stats_profile:
                purged = purge_created(args.config)     # left by an interrupted run
                stats_setup(ctx, meta, args.config, args.round_no, args.stats_top,
                            args.stats_year_start)
                if "internalportal_stats" in CONFIGS[args.config].plugins:
                    stats_redis_cleanup()
            model.Session.remove()

        client = BenchClient(app, SITE_URL)
        checks = sanity(client, ctx, has_index)
        if has_index:
            _p(f"{args.config} : visibles anonyme {checks['anonymous_count']}, membre "
               f"{checks['member_count']} (dont {checks['member_private_count']} privés)"
               + (f" ; filtre du membre : {checks['member_filter']['labels']} étiquettes, "
                  f"{checks['member_filter']['chars']} caractères"
                  if "member_filter" in checks else ""))
        runner = Runner(client, ctx, args.seed, args.round_no)
        send({"event": "ready", "startup_s": round(startup, 2), "rebuild": rebuild,
              "sanity": checks})

        for line in sys.stdin:
            if not line.strip():
                continue
            cmd = json.loads(line)
            if cmd["cmd"] == "warmup":
                runner.run(cmd["scenario"], int(cmd["n"]), timed=False,
                           phase=cmd.get("phase", ""))
                send({"event": "done"})
            elif cmd["cmd"] == "measure":
                samples = runner.run(cmd["scenario"], int(cmd["n"]), timed=True,
                                     phase=cmd.get("phase", ""))
                send({"event": "samples", "samples": samples})
            elif cmd["cmd"] == "set_shares":
                done = set_member_shares(flask_app, ctx, int(cmd["count"]), args.index_threads,
                                         reindex=cmd.get("reindex", True),
                                         procs=args.index_procs, ini=args.ini)
                send({"event": "shares", **done})
            elif cmd["cmd"] == "filter":
                send({"event": "filter", **member_filter(client, ctx)})
            elif cmd["cmd"] == "redis_trips":
                send({"event": "redis_trips",
                      **redis_trips(runner, counter, cmd["scenario"], int(cmd["n"]),
                                   hooks)})
            elif cmd["cmd"] == "record_timing":
                send({"event": "record_timing", **record_timing(flask_app, ctx,
                                                                int(cmd["n"]))})
            elif cmd["cmd"] == "quit":
                break
            else:
                raise RuntimeError(f"commande inconnue : {cmd!r}")

        cleanup = {}
        if stats_profile:
            with flask_app.test_request_context():
                t_purge = time.perf_counter()
                cleanup["purged_datasets"] = purge_created(args.config) + purged
                cleanup["purge_s"] = round(time.perf_counter() - t_purge, 1)
                if "internalportal_stats" in CONFIGS[args.config].plugins:
                    cleanup["redis_keys_removed"] = stats_redis_cleanup()
                model.Session.remove()
        with flask_app.test_request_context():
            for token in meta["tokens"]:
                tk.get_action("api_token_revoke")(
                    {"user": meta["site_user"], "ignore_auth": True}, {"token": token})
            model.Session.commit()
        send({"event": "bye", **cleanup})
    except Exception as e:  # noqa: BLE001 - reported in French, with the traceback
        traceback.print_exc()
        message = f"mesure de la configuration « {args.config} » interrompue : {e}"
        print(f"ERREUR : {message}", file=sys.stderr, flush=True)
        try:
            send({"event": "error", "message": message})
        except OSError:
            pass
        return EXIT_MEASURE
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
