"""Real servers on loopback for browser and sync tests: `python run.py` in a child process."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A survey server process; `kill()` is SIGKILL, `start()` brings it back on the same port."""

    def __init__(self, instance: Path, database_url: str, forms_dir: Path, port: int | None = None, **env):
        self.instance = instance
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "SURVEY_INSTANCE_PATH": str(instance),
            "SURVEY_DATABASE_URL": database_url,
            "SURVEY_FORMS_DIR": str(forms_dir),
            "SURVEY_SECRET_KEY": "live-test-secret",
            **{key: str(value) for key, value in env.items()},
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "LiveServer":
        log = (self.instance.parent / f"server-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "--port", str(self.port)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/forms", timeout=2):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server on {self.url} did not answer in {timeout}s")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
