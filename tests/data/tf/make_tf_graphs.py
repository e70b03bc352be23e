"""Writes the TensorFlow-made fixtures in this folder. Run once, by hand; not part of CI.

TensorFlow is not a dependency of plano. To remake the fixtures:

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu numpy
    TF_ENABLE_ONEDNN_OPTS=0 /tmp/tfvenv/bin/python tests/data/tf/make_tf_graphs.py

For each graph NAME it writes:
  NAME.pb    `graph.as_graph_def().SerializeToString(deterministic=True)`, as TF wrote it
  NAME.json  the steps to run: per step the targets, fed tensors and fetched tensors
  NAME.npz   the fed values and TensorFlow's fetched outputs: "s{step}_feed{j}", "s{step}_fetch{j}"
arith.pbtxt is arith.pb written by `tf.io.write_graph(as_text=True)`.
op_defs.json holds TF's OpDef (arg names, attrs and defaults) of every op plano
registers when this runs (plano is imported from ../../../client for the names).

Inputs are fixed numpy arrays and variables start from numpy constants, so the
outputs do not depend on TensorFlow's random number generators.
"""
import json
import os
import sys

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

v1 = tf.compat.v1
v1.disable_eager_execution()
HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BYTES = 200 * 1024


class Recorder:
    """Builds one graph, then runs steps in a TF session, recording feeds and fetches."""

    def __init__(self, name: str, description: str, rtol: float = 1e-5, atol: float = 1e-6):
        self.name, self.description, self.rtol, self.atol = name, description, rtol, atol
        self.graph = tf.Graph()
        self.steps: list[dict] = []
        self.arrays: dict[str, np.ndarray] = {}
        self.sess = None

    def step(self, fetches=(), feeds=None, targets=()):
        if self.sess is None:
            self.sess = v1.Session(graph=self.graph)
        feeds = feeds or {}
        fetch_names = [t if isinstance(t, str) else t.name for t in fetches]
        target_names = [t if isinstance(t, str) else t.name for t in targets]
        feed_names = [t if isinstance(t, str) else t.name for t in feeds]
        values = self.sess.run(fetch_names + target_names, dict(zip(feed_names, feeds.values())))
        i = len(self.steps)
        for j, value in enumerate(feeds.values()):
            self.arrays[f"s{i}_feed{j}"] = np.asarray(value)
        for j, value in enumerate(values[:len(fetch_names)]):
            self.arrays[f"s{i}_fetch{j}"] = np.asarray(value)
        self.steps.append({"targets": target_names, "feeds": feed_names,
                           "fetches": fetch_names})

    def save(self):
        data = self.graph.as_graph_def().SerializeToString(deterministic=True)
        assert len(data) < MAX_BYTES, f"{self.name}.pb is {len(data)} bytes"
        with open(os.path.join(HERE, f"{self.name}.pb"), "wb") as f:
            f.write(data)
        np.savez(os.path.join(HERE, f"{self.name}.npz"), **self.arrays)
        manifest = {"graph": f"{self.name}.pb", "description": self.description,
                    "tensorflow_version": tf.__version__, "rtol": self.rtol, "atol": self.atol,
                    "steps": self.steps}
        with open(os.path.join(HERE, f"{self.name}.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
        ops = sorted({n.op for n in self.graph.as_graph_def().node})
        print(f"{self.name}: {len(data)} bytes, ops: {' '.join(ops)}")
        self.sess.close()


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def arith() -> Recorder:
    rec = Recorder("arith", "placeholders, small constants in *_val fields (one value filling a "
                            "shape), broadcasting, casts, reductions, comparisons, select")
    with rec.graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        y = v1.placeholder(tf.float32, [3], name="y")
        k = v1.placeholder(tf.int32, [4], name="k")
        two = tf.constant(2.0, name="two")                            # float_val, scalar
        filled = tf.constant(1.5, shape=[2, 3], name="filled")        # one float_val fills [2,3]
        ones_i = tf.constant(3, shape=[4], name="three_i")            # one int_val fills [4]
        half = tf.constant(0.25, tf.float64, shape=[2, 2], name="d")  # double_val
        big = tf.constant(7, tf.int64, shape=[2], name="big")         # int64_val
        flags = tf.constant(True, shape=[3], name="flags")            # bool_val
        zeros = tf.zeros([2, 3], name="zeros")
        vec = tf.constant([1.0, -2.0, 3.0], name="vec")               # tensor_content
        a = tf.add(x * two, y, name="a")
        b = tf.subtract(a, vec / 2.0, name="b")
        c = tf.identity(x[:2] + filled + zeros, name="c")
        d = tf.maximum(tf.minimum(x, 1.0), -1.0, name="clip")
        e = tf.pow(tf.abs(x) + 1.0, 2.0, name="e")
        f = tf.sqrt(tf.square(x) + 1.0, name="f") - tf.exp(-tf.abs(x)) + tf.math.log(e)
        f = tf.identity(f, name="f_out")
        g = tf.math.floordiv(k * 7, ones_i, name="fdiv")
        h = tf.math.floormod(k * 7 - 10, ones_i, name="fmod")
        i = tf.cast(x, tf.int32, name="to_int")
        j = tf.cast(k, tf.float32, name="to_float") / 3.0
        sums = tf.reduce_sum(x, axis=1, name="sum1")
        means = tf.reduce_mean(x, axis=0, keepdims=True, name="mean0")
        maxes = tf.reduce_max(x, name="maxall")
        mins = tf.reduce_min(x, axis=[0, 1], name="minall")
        prods = tf.reduce_prod(x + 2.0, axis=-1, name="prod")
        am = tf.argmax(x, axis=1, name="argmax")
        amin = tf.argmin(x, axis=0, output_type=tf.int32, name="argmin")
        less = tf.less(x, y, name="less")
        ge = tf.greater_equal(x, 0.0, name="ge")
        eq = tf.equal(k, ones_i, name="eq")
        ne = tf.not_equal(k, 3, name="ne")
        both = tf.logical_and(tf.logical_or(less, ge), tf.logical_not(flags), name="logic")
        sel1 = v1.where(less, x, tf.zeros_like(x), name="select")
        sel2 = tf.where(ge, x, -x * 0.5, name="select_v2")
        mm = tf.matmul(x, tf.reshape(vec, [3, 1]), name="matmul")
        dd = tf.cast(half * 4.0, tf.float32, name="dd")
        bb = tf.cast(big, tf.int32, name="bb") + k[:2]
        dv = tf.math.truediv(tf.cast(k, tf.float64), half[0, 0], name="real_div")
        neg = tf.negative(x, name="neg")
        rsq = tf.math.rsqrt(tf.abs(x) + 1.0, name="rsqrt")
        fetches = [a, b, c, d, e, f, g, h, i, j, sums, means, maxes, mins, prods, am, amin,
                   less, ge, eq, ne, both, sel1, sel2, mm, dd, bb, dv, neg, rsq]
        feeds = {x: rng(1).standard_normal((4, 3)).astype(np.float32) * 2,
                 y: np.array([0.5, -1.0, 2.0], np.float32),
                 k: np.array([1, 5, -4, 9], np.int32)}
        rec.step(fetches, feeds)
        v1.io.write_graph(rec.graph, HERE, "arith.pbtxt", as_text=True)
    return rec


def mlp_resource() -> Recorder:
    rec = Recorder("mlp_resource", "MLP forward with resource variables: run the initializer, "
                                   "then fetch", rtol=1e-5, atol=1e-5)
    r = rng(2)
    with rec.graph.as_default():
        x = v1.placeholder(tf.float32, [None, 4], name="x")
        w1 = v1.get_variable("w1", initializer=r.standard_normal((4, 8)).astype(np.float32),
                             use_resource=True)
        b1 = v1.get_variable("b1", initializer=np.linspace(-1, 1, 8).astype(np.float32),
                             use_resource=True)
        w2 = v1.get_variable("w2", initializer=r.standard_normal((8, 3)).astype(np.float32),
                             use_resource=True)
        b2 = v1.get_variable("b2", initializer=np.zeros(3, np.float32), use_resource=True)
        h = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w1), b1), name="hidden")
        logits = tf.add(tf.matmul(h, w2), b2, name="logits")
        probs = tf.nn.softmax(logits, name="probs")
        pred = tf.argmax(probs, axis=1, name="pred")
        tanh = tf.tanh(logits, name="tanh")
        init = v1.global_variables_initializer()
    rec.step(targets=[init])
    rec.step([logits, probs, pred, tanh, h], {x: r.standard_normal((5, 4)).astype(np.float32)})
    return rec


def resource_training() -> Recorder:
    rec = Recorder("resource_training", "resource variables trained by v1 GradientDescent and "
                                        "Momentum optimizers", rtol=1e-5, atol=1e-5)
    r = rng(7)
    with rec.graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        target = v1.placeholder(tf.float32, [None, 1], name="target")
        w = v1.get_variable("w", initializer=r.standard_normal((3, 1)).astype(np.float32),
                            use_resource=True)
        b = v1.get_variable("b", initializer=np.zeros(1, np.float32), use_resource=True)
        u = v1.get_variable("u", initializer=np.ones((3, 1), np.float32), use_resource=True)
        pred = tf.matmul(x, w) + b + tf.matmul(x * x, u) * 0.1
        loss = tf.reduce_mean(tf.square(pred - target), name="loss")
        sgd = v1.train.GradientDescentOptimizer(0.05).minimize(loss, var_list=[w, b],
                                                                name="sgd")
        momentum = v1.train.MomentumOptimizer(0.02, 0.9).minimize(loss, var_list=[u],
                                                                  name="momentum")
        init = v1.global_variables_initializer()
        values = [tf.identity(v, name=f"{v.op.name}_value") for v in (w, b, u)]
    feeds = {x: r.standard_normal((6, 3)).astype(np.float32),
             target: r.standard_normal((6, 1)).astype(np.float32)}
    rec.step(targets=[init])
    for _ in range(4):
        rec.step([loss], feeds, targets=[sgd, momentum])
    rec.step(values + [loss], feeds)
    return rec


def ref_training() -> Recorder:
    rec = Recorder("ref_training", "TF1 ref variables (VariableV2, Assign, AssignAdd, AssignSub) "
                                   "and a GradientDescentOptimizer loop", rtol=1e-5, atol=1e-5)
    r = rng(3)
    with rec.graph.as_default():
        x = v1.placeholder(tf.float32, [None, 4], name="x")
        labels = v1.placeholder(tf.float32, [None, 3], name="labels")
        w1 = v1.Variable(r.standard_normal((4, 6)).astype(np.float32) * 0.5, name="w1",
                         use_resource=False)
        b1 = v1.Variable(np.zeros(6, np.float32), name="b1", use_resource=False)
        w2 = v1.Variable(r.standard_normal((6, 3)).astype(np.float32) * 0.5, name="w2",
                         use_resource=False)
        b2 = v1.Variable(np.full(3, 0.1, np.float32), name="b2", use_resource=False)
        counter = v1.Variable(0, name="counter", use_resource=False)
        total = v1.Variable(np.zeros(3, np.float32), name="total", use_resource=False)
        h = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w1), b1), name="hidden")
        s = tf.sigmoid(tf.matmul(h, w2) + b2, name="sig")
        # A scale of unknown length: its Mul gradient needs BroadcastGradientArgs at run time.
        scale = v1.placeholder_with_default(tf.constant([4.0]), shape=[None], name="scale")
        logits = tf.identity(s * scale - 2.0, name="logits")
        xent = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                       name="xent")
        loss = tf.reduce_mean(xent, name="loss")
        train = v1.train.GradientDescentOptimizer(0.5).minimize(loss, name="train")
        bump = v1.assign_add(counter, 2, name="bump")
        drop = v1.assign_sub(counter, 1, name="drop")
        accumulate = v1.assign_add(total, tf.reduce_sum(logits, axis=0), name="accumulate")
        reset = v1.assign(total, tf.constant([1.0, 2.0, 3.0]), name="reset")
        init = v1.global_variables_initializer()
    feeds = {x: r.standard_normal((8, 4)).astype(np.float32),
             labels: np.eye(3, dtype=np.float32)[r.integers(0, 3, 8)]}
    rec.step(targets=[init])
    rec.step([loss, logits], feeds)
    for _ in range(5):
        rec.step([loss], feeds, targets=[train])
    rec.step([loss, w1, b1, w2, b2], feeds)
    rec.step([bump], targets=[])
    rec.step([drop])
    rec.step([bump, counter])
    rec.step(targets=[accumulate], feeds=feeds)
    rec.step([total])
    rec.step([reset])
    rec.step([accumulate], feeds)
    return rec


def ref_optimizers() -> Recorder:
    rec = Recorder("ref_optimizers", "TF1 ref variables trained by Adam, Momentum (Nesterov), "
                                     "RMSProp (plain and centered) and Adagrad",
                   rtol=1e-5, atol=1e-5)
    r = rng(8)
    with rec.graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        target = v1.placeholder(tf.float32, [None, 2], name="target")
        names = ["adam", "momentum", "rmsprop", "centered", "adagrad"]
        ws = {n: v1.Variable(r.standard_normal((3, 2)).astype(np.float32), name=f"w_{n}",
                             use_resource=False) for n in names}
        pred = tf.add_n([tf.matmul(x, w) for w in ws.values()]) * 0.3
        loss = tf.reduce_mean(tf.square(pred - target), name="loss")
        optimizers = {
            "adam": v1.train.AdamOptimizer(0.1),
            "momentum": v1.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True),
            "rmsprop": v1.train.RMSPropOptimizer(0.05, decay=0.9, momentum=0.5),
            "centered": v1.train.RMSPropOptimizer(0.05, centered=True),
            "adagrad": v1.train.AdagradOptimizer(0.3),
        }
        train = tf.group(*[opt.minimize(loss, var_list=[ws[n]], name=f"train_{n}")
                           for n, opt in optimizers.items()], name="train")
        init = v1.global_variables_initializer()
    feeds = {x: r.standard_normal((5, 3)).astype(np.float32),
             target: r.standard_normal((5, 2)).astype(np.float32)}
    rec.step(targets=[init])
    for _ in range(4):
        rec.step([loss], feeds, targets=[train])
    rec.step([loss] + list(ws.values()), feeds)
    return rec


def cnn_gradients() -> Recorder:
    rec = Recorder("cnn_gradients", "small CNN forward and tf.gradients: Conv2D, BiasAdd, Relu, "
                                    "MaxPool, AvgPool, softmax cross entropy and their grads",
                   rtol=1e-4, atol=1e-5)
    r = rng(4)
    with rec.graph.as_default():
        x = v1.placeholder(tf.float32, [None, 8, 8, 2], name="x")
        labels = v1.placeholder(tf.float32, [None, 4], name="labels")
        k1 = tf.constant(r.standard_normal((3, 3, 2, 4)).astype(np.float32) * 0.3, name="k1")
        c1b = tf.constant(np.linspace(-0.2, 0.2, 4).astype(np.float32), name="c1b")
        k2 = tf.constant(r.standard_normal((2, 2, 4, 3)).astype(np.float32) * 0.3, name="k2")
        wd = tf.constant(r.standard_normal((12, 4)).astype(np.float32) * 0.3, name="wd")
        conv1 = tf.nn.conv2d(x, k1, strides=[1, 1, 1, 1], padding="SAME", name="conv1")
        act1 = tf.nn.relu(tf.nn.bias_add(conv1, c1b), name="act1")
        pool1 = tf.nn.max_pool2d(act1, ksize=2, strides=2, padding="VALID", name="pool1")
        conv2 = tf.nn.conv2d(pool1, k2, strides=[1, 2, 2, 1], padding="VALID", name="conv2")
        act2 = tf.nn.relu(conv2, name="act2")
        pool2 = tf.nn.avg_pool2d(act2, ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1],
                                 padding="SAME", name="pool2")
        pool3 = tf.nn.max_pool2d(act1, ksize=3, strides=2, padding="SAME", name="pool3")
        pool4 = tf.nn.avg_pool2d(act1, ksize=3, strides=2, padding="VALID", name="pool4")
        flat = tf.reshape(pool2, [-1, 12], name="flat")
        logits = tf.matmul(flat, wd, name="logits") + tf.reduce_mean(pool3) + \
            tf.reduce_sum(pool4) * 0.01
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(
            labels=labels, logits=logits), name="loss")
        grads = tf.gradients(loss, [x, k1, c1b, k2, wd], name="grads")
    feeds = {x: r.standard_normal((2, 8, 8, 2)).astype(np.float32),
             labels: np.eye(4, dtype=np.float32)[[1, 3]]}
    rec.step([conv1, act1, pool1, conv2, pool2, pool3, pool4, logits, loss] + grads, feeds)
    return rec


def array_ops() -> Recorder:
    rec = Recorder("array_ops", "strided slices with masks, concat, gather, pack/unpack, "
                                "transpose, reshape, pad, tile, one_hot, split")
    r = rng(5)
    with rec.graph.as_default():
        x = v1.placeholder(tf.float32, [3, 4, 5], name="x")
        idx = v1.placeholder(tf.int32, [None], name="idx")
        outs = [
            x[1:, ::2, -1], x[..., 1:3], x[:, tf.newaxis, 2, ::-1], x[-1], x[::-2, 1:-1, :3],
            x[0, :, None], x[1:2, 3, 4],
            tf.concat([x, x * 2.0], axis=1, name="concat"),
            tf.concat([x[0], x[1], x[2]], axis=-1, name="concat_neg"),
            tf.gather(x, idx, name="gather0"),
            tf.gather(x, [4, 0, 2], axis=2, name="gather2"),
            tf.gather(x, idx, axis=1, batch_dims=0, name="gather1"),
            tf.stack([x[0], x[1]], axis=1, name="pack"),
            tf.transpose(x, [2, 0, 1], name="transpose"),
            tf.reshape(x, [5, -1], name="reshape"),
            tf.pad(x, [[1, 0], [0, 2], [1, 1]], name="pad"),
            tf.pad(x, [[0, 0], [1, 1], [2, 0]], constant_values=-3.0, name="padv2"),
            tf.pad(x, [[1, 1], [2, 2], [0, 1]], mode="REFLECT", name="mirror_reflect"),
            tf.pad(x, [[1, 1], [1, 0], [0, 2]], mode="SYMMETRIC", name="mirror_sym"),
            tf.tile(x[0], [2, 3], name="tile"),
            tf.one_hot(idx, 4, name="one_hot"),
            tf.one_hot(idx, 3, on_value=5.0, off_value=-1.0, axis=0, name="one_hot_axis0"),
            tf.squeeze(x[:, :1, :], axis=1, name="squeeze"),
            tf.expand_dims(x, -1, name="expand"),
            tf.slice(x, [1, 0, 2], [2, -1, 2], name="slice"),
            tf.reverse(x, [0, 2], name="reverse"),
            tf.shape(x, name="shape"),
            tf.size(x, name="size"),
            tf.rank(x, name="rank"),
            tf.fill([2, 2], 4.5, name="fill"),
            tf.range(2, 11, 3, name="range"),
            tf.zeros_like(idx, name="zeros_like"),
            tf.ones_like(x[0], name="ones_like"),
        ]
        outs += tf.unstack(x, axis=1, name="unpack")
        outs += tf.split(x, 5, axis=2, name="split")
        outs += tf.split(x, [1, 3], axis=1, name="splitv")
    feeds = {x: r.standard_normal((3, 4, 5)).astype(np.float32),
             idx: np.array([2, 0, 1, 2, 0], np.int32)}
    rec.step(outs, feeds)
    return rec


def array_gradients() -> Recorder:
    rec = Recorder("array_gradients", "gradients TF emits for array ops: StridedSliceGrad, "
                                      "concat/split, gather (IndexedSlices), pad, mirror pad, "
                                      "tile, transpose, pack/unpack, reshape, reverse")
    r = rng(10)
    with rec.graph.as_default():
        x = v1.placeholder(tf.float32, [3, 4, 5], name="x")
        idx = v1.placeholder(tf.int32, [None], name="idx")
        parts = [x[1:, ::2, -1], x[..., 1:3], x[:, tf.newaxis, 2, ::-1],
                 tf.concat([x, x * 2.0], axis=1), tf.gather(x, idx), tf.gather(x, [4, 0], axis=2),
                 tf.pad(x, [[1, 0], [0, 2], [1, 1]]),
                 tf.pad(x, [[1, 1], [2, 2], [0, 1]], mode="REFLECT"),
                 tf.pad(x, [[1, 1], [1, 0], [0, 2]], mode="SYMMETRIC"),
                 tf.tile(x, [1, 2, 3]), tf.transpose(x, [2, 0, 1]),
                 tf.stack(tf.unstack(x, axis=1)[::-1], axis=0),
                 tf.reshape(x, [5, -1]), tf.reverse(x, [1]),
                 tf.split(x, [2, 3], axis=2)[1], tf.slice(x, [1, 0, 2], [2, -1, 2]),
                 tf.expand_dims(tf.squeeze(x[:, :1, :], axis=1), 0),
                 tf.broadcast_to(x[:, :1, :], [3, 4, 5])]
        outs = []
        for i, part in enumerate(parts):
            w = tf.constant(r.standard_normal(part.shape.as_list()
                                              if part.shape.is_fully_defined() else [5, 4, 5])
                            .astype(np.float32), name=f"w{i}")
            loss = tf.reduce_sum(part * w, name=f"loss{i}")
            grad, = tf.gradients(loss, [x], name=f"grad{i}")
            outs.append(tf.convert_to_tensor(grad, name=f"dense_grad{i}"))
    feeds = {x: r.standard_normal((3, 4, 5)).astype(np.float32),
             idx: np.array([2, 0, 1, 2, 0], np.int32)}
    rec.step(outs, feeds)
    return rec


def activation_gradients() -> Recorder:
    rec = Recorder("activation_gradients", "sigmoid/tanh/relu/relu6 and their gradients "
                                           "(SigmoidGrad, TanhGrad, ReluGrad, Relu6Grad)")
    r = rng(6)
    with rec.graph.as_default():
        x = v1.placeholder(tf.float32, [4, 5], name="x")
        w = tf.constant(r.standard_normal((4, 5)).astype(np.float32), name="w")
        outs = []
        for fn, name in [(tf.sigmoid, "sigmoid"), (tf.tanh, "tanh"), (tf.nn.relu, "relu"),
                         (tf.nn.relu6, "relu6")]:
            y = fn(x * 4.0, name=name)
            loss = tf.reduce_sum(y * w, name=f"{name}_loss")
            outs += [y, loss] + tf.gradients(loss, [x], name=f"{name}_grad")
        both = tf.tanh(tf.sigmoid(x)) * tf.nn.relu6(x * 3.0)
        outs += tf.gradients(tf.reduce_sum(both * w), [x], name="chain_grad")
    x_value = r.standard_normal((4, 5)).astype(np.float32)
    x_value[0, :3] = [0.0, 1.5, -1.5]  # relu6(4x): the kinks at 0 and 6
    rec.step(outs, {x: x_value})
    return rec


def nn_misc() -> Recorder:
    rec = Recorder("nn_misc", "more nn and math ops with their gradients: elu, selu, softplus, "
                              "leaky_relu, sparse softmax xent, l2_loss, top_k, cumsum, "
                              "segment sums, batch matmul, log_softmax, clip, erf",
                   rtol=1e-5, atol=1e-5)
    r = rng(9)
    with rec.graph.as_default():
        x = v1.placeholder(tf.float32, [4, 5], name="x")
        ids = v1.placeholder(tf.int32, [4], name="ids")
        w = tf.constant(r.standard_normal((4, 5)).astype(np.float32), name="w")
        outs = []
        for fn, name in [(tf.nn.elu, "elu"), (tf.nn.selu, "selu"), (tf.nn.softplus, "softplus"),
                         (lambda v, name: tf.nn.leaky_relu(v, 0.1, name=name), "leaky"),
                         (tf.math.erf, "erf"), (tf.nn.log_softmax, "log_softmax"),
                         (tf.nn.softmax, "softmax"), (tf.math.log1p, "log1p"),
                         (lambda v, name: tf.clip_by_value(v, -0.5, 0.7, name=name), "clip")]:
            y = fn(x if name != "log1p" else tf.abs(x), name=name)
            outs += [y] + tf.gradients(tf.reduce_sum(y * w), [x], name=f"{name}_grad")
        xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ids, logits=x, name="sxent")
        outs += [xent] + tf.gradients(tf.reduce_mean(xent), [x], name="sxent_grad")
        l2 = tf.nn.l2_loss(x, name="l2")
        outs += [l2] + tf.gradients(l2, [x], name="l2_grad")
        values, indices = tf.math.top_k(x, k=3, name="top_k")
        outs += [values, indices]
        outs += [tf.cumsum(x, axis=1, name="cumsum"),
                 tf.cumsum(x, axis=0, exclusive=True, reverse=True, name="cumsum_er"),
                 tf.math.unsorted_segment_sum(x, ids, 3, name="segsum"),
                 tf.linalg.matmul(tf.reshape(x, [2, 2, 5]), tf.reshape(w, [2, 5, 2]),
                                  name="batch_matmul"),
                 tf.math.squared_difference(x, w, name="sqdiff"),
                 tf.math.reduce_logsumexp(x, axis=1, name="logsumexp"),
                 tf.math.count_nonzero(x > 0.0, axis=0, name="count_nonzero"),
                 tf.reduce_all(x > -3.0, name="all"), tf.reduce_any(x > 2.0, axis=1, name="any"),
                 tf.sign(x, name="sign"), tf.math.reciprocal(x + 10.0, name="reciprocal"),
                 tf.round(x * 2.0, name="round"), tf.floor(x, name="floor"),
                 tf.math.ceil(x, name="ceil"), tf.sin(x, name="sin"), tf.cos(x, name="cos"),
                 tf.math.is_finite(x / tf.abs(x), name="is_finite")]
    x_value = r.standard_normal((4, 5)).astype(np.float32)
    x_value[0, 0] = 0.0
    x_value[1, :2] = [2.5, -2.5]
    rec.step(outs, {x: x_value, ids: np.array([2, 0, 1, 2], np.int32)})
    return rec


def _attr_default(value) -> object:
    """An AttrValue default as JSON: types by enum name, strings decoded, shapes as dim lists."""
    which = value.WhichOneof("value")
    if which == "type":
        return tf.dtypes.as_dtype(value.type).as_datatype_enum
    if which == "s":
        return value.s.decode()
    if which == "shape":
        return None if value.shape.unknown_rank else [d.size for d in value.shape.dim]
    if which == "list":
        lv = value.list
        return list(lv.i) or list(lv.f) or [s.decode() for s in lv.s] or list(lv.type) or []
    return getattr(value, which)


def op_defs() -> None:
    """TF's OpDef (arg names, ref-ness, attrs with defaults) for every op plano registers."""
    from tensorflow.python.framework import op_def_registry

    sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "client"))
    from plano.framework import op_def as plano_op_def  # noqa: E402 - needs the path above

    out = {}
    for name in sorted(plano_op_def.REGISTRY):
        op = op_def_registry.get(name)
        if op is None:
            continue
        out[name] = {
            "inputs": [[a.name, a.is_ref] for a in op.input_arg],
            "outputs": [[a.name, a.is_ref] for a in op.output_arg],
            "attrs": {a.name: {"type": a.type,
                               "default": _attr_default(a.default_value)
                               if a.HasField("default_value") else "<required>"}
                      for a in op.attr},
        }
    lines = [f" {json.dumps(name)}: {json.dumps(out[name], sort_keys=True)}" for name in out]
    with open(os.path.join(HERE, "op_defs.json"), "w") as f:  # one op a line: small diffs
        f.write(f'{{"tensorflow_version": "{tf.__version__}", "ops": {{\n')
        f.write(",\n".join(lines) + "\n}}\n")
    print(f"op_defs.json: {len(out)} ops")


def main(names: list[str]) -> None:
    makers = [arith, mlp_resource, resource_training, ref_training, ref_optimizers,
              cnn_gradients, array_ops, array_gradients, activation_gradients, nn_misc]
    for make in makers:
        if not names or make.__name__ in names:
            make().save()
    if not names or "op_defs" in names:
        op_defs()


if __name__ == "__main__":
    main(sys.argv[1:])
