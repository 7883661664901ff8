"""The Elasticsearch backend against a real server: the same answers as the embedded
index, a reindex that never stops searching, and an ingest that survives the server
going down. Every test here is marked ``service`` (skip locally with -m "not service")."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sohoa.core.model import Record
from sohoa.core.settings import Settings
from sohoa.indexer.base import SearchQuery
from sohoa.indexer.elastic import ElasticConfig, ElasticIndex
from sohoa.indexer.sqlite_fts import SqliteIndex
from sohoa.ingest.document import Task
from sohoa.ingest.executor import InProcess
from sohoa.ingest.run import ingest
from tests.conftest import copy_corpus, start_elasticsearch
from tests.faults import WithFault
from tests.test_search import FIXTURE_RECORDS, TODAY, record

pytestmark = pytest.mark.service

WORDS = ["quyết định", "giấy phép", "xây dựng", "đất đai", "Nguyễn Văn Hòa", "Trần Thị Thủy", "Bắc Giang",
         "khai sinh", "đăng ký", "hộ kinh doanh", "thông báo", "Đà Nẵng"]
TYPES = ["Quyết định", "Giấy khai sinh", "Giấy phép xây dựng", "Thông báo"]
ISSUERS = ["UBND TỈNH BẮC GIANG", "SỞ XÂY DỰNG", "UBND HUYỆN YÊN DŨNG", "UBND XÃ TÂN AN"]


def random_records(n: int, seed: int) -> list[Record]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        issued = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(365 * 26))
        until = issued + dt.timedelta(days=rng.randrange(5000)) if rng.random() < 0.4 else None
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12)))
        out.append(record(100 + i, text, doc_type=rng.choice(TYPES), number=f"{rng.randrange(1, 400)}/QĐ-UBND",
                          issuer=rng.choice(ISSUERS), issue_date=issued.isoformat(),
                          valid_until=until.isoformat() if until else None, holder_name=rng.choice(WORDS[4:6]),
                          signature=rng.choice([None, "valid", "invalid", "unsigned", "unknown_revocation"])))
    return out


@pytest.fixture
def elastic(es_url: str, es_alias: str) -> Iterator[ElasticIndex]:
    idx = ElasticIndex(ElasticConfig(es_url, alias=es_alias))
    yield idx
    idx.close()


def test_both_backends_give_the_same_answers(elastic: ElasticIndex, tmp_path: Path) -> None:
    """Same records, same queries: the same JSON from both, hits, order, scores, snippets,
    totals and facets."""
    embedded = SqliteIndex(tmp_path / "index.sqlite")
    records = [*FIXTURE_RECORDS, *random_records(300, seed=8)]
    for backend in (embedded, elastic):
        backend.upsert(records)
    queries = [SearchQuery(w, today=TODAY, limit=20, facets=True) for w in [*WORDS, "", "giay phep xay dung"]]
    queries += [
        SearchQuery("645/QĐ-UBND", today=TODAY), SearchQuery("12/qđ-ubnd", today=TODAY, limit=50),
        SearchQuery("nguyen van hoa", doc_type="giay phep", today=TODAY, limit=30, offset=5),
        SearchQuery("", issuer="bac giang", validity="valid", today=TODAY, limit=50, facets=True),
        SearchQuery("dat dai", date_from=dt.date(2010, 1, 1), date_to=dt.date(2015, 12, 31), today=TODAY),
        SearchQuery("", validity="expired", today=dt.date(2030, 1, 1), limit=100),
        SearchQuery("thuy", validity="unknown", today=TODAY, facets=True),
        SearchQuery("quyet dinh", signature="invalid", today=TODAY, limit=40, facets=True),
        SearchQuery("", signature="unchecked", validity="valid", today=TODAY, limit=40),
    ]
    for q in queries:
        assert elastic.search(q).to_json() == embedded.search(q).to_json(), q
    embedded.close()


def test_reindex_switches_the_alias_while_searches_go_on(elastic: ElasticIndex) -> None:
    elastic.upsert(FIXTURE_RECORDS)
    before = elastic._current_indices()
    seen_during = []

    def records() -> Iterator[Record]:
        for n, rec in enumerate(random_records(1200, seed=2)):
            if n == 700:  # half-way through the rebuild, searching still sees the old index
                seen_during.append(elastic.search(SearchQuery("645/QĐ-UBND", today=TODAY)).total)
            yield rec

    assert elastic.replace_all(records()) == 1200
    assert seen_during == [2]
    after = elastic._current_indices()
    assert len(after) == 1 and after != before
    assert not elastic.es.indices.exists(index=before[0])  # the old index is gone
    assert elastic.count() == 1200
    assert elastic.es.indices.get_settings(index=after[0])[after[0]]["settings"]["index"].get(
        "refresh_interval") is None  # bulk-load settings undone


def test_ingest_search_and_move_an_embedded_archive(cli, home: Path, tmp_path: Path, born_digital_corpus: Path,
                                                     es_url: str, es_alias: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_corpus(born_digital_corpus, tmp_path / "c")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    embedded = json.loads(cli("search", "giay", "--json", "--limit", "50", "--facets").stdout)
    monkeypatch.setenv("SOHOA_ES_INDEX", es_alias)
    moved = cli("--es-url", es_url, "reindex", "--to", "elasticsearch")
    assert moved.exit_code == 0 and "Index rebuilt (Elasticsearch): 8 records." in moved.output
    shared = json.loads(cli("--es-url", es_url, "search", "giay", "--json", "--limit", "50", "--facets").stdout)
    assert shared == embedded
    # A second ingest into Elasticsearch finds everything known and indexes nothing twice.
    again = cli("--es-url", es_url, "ingest", "--no-progress", str(folder))
    assert again.exit_code == 0 and "already known: 8" in again.output
    shared_index = ElasticIndex(ElasticConfig(es_url, alias=es_alias))
    assert shared_index.count() == 8
    shared_index.close()
    # Forgetting --es-url afterwards is pointed out: the records are in the cluster now.
    forgot = cli("ingest", "--no-progress", str(folder))
    assert "NOTE: this ledger's earlier records are in the index elasticsearch:" in forgot.output


def process_then_stop_server(fn: Callable[[Task], Record], task: Task, stop_at: str) -> Record:
    """The ingest worker, except that it stops Elasticsearch when it reaches ``stop_at``."""
    if Path(task.path).name == stop_at:
        start_elasticsearch("--stop")
    return fn(task)


def test_server_stopped_mid_ingest_loses_nothing_and_doubles_nothing(
        cli, home: Path, tmp_path: Path, born_digital_corpus: Path, es_url: str, es_alias: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    folder = copy_corpus(born_digital_corpus, tmp_path / "c")
    names = sorted(p.name for p in folder.glob("*.pdf"))
    settings = Settings.from_env(home, workers=1, index_batch=1, es_url=es_url, es_index=es_alias)
    index = ElasticIndex(ElasticConfig(es_url, alias=es_alias, retries=1, backoff=0.1))
    try:
        fault = functools.partial(process_then_stop_server, stop_at=names[3])
        summary = ingest([folder], settings, index, progress=False, executor=WithFault(InProcess(), fault))
    finally:
        start_elasticsearch()  # whatever happened, the server is back for the tests after this one
    assert summary.processed == 8 and not summary.failed
    assert summary.index_pending == 5 and "Elasticsearch" in (summary.index_error or "")
    assert index.count() == 3

    monkeypatch.setenv("SOHOA_ES_INDEX", es_alias)
    status = cli("--es-url", es_url, "index")
    assert "pending index: 5" in status.output and "sohoa index --retry" in status.output
    retried = cli("--es-url", es_url, "index", "--retry")
    assert retried.exit_code == 0 and "Sent 5 records" in retried.output
    again = cli("--es-url", es_url, "ingest", "--no-progress", str(folder))
    assert again.exit_code == 0 and "already known: 8" in again.output

    assert index.count() == 8
    ids = index.es.search(index=es_alias, size=0, aggs={"ids": {"terms": {"field": "id", "size": 100}}})
    buckets = ids["aggregations"]["ids"]["buckets"]
    assert len(buckets) == 8 and all(b["doc_count"] == 1 for b in buckets)
    assert "pending index: 0" in cli("--es-url", es_url, "index").output
    index.close()


def test_server_down_gives_a_clear_error(cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_ES_RETRIES", "1")
    monkeypatch.setenv("SOHOA_ES_BACKOFF", "0.05")
    result = cli("--es-url", "http://127.0.0.1:9", "search", "giay")
    assert result.exit_code == 4
    assert "Elasticsearch at http://127.0.0.1:9" in result.output and "--es-url" in result.output


def test_bulk_retries_429_and_connection_errors(elastic: ElasticIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """Faults the real server will not produce on demand are injected in front of it."""
    from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
    from elasticsearch import ApiError, Elasticsearch
    from elasticsearch import ConnectionError as EsConnectionError

    real_bulk = Elasticsearch.bulk
    calls = []

    def flaky_bulk(self: Elasticsearch, *args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            meta = ApiResponseMeta(status=429, http_version="1.1", headers=HttpHeaders(), duration=0.0,
                                   node=NodeConfig("http", "127.0.0.1", 9200))
            raise ApiError("rejected execution (injected)", meta=meta, body={})
        if len(calls) == 2:
            raise EsConnectionError("connection reset (injected)")
        return real_bulk(self, *args, **kwargs)

    monkeypatch.setattr(Elasticsearch, "bulk", flaky_bulk)
    elastic.config = ElasticConfig(elastic.config.url, alias=elastic.alias, backoff=0.05)
    elastic.upsert(FIXTURE_RECORDS)
    elastic.upsert(FIXTURE_RECORDS)  # sent again: still one document per id
    assert len(calls) == 4 and elastic.count() == len(FIXTURE_RECORDS)


def test_an_index_of_another_layout_is_reported_and_reindex_replaces_it(es_url: str, es_alias: str) -> None:
    from elasticsearch import Elasticsearch

    from sohoa.core.errors import IndexBackendError

    with Elasticsearch(es_url) as es:  # what an older sohoa left behind
        es.indices.create(index=f"{es_alias}-v1-old", aliases={es_alias: {}})
    idx = ElasticIndex(ElasticConfig(es_url, alias=es_alias))
    with pytest.raises(IndexBackendError, match="another sohoa version"):
        idx.search(SearchQuery("giay", today=TODAY))
    idx.close()
    rebuilt = ElasticIndex(ElasticConfig(es_url, alias=es_alias), check_schema=False)
    assert rebuilt.replace_all(FIXTURE_RECORDS) == len(FIXTURE_RECORDS)
    rebuilt.close()
    fresh = ElasticIndex(ElasticConfig(es_url, alias=es_alias))
    assert fresh.search(SearchQuery("giay phep", today=TODAY)).total == 3
    assert all("-v1-" not in name for name in fresh._current_indices())
    fresh.close()


def test_two_offices_share_one_alias_and_each_reindex_keeps_the_other(
        es_url: str, es_alias: str, tmp_path: Path, born_digital_corpus: Path) -> None:
    """Two homes ingest at the same time into one alias, three documents in both: nothing
    lost, nothing doubled, each record held by the ledgers that have it. A reindex of one
    office replaces its own records only; --all-ledgers rebuilds the alias from both."""
    import sqlite3

    files, folders = _office_folders(tmp_path, born_digital_corpus, a=slice(None, 5), b=slice(2, None))
    assert len(files) == 8  # files 2, 3, 4 in both
    sohoa, holders = _offices(tmp_path, es_url, es_alias)  # one record a request: the two writers interleave
    runs = [sohoa(o, "ingest", "--no-progress", "--workers", "1", str(folders[o]), wait=False) for o in "ab"]
    for run in runs:
        out, _ = run.communicate(timeout=600)
        assert run.returncode == 0, out
    ledger_ids = {office: _ledger(tmp_path / f"home_{office}")[0] for office in "ab"}
    both = sorted(ledger_ids.values())
    found = holders()
    assert len(found) == 8
    assert sorted(map(tuple, found.values())).count(tuple(both)) == 3
    assert sum(v == [ledger_ids["a"]] for v in found.values()) == 2
    assert sum(v == [ledger_ids["b"]] for v in found.values()) == 3
    # A reindex of office a: its records rewritten, b's left as they are.
    said = sohoa("a", "reindex").stdout
    assert "5 records" in said
    assert holders() == found
    # An office that no longer has a document lets go of it; a document only it had goes.
    only_a = next(i for i, v in found.items() if v == [ledger_ids["a"]])
    shared = next(i for i, v in found.items() if v == both)
    with sqlite3.connect(tmp_path / "home_a" / "ledger.sqlite") as db:
        db.execute("UPDATE documents SET state = 'orphaned' WHERE sha256 IN (?, ?)", (only_a, shared))
    sohoa("a", "reindex")
    after = holders()
    assert only_a not in after and after[shared] == [ledger_ids["b"]] and len(after) == 7
    # A full rebuild from both ledgers: one record per document, both holders kept.
    with sqlite3.connect(tmp_path / "home_a" / "ledger.sqlite") as db:
        db.execute("UPDATE documents SET state = 'indexed' WHERE sha256 IN (?, ?)", (only_a, shared))
    said = sohoa("a", "reindex", "--all-ledgers", str(tmp_path / "home_b")).stdout
    assert "8 records" in said
    assert holders() == found


def _office_folders(tmp_path: Path, corpus: Path, **chosen: slice) -> tuple[list[Path], dict[str, Path]]:
    """The born-digital results, and a folder of scans per office with its share of them."""
    import shutil

    files = sorted(p for p in corpus.iterdir() if p.suffix == ".pdf")
    folders = {}
    for office, part in chosen.items():
        folder = tmp_path / f"scans_{office}"
        folder.mkdir()
        for f in files[part]:
            shutil.copy(f, folder / f.name)
        folders[office] = copy_corpus(folder, tmp_path / f"old_{office}")
    return files, folders


def _offices(tmp_path: Path, es_url: str, es_alias: str):  # type: ignore[no-untyped-def]
    """A ``sohoa`` runner per office home on one shared alias, and a reader of the alias's
    holders by record id."""
    import os
    import subprocess

    from elasticsearch import Elasticsearch

    from tests.conftest import SOHOA

    env = {**os.environ, "SOHOA_ES_URL": es_url, "SOHOA_ES_INDEX": es_alias, "SOHOA_LANG": "en",
           "SOHOA_INDEX_BATCH": "1"}

    def sohoa(office: str, *args: str, wait: bool = True):  # type: ignore[no-untyped-def]
        command = [SOHOA, "--home", str(tmp_path / f"home_{office}"), *args]
        if not wait:
            return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def holders() -> dict[str, list[str]]:
        with Elasticsearch(es_url) as es:
            es.indices.refresh(index=es_alias)
            hits = es.search(index=es_alias, size=1000, query={"match_all": {}}, source=["ledgers"])["hits"]["hits"]
        return {h["_id"]: sorted(h["_source"]["ledgers"]) for h in hits}

    return sohoa, holders


def _ledger(home: Path) -> tuple[str, set[str]]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(home / "ledger.sqlite")) as db:
        ledger_id = db.execute("SELECT value FROM meta WHERE key = 'ledger_id'").fetchone()[0]
        indexed = {r[0] for r in db.execute("SELECT sha256 FROM documents WHERE state = 'indexed'")}
    return ledger_id, indexed


def test_a_reindex_keeps_the_claim_of_an_office_whose_records_are_all_also_its_own(
        es_url: str, es_alias: str, tmp_path: Path, born_digital_corpus: Path) -> None:
    """Office F's records are all also office E's. E's reindex keeps F's claim, so when E's
    copy of a shared scan then changes, the record stays: F still has it."""

    files, folders = _office_folders(tmp_path, born_digital_corpus, e=slice(None, 5), f=slice(2, 5))
    sohoa, holders = _offices(tmp_path, es_url, es_alias)
    sohoa("e", "ingest", "--no-progress", str(folders["e"]))
    sohoa("f", "ingest", "--no-progress", str(folders["f"]))
    e_id, _ = _ledger(tmp_path / "home_e")
    f_id, f_docs = _ledger(tmp_path / "home_f")
    assert len(f_docs) == 3
    assert {i: holders()[i] for i in f_docs} == {i: sorted([e_id, f_id]) for i in f_docs}
    sohoa("e", "reindex")
    assert {i: holders()[i] for i in f_docs} == {i: sorted([e_id, f_id]) for i in f_docs}  # F's claim kept
    changed = folders["e"] / files[2].name  # E's copy of a shared scan changes in place
    changed.write_bytes(files[6].read_bytes())
    import os

    os.utime(changed, (0, 0))
    sohoa("e", "ingest", "--no-progress", str(folders["e"]))
    after = holders()
    assert all(after.get(i) for i in f_docs), after  # nothing of F's left the alias
    assert [h for i, h in after.items() if i in f_docs and e_id not in h] == [[f_id]]


def test_a_reindex_while_another_office_ingests_loses_none_of_its_records(
        es_url: str, es_alias: str, tmp_path: Path, born_digital_corpus: Path) -> None:
    """E's reindex while F writes new records: every record of F's ledger is in the alias
    with F's claim afterwards, and every one of E's with E's."""

    _, folders = _office_folders(tmp_path, born_digital_corpus, e=slice(None, 5), f=slice(5, None))
    sohoa, holders = _offices(tmp_path, es_url, es_alias)
    sohoa("e", "ingest", "--no-progress", str(folders["e"]))
    runs = [sohoa("f", "ingest", "--no-progress", "--workers", "1", str(folders["f"]), wait=False),
            sohoa("e", "reindex", wait=False)]
    for run in runs:
        out, _ = run.communicate(timeout=600)
        assert run.returncode == 0, out
    e_id, e_docs = _ledger(tmp_path / "home_e")
    f_id, f_docs = _ledger(tmp_path / "home_f")
    found = holders()
    assert len(f_docs) == 3 and len(e_docs) == 5
    assert all(f_id in found.get(i, []) for i in f_docs), found
    assert all(e_id in found.get(i, []) for i in e_docs), found


@pytest.mark.parametrize("backend", ["sqlite", "elasticsearch"])
def test_index_check_repairs_what_the_index_lacks(cli, home: Path, tmp_path: Path, born_digital_corpus: Path,
                                                  es_url: str, es_alias: str, monkeypatch: pytest.MonkeyPatch,
                                                  backend: str) -> None:
    """Records lost from the index behind the ledger's back come back with `index --check`;
    one the index holds without a record goes."""
    from sohoa.indexer.base import open_index

    if backend == "elasticsearch":
        monkeypatch.setenv("SOHOA_ES_URL", es_url)
        monkeypatch.setenv("SOHOA_ES_INDEX", es_alias)
    folder = copy_corpus(born_digital_corpus, tmp_path / "c")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    index = open_index(Settings.from_env(home))
    ids = sorted(index.held([r.id for r in random_records(1, 3)]) | set(index.mine()))
    assert len(ids) == 8
    index.delete(ids[:3])
    index.upsert(random_records(1, seed=5))  # a record no ledger has
    index.close()
    said = cli("index", "--check")
    assert said.exit_code == 0 and "3 were missing" in said.output and "1 were there without a record" in said.output
    index = open_index(Settings.from_env(home))
    assert sorted(index.mine()) == ids and index.count() == 8
    index.close()
    again = cli("index", "--check")
    assert "0 were missing" in again.output and "0 were there" in again.output


def test_a_rebuild_of_a_shared_alias_and_another_offices_writes_exclude_each_other(
        es_url: str, es_alias: str, tmp_path: Path, born_digital_corpus: Path) -> None:
    """`reindex --all-ledgers` refuses while another office writes (its lease in the
    cluster is fresh); an office that writes while a rebuild holds the lock keeps its
    records pending, and `index --retry` sends them once the rebuild is done."""
    import datetime as dt
    import subprocess

    from elasticsearch import Elasticsearch

    from tests.conftest import SOHOA

    _, folders = _office_folders(tmp_path, born_digital_corpus, e=slice(None, 4), f=slice(4, None))
    sohoa, holders = _offices(tmp_path, es_url, es_alias)
    sohoa("e", "ingest", "--no-progress", str(folders["e"]))
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with Elasticsearch(es_url) as es:  # office F is ingesting: its lease is fresh
        es.index(index=f"{es_alias}-locks", id="writer-f-ledger", document={"owner": "f-ledger", "at": now},
                 refresh=True)
    refused = subprocess.run([SOHOA, "--home", str(tmp_path / "home_e"), "reindex", "--all-ledgers",
                              str(tmp_path / "home_e")], env=_offices_env(es_url, es_alias), capture_output=True,
                             text=True, timeout=300)
    assert refused.returncode == 4 and "no rebuild while another office ingests" in refused.stderr + refused.stdout
    with Elasticsearch(es_url) as es:  # F's ingest is done; E's rebuild is under way
        es.delete(index=f"{es_alias}-locks", id="writer-f-ledger", refresh=True)
        es.index(index=f"{es_alias}-locks", id="rebuild", document={"owner": "e-ledger", "at": now}, refresh=True)
    during = subprocess.run([SOHOA, "--home", str(tmp_path / "home_f"), "ingest", "--no-progress",
                             str(folders["f"])], env=_offices_env(es_url, es_alias), capture_output=True, text=True,
                            timeout=300)
    said = during.stdout + during.stderr
    assert during.returncode == 4 and "PENDING INDEX: 4 records" in said and "is being rebuilt" in said, said
    f_id, _ = _ledger(tmp_path / "home_f")
    assert not [h for h in holders().values() if f_id in h]  # nothing of F's written under the lock
    with Elasticsearch(es_url) as es:  # the rebuild is done
        es.delete(index=f"{es_alias}-locks", id="rebuild", refresh=True)
    sohoa("f", "index", "--retry")
    _, f_docs = _ledger(tmp_path / "home_f")
    found = holders()
    assert len(f_docs) == 4 and all(f_id in found.get(i, []) for i in f_docs)


def _offices_env(es_url: str, es_alias: str) -> dict[str, str]:
    import os

    return {**os.environ, "SOHOA_ES_URL": es_url, "SOHOA_ES_INDEX": es_alias, "SOHOA_LANG": "en"}
