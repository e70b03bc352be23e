"""A plano-server in a child process, for tests, benchmarks and scripts that need a real one.

It starts `python -m plano_server --port 0 ...`, waits for the
`plano-server listening on grpc://HOST:PORT` line and exposes the target.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

_LISTENING = re.compile(r"^plano-server listening on (grpc://\S+:(\d+))$")


class ServerProcess:
    def __init__(self, *flags: str, startup_timeout: float = 60.0):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "plano_server", "--port", "0", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.stderr_lines: list[str] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.target, self.port = self._wait_listening(startup_timeout)

    def _drain_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr_lines.append(line)

    def _wait_listening(self, timeout: float) -> tuple[str, int]:
        found: list = []

        def read():
            for line in self.process.stdout:
                match = _LISTENING.match(line.strip())
                if match:
                    found.append((match.group(1), int(match.group(2))))
                    return
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if not found:
            self.kill()
            raise RuntimeError("plano-server did not start: " + "".join(self.stderr_lines))
        return found[0]

    def signal(self, sig: int = signal.SIGTERM) -> None:
        self.process.send_signal(sig)

    def wait(self, timeout: float | None = None) -> int:
        return self.process.wait(timeout)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then wait; kills it if it does not exit in time."""
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                return self.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
