"""Shared fixtures: a scripted JSON-RPC server on 127.0.0.1 and the live demo gateway (CONTRACTS section 5)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = json.loads((REPO / "protocol" / "tests" / "it" / "examples.json").read_text())
SCHEMA = json.loads((REPO / "schemas" / "protocol.schema.json").read_text())

# A reply is (HTTP status, body) where body is a dict to send as JSON, raw bytes, or None to drop the connection.
Reply = tuple[int, Any]


@dataclass
class FakeGateway:
    """A real HTTP server that records every JSON-RPC request and answers from a script."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    script: list[Callable[[dict[str, Any]], Reply]] = field(default_factory=list)
    default: Callable[[dict[str, Any]], Reply] | None = None

    def reply_next(self, *handlers: Callable[[dict[str, Any]], Reply]) -> None:
        self.script.extend(handlers)

    def answer(self, request: dict[str, Any]) -> Reply:
        if self.script:
            return self.script.pop(0)(request)
        if self.default is not None:
            return self.default(request)
        return 200, {"jsonrpc": "2.0", "id": request.get("id"), "result": {}}


def result(value: Any) -> Callable[[dict[str, Any]], Reply]:
    return lambda request: (200, {"jsonrpc": "2.0", "id": request.get("id"), "result": value})


def error(kind: str, code: int, message: str = "error", status: int = 200, **data: Any
          ) -> Callable[[dict[str, Any]], Reply]:
    retryable = kind in {"auth_unavailable", "terminal_offline", "not_executed", "rate_limited", "overloaded"}
    body = {"code": code, "message": message, "data": {"kind": kind, "retryable": retryable, **data}}
    return lambda request: (status, {"jsonrpc": "2.0", "id": request.get("id"), "error": body})


def drop() -> Callable[[dict[str, Any]], Reply]:
    """Closes the connection without an answer, like a gateway that died mid-request."""
    return lambda request: (0, None)


def example_result(method: str) -> Callable[[dict[str, Any]], Reply]:
    return result(EXAMPLES["methods"][method]["result"])


@pytest.fixture
def fake_gateway() -> Iterator[FakeGateway]:
    gateway: FakeGateway

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            gateway.requests.append(body)
            gateway.headers.append({key.lower(): value for key, value in self.headers.items()})
            status, payload = gateway.answer(body)
            if payload is None:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway = FakeGateway(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Demo:
    url: str
    token: str
    console_url: str
    api_key: str
    mode: str


def demo_binary() -> tuple[Path | None, str]:
    """The demo gateway binary, or None and why it cannot be used."""
    binary = Path(os.environ.get("METAAPI_GATEWAY_BIN", REPO / "target" / "debug" / "metaapi-gateway"))
    if not binary.exists():
        return None, f"{binary} does not exist (build it with `cargo build -p metaapi-gateway`)"
    probe = subprocess.run([str(binary), "demo", "--help"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return None, f"{binary} has no working `demo` subcommand yet: {probe.stderr.strip()[:200]}"
    return binary, ""


@pytest.fixture(scope="session")
def demo() -> Iterator[Demo]:
    """Starts `metaapi-gateway demo` on free loopback ports (gateway and console) and waits for its ready file."""
    binary, why = demo_binary()
    if binary is None:
        pytest.skip(f"LIVE GATEWAY TESTS SKIPPED: {why}")
    data_dir = Path(tempfile.mkdtemp(prefix="metaapi-py-demo-"))
    ready = data_dir / "ready.json"
    log = open(data_dir / "demo.log", "wb")
    process = subprocess.Popen(
        [str(binary), "demo", "--listen", "127.0.0.1:0", "--console-listen", "127.0.0.1:0", "--data-dir",
         str(data_dir / "data"), "--ready-file", str(ready)], stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            if process.poll() is not None:
                raise RuntimeError(f"the demo exited with {process.returncode}: "
                                   f"{(data_dir / 'demo.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("the demo wrote no ready file within 60 s")
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        yield Demo(info["url"], info["token"], info["console_url"], info["api_key"], info["mode"])
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)
