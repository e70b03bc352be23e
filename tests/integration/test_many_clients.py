"""Six client processes on one plano-server at once, each with its own variables."""
import subprocess
import sys
import textwrap

CLIENT = textwrap.dedent("""
    import sys
    import numpy as np
    import plano as tf

    target, k = sys.argv[1], int(sys.argv[2])
    # Every client builds the same graph (so they share compiled plans) but starts its
    # variable at its own value: a shared variable would show up as a wrong total.
    v = tf.Variable(np.full(1000, float(k), np.float32), name="v")
    x = tf.placeholder(tf.float32, [1000], name="x")
    step = tf.assign_add(v, x)
    total = tf.reduce_sum(v)
    with tf.Session(target) as sess:
        sess.run(v.initializer)
        for i in range(1, 51):
            sess.run(step, {x: np.full(1000, float(i), np.float32)})
        got = sess.run(total)
        want = 1000 * (k + sum(range(1, 51)))
        assert got == want, (got, want)
        assert (sess.run(v) == k + 1275).all()
    print("client", k, "ok", int(got))
    """)


def test_six_clients_at_once_each_with_its_own_variables(plano_server):
    procs = [subprocess.Popen([sys.executable, "-c", CLIENT, plano_server.target, str(k)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in range(6)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for k, (p, (out, err)) in enumerate(zip(procs, outputs)):
        assert p.returncode == 0, err
        assert out.strip() == f"client {k} ok {1000 * (k + 1275)}"
