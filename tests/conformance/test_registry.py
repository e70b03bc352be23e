"""Walks the op registry: every op has a kernel and a conformance test; every gradient
registration names a real op."""
import pathlib
import re

import plano  # noqa: F401 - registers every op
from plano.framework.gradient_registry import GRADIENTS, NOT_DIFFERENTIABLE
from plano.framework.op_def import REGISTRY
from plano_server.kernels import KERNELS

TESTS = pathlib.Path(__file__).parent


def _quoted_names_in_tests() -> set[str]:
    names = set()
    for path in TESTS.rglob("test_*.py"):
        if path.name == "test_registry.py":
            continue
        names.update(re.findall(r"[\"']([A-Z][A-Za-z0-9]*)[\"']", path.read_text()))
    return names


def test_every_op_has_a_kernel():
    missing = sorted(set(REGISTRY) - set(KERNELS))
    assert not missing, f"ops without a kernel: {missing}"


def test_every_kernel_has_an_op():
    orphans = sorted(set(KERNELS) - set(REGISTRY))
    assert not orphans, f"kernels for undeclared ops: {orphans}"


def test_every_op_has_a_conformance_test():
    untested = sorted(set(REGISTRY) - _quoted_names_in_tests())
    assert not untested, f"ops without a conformance test in tests/conformance: {untested}"


def test_gradients_are_registered_for_declared_ops_only():
    unknown = sorted((set(GRADIENTS) | NOT_DIFFERENTIABLE) - set(REGISTRY))
    assert not unknown, f"gradient registrations for unknown ops: {unknown}"


def test_every_op_has_a_gradient_or_is_declared_not_differentiable():
    undecided = sorted(set(REGISTRY) - set(GRADIENTS) - NOT_DIFFERENTIABLE)
    assert not undecided, f"ops with neither a gradient nor not_differentiable: {undecided}"
