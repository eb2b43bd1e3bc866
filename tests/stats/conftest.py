"""The statistics tests' fixtures: the counters' Redis emptied around each test (the real
Redis of ``make up``, database 1 of test.ini, under the test site's prefix only)."""
from __future__ import annotations

import pytest


def clear_counters() -> None:
    import redis

    import ckan.plugins.toolkit as tk
    from ckanext.internalportal.stats import store

    r = redis.Redis.from_url(tk.config.get("ckan.redis.url"))
    names = list(r.scan_iter(match=store.prefix() + "*", count=1000))
    if names:
        r.delete(*names)


@pytest.fixture
def counters(clean_db):
    """A clean database and no counter in Redis; the process's outage state reset."""
    from ckanext.internalportal.stats import helpers, store

    clear_counters()
    store._outage.__init__()
    helpers._most_used_cache.clear()
    yield store
    clear_counters()
    store._outage.__init__()
