"""Run the app under gunicorn on 127.0.0.1 for a test, and talk to it over HTTP.

:func:`drive` sends requests from concurrent client threads (the R3 test and
``benchmarks/load.py`` share it); :func:`log_call` is one ``POST /api/v1/mailings``.
"""

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``gunicorn "app:create_app()"`` in a process group of its own."""

    def __init__(
        self,
        database_url: str,
        instance: Path,
        *,
        workers: int = 1,
        threads: int = 4,
        app_spec: str = "app:create_app()",
    ):
        self.port = free_port()
        self.env = os.environ | {
            "LETTERTRAIL_DATABASE_URL": database_url,
            "LETTERTRAIL_INSTANCE_PATH": str(instance),
            "LETTERTRAIL_SECRET_KEY": "reliability-test-secret-key-0123456789abcdef",
            "LETTERTRAIL_PUBLIC_BASE_URL": f"http://127.0.0.1:{self.port}",
        }
        self.args = [
            str(GUNICORN),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            app_spec,
        ]
        self.process: subprocess.Popen | None = None
        self.log = instance / f"gunicorn-{self.port}.log"

    def start(self, timeout: float = 30.0) -> "Server":
        instance = Path(self.env["LETTERTRAIL_INSTANCE_PATH"])
        instance.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: kill -9 takes the workers too
            )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError("gunicorn did not answer in time")

    def kill(self) -> None:
        """``kill -9`` the master and its workers at once."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def request(self, method: str, path: str, body=None, headers=None, timeout: float = 10.0):
        """Return ``(status, parsed JSON or text)``."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            sent = {"Content-Type": "application/json"} if payload else {}
            connection.request(method, path, body=payload, headers=sent | (headers or {}))
            response = connection.getresponse()
            data = response.read()
            kind = response.getheader("Content-Type") or ""
            return response.status, json.loads(data) if "json" in kind else data.decode()
        finally:
            connection.close()

    def send(self, call: "Call", timeout: float = 30.0):
        """Send *call*; return ``(status, parsed JSON or text)``."""
        return self.request(call.method, call.path, call.body, call.headers, timeout=timeout)


@dataclass(frozen=True)
class Call:
    """One request for a client to send; *name* groups it in the figures."""

    name: str
    method: str
    path: str
    body: object = None
    headers: dict = field(default_factory=dict)
    ok: int = 200  # the status that counts as success


def log_call(token: str, body: dict) -> Call:
    """Log a batch through the API with *token*, under a new Idempotency-Key."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    return Call("POST /api/v1/mailings", "POST", "/api/v1/mailings", body, headers, ok=201)


@dataclass
class Load:
    """What :func:`drive` saw, per call name: latencies (s), statuses, and failures
    (answers other than the call's ``ok``; ``None`` is no answer at all)."""

    elapsed: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def drive(
    server: Server,
    script: Callable[[int], Sequence[Call]],
    *,
    clients: int,
    seconds: float | None = None,
    rounds: int | None = None,
    on_answer: Callable[[int, Call, int | None, object], None] | None = None,
) -> Load:
    """Run *clients* threads that start together; each sends ``script(n)`` (n is its
    number) over and over, for *rounds* rounds or until *seconds* have passed.

    *on_answer* is called in the client's thread with ``(n, call, status, answer)``
    after every request; the status is ``None`` when no answer came.
    """
    if seconds is None and rounds is None:
        raise ValueError("give seconds, rounds or both")
    load, lock = Load(), threading.Lock()
    ready = threading.Barrier(clients + 1)
    deadline = float("inf")

    def client(n: int) -> None:
        latencies, statuses, errors = defaultdict(list), defaultdict(Counter), Counter()
        ready.wait()
        done = 0
        while (rounds is None or done < rounds) and time.perf_counter() < deadline:
            for call in script(n):
                start = time.perf_counter()
                try:
                    status, answer = server.send(call)
                except (OSError, http.client.HTTPException):
                    status, answer = None, None
                latencies[call.name].append(time.perf_counter() - start)
                statuses[call.name][status] += 1
                errors[call.name] += status != call.ok
                if on_answer is not None:
                    on_answer(n, call, status, answer)
            done += 1
        with lock:
            for name, values in latencies.items():
                load.latencies[name].extend(values)
            for name, counted in statuses.items():
                load.statuses[name].update(counted)
            for name, count in errors.items():
                load.errors[name] += count

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    if seconds is not None:
        deadline = started + seconds  # set before the barrier lets the clients read it
    ready.wait()
    for thread in threads:
        thread.join()
    load.elapsed = time.perf_counter() - started
    return load


def p95_ms(seconds: Sequence[float]) -> float:
    """Return the 95th percentile of *seconds*, in milliseconds."""
    if len(seconds) < 2:
        return 1000 * seconds[0] if seconds else 0.0
    return 1000 * statistics.quantiles(seconds, n=20)[18]
