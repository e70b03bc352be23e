"""Every script in examples/ runs and prints what it promises."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_example(name, *args):
    return subprocess.run([sys.executable, os.path.join(ROOT, "examples", name), *args],
                          capture_output=True, text=True, timeout=120)


def test_miniflow_lesson_forward_backward_and_sgd():
    done = run_example("miniflow_with_plano.py")
    assert done.returncode == 0, done.stderr
    assert "forward pass: linear = 12.7" in done.stdout
    assert "d cost / d b = [-5.01028709e-05]" in done.stdout
    assert "d cost / d y = [0.9999833 1.9999833]" in done.stdout
    losses = [float(v) for v in re.findall(r"Epoch: \d+, Loss: ([\d.]+)", done.stdout)]
    assert len(losses) == 10 and losses[-1] < losses[0] / 2


def test_tf1_softmax_regression_script():
    done = run_example("tf1_softmax_regression.py")
    assert done.returncode == 0, done.stderr
    accuracy = float(re.search(r"test accuracy: ([\d.]+)", done.stdout).group(1))
    assert accuracy > 0.9


def test_remote_client_against_a_running_server(plano_server):
    done = run_example("remote_client.py", plano_server.target)
    assert done.returncode == 0, done.stderr
    assert "a @ a = [[7.0, 10.0], [15.0, 22.0]]" in done.stdout
    assert "counter after 3 increments in this session: 3" in done.stdout
    assert "counter in a second session: 0" in done.stdout
    assert "counter in the first session is still: 3" in done.stdout


def test_remote_client_explains_an_unreachable_server():
    done = run_example("remote_client.py", "grpc://127.0.0.1:1")
    assert done.returncode == 1
    assert "cannot reach a plano-server at grpc://127.0.0.1:1" in done.stderr
