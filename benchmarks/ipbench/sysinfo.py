"""The machine and the versions recorded with each result (no CKAN import)."""
from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata

from .common import REDIS_PORT, ROOT, SOLR_BASE, http_json, pg_connect

PACKAGES = ["ckan", "ckanext-scheming", "ckanext-dcat", "ckanext-harvest",
            "ckanext-internalportal"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "inconnu"


def _mem_total_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict:
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _mem_total_gib(),
        "kernel": platform.release(),
    }


def _safe(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - a missing version is recorded, never fatal
        return f"inconnu ({e.__class__.__name__})"


def versions() -> dict:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        out[name] = _safe(lambda n=name: metadata.version(n))

    def solr() -> str:
        info = http_json(f"{SOLR_BASE}/admin/info/system?wt=json")
        return info["lucene"]["solr-spec-version"]

    def postgres() -> str:
        conn = pg_connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW server_version")
                return cur.fetchone()[0]
        finally:
            conn.close()

    def redis_version() -> str:
        import redis
        return redis.Redis(host="127.0.0.1", port=REDIS_PORT).info("server")["redis_version"]

    out["solr"] = _safe(solr)
    out["postgresql"] = _safe(postgres)
    out["redis"] = _safe(redis_version)
    return out


def git() -> dict:
    def run(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
    try:
        return {"commit": run("rev-parse", "HEAD"),
                "dirty": bool(run("status", "--porcelain", "--untracked-files=no"))}
    except Exception:  # noqa: BLE001
        return {"commit": None, "dirty": None}


def source_digest() -> str:
    """A short digest of the extension's code and templates (ckanext/internalportal: .py,
    .html, .yaml, .json), noted when each measuring process starts: a result whose rounds show
    different digests mixed two versions of the code (edited during the run)."""
    import hashlib
    h = hashlib.sha256()
    base = ROOT / "ckanext" / "internalportal"
    for path in sorted(base.rglob("*")):
        if path.suffix in (".py", ".html", ".yaml", ".json") and "__pycache__" not in path.parts \
                and path.is_file():
            h.update(str(path.relative_to(base)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]
