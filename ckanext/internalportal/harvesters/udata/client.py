"""A small client of udata's API v1 (data.gouv.fr and any other udata), for the harvester.

No CKAN import: the plugin turns its exceptions into French messages. What it does, and why:

- **Paging** follows ``next_page`` until it is null (``/shared/reference/data-gouv-fr.md``):
  the page URLs are the server's, rebased on the source's scheme and host (a udata behind a
  proxy may announce ``http://`` or an internal host name) and never followed twice (a server
  that loops would otherwise keep a harvest running for ever).
- **Backoff**: 429 and 502/503/504 answers, connection errors and timeouts are retried a
  bounded number of times, waiting what ``Retry-After`` asks (seconds or an HTTP date, capped
  by ``max_wait``) or else an exponential delay. data.gouv.fr sends no rate-limit headers today
  but asks clients to be polite.
- **Timeouts** on every request (connect, read): a source that hangs fails the harvest with a
  clear error instead of blocking a worker.
"""
from __future__ import annotations

import email.utils
import logging
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import requests

log = logging.getLogger(__name__)

API_PATH = "/api/1"
USER_AGENT = "ckanext-internalportal udata harvester"
# answers worth retrying: too many requests, and a gateway or server that is momentarily down
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class UdataError(Exception):
    """A request to the udata API that failed; ``url`` and ``status`` (None without an HTTP
    answer) say which and how."""

    def __init__(self, url: str, status: Optional[int] = None, detail: str = ""):
        super().__init__(f"{url}: {status or ''} {detail}".strip())
        self.url = url
        self.status = status
        self.detail = detail


class NotFound(UdataError):
    """404 or 410: the dataset or organisation is not (or no longer) there."""


class Unavailable(UdataError):
    """Still failing after the retries: 429/5xx answers, connection errors or timeouts."""

    def __init__(self, url: str, status: Optional[int], detail: str, attempts: int):
        super().__init__(url, status, detail)
        self.attempts = attempts


class NotUdata(UdataError):
    """The answer is not what a udata API gives (not JSON, or JSON of another shape)."""


def base_url(url: str) -> str:
    """The site's base URL from what an administrator types: ``https://www.data.gouv.fr``,
    with or without a trailing slash or ``/api/1``; ValueError when it is not an http(s) URL."""
    text = (url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(text)
    path = parts.path.rstrip("/")
    for suffix in (API_PATH, "/api"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def retry_after(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date);
    None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class UdataClient:
    """Reads one udata site. ``retries`` is the number of retries after the first attempt."""

    def __init__(self, url: str, *, timeout: float = 30.0, connect_timeout: float = 10.0,
                 retries: int = 4, backoff: float = 1.0, max_wait: float = 60.0,
                 page_size: int = 100, session: Optional[requests.Session] = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.base = base_url(url)
        self.api = self.base + API_PATH
        self.timeout = (connect_timeout, timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.max_wait = max(0.0, float(max_wait))
        self.page_size = max(1, int(page_size))
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.session.headers["Accept"] = "application/json"
        self._sleep = sleep

    # ------------------------------------------------------------------ the API
    def dataset(self, id_or_slug: str) -> dict[str, Any]:
        """``GET /api/1/datasets/{id-or-slug}/``; NotFound when it is gone."""
        body = self.get_json(f"{self.api}/datasets/{quote(id_or_slug, safe='')}/")
        if not isinstance(body, dict) or not body.get("id"):
            raise NotUdata(self.api, None, "dataset")
        return body

    def organization(self, id_or_slug: str) -> dict[str, Any]:
        """``GET /api/1/organizations/{id-or-slug}/``; NotFound when it does not exist."""
        body = self.get_json(f"{self.api}/organizations/{quote(id_or_slug, safe='')}/")
        if not isinstance(body, dict) or not body.get("id"):
            raise NotUdata(self.api, None, "organization")
        return body

    def datasets(self, *, organization: Optional[str] = None, q: Optional[str] = None,
                 tags: Iterable[str] = (), page_size: Optional[int] = None
                 ) -> Iterator[dict[str, Any]]:
        """Every dataset of ``GET /api/1/datasets/`` with these filters (``organization`` is
        the organisation's id: resolve a slug with ``organization()``), page after page."""
        for page in self.pages(self.datasets_url(organization=organization, q=q, tags=tags,
                                                 page_size=page_size)):
            yield from page["data"]

    def datasets_url(self, *, organization: Optional[str] = None, q: Optional[str] = None,
                     tags: Iterable[str] = (), page_size: Optional[int] = None,
                     page: int = 1) -> str:
        params: list[tuple[str, Any]] = []
        if q:
            params.append(("q", q))
        params.extend(("tag", tag) for tag in tags)
        if organization:
            params.append(("organization", organization))
        # oldest first: a dataset created during the harvest comes last, shifting no page
        params += [("sort", "created"), ("page", page),
                   ("page_size", page_size or self.page_size)]
        return f"{self.api}/datasets/?{urlencode(params)}"

    def pages(self, url: str) -> Iterator[dict[str, Any]]:
        """The pages of a paginated list from ``url``, following ``next_page``."""
        seen: set[str] = set()
        next_url: Optional[str] = url
        while next_url:
            if next_url in seen:
                log.warning("udata: %s announced twice as next_page, stopping", next_url)
                return
            seen.add(next_url)
            body = self.get_json(next_url)
            if not (isinstance(body, dict) and isinstance(body.get("data"), list)):
                raise NotUdata(next_url, None, "page")
            yield body
            following = body.get("next_page")
            next_url = self._rebased(following) if isinstance(following, str) and following \
                else None

    # ------------------------------------------------------------------ HTTP
    def get_json(self, url: str) -> Any:
        response = self.get(url)
        try:
            return response.json()
        except ValueError:
            raise NotUdata(url, response.status_code, "not JSON") from None

    def get(self, url: str) -> requests.Response:
        """GET with retries on 429/502/503/504, connection errors and timeouts; NotFound on
        404, UdataError on another error answer, Unavailable when the retries are spent."""
        attempt = 0
        while True:
            attempt += 1
            status: Optional[int] = None
            wait: Optional[float] = None
            try:
                response = self.session.get(url, timeout=self.timeout, allow_redirects=True)
            except requests.Timeout as exc:
                detail = f"timeout: {type(exc).__name__}"
            except requests.ConnectionError as exc:
                detail = f"connection: {type(exc).__name__}"
            else:
                status = response.status_code
                if status < 400:
                    return response
                if status in (404, 410):  # udata answers 410 for a deleted dataset
                    raise NotFound(url, status, "not found")
                if status not in RETRY_STATUSES:
                    raise UdataError(url, status, response.reason or "")
                detail = response.reason or ""
                wait = retry_after(response.headers.get("Retry-After"))
            if attempt > self.retries:
                raise Unavailable(url, status, detail, attempt)
            delay = min(self.max_wait, wait if wait is not None
                        else self.backoff * 2 ** (attempt - 1))
            log.info("udata: %s answered %s, retry %d/%d in %.1fs", url, status or detail,
                     attempt, self.retries, delay)
            self._sleep(delay)

    def _rebased(self, url: str) -> str:
        """``url`` (a page URL the server gave) on the source's own scheme and host."""
        own, other = urlsplit(self.base), urlsplit(url)
        return urlunsplit((own.scheme, own.netloc, other.path, other.query, ""))


def client_from(url: str, options: Mapping[str, Any]) -> UdataClient:
    """A client for ``url`` with the harvester's options (``timeout``, ``retries``...)."""
    keys = ("timeout", "connect_timeout", "retries", "backoff", "max_wait", "page_size")
    return UdataClient(url, **{k: options[k] for k in keys if options.get(k) is not None})
