"""A real SMTP server for the tests that send e-mail (aiosmtpd, in a thread of the test).

CKAN's mailer (``ckan.lib.mailer``) connects to ``smtp.server``. The sandboxes of the suite name
the test SMTP server in ``smtp.test_server`` (``host:port``, one port per sandbox): the fixture
``smtp_sink`` listens there and points ``smtp.server`` at it for the test::

    from tests.mail import smtp_sink  # noqa: F401  (in a conftest.py, or the module)

    def test_request_mails_the_admins(smtp_sink):
        ...
        [message] = smtp_sink.messages            # email.message.EmailMessage
        assert message["To"] == "admin@example.org"
        assert "Reason" in message.get_content()

``smtp_sink.messages`` holds every message received, in order; ``smtp_sink.recipients`` the
envelope recipients of each (``RCPT TO``), ``smtp_sink.to(address)`` the messages for one
address. Nothing is mocked: the mailer speaks SMTP over a socket.
"""
from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any, Iterator

import pytest

DEFAULT = "localhost:6675"


class Sink:
    """The messages an aiosmtpd server received (its handler)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message, rcpts in zip(self.messages, self.recipients)
                if address in rcpts]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.recipients.clear()


def _host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host or "localhost", int(port)


@pytest.fixture
def smtp_sink(ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    """A real SMTP server on ``smtp.test_server``; CKAN's mailer sends to it."""
    from aiosmtpd.controller import Controller

    address = ckan_config.get("smtp.test_server") or DEFAULT
    host, port = _host_port(address)
    monkeypatch.setitem(ckan_config, "smtp.server", f"{host}:{port}")
    monkeypatch.setitem(ckan_config, "smtp.starttls", False)
    monkeypatch.setitem(ckan_config, "smtp.user", "")
    sink = Sink()
    controller = Controller(sink, hostname=host, port=port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
