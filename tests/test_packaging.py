"""The wheel installs catalog/, compiler/ and runtime/ under the nrtg namespace, nothing else."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Build from a copy of the tracked files: an in-tree build leaves build/ behind, and
    # untracked junk must not leak into the wheel.
    src = tmp_path_factory.mktemp("src")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    cmd = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)]
    subprocess.run([*cmd, str(src)], check=True, capture_output=True)
    wheels = list(out.glob("nrtg-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_has_only_the_nrtg_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"nrtg"}
    for sub in ("catalog/types.py", "compiler/api.py", "runtime/stream/api.py"):
        assert f"nrtg/{sub}" in names
    assert "nrtg/catalog/grammars/flink_type.lark" in names


def test_wheel_imports_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    # Dependencies come from this interpreter's site-packages; PYTHONPATH does not run .pth
    # files, so the editable checkout cannot shadow the installed wheel.
    deps = sysconfig.get_paths()["purelib"]
    code = (
        "import nrtg, nrtg.catalog.types, nrtg.compiler.api, nrtg.runtime.stream.api, sys\n"
        "job = nrtg.compile(\"CREATE TABLE t (a INT) WITH ('connector'='blackhole'); SELECT a + 1 FROM t;\")\n"
        "print(nrtg.compiler.api.__file__)\n"
        "print(job.explain('logical'))\n"
        "try:\n    import catalog\nexcept ImportError:\n    print('no top-level catalog')\n"
    )
    out = subprocess.run(
        [str(py), "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": deps, "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
    ).stdout
    assert str(env_dir) in out.splitlines()[0]
    assert "Project: exprs=[a + 1 AS `EXPR$0`]" in out
    assert "no top-level catalog" in out
    help_text = subprocess.run(
        [str(env_dir / "bin" / "nrtg"), "--help"],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": deps, "PATH": "/usr/bin:/bin"},
    ).stdout
    assert "compile" in help_text and "catalog" in help_text
