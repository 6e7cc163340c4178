"""A real Azurite Table service for tests, started on a free loopback port.

If Azurite is missing the tests fail loudly (run ``scripts/test``, which installs it); they are never skipped.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Azurite:
    """One ``azurite-table`` process; ``stop()`` and ``start()`` again keep the same port (for outage tests).

    ``persistent`` keeps data on disk across a restart, as a real storage outage would.
    """

    def __init__(self, port: int | None = None, *, persistent: bool = False) -> None:
        self.port = port or free_port()
        self.persistent = persistent
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir = ROOT / ".local" / f"azurite-test-{os.getpid()}-{self.port}"

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
            f"TableEndpoint=http://127.0.0.1:{self.port}/{ACCOUNT};"
        )

    def start(self) -> None:
        binary = ROOT / "node_modules" / ".bin" / "azurite-table"
        if not binary.exists():
            raise RuntimeError(f"{binary} is missing: run `bash scripts/bootstrap` (or scripts/test).")
        self._workdir.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            [
                str(binary),
                *(["--location", str(self._workdir)] if self.persistent else ["--inMemoryPersistence"]),
                "--disableTelemetry",
                "--skipApiVersionCheck",
                "--tableHost",
                "127.0.0.1",
                "--tablePort",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self._workdir,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"azurite-table exited with {self._process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("azurite-table did not start listening within 30 s")

    def stop(self) -> None:
        if self._process is not None:
            # SIGINT is Azurite's graceful shutdown: it flushes its database first (SIGTERM may not).
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)
