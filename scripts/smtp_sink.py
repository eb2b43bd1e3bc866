"""A local SMTP sink for the dev portal: every message it receives is written as a .eml file,
never delivered. `make up` starts it (scripts/services.sh); the portal's ckan.ini points
`smtp.server` at it.

    .venv/bin/python scripts/smtp_sink.py [--host 127.0.0.1] [--port 1025] [--dir .state/mail]

Each message becomes <dir>/<UTC time>-<n>.eml (the message as received, with the envelope in
X-Sink-Mail-From / X-Sink-Rcpt-To headers first), readable with any mail client or `cat`.
It prints one line once it listens, and stops cleanly on SIGTERM or Ctrl-C.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime
import itertools
import os
import signal
import sys
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

ROOT = Path(__file__).resolve().parent.parent


def eml_bytes(envelope: Envelope) -> bytes:
    """The file content of one message: envelope headers, then the message as received."""
    content = envelope.original_content or b""
    head = (f"X-Sink-Mail-From: {envelope.mail_from}\r\n"
            f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n").encode("utf-8")
    return head + content


class MailDir:
    """aiosmtpd handler: one .eml file per message, written atomically (a reader never sees
    half a message)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{os.getpid()}-{next(self.counter)}.eml"
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(eml_bytes(envelope))
        tmp.replace(self.directory / name)
        print(f"message de {envelope.mail_from} pour {', '.join(envelope.rcpt_tos)} : "
              f"{name}", flush=True)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, directory: Path) -> None:
    loop = asyncio.get_running_loop()
    handler = MailDir(directory)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="internalportal-smtp-sink"), host=host, port=port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"Puits SMTP à l'écoute sur {host}:{port}, messages dans {directory}", flush=True)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Puits SMTP local : un fichier .eml par message.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("IP_SMTP_PORT", "1025")))
    parser.add_argument("--dir", type=Path, default=ROOT / ".state" / "mail")
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.host, args.port, args.dir.resolve()))
    except OSError as e:  # port taken, address not available
        print(f"ERREUR : le puits SMTP ne peut pas écouter sur {args.host}:{args.port} : {e}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
