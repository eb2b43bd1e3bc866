#!/usr/bin/env python3
"""internalportal-healthcheck: healthchecks of the portal's containers, in Python only (the
CKAN image is not guaranteed to ship curl or wget).

  internalportal-healthcheck web
      CKAN answers /api/action/status_show with success=true (web container).
  internalportal-healthcheck process PATTERN [--redis harvest|jobs]
      a process whose command line contains PATTERN is alive (a consumer, the jobs worker),
      and the Redis it works from answers PING.
  internalportal-healthcheck heartbeat
      the harvest scheduler's heartbeat file is recent (HARVEST_RUN_HEARTBEAT, touched after
      each successful `ckan harvester run`; older than 2 x HARVEST_RUN_INTERVAL + 10 min:
      unhealthy).

Exit status 0: healthy, 1: unhealthy (Docker's convention).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
import urllib.request
from urllib.parse import urlsplit


def check_web() -> str | None:
    url = os.environ.get("INTERNALPORTAL_HEALTHCHECK_URL",
                         "http://localhost:5000/api/action/status_show")
    try:
        with urllib.request.urlopen(url, timeout=8) as response:
            body = json.load(response)
    except Exception as e:  # noqa: BLE001 - any failure is "unhealthy"
        return f"{url}: {e}"
    if body.get("success") is not True:
        return f"{url}: success={body.get('success')!r}"
    return None


def _command_lines():
    skip = {os.getpid(), os.getppid()}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in skip:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        yield raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()


def _redis_address(which: str) -> tuple[str, int, str]:
    if which == "harvest":
        host = os.environ.get("CKAN__HARVEST__MQ__HOSTNAME", "redis")
        port = int(os.environ.get("CKAN__HARVEST__MQ__PORT", "6379"))
        return host, port, os.environ.get("CKAN__HARVEST__MQ__PASSWORD", "")
    url = urlsplit(os.environ.get("CKAN_REDIS_URL", "redis://redis:6379/0"))
    return url.hostname or "redis", url.port or 6379, url.password or ""


def _redis_ping(host: str, port: int, password: str) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            if password:
                s.sendall(f"AUTH {password}\r\n".encode())
                if not s.recv(64).startswith(b"+OK"):
                    return f"redis {host}:{port}: authentication refused"
            s.sendall(b"PING\r\n")
            reply = s.recv(64)
    except OSError as e:
        return f"redis {host}:{port}: {e}"
    return None if reply.startswith(b"+PONG") else f"redis {host}:{port}: {reply!r}"


def check_process(pattern: str, redis: str | None) -> str | None:
    if not any(pattern in line for line in _command_lines()):
        return f"no process matching {pattern!r}"
    if redis:
        return _redis_ping(*_redis_address(redis))
    return None


def check_heartbeat() -> str | None:
    path = os.environ.get("HARVEST_RUN_HEARTBEAT", "/tmp/internalportal-harvester-run.heartbeat")
    interval = int(os.environ.get("HARVEST_RUN_INTERVAL", "300"))
    max_age = 2 * interval + 600
    try:
        age = time.time() - os.stat(path).st_mtime
    except OSError:
        return f"{path}: no successful `ckan harvester run` yet"
    if age > max_age:
        return f"{path}: last successful run {age:.0f} s ago (> {max_age} s)"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="internalportal-healthcheck")
    sub = parser.add_subparsers(dest="check", required=True)
    sub.add_parser("web")
    proc = sub.add_parser("process")
    proc.add_argument("pattern")
    proc.add_argument("--redis", choices=["harvest", "jobs"])
    sub.add_parser("heartbeat")
    args = parser.parse_args(argv)

    if args.check == "web":
        problem = check_web()
    elif args.check == "process":
        problem = check_process(args.pattern, args.redis)
    else:
        problem = check_heartbeat()
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    print("healthy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
