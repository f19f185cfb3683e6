"""Run the app under gunicorn on 127.0.0.1 for a test, and talk to it over HTTP."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
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
