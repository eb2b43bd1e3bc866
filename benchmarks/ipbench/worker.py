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
from concurrent.futures import ThreadPoolExecutor

from . import datagen
from .common import EXIT_MEASURE, SITE_URL
from .scenarios import SCENARIOS, BenchClient, Ctx

PROTOCOL_PREFIX = "@@ipbench "


def send(event: dict) -> None:
    sys.stdout.write(PROTOCOL_PREFIX + json.dumps(event) + "\n")
    sys.stdout.flush()


def _p(msg: str) -> None:
    print(f"    {msg}", flush=True)


def rebuild_index(flask_app, threads: int = 2, chunk: int = 50) -> dict:
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
                _p(f"index : {done:>6}/{len(ids)} jeux de données  {done / elapsed:6.1f}/s")
    with flask_app.test_request_context():
        search.commit()
        # one segment, no deleted documents: the same index layout for every configuration,
        # and no background merge left running during the measurements
        from ckan.lib.search.common import make_connection
        make_connection().optimize(maxSegments=1, waitSearcher=True)
    return {"indexed": len(ids), "threads": threads,
            "seconds": round(time.perf_counter() - t0, 2)}


def build_ctx(config: str, seed: int, round_no: int) -> tuple[Ctx, dict]:
    """Public datasets, organisations and a fresh API token of the member (revoked at the end)."""
    import ckan.model as model
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
    return ctx, {"site_user": site_user}


def _count(client: BenchClient, headers: dict | None = None, **params) -> int:
    r = client.get("/api/3/action/package_search", params={"rows": 0, **params},
                   headers=headers)
    return json.loads(r.get_data())["result"]["count"] if r.status_code == 200 else -1


def sanity(client: BenchClient, ctx: Ctx) -> dict:
    """What each identity sees (recorded, not asserted): later permission work changes it."""
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

    def run(self, name: str, n: int, timed: bool) -> list[float]:
        if name not in SCENARIOS:
            raise RuntimeError(f"scénario inconnu : {name}")
        self.ctx.rng = self._rng(name, "timed" if timed else "warmup")
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
    ap.add_argument("--rebuild", action="store_true",
                    help="rebuild this configuration's search index first")
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
        rebuild = rebuild_index(flask_app, args.index_threads) if args.rebuild else None
        with flask_app.test_request_context():
            ctx, meta = build_ctx(args.config, args.seed, args.round_no)
            model.Session.remove()

        client = BenchClient(app, SITE_URL)
        checks = sanity(client, ctx)
        _p(f"{args.config} : visibles anonyme {checks['anonymous_count']}, membre "
           f"{checks['member_count']} (dont {checks['member_private_count']} privés)")
        runner = Runner(client, ctx, args.seed, args.round_no)
        send({"event": "ready", "startup_s": round(startup, 2), "rebuild": rebuild,
              "sanity": checks})

        for line in sys.stdin:
            if not line.strip():
                continue
            cmd = json.loads(line)
            if cmd["cmd"] == "warmup":
                runner.run(cmd["scenario"], int(cmd["n"]), timed=False)
                send({"event": "done"})
            elif cmd["cmd"] == "measure":
                samples = runner.run(cmd["scenario"], int(cmd["n"]), timed=True)
                send({"event": "samples", "samples": samples})
            elif cmd["cmd"] == "quit":
                break
            else:
                raise RuntimeError(f"commande inconnue : {cmd!r}")

        with flask_app.test_request_context():
            tk.get_action("api_token_revoke")(
                {"user": meta["site_user"], "ignore_auth": True}, {"token": ctx.member_token})
            model.Session.commit()
        send({"event": "bye"})
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
