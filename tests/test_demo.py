"""`plano demo`: trains through a remote session, checkpoints, restores; fast and explained."""
import io
import re
import subprocess
import sys
import time

import numpy as np

from plano.cli import main
from plano.demo import DemoOptions, make_spirals, run_demo


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_demo_in_process_reaches_95_percent_and_restores_the_same(tmp_path):
    out = io.StringIO()
    accuracy = run_demo(DemoOptions(checkpoint_dir=str(tmp_path)), out)
    text = out.getvalue()
    assert accuracy > 0.95
    assert "started a plano-server inside this process at grpc://127.0.0.1:" in text
    assert "built locally" in text and "now live in that session" in text
    found = re.search(r"test accuracy (\d+\.\d)%", text)
    assert found and float(found.group(1)) > 95.0
    assert f"test accuracy {found.group(1)}% (the same)" in text
    assert (tmp_path / "checkpoint").exists()
    # not a terminal: one plain line per epoch, no carriage returns
    assert "\r" not in text
    assert len(re.findall(r"^  epoch +\d+/30 .* loss \d\.\d{4} +[\d,]+ steps/s$", text,
                          re.M)) == 30


def test_progress_bar_redraws_one_line_on_a_terminal(tmp_path):
    out = FakeTTY()
    run_demo(DemoOptions(epochs=2, points=600, checkpoint_dir=str(tmp_path)), out)
    text = out.getvalue()
    assert "\r  epoch   1/2 [" in text and "steps/s" in text
    assert text.count("\n  epoch") == 0  # epochs overwrite each other


def test_demo_uses_a_given_target(plano_server, tmp_path):
    out = io.StringIO()
    run_demo(DemoOptions(epochs=2, points=600, target=plano_server.target,
                         checkpoint_dir=str(tmp_path)), out)
    assert f"using the plano-server at {plano_server.target}" in out.getvalue()


def test_the_command_exits_0_well_under_a_minute(tmp_path):
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "plano", "demo", "--checkpoint-dir",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert elapsed < 60
    assert re.search(r"restored into a fresh session: test accuracy (9[5-9]|100)\.\d%",
                     done.stdout)


def test_flags_are_parsed_and_checked(capsys):
    try:
        main(["demo", "--batch-size", "0"])
    except SystemExit as e:
        assert e.code == 2
    assert "must be a positive integer, got 0" in capsys.readouterr().err


def test_dataset_is_deterministic_and_balanced():
    x1, y1 = make_spirals(300, seed=4)
    x2, y2 = make_spirals(300, seed=4)
    np.testing.assert_array_equal(x1, x2)
    assert np.bincount(y1).tolist() == [100, 100, 100]
    assert x1.dtype == np.float32 and np.abs(x1).max() < 1.3
