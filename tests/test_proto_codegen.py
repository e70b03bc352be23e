"""The committed generated code in client/plano/v1 is exactly what grpc_tools makes from proto/.

Regenerate with:
    python -m grpc_tools.protoc -Iproto --python_out=client --pyi_out=client \\
        [--grpc_python_out=client] proto/plano/v1/<file>.proto
(--grpc_python_out only for the files that declare a service).
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("grpc_tools", reason="grpcio-tools is not installed (pip install "
                                         "'plano[test]'); cannot regenerate the proto code")

ROOT = Path(__file__).resolve().parents[1]
PROTO_DIR = ROOT / "proto" / "plano" / "v1"
COMMITTED_DIR = ROOT / "client" / "plano" / "v1"
_SERVICE = re.compile(r"^\s*service\s+\w+\s*\{", re.MULTILINE)


def _protos() -> list[Path]:
    return sorted(PROTO_DIR.glob("*.proto"))


def _has_service(proto: Path) -> bool:
    return bool(_SERVICE.search(proto.read_text()))


def _protoc(out: Path, protos: list[Path], grpc: bool) -> None:
    args = [sys.executable, "-m", "grpc_tools.protoc", "-Iproto", f"--python_out={out}",
            f"--pyi_out={out}"]
    if grpc:
        args.append(f"--grpc_python_out={out}")
    args += [str(p.relative_to(ROOT)) for p in protos]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"protoc failed:\n{result.stderr}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    protos = _protos()
    plain = [p for p in protos if not _has_service(p)]
    services = [p for p in protos if _has_service(p)]
    if plain:
        _protoc(out, plain, grpc=False)
    if services:
        _protoc(out, services, grpc=True)
    return out / "plano" / "v1"


def _generated_names(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()
            if p.is_file() and p.name != "__init__.py" and p.suffix in (".py", ".pyi")}


def test_every_proto_has_committed_generated_code(generated):
    expected = set()
    for proto in _protos():
        stem = proto.stem
        expected |= {f"{stem}_pb2.py", f"{stem}_pb2.pyi"}
        if _has_service(proto):
            expected.add(f"{stem}_pb2_grpc.py")
    assert _generated_names(generated) == expected
    committed = _generated_names(COMMITTED_DIR)
    assert sorted(expected - committed) == [], "generated files missing from client/plano/v1"
    assert sorted(committed - expected) == [], "stale generated files in client/plano/v1"


@pytest.mark.parametrize("name", sorted(_generated_names(COMMITTED_DIR)))
def test_committed_file_is_byte_identical_to_regenerated(generated, name):
    fresh = generated / name
    assert fresh.exists(), f"{name} is committed but no proto generates it"
    assert (COMMITTED_DIR / name).read_bytes() == fresh.read_bytes(), (
        f"client/plano/v1/{name} differs from what grpc_tools generates from proto/; "
        "regenerate it (see this module's docstring)")
