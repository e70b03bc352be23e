"""Saver: save through a session, restore into another (embedded or remote), atomically."""
import os
import struct

import numpy as np
import pytest

import plano as tf
from plano import errors
from plano.train import checkpoint_format


def build():
    w = tf.get_variable("w", [2, 3], initializer=tf.random_normal_initializer(seed=1))
    b = tf.get_variable("b", [3], dtype=tf.float64, initializer=tf.zeros_initializer())
    step = tf.train.get_or_create_global_step()
    return w, b, step


def test_save_and_restore_into_a_fresh_session(tmp_path, target):
    w, b, step = build()
    saver = tf.train.Saver()
    with tf.Session(target) as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([b.assign([1.0, 2.0, 3.0]), step.assign(7)])
        saved = sess.run([w, b])
        path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step)
    assert path == str(tmp_path / "model.ckpt-7")
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    with tf.Session(target) as sess:  # nothing initialized: restore alone sets every variable
        saver.restore(sess, path)
        got = sess.run([w, b, step])
    np.testing.assert_array_equal(got[0], saved[0])
    np.testing.assert_array_equal(got[1], [1.0, 2.0, 3.0])
    assert got[2] == 7


def test_restore_on_a_restarted_server(tmp_path):
    from plano_server.process import ServerProcess

    w, b, _ = build()
    saver = tf.train.Saver([w, b])
    first = ServerProcess()
    try:
        with tf.Session(first.target) as sess:
            sess.run(tf.global_variables_initializer())
            expected = sess.run(w)
            path = saver.save(sess, str(tmp_path / "ckpt"))
    finally:
        first.stop()
    second = ServerProcess()
    try:
        with tf.Session(second.target) as sess:
            saver.restore(sess, path)
            np.testing.assert_array_equal(sess.run(w), expected)
    finally:
        second.stop()


def test_max_to_keep_and_state_file(tmp_path):
    w, _, _ = build()
    saver = tf.train.Saver([w], max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        paths = [saver.save(sess, str(tmp_path / "m"), global_step=i) for i in range(4)]
    assert [os.path.exists(p) for p in paths] == [False, False, True, True]
    assert saver.last_checkpoints == paths[2:]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == paths[3]
    assert state.all_model_checkpoint_paths == paths[2:]
    text = (tmp_path / "checkpoint").read_text()
    assert text.splitlines()[0] == 'model_checkpoint_path: "m-3"'
    assert tf.train.latest_checkpoint(str(tmp_path / "nowhere")) is None


def test_a_crash_mid_save_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch):
    w, _, _ = build()
    saver = tf.train.Saver([w])
    path = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, path)
        before = open(path, "rb").read()
        sess.run(w.assign(np.zeros((2, 3), np.float32)))

        def crash(fd):
            raise OSError("disk on fire")
        monkeypatch.setattr(os, "fsync", crash)
        with pytest.raises(OSError, match="disk on fire"):
            saver.save(sess, path)
    assert open(path, "rb").read() == before
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model"]  # no temporary left


def test_truncated_or_corrupted_checkpoint_is_data_loss_naming_the_file(tmp_path):
    w, b, _ = build()
    saver = tf.train.Saver([w, b])
    path = str(tmp_path / "model")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, path)
        blob = open(path, "rb").read()
        damaged = {
            "truncated": blob[:-5],
            "flipped": blob[:-3] + bytes([blob[-3] ^ 0xFF]) + blob[-2:],
            "header": blob[:20] + b"X" + blob[21:],
            "magic": b"NOTPLANO" + blob[8:],
            "empty": b"",
        }
        for what, data in damaged.items():
            bad = str(tmp_path / what)
            open(bad, "wb").write(data)
            with pytest.raises(errors.DataLossError, match=f"Checkpoint file {bad} is "
                                                           "truncated or corrupted"):
                saver.restore(sess, bad)
        with pytest.raises(errors.NotFoundError, match="Failed to find any matching files"):
            saver.restore(sess, str(tmp_path / "missing"))


def test_mismatched_shape_or_dtype_is_invalid_argument_naming_the_variable(tmp_path):
    path = str(tmp_path / "other")
    checkpoint_format.write(path, {"w": np.zeros((3, 2), np.float32),
                                   "b": np.zeros(3, np.float32)})
    w, b, step = build()
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match=r"variable 'w' with shape \[3, 2\]"
                                                              r".*has shape \[2,3\]"):
            tf.train.Saver([w]).restore(sess, path)
        with pytest.raises(errors.InvalidArgumentError, match="variable 'b' .* dtype float32, "
                                                              "but .* dtype float64"):
            tf.train.Saver([b]).restore(sess, path)
        with pytest.raises(errors.NotFoundError, match="Key global_step not found in checkpoint"):
            tf.train.Saver([step]).restore(sess, path)


def test_format_is_documented_bytes_without_pickle(tmp_path):
    tensors = {"a": np.arange(6, dtype=np.int64).reshape(2, 3), "flag": np.array(True),
               "h": np.array([1.5, -2.0], np.float16)}
    blob = checkpoint_format.encode(tensors, {"global_step": 3})
    magic, version, header_len = struct.unpack_from("<8sII", blob)
    assert (magic, version) == (b"PLANOCKP", 1)
    assert b"pickle" not in blob and blob[16:16 + header_len].startswith(b"{")
    got, meta = checkpoint_format.decode(blob)
    assert meta == {"global_step": 3}
    for name, value in tensors.items():
        np.testing.assert_array_equal(got[name], value)
        assert got[name].dtype == value.dtype
    newer = blob[:8] + struct.pack("<I", 99) + blob[12:]
    with pytest.raises(errors.DataLossError, match="format version 99 is newer"):
        checkpoint_format.decode(newer, "x.ckpt")
