"""Local receivers for the delivery tests, bound to 127.0.0.1: an SMTP server (aiosmtpd) and a robot webhook."""

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@dataclass
class Robot:
    """Records every post (path, query, headers, JSON body); `hold` makes the n-th post wait `hold_seconds`."""

    posts: list = field(default_factory=list)
    hold: int | None = None
    hold_seconds: float = 0.0
    answer: dict = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keys(self) -> list[str]:
        return [p["headers"].get("X-Quorum-Delivery-Key") for p in self.posts]


@contextmanager
def robot_server(robot: Robot) -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with robot.lock:
                robot.posts.append({"path": self.path, "headers": dict(self.headers), "body": body})
                n = len(robot.posts)
            if robot.hold is not None and n == robot.hold:
                time.sleep(robot.hold_seconds)
            data = json.dumps(robot.answer).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
