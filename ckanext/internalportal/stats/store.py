"""Where usage events go: Redis counters while the portal serves, PostgreSQL after the rollup.

Recording (``record``), on the request path, only hands the request's counters to a thread of
the process (``send_in_background``, on by default): the page does not wait for Redis. The thread
sends what has gathered, one request's or several's, in **one Redis round trip**: one call of a
Lua script (``RECORD_SCRIPT``, ``EVALSHA``; loaded again by redis-py when Redis has forgotten it)
that adds to one hash, ``live`` — half the client's work of a pipeline of ``HINCRBY``. When Redis
does not answer, the request goes on: the events are counted as lost (per hour, in the process,
then in Redis once it answers again), one warning is logged per outage, and Redis is not asked
again for ``RETRY_AFTER`` seconds.

The rollup (``flush``), from the CLI or a background job, is crash-safe and idempotent:

1. the ``live`` hash is renamed ``batch:<uuid>`` (atomic: the next events start a new ``live``);
2. the batch's counters are added to the hourly and daily tables **in one transaction** that
   also records the batch's id in ``internalportal_usage_batch``;
3. the batch key is deleted.

Killed after 1, the batch is applied by the next flush; killed after 2, the next flush finds
its id in the batch table and only deletes the key. Nothing is counted twice or lost.

Keys, all under ``internalportal:stats:<ckan.site_id>:``: ``live``, ``lost`` (hour -> count),
``batch:<uuid>``, ``lostbatch:<uuid>``, ``flush-due`` (the periodic job's clock).
"""
from __future__ import annotations

import atexit
import datetime
import logging
import os
import queue
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Optional

import redis
import sqlalchemy as sa
from psycopg2.extras import execute_values

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.internalportal.stats import events, model as stats_model

log = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without asking Redis after a failure
SOCKET_TIMEOUT = 0.25  # seconds: a slow Redis never holds a page for long
CHUNK = 5000  # counters read (HSCAN) and written per statement

# KEYS: live, lost, flush-due. ARGV: the rollup's interval in seconds (0: none), the number n
# of live counters, n (field, count) pairs for live, then (hour, count) pairs for lost. Returns 1
# when it starts a new interval (flush-due was not set): the caller queues the rollup.
RECORD_SCRIPT = """
local n = tonumber(ARGV[2])
for i = 3, 2 + 2 * n, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
for i = 3 + 2 * n, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
if tonumber(ARGV[1]) > 0 and redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[1]) then
  return 1
end
return 0
"""

_clients: dict[str, redis.Redis] = {}
_scripts: dict[str, "redis.commands.core.Script"] = {}
_lock = threading.Lock()


@dataclass
class _Outage:
    """The process's view of Redis: when to try again, and the events not counted yet."""
    retry_at: float = 0.0
    down: bool = False
    pending_lost: dict = None  # hour (YYYYMMDDHH) -> events
    lost_total: int = 0  # since the process started, for the logs and the tests

    def __post_init__(self):
        self.pending_lost = defaultdict(int)


_outage = _Outage()


def redis_url() -> str:
    return (tk.config.get("ckanext.internalportal.stats.redis_url")
            or tk.config.get("ckan.redis.url"))


def client() -> redis.Redis:
    """The counters' Redis client (one pool per URL, short timeouts)."""
    url = redis_url()
    conn = _clients.get(url)
    if conn is None:
        with _lock:
            conn = _clients.get(url)
            if conn is None:
                conn = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT,
                                            socket_connect_timeout=SOCKET_TIMEOUT)
                _clients[url] = conn
    return conn


def _record_script():
    """``RECORD_SCRIPT`` on the counters' client (registered once per URL)."""
    url = redis_url()
    script = _scripts.get(url)
    if script is None:
        script = _scripts[url] = client().register_script(RECORD_SCRIPT)
    return script


def prefix() -> str:
    return f"internalportal:stats:{tk.config.get('ckan.site_id')}:"


def key(name: str) -> str:
    return prefix() + name


def flush_interval() -> int:
    """Minutes between two periodic rollups (0: none, cron or the CLI only)."""
    return tk.config.get("ckanext.internalportal.stats.flush_interval")


def lost_events() -> int:
    """Events this process could not count since it started."""
    return _outage.lost_total


def _lose(count: int, hour: str) -> None:
    with _lock:
        _outage.pending_lost[hour] += count
        _outage.lost_total += count


def send_in_background() -> bool:
    return tk.asbool(tk.config.get("ckanext.internalportal.stats.send_in_background"))


def record(counters: Iterable[events.Counter], background: Optional[bool] = None) -> bool:
    """Add one to each counter: handed to the process's sender thread (``background``, by
    default ``send_in_background``), or sent now (one Redis round trip; False when the events
    were lost)."""
    fields: dict[str, int] = defaultdict(int)
    for counter in counters:
        fields[events.field(counter)] += 1
    if not fields:
        return True
    if send_in_background() if background is None else background:
        _sender.put(fields)
        return True
    return _increment(fields)


class _Sender:
    """The process's sender thread: it takes the requests' counters from a queue and sends all
    that has gathered in one round trip (``_increment``: Redis down, they are counted as lost,
    as on the request path). Started by the first event of each process (a forked worker gets
    its own); what is still queued when the process exits is sent then (``atexit``)."""

    def __init__(self) -> None:
        self.pid: Optional[int] = None
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.pending = 0
        self.done = threading.Condition()

    def put(self, fields: dict[str, int]) -> None:
        if self.pid != os.getpid():
            self._start()
        with self.done:
            self.pending += 1
        self.queue.put(fields)

    def _start(self) -> None:
        with _lock:
            if self.pid == os.getpid():
                return
            self.queue, self.pending = queue.SimpleQueue(), 0
            self.pid = os.getpid()
            threading.Thread(target=self._run, name="internalportal-stats-sender",
                             daemon=True).start()

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            try:
                while len(batch) < 1000:
                    batch.append(self.queue.get_nowait())
            except queue.Empty:
                pass
            merged: dict[str, int] = defaultdict(int)
            for fields in batch:
                for name, n in fields.items():
                    merged[name] += n
            try:
                _increment(merged)
            except Exception:  # never let the thread die: the next events must go out
                log.exception("Statistiques d'usage : événements non envoyés")
            with self.done:
                self.pending -= len(batch)
                self.done.notify_all()

    def wait(self, timeout: float = 5.0) -> bool:
        """Until every queued event is sent (or ``timeout`` seconds); whether all were."""
        if self.pid != os.getpid():
            return True
        with self.done:
            return self.done.wait_for(lambda: self.pending <= 0, timeout)


_sender = _Sender()


def wait_sent(timeout: float = 5.0) -> bool:
    """Until this process's queued events are in Redis (the rollup in the same process, the
    tests, the process's exit)."""
    return _sender.wait(timeout)


atexit.register(wait_sent, 2.0)


def add(counts: dict[events.Counter, int], chunk: int = 20000) -> None:
    """Add ``counts`` to the live counters, ``chunk`` per round trip (the demo's history, the
    benchmarks: the same path as the requests' events, in bulk). Raises on a Redis error."""
    r = client()
    live = key("live")
    items = list(counts.items())
    for start in range(0, len(items), chunk):
        pipe = r.pipeline(transaction=False)
        for counter, n in items[start:start + chunk]:
            pipe.hincrby(live, events.field(counter), int(n))
        pipe.execute()


def _increment(fields: dict[str, int]) -> bool:
    if not fields:
        return True
    hour = events.utcnow().strftime(events.HOUR_FORMAT)
    count = sum(fields.values())
    if _outage.down and time.monotonic() < _outage.retry_at:
        _lose(count, hour)
        return False
    with _lock:
        pending = dict(_outage.pending_lost)
    interval = flush_interval()
    args: list = [interval * 60 if interval else 0, len(fields)]
    for name, n in fields.items():
        args += (name, n)
    for lost_hour, n in pending.items():
        args += (lost_hour, n)
    try:
        started = _record_script()(keys=[key("live"), key("lost"), key("flush-due")], args=args)
    except redis.RedisError as e:
        _lose(count, hour)
        with _lock:
            first = not _outage.down
            _outage.down = True
            _outage.retry_at = time.monotonic() + RETRY_AFTER
        if first:
            log.warning("Statistiques d'usage : Redis (%s) ne répond pas (%s) ; les "
                        "événements sont comptés comme perdus jusqu'à son retour.",
                        redis_url(), e)
        return False
    with _lock:
        for lost_hour, n in pending.items():
            _outage.pending_lost[lost_hour] -= n
            if _outage.pending_lost[lost_hour] <= 0:
                del _outage.pending_lost[lost_hour]
        if _outage.down:
            _outage.down = False
            log.warning("Statistiques d'usage : Redis répond de nouveau ; %d événement(s) "
                        "perdu(s) depuis le démarrage.", _outage.lost_total)
    if started:
        _enqueue_flush()
    return True


def _enqueue_flush() -> None:
    try:
        tk.enqueue_job(flush_job, title="internalportal_stats flush", rq_kwargs={"ttl": 3600})
    except Exception:  # the queue shares Redis: never fail a page for it
        log.exception("Statistiques d'usage : agrégation périodique non programmée")


def flush_job() -> None:
    """The periodic rollup (CKAN background job, ``ckan jobs worker``)."""
    report = flush()
    log.info("Statistiques d'usage agrégées : %s", report)


@dataclass
class FlushReport:
    batches: int = 0
    counters: int = 0
    events: int = 0
    lost: int = 0
    already_applied: int = 0
    hourly_deleted: int = 0

    def __str__(self) -> str:
        return (f"{self.batches} lot(s), {self.counters} compteur(s), {self.events} "
                f"événement(s), {self.lost} perdu(s), {self.already_applied} lot(s) déjà "
                f"appliqué(s), {self.hourly_deleted} ligne(s) horaire(s) purgée(s)")


def _rows_of(table: sa.Table, moment: str, counts: dict) -> list[dict]:
    return [dict(zip((moment, "package_id", "resource_id", "event", "channel", "consumer"),
                     k), count=n) for k, n in counts.items()]


def _upsert(conn, table: sa.Table, rows: list[dict]) -> None:
    """Add ``rows``' counts to ``table``, in the transaction of ``conn``: psycopg2's
    ``execute_values``, ``CHUNK`` rows per statement (SQLAlchemy's executemany would send
    them one by one)."""
    if not rows:
        return
    columns = [c.name for c in table.columns]
    keys = ", ".join(c.name for c in table.primary_key.columns)
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES %s "
           f"ON CONFLICT ({keys}) DO UPDATE SET count = {table.name}.count + EXCLUDED.count")
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        execute_values(cursor, sql, [tuple(row[c] for c in columns) for row in rows],
                       page_size=CHUNK)
    finally:
        cursor.close()


def _read_hash(conn: redis.Redis, name: str) -> dict:
    out = {}
    for field_name, value in conn.hscan_iter(name, count=CHUNK):
        out[field_name] = value
    return out


def _applied(conn, batch_id: str) -> bool:
    table = stats_model.batch_table
    return conn.execute(sa.select(table.c.id).where(table.c.id == batch_id)).first() is not None


def _apply_batch(r: redis.Redis, name: str, report: FlushReport,
                 pause: Callable[[str], None]) -> None:
    batch_id = name.rsplit(":", 1)[-1]
    with model.meta.engine.begin() as conn:
        if _applied(conn, batch_id):
            report.already_applied += 1
        else:
            hourly, daily = events.rollup(_read_hash(r, name))
            _upsert(conn, stats_model.hourly_table, _rows_of(stats_model.hourly_table, "hour",
                                                             {tuple(k): n for k, n in hourly.items()}))
            _upsert(conn, stats_model.daily_table, _rows_of(stats_model.daily_table, "day", daily))
            total = sum(hourly.values())
            conn.execute(stats_model.batch_table.insert().values(
                id=batch_id, flushed=events.utcnow(), counters=len(hourly), events=total))
            report.batches += 1
            report.counters += len(hourly)
            report.events += total
            pause("before-commit")
    pause("committed")
    r.delete(name)


def _apply_lost(r: redis.Redis, name: str, report: FlushReport) -> None:
    batch_id = "lost-" + name.rsplit(":", 1)[-1]
    table = stats_model.lost_table
    with model.meta.engine.begin() as conn:
        if _applied(conn, batch_id):
            report.already_applied += 1
        else:
            rows = []
            for hour, value in _read_hash(r, name).items():
                try:
                    moment = datetime.datetime.strptime(hour.decode(), events.HOUR_FORMAT)
                    rows.append({"hour": moment, "count": int(value)})
                except ValueError:
                    continue
            _upsert(conn, table, rows)
            lost = sum(row["count"] for row in rows)
            conn.execute(stats_model.batch_table.insert().values(
                id=batch_id, flushed=events.utcnow(), counters=len(rows), events=lost))
            report.lost += lost
    r.delete(name)


def _take(r: redis.Redis, source: str, kind: str) -> Optional[str]:
    """Rename ``source`` to a new batch key; None when there is nothing to take."""
    target = key(f"{kind}:{uuid.uuid4().hex}")
    try:
        r.rename(key(source), target)
    except redis.ResponseError:  # no such key: nothing counted since the last flush
        return None
    return target


def flush(retention_days: Optional[int] = None,
          pause: Callable[[str], None] = lambda step: None) -> FlushReport:
    """Move the Redis counters to PostgreSQL, then delete the hourly rows older than the
    retention. ``pause(step)`` is called at each step (``renamed``, ``before-commit``,
    ``committed``): the CLI's ``--pause-at`` uses it to show that a flush killed there loses
    nothing. This process's events still queued are sent first."""
    wait_sent()
    r = client()
    report = FlushReport()
    leftovers = sorted(n.decode() for n in r.scan_iter(match=key("batch:*"), count=1000))
    lost_leftovers = sorted(n.decode() for n in r.scan_iter(match=key("lostbatch:*"),
                                                            count=1000))
    for name in leftovers:
        _apply_batch(r, name, report, pause)
    for name in lost_leftovers:
        _apply_lost(r, name, report)
    taken = _take(r, "live", "batch")
    if taken:
        pause("renamed")
        _apply_batch(r, taken, report, pause)
    taken = _take(r, "lost", "lostbatch")
    if taken:
        _apply_lost(r, taken, report)
    if retention_days is None:
        retention_days = tk.config.get("ckanext.internalportal.stats.hourly_retention_days")
    limit = events.hour_of(events.utcnow()) - datetime.timedelta(days=retention_days)
    with model.meta.engine.begin() as conn:
        table = stats_model.hourly_table
        report.hourly_deleted = conn.execute(
            table.delete().where(table.c.hour < limit)).rowcount
    return report


def last_flush() -> Optional[datetime.datetime]:
    table = stats_model.batch_table
    return model.Session.execute(sa.select(sa.func.max(table.c.flushed))).scalar()


def pending_counters() -> int:
    """Counters waiting in Redis for the next rollup (0 when Redis does not answer)."""
    try:
        return client().hlen(key("live"))
    except redis.RedisError:
        return 0
