"""Local servers the reminder tests deliver to: a real SMTP server (aiosmtpd) and a webhook receiver (http.server),
each in a thread on a free port of 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from engine.background.notify_delivery import DeliverySettings


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd's controller needs the port before it starts: a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class Hook:
    """What the webhook receiver got, and the statuses it answers with (then 200)."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.fail_first: list[int] = []


@pytest.fixture
def webhook_server() -> Iterator[tuple[Hook, str]]:
    hook = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status = hook.fail_first.pop(0) if hook.fail_first else 200
            if status == 200:
                hook.bodies.append(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)  # shut down in 50 ms, not 500
    thread.start()
    try:
        yield hook, f"http://127.0.0.1:{server.server_address[1]}/robot/send?access_token=t"
    finally:
        server.shutdown()
        server.server_close()


def local_settings(smtp_port: int | None = None) -> DeliverySettings:
    """Delivery to the local test servers (private addresses allowed, as a deployment may configure)."""
    return DeliverySettings(smtp_host="127.0.0.1" if smtp_port else None, smtp_port=smtp_port or 25,
                            smtp_from="inspectflow@example.gov.cn", webhook_allow_private=True, timeout_s=5)
