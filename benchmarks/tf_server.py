"""`python -m benchmarks.tf_server`: a tf.distribute.Server on localhost in a process of its
own, for the TF columns. It prints its target and serves until its stdin closes.

It must not live in the benchmark's process: a TF session whose target is a server in the
same process finds it as a local master and calls it directly, without gRPC, which would
measure TF's in-process session a second time.
"""
from __future__ import annotations

import subprocess
import sys


class TFServerProcess:
    """The server in a child process, stopped by closing its stdin."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-m", "benchmarks.tf_server"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        self.target = self.process.stdout.readline().strip()
        if not self.target.startswith("grpc://"):
            self.stop()
            raise RuntimeError(f"tf.distribute.Server did not start: {self.target!r}")

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main() -> None:
    import tensorflow as tf

    server = tf.distribute.Server.create_local_server()
    print(server.target, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
