"""A small Anthropic-compatible HTTP server on 127.0.0.1 for tests: Messages and Message Batches.

It answers from a script: a queue of faults (HTTP errors with retry-after, dropped
connections, slow answers) consumed one per request, then an answer chosen per image.
Every request is recorded: the decoded JPEG's size and sha256, the prompt, the retry count
the SDK declares, and whether the key matched.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import cv2
import numpy as np

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
KNOWN_MODELS = {"claude-sonnet-4-5", "claude-haiku-4-5"}


@dataclass(frozen=True)
class Fault:
    kind: str  # status | drop | slow
    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0


def status(code: int, **headers: str) -> Fault:
    return Fault("status", code, tuple((k.replace("_", "-"), v) for k, v in headers.items()))


DROP = Fault("drop")


def slow(seconds: float) -> Fault:
    return Fault("slow", seconds=seconds)


@dataclass
class Seen:
    """One POST /v1/messages as the server received it."""

    sha256: str
    width: int
    height: int
    prompt: str
    model: str
    retry_count: int
    outcome: str  # answered | the fault's kind/status


@dataclass
class Batch:
    id: str
    requests: list[dict[str, Any]]
    outcomes: list[str]  # per request: succeeded | errored | expired | canceled
    polls_left: int
    canceled: bool = False
    created: float = field(default_factory=time.time)


def _decode_image(params: dict[str, Any]) -> tuple[str, int, int, str]:
    """(sha256 of the JPEG, width, height, prompt); raises ValueError on a malformed request."""
    (message,) = params["messages"]
    image, text = message["content"]
    if image["type"] != "image" or image["source"]["media_type"] != "image/jpeg" or text["type"] != "text":
        raise ValueError("expected an image/jpeg block then a text block")
    data = base64.b64decode(image["source"]["data"], validate=True)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if decoded is None:
        raise ValueError("the image is not a JPEG")
    if not isinstance(params["max_tokens"], int) or params["max_tokens"] < 1:
        raise ValueError("max_tokens")
    return hashlib.sha256(data).hexdigest(), decoded.shape[1], decoded.shape[0], text["text"]


def _message(text: str, model: str) -> dict[str, Any]:
    return {
        "id": f"msg_{hashlib.sha256(text.encode() + str(time.time_ns()).encode()).hexdigest()[:20]}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 120, "output_tokens": max(1, len(text.split()))},
    }


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


class FakeAnthropic:
    def __init__(self, key: str, answer: Callable[[str, str], str]) -> None:
        self.key = key
        self.answer = answer  # (image sha256, prompt) -> reply text
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self.paths: list[tuple[str, str]] = []
        self.batches: dict[str, Batch] = {}
        self.batch_outcomes: list[str] = []  # consumed per request of the next batches; default succeeded
        self.batch_polls = 1  # retrieves answered 'in_progress' before a batch ends
        self.echo_status = 0  # set: every POST gets this status with the request's headers in its body
        self.hold = threading.Event()  # set: requests beyond hold_after wait for it
        self.hold.set()
        self.hold_after = 10**9
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAnthropic:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def answered(self) -> list[Seen]:
        return [s for s in self.seen if s.outcome == "answered"]

    def count(self, method: str, pattern: str) -> int:
        return sum(1 for m, p in self.paths if m == method and re.fullmatch(pattern, p))

    def next_fault(self) -> Fault | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def new_batch(self, requests: list[dict[str, Any]]) -> Batch:
        with self.lock:
            outcomes = [self.batch_outcomes.pop(0) if self.batch_outcomes else "succeeded" for _ in requests]
            batch = Batch(f"msgbatch_{len(self.batches) + 1:04d}", requests, outcomes, self.batch_polls)
            self.batches[batch.id] = batch
            return batch

    def batch_json(self, batch: Batch) -> dict[str, Any]:
        ended = batch.polls_left <= 0 or batch.canceled
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        for outcome in self._outcomes(batch):
            counts["processing" if not ended else outcome] += 1
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(batch.created))
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts,
            "created_at": stamp,
            "expires_at": stamp,
            "ended_at": stamp if ended else None,
            "cancel_initiated_at": stamp if batch.canceled else None,
            "archived_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch.id}/results" if ended else None,
        }

    def _outcomes(self, batch: Batch) -> list[str]:
        if batch.canceled and batch.polls_left > 0:
            return ["canceled"] * len(batch.requests)
        return batch.outcomes

    def results_jsonl(self, batch: Batch) -> str:
        lines = []
        for request, outcome in zip(batch.requests, self._outcomes(batch), strict=False):
            params = request["params"]
            if outcome == "succeeded":
                sha, width, height, prompt = _decode_image(params)
                self.seen.append(Seen(sha, width, height, prompt, params["model"], 0, "batch"))
                result: dict[str, Any] = {
                    "type": "succeeded",
                    "message": _message(self.answer(sha, prompt), params["model"]),
                }
            elif outcome == "errored":
                result = {"type": "errored", "error": _error("api_error", "Internal server error")}
            else:
                result = {"type": outcome}
            lines.append(json.dumps({"custom_id": request["custom_id"], "result": result}))
        return "\n".join(lines) + "\n"


def _handler(api: FakeAnthropic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def send(self, code: int, body: dict[str, Any] | str, headers: tuple[tuple[str, str], ...] = ()) -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(code)
            self.send_header("content-type", "application/json" if isinstance(body, dict) else "application/binary")
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", f"req_{time.time_ns()}")
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout, or a kill): not the server's failure

        def body(self) -> dict[str, Any]:
            length = int(self.headers.get("content-length", 0))
            return json.loads(self.rfile.read(length) or b"{}")

        def route(self, method: str) -> None:
            path = self.path.split("?")[0]
            api.paths.append((method, path))
            # Older SDKs send x-api-key, newer ones a bearer token; either must carry the key.
            if api.key not in (
                self.headers.get("x-api-key"),
                self.headers.get("authorization", "").removeprefix("Bearer "),
            ):
                self.send(401, _error("authentication_error", "invalid x-api-key"))
                return
            if method == "POST" and api.echo_status:
                self.body()
                # A careless proxy's error page: it repeats what it was sent, key and all.
                first = sorted(self.headers.items(), key=lambda kv: kv[0].lower() not in ("authorization", "x-api-key"))
                echoed = "; ".join(f"{k}: {v}" for k, v in first)
                self.send(api.echo_status, _error("api_error", f"upstream failed for request [{echoed}]"))
                return
            if method == "POST" and path == "/v1/messages":
                return self.messages(self.body())
            if method == "POST" and path == "/v1/messages/batches":
                return self.create(self.body())
            match = re.fullmatch(r"/v1/messages/batches/([\w-]+)(/results|/cancel)?", path)
            if match is None or match.group(1) not in api.batches:
                self.send(404, _error("not_found_error", f"no route {method} {path}"))
                return
            batch = api.batches[match.group(1)]
            if match.group(2) == "/cancel" and method == "POST":
                batch.canceled = True
                self.send(200, api.batch_json(batch))
            elif match.group(2) == "/results":
                self.send(200, api.results_jsonl(batch))
            else:
                batch.polls_left -= 1
                self.send(200, api.batch_json(batch))

        def messages(self, params: dict[str, Any]) -> None:
            if params.get("model") not in KNOWN_MODELS:
                self.send(404, _error("not_found_error", f"model: {params.get('model')}"))
                return
            try:
                sha, width, height, prompt = _decode_image(params)
            except (KeyError, ValueError, TypeError) as exc:
                self.send(400, _error("invalid_request_error", str(exc)))
                return
            retry = int(self.headers.get("x-stainless-retry-count", "0"))
            if len(api.seen) >= api.hold_after:
                api.hold.wait(30)
            fault = api.next_fault()
            seen = Seen(sha, width, height, prompt, params["model"], retry, "answered")
            api.seen.append(seen)
            if fault is not None and fault.kind == "drop":
                seen.outcome = "drop"
                self.close_connection = True
                self.connection.close()
                return
            if fault is not None and fault.kind == "status":
                seen.outcome = str(fault.status)
                kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(fault.status, "api_error")
                self.send(fault.status, _error(kind, "scripted"), fault.headers)
                return
            if fault is not None and fault.kind == "slow":
                seen.outcome = "slow"
                time.sleep(fault.seconds)
            self.send(200, _message(api.answer(sha, prompt), params["model"]))
            if fault is not None:
                seen.outcome = "answered"  # a slow answer that arrived in time

        def create(self, body: dict[str, Any]) -> None:
            requests = body.get("requests") or []
            ids = [r.get("custom_id", "") for r in requests]
            if not requests or len(set(ids)) != len(ids) or not all(CUSTOM_ID.match(i) for i in ids):
                self.send(400, _error("invalid_request_error", "bad or repeated custom_id"))
                return
            try:
                for r in requests:
                    _decode_image(r["params"])
            except (KeyError, ValueError, TypeError) as exc:
                self.send(400, _error("invalid_request_error", str(exc)))
                return
            self.send(200, api.batch_json(api.new_batch(requests)))

        def do_POST(self) -> None:
            self.route("POST")

        def do_GET(self) -> None:
            self.route("GET")

    return Handler
