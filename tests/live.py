"""The portal over real HTTP, for tests that read it as a remote client does.

CKAN's ``app`` fixture answers through Flask's test client: no socket, no HTTP parsing, no
charset decoding on the client side. A harvester (data.gouv.fr's, which uses ``requests``)
reads headers and bytes off a socket; ``live_portal`` serves the same CKAN test app on a free
loopback port, in a thread, for the duration of one test::

    import requests  # the fixture is registered for every module (tests/conftest.py)

    pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

    def test_catalogue_over_http(live_portal):
        answer = requests.get(f"{live_portal}/catalog.ttl", timeout=30)
        assert answer.headers["Content-Type"] == "text/turtle; charset=utf-8"

- ``live_portal`` is the base URL, ``http://127.0.0.1:<port>`` (no trailing slash). It is the
  ``app`` fixture's application, so ``pytest.mark.ckan_config`` marks and ``with_plugins``
  apply as to ``app``; data made in the test (``ckan.tests.factories``,
  ``tests.factories``) is committed to PostgreSQL and Solr, so the server sees it.
- One server per test, stopped at the end of the test. Requests are served one at a time in
  the server's thread (CKAN's database session is per thread: the server's is removed after
  each request, so nothing it holds blocks the next test's ``clean_db``).
- The links CKAN writes in its answers (RDF URIs, ``hydra:next``, API ``help``) use
  ``ckan.site_url`` of the ini, not the live URL: follow them by path, or pin
  ``ckan.site_url`` with a mark when a test must follow them as written.
- Authenticated calls: an API token in the ``Authorization`` header
  (``factories.SysadminWithToken()["token"]``, or ``factories.APIToken(user=…)``).
- ``requests`` goes straight to loopback: ``live_session()`` ignores proxy variables of the
  environment (a proxy must never see the test portal).
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wsgi import ClosingIterator

HOST = "127.0.0.1"


def _removing_session(wsgi_app: Any) -> Any:
    """``wsgi_app`` that removes CKAN's database session of the serving thread once each
    answer is sent (also after an error that skipped CKAN's own ``after_request``)."""
    from ckan import model

    def app(environ: dict, start_response: Any) -> Any:
        try:
            return ClosingIterator(wsgi_app(environ, start_response), [model.Session.remove])
        except BaseException:
            model.Session.remove()
            raise

    return app


@contextlib.contextmanager
def serving(app: Any, port: int = 0) -> Iterator[str]:
    """The CKAN test app served over HTTP on ``port`` of loopback (0: a free one), as
    ``live_portal`` does; a fixed port is for clients registered with the portal's address
    beforehand (an OpenID provider's redirect URIs, tests/proconnect)."""
    server = make_server(HOST, port, _removing_session(app.app), threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live_portal", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


@pytest.fixture
def live_portal(app: Any) -> Iterator[str]:
    """The base URL of the CKAN test app served over HTTP on a free loopback port."""
    with serving(app) as url:
        yield url


def live_session(token: str | None = None) -> requests.Session:
    """A ``requests`` session for the live portal: no proxy from the environment, and the API
    token of ``token`` if given."""
    session = requests.Session()
    session.trust_env = False
    if token:
        session.headers["Authorization"] = token
    return session
