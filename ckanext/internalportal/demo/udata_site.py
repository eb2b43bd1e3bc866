"""A local udata (data.gouv.fr API v1) over real HTTP, from JSON fixtures: the demo's
data.gouv.fr source (``data/harvest/datagouv/``, served while `make demo` harvests it and while
the demo portal runs) and the udata harvester's tests (``tests/harvesters/udata/server.py``, its
own fixtures) both use it.

``http.server`` in a thread on 127.0.0.1: the harvester talks to it with ``requests`` exactly
as it talks to data.gouv.fr (no mock of the HTTP client). It serves what the harvester reads:

- ``/api/1/site/``;
- ``/api/1/datasets/`` with udata's paging (``page``, ``page_size``, an absolute ``next_page``
  or null, ``total``) and filters (``organization`` = the organisation's id, ``q``, ``tag``
  repeatable, all of them required);
- ``/api/1/datasets/{id-or-slug}/``, ``/api/1/organizations/{id-or-slug}/`` (404 as udata
  answers it when absent);
- any other path: a web page (HTML, 200), as a site that is not a udata answers.

The fixtures are a folder holding ``datasets.json`` and ``organizations.json`` (lists, in the
shapes of data.gouv.fr's API v1).

Faults on demand: ``site.fail(503, times=2, retry_after="0")`` answers 503 to the next two
requests of a path prefix (then serves normally), ``site.remove(id)`` takes a dataset away (404
and absent from the lists), ``site.slow(seconds)`` delays answers. ``site.requests`` records
every request's path and query, to assert on paging and filters.

Standard library only. As a program (the demo portal's fixture server, started by
scripts/demo.sh)::

    python -m ckanext.internalportal.demo.udata_site --data DIR [--port N] [--port-file F]

it serves until its parent process ends (or SIGTERM), and writes its port to ``--port-file``
once it listens.
"""
from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qs, urlencode, urlsplit

API = "/api/1"
MAX_PAGE_SIZE = 1000  # data.gouv.fr: 1000 works, 10000 fails


def load(path: Path) -> Any:
    """A JSON fixture file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@dataclass
class Fault:
    prefix: str
    status: int
    times: int
    retry_after: Optional[str] = None


class UdataSite:
    """The state of the fake udata: datasets, organisations, faults and the request log."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.lock = threading.Lock()
        self.httpd: Optional[ThreadingHTTPServer] = None
        self.reset()

    # ------------------------------------------------------------------ set-up
    def reset(self) -> None:
        with self.lock:
            self.datasets: list[dict[str, Any]] = load(self.data_dir / "datasets.json")
            self.organizations: list[dict[str, Any]] = load(self.data_dir / "organizations.json")
            self.faults: list[Fault] = []
            self.delay = 0.0
            self.requests: list[tuple[str, dict[str, list[str]]]] = []

    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fail(self, status: int, times: int = 1, path: str = f"{API}/datasets/",
             retry_after: Optional[str] = None) -> None:
        """The next ``times`` requests whose path starts with ``path`` answer ``status``."""
        with self.lock:
            self.faults.append(Fault(path, status, times, retry_after))

    def remove(self, id_or_slug: str) -> dict[str, Any]:
        with self.lock:
            found = self._find(self.datasets, id_or_slug)
            assert found is not None, id_or_slug
            self.datasets.remove(found)
            return found

    def dataset(self, id_or_slug: str) -> dict[str, Any]:
        """A served dataset, to edit in place (``site.dataset(id)["title"] = ...``)."""
        found = self._find(self.datasets, id_or_slug)
        assert found is not None, id_or_slug
        return found

    def slow(self, seconds: float) -> None:
        self.delay = seconds

    def dataset_requests(self) -> list[dict[str, list[str]]]:
        """The queries of the list requests (``/api/1/datasets/``), in order."""
        return [query for path, query in self.requests if path == f"{API}/datasets/"]

    # ------------------------------------------------------------------ answers
    def answer(self, path: str, query: dict[str, list[str]], host: str
               ) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.requests.append((path, query))
            fault = next((f for f in self.faults if f.times > 0 and path.startswith(f.prefix)),
                         None)
            if fault is not None:
                fault.times -= 1
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return fault.status, headers, {"message": "Service unavailable",
                                               "status": fault.status}
            return self._route(path, query, host)

    def _route(self, path: str, query: dict[str, list[str]], host: str
               ) -> tuple[int, dict[str, str], Any]:
        if not path.startswith(API + "/"):
            return 200, {}, "<!doctype html><html><body>Bienvenue</body></html>"
        parts = [p for p in path[len(API):].split("/") if p]
        if parts == ["site"]:
            return 200, {}, {"id": "fixture-site", "title": "data.gouv.fr (fixture)"}
        if parts == ["datasets"]:
            return self._page(path, query, host, self._filtered(query))
        if len(parts) == 2 and parts[0] == "datasets":
            found = self._find(self.datasets, parts[1])
            return (200, {}, copy.deepcopy(found)) if found else _not_found()
        if len(parts) == 2 and parts[0] == "organizations":
            found = self._find(self.organizations, parts[1])
            return (200, {}, copy.deepcopy(found)) if found else _not_found()
        return _not_found()

    def _filtered(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        out = self.datasets
        for org in query.get("organization", []):
            out = [d for d in out if (d.get("organization") or {}).get("id") == org]
        for tag in query.get("tag", []):
            out = [d for d in out if tag in d.get("tags", [])]
        for q in query.get("q", []):
            words = q.lower().split()
            out = [d for d in out if all(w in _haystack(d) for w in words)]
        return out

    def _page(self, path: str, query: dict[str, list[str]], host: str,
              found: list[dict[str, Any]]) -> tuple[int, dict[str, str], Any]:
        try:
            page = int(query.get("page", ["1"])[0])
            size = int(query.get("page_size", ["20"])[0])
        except ValueError:
            return 400, {}, {"message": "Invalid page", "status": 400}
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            return 400, {}, {"message": "Invalid page", "status": 400}
        start = (page - 1) * size
        data = found[start:start + size]
        next_page = None
        if start + size < len(found):
            params = {k: v for k, v in query.items() if k != "page"}
            params["page"] = [str(page + 1)]
            next_page = f"http://{host}{path}?{urlencode(params, doseq=True)}"
        previous = None
        if page > 1:
            params = {**query, "page": [str(page - 1)]}
            previous = f"http://{host}{path}?{urlencode(params, doseq=True)}"
        return 200, {}, {"data": copy.deepcopy(data), "page": page, "page_size": size,
                         "total": len(found), "next_page": next_page,
                         "previous_page": previous}

    @staticmethod
    def _find(items: list[dict[str, Any]], id_or_slug: str) -> Optional[dict[str, Any]]:
        return next((i for i in items if id_or_slug in (i.get("id"), i.get("slug"))), None)

    # ------------------------------------------------------------------ serving
    def start(self, port: int = 0) -> "UdataSite":
        """Serves in a daemon thread on 127.0.0.1:``port`` (0: a free port, see ``url``)."""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if site.delay:
                    time.sleep(site.delay)
                parts = urlsplit(self.path)
                status, headers, body = site.answer(
                    parts.path, parse_qs(parts.query), self.headers.get("Host", ""))
                if isinstance(body, str):
                    payload, ctype = body.encode(), "text/html; charset=utf-8"
                else:
                    payload, ctype = json.dumps(body).encode(), "application/json"
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # a client that timed out
                    pass

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True,
                         name="udata-fixture").start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


def _haystack(dataset: dict[str, Any]) -> str:
    return " ".join([dataset.get("title") or "", dataset.get("description") or "",
                     *dataset.get("tags", [])]).lower()


def _not_found() -> tuple[int, dict[str, str], Any]:
    return 404, {}, {"message": "The requested URL was not found on the server. If you "
                                "entered the URL manually please check your spelling and "
                                "try again.", "status": 404}


# ---------------------------------------------------------------------- as a program
def main(argv: Optional[list[str]] = None) -> int:
    """Serves the fixtures of ``--data`` until the parent process ends: started in the
    background by scripts/demo.sh, it goes away with the demo portal, even on Ctrl-C (a
    background job of a script ignores SIGINT)."""
    import argparse
    import os
    import signal

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path,
                        help="folder of datasets.json and organizations.json")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--port-file", type=Path, help="where to write the port once listening")
    args = parser.parse_args(argv)
    try:
        site = UdataSite(args.data).start(args.port)
    except OSError:  # the port is taken: any free one (the demo updates its source's URL)
        site = UdataSite(args.data).start(0)
    port = site.httpd.server_address[1]
    if args.port_file:
        tmp = args.port_file.with_name(args.port_file.name + ".tmp")
        tmp.write_text(f"{port}\n", encoding="utf-8")
        tmp.replace(args.port_file)
    print(f"data.gouv.fr (fixtures {args.data}) : {site.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    parent = os.getppid()
    while not stop.wait(1.0) and os.getppid() == parent:
        pass
    site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
