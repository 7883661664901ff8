"""Shared fixtures: generated sample corpora, a fresh sohoa home, a CLI runner, and a real
Elasticsearch server (started by scripts/start-elasticsearch, for tests marked ``service``)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import samplegen  # noqa: E402

REALDATA = ROOT.parent / "shared" / "realdata"
if not REALDATA.exists():  # CI clones next to a copy of shared/
    REALDATA = Path(os.environ.get("SOHOA_REALDATA", "/work/shared/realdata"))


@pytest.fixture(scope="session")
def born_digital_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One born-digital PDF of each of the eight result types (no OCR needed)."""
    out = tmp_path_factory.mktemp("born_digital")
    samplegen.generate(out, 8, seed=11, qualities=("born_digital",))
    return out


@pytest.fixture(scope="session")
def small_scan_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few clean scans in every raster format, for OCR paths that must stay fast."""
    out = tmp_path_factory.mktemp("scans")
    samplegen.generate(out, 4, seed=5, qualities=("clean",))
    return out


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("SOHOA_HOME", str(path))
    monkeypatch.setenv("SOHOA_LANG", "en")
    monkeypatch.setenv("SOHOA_TODAY", "2026-11-27")
    monkeypatch.delenv("SOHOA_ES_URL", raising=False)  # the embedded index unless a test says otherwise
    return path


def start_elasticsearch(*args: str) -> str:
    """Run scripts/start-elasticsearch; its last line of output is the URL."""
    done = subprocess.run([str(ROOT / "scripts" / "start-elasticsearch"), *args], capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0:
        pytest.fail(f"scripts/start-elasticsearch {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


@pytest.fixture(scope="session")
def es_url() -> str:
    """A real single-node Elasticsearch. SOHOA_TEST_ES_URL points at another one instead."""
    return os.environ.get("SOHOA_TEST_ES_URL") or start_elasticsearch()


@pytest.fixture
def es_alias(es_url: str) -> Iterator[str]:
    """A fresh alias (and index family) on the test server, deleted afterwards."""
    from elasticsearch import Elasticsearch

    alias = f"sohoa-test-{uuid.uuid4().hex[:10]}"
    yield alias
    with Elasticsearch(es_url) as es:
        es.indices.delete(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)
        es.options(ignore_status=404).indices.delete_index_template(name=alias)


@pytest.fixture
def cli(home: Path) -> Callable[..., Result]:
    from sohoa.cli import main

    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, ["--home", str(home), *args], catch_exceptions=False)

    return invoke


def truth(corpus: Path) -> dict[str, dict]:
    """Ground truth by file name."""
    out = {}
    for gt in corpus.glob("*.gt.json"):
        data = json.loads(gt.read_text(encoding="utf-8"))
        out[data["file"]] = data
    return out


def copy_corpus(src: Path, dst: Path) -> Path:
    """Copy a corpus with old modification times, so no file looks still-being-written."""
    import shutil

    shutil.copytree(src, dst)
    for p in dst.rglob("*"):
        os.utime(p, (p.stat().st_atime - 3600, p.stat().st_mtime - 3600))
    return dst


CHROMIUM = os.environ.get("SOHOA_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's browser is Debian's Chromium (Playwright's own download is not
    reachable), started as the machine's network allows: no background connections."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync"]}


SOHOA = shutil.which("sohoa") or str(Path(sys.executable).with_name("sohoa"))


@contextlib.contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[str]:
    """``sohoa serve`` started by its own command on a free loopback port, with ``env`` and
    ``args``; its URL once it answers."""
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([SOHOA, "serve", "--port", str(port), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(url + "/login", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            proc.poll()
        if proc.returncode is not None:
            pytest.fail(f"sohoa serve did not start:\n{proc.stdout.read() if proc.stdout else ''}")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
    said = proc.stdout.read() if proc.stdout else ""
    # It shuts down cleanly: uvicorn ends by raising SIGTERM again once shut down (as systemd expects).
    if proc.returncode not in (0, -signal.SIGTERM) or "shutdown failed" in said or "Traceback" in said:
        pytest.fail(f"sohoa serve did not shut down cleanly (exit {proc.returncode}):\n{said[-3000:]}")


def read_back(image: bytes) -> str:
    """What Tesseract reads on a served image (PNG) or PDF, enlarged twice so that it reads
    all it can: the proof that a redacted page shows no ID, and still shows its number."""
    import cv2
    import numpy as np

    from sohoa.ocr import tesseract

    if image.startswith(b"%PDF"):
        from pdf2image import convert_from_bytes

        pages = [np.asarray(p.convert("L")) for p in convert_from_bytes(image, dpi=150)]
    else:
        pages = [cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_GRAYSCALE)]
    texts = []
    for n, page in enumerate(pages, 1):
        big = cv2.resize(page, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        texts.append(tesseract.read_page(big, page_number=n, dpi=300).text)
    return "\n".join(texts)


def leaked(ids: list[str], text: str) -> list[str]:
    """IDs of which 8 consecutive digits appear in ``text`` (digits of any script, whatever
    separates them: spaces, dashes, dots, commas, underscores, slashes, invisible characters)."""
    ascii_digits = "".join(str(int(c)) if c.isdecimal() else c for c in text)
    digits = re.sub(r"(?<=\d)[\s.,_/\-\u2010-\u2015\u200b-\u200d\u2060\ufeff\u00ad]+(?=\d)", "", ascii_digits)
    return [i for i in ids if any(i[k:k + 8] in digits for k in range(len(i) - 7))]
