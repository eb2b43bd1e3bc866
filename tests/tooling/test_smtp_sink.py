"""The dev portal's SMTP sink (scripts/smtp_sink.py, started by `make up`): every message it
receives is kept as a .eml file, readable as the mail that was sent."""
from __future__ import annotations

import email
import email.policy
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from ..conftest import ROOT

SINK = ROOT / "scripts" / "smtp_sink.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sink(tmp_path):
    """The sink script, run as services.sh runs it, on a free port; yields (port, mail dir)."""
    port, mail_dir = free_port(), tmp_path / "mail"
    proc = subprocess.Popen([sys.executable, str(SINK), "--port", str(port), "--dir",
                             str(mail_dir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        ready = proc.stdout.readline()  # printed once it listens
        assert f"127.0.0.1:{port}" in ready, ready
        yield port, mail_dir
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0  # SIGTERM is a clean stop


def wait_for_files(directory: Path, count: int, timeout: float = 5.0) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(directory.glob("*.eml")) if directory.is_dir() else []
        if len(files) >= count:
            return files
        time.sleep(0.05)
    return sorted(directory.glob("*.eml")) if directory.is_dir() else []


def test_each_message_sent_to_the_sink_is_kept_as_an_eml_file(sink):
    port, mail_dir = sink
    msg = EmailMessage()
    msg["From"] = "portail@demo.localhost"
    msg["To"] = "agent.sante@example.gouv.fr"
    msg["Subject"] = "Demande d'accès à « Mouvements de bovins »"
    msg.set_content("Une demande d'accès attend votre décision.")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(msg)
        smtp.send_message(msg, to_addrs=["agent.agriculture@example.gouv.fr"])

    files = wait_for_files(mail_dir, 2)
    assert len(files) == 2
    first = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert first["Subject"] == "Demande d'accès à « Mouvements de bovins »"
    assert first["X-Sink-Rcpt-To"] == "agent.sante@example.gouv.fr"
    assert first.get_content().strip() == "Une demande d'accès attend votre décision."
    second = email.message_from_bytes(files[1].read_bytes(), policy=email.policy.default)
    assert second["X-Sink-Rcpt-To"] == "agent.agriculture@example.gouv.fr"
    assert not list(mail_dir.glob(".*.tmp"))  # written whole, then renamed


def test_a_taken_port_is_named_and_the_sink_exits():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, str(SINK), "--port", str(port)],
                             capture_output=True, text=True, timeout=30)
    assert run.returncode == 1
    assert f"127.0.0.1:{port}" in run.stderr
