"""The shape of the installed package: one top-level name, and layers that never double back.

``pip install .`` must put only ``sohoa`` (and its dist-info) into site-packages: the
stages keep their folders at the top of the repository and are mapped into the ``sohoa``
namespace by setup.cfg. The layers contract of setup.cfg (``[importlinter]``) is checked
by import-linter on that installed copy, where the mapped folders sit inside ``sohoa/``
as grimp expects them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    # Built from a copy of what the package is made of: setuptools builds in the source tree.
    source = tmp_path_factory.mktemp("source") / "sohoa"
    source.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("sohoa", "ingest", "ocr", "indexer", "search_api"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(source)],
        capture_output=True, text=True, cwd=source)
    assert done.returncode == 0, done.stderr
    return target


def test_only_sohoa_is_installed(installed: Path) -> None:
    top = sorted(p.name for p in installed.iterdir() if p.name != "bin")
    assert [n for n in top if not n.endswith(".dist-info")] == ["sohoa"]
    for stage in ("ingest", "ocr", "indexer", "search_api", "core", "signatures"):
        assert (installed / "sohoa" / stage / "__init__.py").is_file(), stage
    assert list((installed / "sohoa" / "ocr" / "types").glob("*.toml"))  # the rule files come along
    assert list((installed / "sohoa" / "ocr" / "lexicon").glob("*.toml"))


def test_the_layers_contract_holds(installed: Path) -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(ROOT / "setup.cfg"), "--no-cache"],
                          capture_output=True, text=True, cwd=installed,
                          env={**os.environ, "PYTHONPATH": str(installed)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_an_installed_copy_has_the_fingerprint_of_its_checkout(installed: Path) -> None:
    # A Dask worker whose sohoa differs from the writer's is refused by this fingerprint;
    # a machine installed with pip from the same checkout must not be.
    from sohoa.ingest.cluster import code_fingerprint

    done = subprocess.run([sys.executable, "-c", "from sohoa.ingest.cluster import code_fingerprint as f; print(f())"],
                          capture_output=True, text=True, cwd=installed,
                          env={**os.environ, "PYTHONPATH": str(installed)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == code_fingerprint()


def test_the_rules_fingerprint_changes_with_a_rules_folder_of_ones_own(tmp_path: Path, monkeypatch) -> None:
    """What the cluster check compares besides the code: the rule files in effect."""
    from sohoa.ocr.rules import RULES_DIR, fingerprint

    built_in = fingerprint()
    same = tmp_path / "same"
    same.mkdir()
    (same / "quyet_dinh.toml").write_bytes((RULES_DIR / "quyet_dinh.toml").read_bytes())
    monkeypatch.setenv("SOHOA_RULES_DIR", str(same))
    assert fingerprint() == built_in  # the same rule under the same name reads the same
    other = tmp_path / "other"
    other.mkdir()
    (other / "quyet_dinh.toml").write_text((RULES_DIR / "quyet_dinh.toml").read_text(encoding="utf-8")
                                           .replace("bổ nhiệm|", ""), encoding="utf-8")
    monkeypatch.setenv("SOHOA_RULES_DIR", str(other))
    assert fingerprint() != built_in


def test_no_module_over_600_lines_and_no_function_over_100() -> None:
    """A reader takes a module or a function in at one sitting: the limits of issue 28."""
    import ast

    too_long = []
    for folder in ("sohoa", "ingest", "ocr", "indexer", "search_api"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            name = path.relative_to(ROOT)
            if source.count("\n") > 600:
                too_long.append(f"{name}: {source.count(chr(10))} lines")
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > 100:
                        too_long.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert not too_long, too_long
