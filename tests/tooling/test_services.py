"""`make up` says clearly why it cannot start a service, and leaves running ones alone."""
from __future__ import annotations

import os
import socket
import subprocess

import psycopg2
import pytest

from ..conftest import ROOT


@pytest.fixture
def taken_port():
    """A loopback port held by something that is not ours."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield sock.getsockname()[1]
    sock.close()


@pytest.mark.parametrize("service,variable", [("Redis", "IP_REDIS_PORT"),
                                              ("Solr", "IP_SOLR_PORT")])
def test_a_taken_port_is_named_with_its_fix_and_nothing_is_left_half_started(
        taken_port, service, variable):
    env = dict(os.environ, **{variable: str(taken_port)})
    run = subprocess.run([str(ROOT / "scripts" / "services.sh"), "up"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert f"le port {taken_port} ({service}) est déjà pris" in run.stderr
    assert variable in run.stderr  # the fix: another port
    # PostgreSQL was already running before: the failed run did not stop it
    psycopg2.connect(host="127.0.0.1", port=5433, user="ckan_default", password="pass",
                     dbname="ckan_test").close()


def test_status_reports_the_services_running():
    run = subprocess.run([str(ROOT / "scripts" / "services.sh"), "status"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0
    for line in ("PostgreSQL : en marche", "Redis      : en marche", "Solr       : en marche",
                 "SMTP       : en marche"):
        assert line in run.stdout
