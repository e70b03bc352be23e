"""plano's op declarations match TensorFlow's OpDefs: arg names, ref-ness, attrs and defaults.

A real TF GraphDef is validated against plano's declarations, so an attr TF
writes that plano does not declare, or a different default, breaks imports.
tests/data/tf/op_defs.json is TF's OpDef of every op plano registered when
make_tf_graphs.py last ran.
"""
import json
from pathlib import Path

import pytest

from plano.framework import op_def as op_def_lib
from plano.framework.tensor_shape import TensorShape

TF_OPS = json.loads((Path(__file__).resolve().parents[1] / "data" / "tf" / "op_defs.json")
                    .read_text())["ops"]
CHECKED = sorted(set(TF_OPS) & set(op_def_lib.REGISTRY))


def _plano_default(spec):
    value = spec.default
    if spec.kind == "type" or spec.kind == "list(type)":
        return [v.as_datatype_enum for v in value] if isinstance(value, list) \
            else value.as_datatype_enum
    if spec.kind == "string":
        return value.decode()
    if spec.kind == "list(string)":
        return [v.decode() if isinstance(v, bytes) else v for v in value]
    if spec.kind == "shape":
        shape = TensorShape(value)
        return None if shape.rank is None else [-1 if d is None else d for d in shape.as_list()]
    return value


def test_most_ops_are_checked():
    assert len(CHECKED) >= 150


@pytest.mark.parametrize("name", CHECKED)
def test_op_declaration_matches_tensorflow(name):
    tf_op, op = TF_OPS[name], op_def_lib.REGISTRY[name]
    assert [a.name for a in op.inputs] == [a for a, _ in tf_op["inputs"]], "input names"
    assert [a.name for a in op.outputs] == [a for a, _ in tf_op["outputs"]], "output names"
    assert [a.is_ref for a in op.inputs] == [r for _, r in tf_op["inputs"]], "ref inputs"
    assert [a.is_ref for a in op.outputs] == [r for _, r in tf_op["outputs"]], "ref outputs"
    assert sorted(op.attrs) == sorted(tf_op["attrs"]), "attr names"
    for attr_name, tf_attr in tf_op["attrs"].items():
        spec = op.attrs[attr_name]
        where = f"{name}.{attr_name}"
        assert spec.kind == tf_attr["type"], f"{where}: kind {spec.kind}, TF {tf_attr['type']}"
        if tf_attr["default"] == "<required>":
            assert spec.required, f"{where}: TF has no default, plano has {spec.default!r}"
            continue
        assert not spec.required, f"{where}: TF's default is {tf_attr['default']!r}"
        got, want = _plano_default(spec), tf_attr["default"]
        if isinstance(want, float):
            assert got == pytest.approx(want, rel=1e-6), where
        else:
            assert got == want, f"{where}: default {got!r}, TF {want!r}"
