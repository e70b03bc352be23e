"""kernels.intra_op: large products split over a helper thread, with the same bits whether
or not a helper ran, and never outside a server step."""
import queue
import time

import numpy as np
import pytest

from plano_server import cli
from plano_server.kernels import intra_op


def _all_helpers_idle():
    """Waits for helpers still returning from an earlier block (one the caller took back
    wakes up later) so that a test's hand-off does not depend on their timing."""
    deadline = time.monotonic() + 10
    while intra_op._idle.qsize() < len(intra_op._helpers):
        assert time.monotonic() < deadline, "a helper never came back"
        time.sleep(0.001)


@pytest.fixture
def handed_off(monkeypatch) -> list:
    """Every block handed to a helper during the test."""
    blocks = []
    submit = intra_op._Helper.submit
    monkeypatch.setattr(intra_op._Helper, "submit",
                        lambda self, block: (blocks.append(block), submit(self, block)))
    return blocks


@pytest.fixture
def in_a_server_step(monkeypatch):
    intra_op.configure(2)
    _all_helpers_idle()
    monkeypatch.setattr(intra_op, "_shared_until", 0.0)
    intra_op.begin_step(intra_op._last_session)
    yield
    intra_op.end_step()


def _pair(m, k, n, dtype, transpose_a=False):
    rng = np.random.default_rng(m * 7 + k * 3 + n)
    a = rng.standard_normal((k, m) if transpose_a else (m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * a[::-1]
        b = b - 1j * b[::-1]
    return (a.T if transpose_a else a), b


SHAPES = [(128, 784, 256, np.float32, False),   # rows split, the MLP's first layer
          (784, 128, 256, np.float32, True),    # x.T @ dz: a transposed view
          (16, 1024, 512, np.float64, False),   # few rows: columns split
          (300, 300, 300, np.complex64, False)]


@pytest.mark.parametrize("m,k,n,dtype,transpose_a", SHAPES)
def test_a_split_product_matches_numpy(in_a_server_step, m, k, n, dtype, transpose_a):
    a, b = _pair(m, k, n, dtype, transpose_a)
    assert m * k * n >= intra_op.MIN_MACS
    got = intra_op.matmul(a, b)
    assert got.shape == (m, n) and got.dtype == np.dtype(dtype)
    tol = 1e-10 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(got, a @ b, rtol=tol, atol=tol * np.sqrt(k))


@pytest.mark.parametrize("m,k,n,dtype,transpose_a", SHAPES)
def test_the_bits_do_not_depend_on_whether_a_helper_ran(in_a_server_step, handed_off, m, k, n,
                                                        dtype, transpose_a):
    a, b = _pair(m, k, n, dtype, transpose_a)
    with_helper = intra_op.matmul(a, b)
    helped = len(handed_off)
    assert helped >= 1
    for _ in range(4):  # more steps running than idle helpers: the caller does both blocks
        intra_op.begin_step()
    try:
        alone = intra_op.matmul(a, b)
    finally:
        for _ in range(4):
            intra_op.end_step()
    assert len(handed_off) == helped  # the second product never reached a helper
    np.testing.assert_array_equal(with_helper, alone)


def test_embedded_and_small_products_are_plain_numpy():
    intra_op.configure(2)
    a, b = _pair(128, 784, 256, np.float32)
    np.testing.assert_array_equal(intra_op.matmul(a, b), np.matmul(a, b))  # no server step
    intra_op.begin_step()
    try:
        small_a, small_b = _pair(64, 64, 64, np.float32)
        np.testing.assert_array_equal(intra_op.matmul(small_a, small_b),
                                      np.matmul(small_a, small_b))
        ints = np.arange(200 * 300).reshape(200, 300) % 7
        np.testing.assert_array_equal(intra_op.matmul(ints, ints.T), ints @ ints.T)
    finally:
        intra_op.end_step()


def test_a_block_the_caller_took_back_is_skipped_by_its_helper():
    block = intra_op._Block(np.ones((4, 4)), np.ones((4, 4)), np.zeros((4, 4)))
    assert block.claim.acquire(blocking=False)  # the caller computed it itself
    intra_op._Helper(queue.SimpleQueue()).submit(block)  # outside the pool
    assert block.done.acquire(timeout=10)
    np.testing.assert_array_equal(block.out, np.zeros((4, 4)))  # never written
    assert block.error is None


def test_a_helpers_error_reaches_the_caller_and_the_helper_carries_on():
    idle = queue.SimpleQueue()
    helper = intra_op._Helper(idle)  # outside the pool
    bad = intra_op._Block(np.ones((4, 3)), np.ones((4, 4)), np.zeros((4, 4)))
    helper.submit(bad)
    assert bad.done.acquire(timeout=10)
    assert isinstance(bad.error, ValueError)
    good = intra_op._Block(np.ones((4, 3)), np.ones((3, 4)), np.zeros((4, 4)))
    helper.submit(good)
    assert good.done.acquire(timeout=10)
    np.testing.assert_array_equal(good.out, np.full((4, 4), 3.0))
    assert idle.get_nowait() is helper and idle.get_nowait() is helper  # idle after each


def _threads(argv, monkeypatch, blas_env=None):
    if blas_env is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", blas_env)
    return cli._intra_op_threads(cli.build_parser().parse_args(argv))


def test_the_flag_and_its_defaults(monkeypatch):
    assert _threads([], monkeypatch) == intra_op.default_threads() >= 1
    assert _threads(["--intra-op-threads", "3"], monkeypatch) == 3
    assert _threads(["--blas-threads", "2"], monkeypatch) == 1  # BLAS has threads of its own
    assert _threads([], monkeypatch, blas_env="2") == 1
    assert _threads(["--blas-threads", "2", "--intra-op-threads", "2"], monkeypatch) == 2


def test_the_flag_refuses_zero(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--intra-op-threads", "0"])
    assert "not a positive whole number: '0'" in capsys.readouterr().err


def test_cuts_fall_on_block_multiples_and_every_block_is_used():
    assert intra_op._cuts(128, 2) == [0, 64, 128]
    assert intra_op._cuts(100, 4) == [0, 16, 48, 64, 100]
    assert intra_op._cuts(40, 8) == [0, 16, 40]  # fewer blocks than threads when small
    assert intra_op._cuts(31, 2) == [0, 31]  # too small to split


def test_four_threads_split_in_four_with_the_same_bits_as_alone(monkeypatch):
    intra_op.configure(4)
    a, b = _pair(256, 512, 128, np.float32)
    intra_op.begin_step()
    try:
        split = intra_op.matmul(a, b)
        for _ in range(8):
            intra_op.begin_step()
        alone = intra_op.matmul(a, b)
    finally:
        for _ in range(9):
            intra_op.end_step()
    np.testing.assert_array_equal(split, alone)
    np.testing.assert_allclose(split, a @ b, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("cpu_max,cap", [("max 100000\n", None), ("150000 100000\n", 2),
                                         ("50000 100000\n", 1), ("garbage", None)])
def test_default_threads_honour_a_cgroup_cpu_quota(tmp_path, cpu_max, cap):
    path = tmp_path / "cpu.max"
    path.write_text(cpu_max)
    cores = intra_op.default_threads(str(tmp_path / "absent"))
    assert intra_op.default_threads(str(path)) == (cores if cap is None else min(cores, cap))


def test_helpers_stay_off_while_another_sessions_steps_come_in_turn(monkeypatch, handed_off):
    intra_op.configure(2)
    a, b = _pair(128, 784, 256, np.float32)
    results = []
    for session in ("first", "second", "first", "second"):  # two sessions in turn
        intra_op.begin_step(session)
        try:
            results.append(intra_op.matmul(a, b))
        finally:
            intra_op.end_step()
        if session == "first" and len(results) == 1:
            handed_off.clear()  # the first step may have had the server to itself
    assert not handed_off
    monkeypatch.setattr(intra_op, "_shared_until", 0.0)  # "second" alone since a while
    _all_helpers_idle()
    intra_op.begin_step("second")
    try:
        results.append(intra_op.matmul(a, b))
    finally:
        intra_op.end_step()
    assert handed_off
    for result in results[1:]:
        np.testing.assert_array_equal(result, results[0])


def test_a_product_is_cut_into_no_more_blocks_than_it_can_fill(monkeypatch, handed_off):
    intra_op.configure(4)
    monkeypatch.setattr(intra_op, "_shared_until", 0.0)
    monkeypatch.setattr(intra_op, "_last_session", None)  # the server to itself
    _all_helpers_idle()
    a, b = _pair(128, 256, 128, np.float32)  # 4M multiply-adds: two blocks of 2M, not four
    intra_op.begin_step(None)
    try:
        got = intra_op.matmul(a, b)
    finally:
        intra_op.end_step()
    assert len(handed_off) == 1 and handed_off[0].out.shape == (64, 128)
    np.testing.assert_allclose(got, a @ b, rtol=1e-4, atol=1e-3)


def test_only_server_steps_with_products_count_as_running(monkeypatch):
    """The engine brackets a server step (pool_step given) whose plan has a MatMul; embedded
    steps and steps without products never touch the pool's bookkeeping."""
    import plano as tf
    from plano_server.engine.plan_cache import PlanCache
    from plano_server.engine.session import EngineSession

    seen = []
    matmul = intra_op.matmul
    monkeypatch.setattr(intra_op, "matmul", lambda a, b: (seen.append(intra_op._running),
                                                          matmul(a, b))[1])
    began = []
    begin = intra_op.begin_step
    monkeypatch.setattr(intra_op, "begin_step", lambda s=None: (began.append(s), begin(s)))
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [2, 2], name="x")
        product, plain = tf.matmul(x, x), x * 2.0
    session = EngineSession(PlanCache())
    session.extend(graph.as_graph_def().node)
    feeds = {"x:0": np.eye(2, dtype=np.float32)}
    running_before = intra_op._running
    session.run(feeds, [product.name], [], pool_step="s1")
    session.run(feeds, [product.name], [])
    session.run(feeds, [plain.name], [], pool_step="s1")
    assert seen == [running_before + 1, running_before]
    assert began == ["s1"]
    assert intra_op._running == running_before
