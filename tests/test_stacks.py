"""A stack of results scanned as one file: split into its results, each a record of its own,
measured against the same results scanned alone; a split corrected by hand."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sohoa.core.layout import Line, PageLayout
from sohoa.ocr.boundaries import split
from tests.conftest import ROOT, copy_corpus

sys.path.insert(0, str(ROOT / "scripts"))

import stacks

import samplegen

REALDATA = ROOT.parent / "shared" / "realdata" / "vn_admin_docs"
LABELS = ROOT / "tests" / "realdata_labels.json"


def _page(number: int, *texts: tuple[str, float, float]) -> PageLayout:
    """A page of 1000 x 1400 with lines (text, left, top as shares of the page)."""
    lines = tuple(Line(text, x * 1000, y * 1400, x * 1000 + 12 * len(text), y * 1400 + 20, 90.0, 1)
                  for text, x, y in texts)
    return PageLayout(number, 1000, 1400, lines)


HEAD = (("ỦY BAN NHÂN DÂN", 0.1, 0.05), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0.45, 0.05),
        ("Số: 12/QĐ-UBND", 0.1, 0.12), ("QUYẾT ĐỊNH", 0.45, 0.2), ("Điều 1. Nội dung", 0.1, 0.3))
BODY = (("tiếp theo của văn bản trước", 0.1, 0.2), ("và các quy định liên quan", 0.1, 0.3))
CLOSE = (("Nơi nhận:", 0.1, 0.7), ("KT. CHỦ TỊCH", 0.6, 0.7), ("PHÓ CHỦ TỊCH", 0.6, 0.73))


def test_boundaries_from_what_the_pages_show() -> None:
    pages = [
        _page(1, *HEAD),                                      # a decision...
        _page(2, ("2", 0.48, 0.03), *BODY, *CLOSE),           # ...its page 2, closed
        _page(3, ("PHỤ LỤC", 0.45, 0.05), ("DANH SÁCH kèm theo Quyết định số 12/QĐ-UBND", 0.2, 0.08), *BODY),
        _page(4),                                             # a blank separator sheet
        _page(5, *HEAD, *CLOSE),                              # a result of one page
        _page(6, *HEAD),                                      # a letter...
        _page(7),                                             # ...the blank back of its first sheet
        _page(8, ("- 2 -", 0.47, 0.03), *BODY),               # ...and its page 2
        _page(9, *BODY, ("3", 0.49, 0.95)),                   # ...and 3, numbered at the foot
        _page(10, ("Trang 1/2", 0.45, 0.95), *BODY[:1]),      # no heading read, page 1: not after an open one
    ]
    assert split(pages) == [(1, 3), (5, 5), (6, 10)]
    pages[8] = _page(9, *BODY, *CLOSE)
    assert split(pages) == [(1, 3), (5, 5), (6, 9), (10, 10)]  # page 1 after a closed result starts one


def test_what_an_independent_generator_showed() -> None:
    """Cases of the independent stacks (``scripts/independent/stacks.py``, seed 1): a page
    of the body naming ``thôn Độc Lập, xã Cộng Hòa`` or citing ``Số: 686/QĐ-UBND ngày …``
    near its top continues; an annex repeating the issuer block and motto stays; a blank
    back between two pages of a result is no separator; a first page whose heading block
    is cut off still starts a result by its title."""
    trap = (("Tổ chức hội nghị triển khai tại Nhà văn hóa thôn Độc Lập, xã Cộng Hòa; thành", 0.1, 0.17),
            ("Số: 686/QĐ-UBND ngày 25/11/2019 về việc công nhận thôn Độc Lập đạt chuẩn nông", 0.1, 0.22))
    annex = (*HEAD[:2], ("QUY CHẾ", 0.45, 0.2),
             ("(Ban hành Rèm theo Quyết định số 64/QĐ-UBND ngày 06 tháng 11", 0.2, 0.24))
    pages = [
        _page(1, *HEAD), _page(2, *trap, *BODY), _page(3, *annex),
        _page(4, *HEAD), _page(5), _page(6, *BODY, *CLOSE),
        _page(7, ("THÔNG BÁO", 0.45, 0.05), ("Kính gửi: Ông (bà) Hồ Bảo Hồng Linh", 0.2, 0.1), *BODY),
        _page(8, ("QUYẾT ĐỊNH:", 0.45, 0.05), *BODY),
        _page(9, ("QUYẾT ĐỊNH", 0.45, 0.05), ("Điều 1. Phê duyệt danh sách", 0.1, 0.08), *BODY),  # its colon lost
    ]
    assert split(pages) == [(1, 3), (4, 6), (7, 9)]


def _cli(home: Path, *args: str):
    from sohoa.cli import main

    result = CliRunner().invoke(main, ["--home", str(home), *args], catch_exceptions=False)
    return result


def _export(home: Path) -> list[dict]:
    return [json.loads(line) for line in _cli(home, "export").stdout.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_stacks_of_untuned_results_and_real_documents_are_split_as_scanned_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Stacks of the held-out families' results and of the real documents, ingested as one
    file each: at least 95% of the results found with exactly their pages, and their fields
    within 2 points of the same results ingested one file each."""
    monkeypatch.setenv("SOHOA_LANG", "en")
    monkeypatch.setenv("SOHOA_TODAY", "2026-11-27")
    seed = int(os.environ.get("SOHOA_CORPUS_SEED", "2026"))
    generated = tmp_path / "generated"
    samplegen.generate(generated, 24, seed=seed, families=samplegen.HELD_OUT)
    real = copy_corpus(REALDATA, tmp_path / "real")
    lines = []
    for name, corpus, judge in (("untuned families", generated, {"corpus": generated}),
                                ("real documents", real, {"labels": LABELS})):
        built = stacks.build(corpus, tmp_path / f"{name}-stacks", per_stack=6 if corpus == generated else 4,
                             stacks=4, seed=seed, blank_every=3 if corpus == generated else 0)
        folder = copy_corpus(tmp_path / f"{name}-stacks", tmp_path / f"{name}-in")
        (folder / "stacks.json").unlink()
        alone = copy_corpus(corpus, tmp_path / f"{name}-alone")
        out = _cli(tmp_path / f"{name}-home", "ingest", "--no-progress", str(folder)).output
        results = sum(len(m) for m in built.values())
        assert f"{len(built)} files, {results} results" in out, out
        assert all(f"{stack}: {len(m)} results" in out for stack, m in built.items()), out
        _cli(tmp_path / f"{name}-home-alone", "ingest", "--no-progress", str(alone))
        (tmp_path / "s.jsonl").write_text("\n".join(map(json.dumps, _export(tmp_path / f"{name}-home"))))
        (tmp_path / "a.jsonl").write_text("\n".join(map(json.dumps, _export(tmp_path / f"{name}-home-alone"))))
        said = stacks.evaluate(tmp_path / f"{name}-stacks", tmp_path / "s.jsonl", tmp_path / "a.jsonl", **judge)
        lines.append(f"{name}: " + said.render().replace("\n", "\n    "))
        assert said.boundary_rate >= 0.95, said.render()
        assert said.share(said.in_stacks) >= said.share(said.alone) - 0.02, said.render()
    with capsys.disabled():
        print(f"\nStacks scanned as one file (seed {seed}):\n  " + "\n  ".join(lines))


@pytest.mark.slow
def test_stacks_an_independent_generator_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Stacks written by a generator that never saw this code (``scripts/independent/
    stacks.py``: blank backs, annexes repeating the heading, unnumbered pages, faint or cut
    headers, body text citing numbers and the motto's words). Seed 2, the check set."""
    import subprocess

    monkeypatch.setenv("SOHOA_LANG", "en")
    monkeypatch.setenv("SOHOA_TODAY", "2026-11-27")
    out = tmp_path / "independent"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "independent" / "stacks.py"), str(out), "--seed", "2",
                    "--stacks", "3"], check=True, capture_output=True, cwd=ROOT, timeout=900)
    folder = copy_corpus(out / "stacks", tmp_path / "in")
    for extra in folder.glob("*.json"):
        extra.unlink()
    alone = copy_corpus(out / "alone", tmp_path / "alone")
    _cli(tmp_path / "home", "ingest", "--no-progress", str(folder))
    _cli(tmp_path / "home-alone", "ingest", "--no-progress", str(alone))
    (tmp_path / "s.jsonl").write_text("\n".join(map(json.dumps, _export(tmp_path / "home"))))
    (tmp_path / "a.jsonl").write_text("\n".join(map(json.dumps, _export(tmp_path / "home-alone"))))
    said = stacks.evaluate(out / "stacks", tmp_path / "s.jsonl", tmp_path / "a.jsonl", corpus=alone)
    with capsys.disabled():
        print("\nStacks of the independent generator (seed 2):\n  " + said.render().replace("\n", "\n  "))
    assert said.boundary_rate >= 0.95, said.render()
    assert said.share(said.in_stacks) >= said.share(said.alone) - 0.02, said.render()


@pytest.mark.slow
def test_a_split_corrected_by_hand_reads_again_only_what_changed(tmp_path: Path, born_digital_corpus: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Join two results, split them again; the results whose pages did not change are kept
    (with their corrections); the ones gone leave the search; a new ingest of the same file
    keeps the split a person set."""
    monkeypatch.setenv("SOHOA_LANG", "en")
    home = tmp_path / "home"
    built = stacks.build(born_digital_corpus, tmp_path / "stacks", per_stack=3, stacks=1, seed=3, blank_every=0)
    folder = copy_corpus(tmp_path / "stacks", tmp_path / "in")
    (folder / "stacks.json").unlink()
    (members,) = built.values()
    assert "1 file, 3 results" in _cli(home, "ingest", "--no-progress", str(folder)).output
    rows = sorted(_export(home), key=lambda r: r["page_range"][0])
    assert [tuple(r["page_range"]) for r in rows] == [(m.first, m.last) for m in members]
    first, second, third = rows
    assert _cli(home, "correct", third["id"], "subject", "Checked by a person").exit_code == 0
    joined = f"{members[0].first}-{members[1].last},{members[2].first}-{members[2].last}"
    said = _cli(home, "split", first["id"], joined).output
    assert "2 results" in said and "read again 1, kept 1, removed 1" in said, said
    after = {r["id"]: r for r in _export(home)}
    assert set(after) == {first["id"], third["id"]} and after[third["id"]]["fields"]["subject"] == "Checked by a person"
    assert tuple(after[first["id"]]["page_range"]) == (members[0].first, members[1].last)
    hits = json.loads(_cli(home, "search", "--json", second["fields"]["number"]).stdout)
    assert second["id"] not in {h["id"] for h in hits["hits"]}
    bad = _cli(home, "split", first["id"], "1-3,2-4")
    assert bad.exit_code != 0 and "overlap" in bad.output
    # The file read again (a new reading of the archive): the split a person set holds.
    from sohoa.core.settings import Settings
    from sohoa.ingest.document import Task, process

    stack = next(folder.glob("*.pdf"))
    from sohoa.ingest.ledger import Ledger

    with Ledger.reading(home / "ledger.sqlite") as ledger:
        ranges = tuple(ledger.split_of(first["source"]["sha256"]))
    again = process(Task(str(stack), first["source"]["sha256"], stack.stat().st_size, ranges), Settings.from_env(home))
    assert [again.page_range, *(r.page_range for r in again.more)] == [
        (members[0].first, members[1].last), (members[2].first, members[2].last)]


def test_only_a_clerk_splits_and_only_with_the_form_of_the_page(tmp_path: Path, born_digital_corpus: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """An officer's split is refused, a form without its CSRF token too; a clerk's goes
    through the API and the page, and the record page lists the file's results."""
    from fastapi.testclient import TestClient

    from sohoa.accounts.users import Accounts
    from sohoa.core.settings import Settings
    from sohoa.search_api.web import create_app

    monkeypatch.setenv("SOHOA_LANG", "en")
    home = tmp_path / "home"
    stacks.build(born_digital_corpus, tmp_path / "stacks", per_stack=3, stacks=1, seed=4, blank_every=0)
    folder = copy_corpus(tmp_path / "stacks", tmp_path / "in")
    (folder / "stacks.json").unlink()
    _cli(home, "ingest", "--no-progress", str(folder))
    rows = sorted(_export(home), key=lambda r: r["page_range"][0])
    with Accounts(home) as accounts:
        for name, role in (("olga", "officer"), ("cleo", "clerk")):
            accounts.add(name, "a long enough password", role, by="test")
    with TestClient(create_app(Settings.from_env(home))) as client:
        def token(name: str) -> dict[str, str]:
            sign_in = client.post("/api/v1/auth/token", data={"username": name, "password": "a long enough password"})
            return {"Authorization": f"Bearer {sign_in.json()['access_token']}"}

        whole = f"1-{rows[-1]['page_range'][1]}"
        refused = client.post(f"/api/v1/records/{rows[0]['id']}/split", json={"pages": whole}, headers=token("olga"))
        assert refused.status_code == 403
        assert len(_export(home)) == 3
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
        signed = client.post("/login", data={"username": "cleo", "password": "a long enough password", "next": "/",
                                             "csrf": csrf}, follow_redirects=False)
        assert signed.status_code == 303, signed.text
        page = client.get(f"/records/{rows[1]['id']}")
        assert page.status_code == 200 and 'data-testid="stack"' in page.text
        for row in rows:
            assert f"/records/{row['id']}" in page.text  # each result of the file, linked
        forged = client.post(f"/records/{rows[0]['id']}/split", data={"pages": whole}, follow_redirects=False)
        assert forged.status_code in (400, 403) and len(_export(home)) == 3
        done = client.post(f"/api/v1/records/{rows[0]['id']}/split", json={"pages": whole}, headers=token("cleo"))
        assert done.status_code == 200, done.text
        assert done.json()["ranges"] == [[1, rows[-1]["page_range"][1]]] and len(done.json()["gone"]) == 2
        joined = _export(home)
        assert len(joined) == 1 and joined[0]["page_range"] is None and joined[0]["pages"] == rows[-1]["page_range"][1]
        wrong = client.post(f"/api/v1/records/{rows[0]['id']}/split", json={"pages": "0-99"}, headers=token("cleo"))
        assert wrong.status_code == 422 and "outside the file" in wrong.text


def test_a_file_that_failed_is_not_split(tmp_path: Path, born_digital_corpus: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_LANG", "en")
    folder = tmp_path / "in"
    folder.mkdir()
    data = next(born_digital_corpus.glob("*.pdf")).read_bytes()
    (folder / "cut.pdf").write_bytes(data[: len(data) // 3])
    os.utime(folder / "cut.pdf", (1_600_000_000, 1_600_000_000))
    _cli(tmp_path / "home", "ingest", "--no-progress", str(folder))
    (failed,) = _export(tmp_path / "home")
    said = _cli(tmp_path / "home", "split", failed["id"], "1-1")
    assert said.exit_code != 0 and "ingest it again before splitting" in said.output, said.output
