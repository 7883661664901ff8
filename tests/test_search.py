"""The index contract: accents optional, exact accents first, numbers first, filters, pages.

Every index backend must pass these tests; ``BACKEND_NAMES`` lists the ones that run.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sohoa.core.model import Extraction, OcrInfo, Record, SourceInfo, Validity, ValidityStatus
from sohoa.core.verdict import DocumentVerdict, SignatureVerdict, Status
from sohoa.indexer.base import IndexBackend, SearchQuery
from sohoa.indexer.sqlite_fts import SqliteIndex
from sohoa.ocr.rules import by_doc_type
from tests.conftest import copy_corpus

TODAY = dt.date(2026, 11, 27)


def record(n: int, text: str, signature: str | None = None, **fields: str | None) -> Record:
    """A synthetic record; ``signature`` is its document signature status (None: unchecked)."""
    base = dict.fromkeys(("doc_type", "number", "issue_date", "issuer", "place", "subject", "signer_title",
                          "signer_name", "holder_name", "holder_id", "valid_until"))
    base.update(fields)
    sha = f"{n:064x}"
    rule = by_doc_type(base["doc_type"] or "")  # the policy ingest keeps on the record
    policy = rule.validity_without_end_date if rule else None
    return Record(sha, SourceInfo(f"/scans/{n}.pdf", sha, 1, "pdf"), 1, True, OcrInfo("text-layer", None), text,
                  Extraction(base, dict.fromkeys(base, 1.0)), Validity(ValidityStatus.valid, TODAY, "", policy),
                  dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                  signatures=_verdict(signature))


def _verdict(status: str | None) -> DocumentVerdict | None:
    """A file verdict with the document status ``status`` (None: never checked)."""
    if status is None:
        return None
    return DocumentVerdict(() if status == "unsigned" else (SignatureVerdict("Signature1", Status(status)),))


# The embedded index always; a real Elasticsearch server for tests marked `service`.
BACKEND_NAMES = ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.service)]


def open_backend(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> IndexBackend:
    if name == "sqlite":
        return SqliteIndex(tmp_path / "index.sqlite")
    if name == "elasticsearch":
        from sohoa.indexer.elastic import ElasticConfig, ElasticIndex

        return ElasticIndex(ElasticConfig(request.getfixturevalue("es_url"),
                                          alias=request.getfixturevalue("es_alias")))
    raise ValueError(name)


FIXTURE_RECORDS = [
    record(1, "GIẤY PHÉP XÂY DỰNG cấp cho ông Nguyễn Văn Hòa tại Đà Nẵng", doc_type="Giấy phép xây dựng",
           number="45/GPXD", issue_date="2024-03-01", issuer="UBND TỈNH BẮC GIANG SỞ XÂY DỰNG",
           issuer_level="province", valid_until="2025-03-01", signature="valid"),
    record(2, "Giay phep xay dung (ban sao khong dau) cap cho ong Nguyen Van Hoa", doc_type="Giấy phép xây dựng",
           number="46/GPXD", issue_date="2024-05-01", issuer="UBND TỈNH BẮC GIANG SỞ XÂY DỰNG",
           issuer_level="province", valid_until="2027-05-01", signature="unknown_revocation"),
    record(3, "QUYẾT ĐỊNH về việc giao đất theo Giấy phép xây dựng số 45/GPXD", doc_type="Quyết định",
           number="645/QĐ-UBND", issue_date="2021-04-09", issuer="ỦY BAN NHÂN DÂN TỈNH BẮC GIANG",
           issuer_level="province"),
    record(4, "Thông báo lịch tiếp công dân, trích dẫn Quyết định 645/QĐ-UBND", doc_type="Thông báo",
           number="12/TB-UBND", issue_date="2022-01-10", issuer="UỶ BAN NHÂN DÂN HUYỆN YÊN DŨNG",
           issuer_level="district"),
]


@pytest.fixture(params=BACKEND_NAMES)
def index(request: pytest.FixtureRequest, tmp_path: Path) -> IndexBackend:
    idx = open_backend(request.param, tmp_path, request)
    idx.upsert(FIXTURE_RECORDS)
    yield idx
    idx.close()


def ids(result) -> list[int]:
    return [int(h.id, 16) for h in result.hits]


def test_unaccented_query_finds_accented_text(index: IndexBackend) -> None:
    result = index.search(SearchQuery("giay phep xay dung", today=TODAY))
    assert set(ids(result)) == {1, 2, 3}
    assert "<mark>GIẤY</mark>" in next(h.snippet for h in result.hits if h.id.endswith("1"))


def test_d_finds_d_with_stroke(index: IndexBackend) -> None:
    assert ids(index.search(SearchQuery("da nang", today=TODAY))) == [1]


def test_exact_accents_rank_first(index: IndexBackend) -> None:
    assert ids(index.search(SearchQuery("Nguyễn Văn Hòa", today=TODAY)))[0] == 1
    # Old tone placement in the query still counts as exact.
    assert ids(index.search(SearchQuery("Nguyễn Văn Hoà", today=TODAY)))[0] == 1


def test_number_query_finds_that_document_first(index: IndexBackend) -> None:
    for query in ("645/QĐ-UBND", "645/qd-ubnd", "645 / QĐ-UBND", "645/QÐ-UBND"):
        result = index.search(SearchQuery(query, today=TODAY))
        assert ids(result)[0] == 3, query
        assert 4 in ids(result)  # documents that cite it come after
    assert ids(index.search(SearchQuery("45/GPXD", today=TODAY)))[0] == 1


def test_filters(index: IndexBackend) -> None:
    q = SearchQuery("", doc_type="giay phep xay dung", today=TODAY)
    assert set(ids(index.search(q))) == {1, 2}
    assert ids(index.search(SearchQuery("", issuer="yen dung", today=TODAY))) == [4]
    dated = SearchQuery("", date_from=dt.date(2022, 1, 1), date_to=dt.date(2024, 3, 31), today=TODAY)
    assert set(ids(index.search(dated))) == {1, 4}
    assert ids(index.search(SearchQuery("", validity="expired", today=TODAY))) == [1]
    assert set(ids(index.search(SearchQuery("", validity="valid", today=TODAY)))) == {2, 3, 4}
    assert ids(index.search(SearchQuery("giay phep", signature="valid", today=TODAY))) == [1]
    assert set(ids(index.search(SearchQuery("", signature="unchecked", today=TODAY)))) == {3, 4}
    assert index.search(SearchQuery("", signature="unknown_revocation", doc_type="quyet dinh", today=TODAY)).total == 0
    # Validity is judged on the day of the search, not the day of ingest.
    assert set(ids(index.search(SearchQuery("", validity="expired", today=dt.date(2028, 1, 1))))) == {1, 2}


def test_a_user_limited_to_agencies_sees_nothing_else_in_hits_totals_or_facets(index: IndexBackend) -> None:
    """The whole agency name, folded, as printed or as the successor of a legacy issuer;
    through the words, the number lookup, the listing, the totals and the facets."""
    index.upsert([record(5, "Thông báo của huyện cũ, theo Quyết định 645/QĐ-UBND", doc_type="Thông báo",
                         number="14/TB-UBND", issue_date="2023-06-01", issuer="UBND HUYỆN YÊN DŨNG CŨ",
                         issuer_successor="UBND xã Yên Dũng")])

    def seen(text: str = "", **filters: object) -> tuple[list[int], int, dict[str, dict[str, int]]]:
        result = index.search(SearchQuery(text, today=TODAY, facets=True, **filters))
        return ids(result), result.total, result.facets or {}

    province = ("Ủy ban nhân dân tỉnh Bắc Giang",)  # typed otherwise than printed (ỦY BAN ... BẮC GIANG)
    hits, total, facets = seen(agencies=province)
    assert hits == [3] and total == 1
    assert facets["issuer"] == {"ỦY BAN NHÂN DÂN TỈNH BẮC GIANG": 1} and facets["year"] == {"2021": 1}
    assert seen("quyet dinh", agencies=province)[:2] == ([3], 1)  # not 4 or 5, which cite it
    assert seen("645/QĐ-UBND", agencies=("UBND xã Yên Dũng",))[:2] == ([5], 1)  # by number: not 3
    assert seen("45/GPXD", agencies=province)[:2] == ([3], 1)  # number 45 is record 1's, out of scope
    assert seen("", issuer="yen dung", agencies=("Uỷ ban nhân dân huyện Yên Dũng",))[:2] == ([4], 1)
    assert seen("", agencies=("UBND huyện Yên Dũng",))[:2] == ([], 0)  # a part of a name is not the name
    assert seen("", agencies=())[:2] == ([], 0)  # limited to no agency: nothing
    both = seen("", agencies=(*province, "UBND xã Yên Dũng"))
    assert set(both[0]) == {3, 5} and both[1] == 2 and sum(both[2]["signature"].values()) == 2
    assert seen("")[1] == 5  # no limit


def test_a_limit_to_one_commune_does_not_reach_another_spelled_alike(index: IndexBackend) -> None:
    """Quang Châu and Quảng Châu, Tân An and Tấn An: other communes, not other spellings."""
    index.upsert([record(6, "Giấy khai sinh", doc_type="Giấy khai sinh", issuer="ỦY BAN NHÂN DÂN XÃ QUANG CHÂU"),
                  record(7, "Giấy khai sinh", doc_type="Giấy khai sinh", issuer="ỦY BAN NHÂN DÂN XÃ QUẢNG CHÂU")])
    for limit, expected in (("Ủy ban nhân dân xã Quang Châu", [6]), ("UỶ BAN NHÂN DÂN XÃ QUẢNG CHÂU", [7]),
                            ("uy ban nhan dan xa quang chau", [])):
        result = index.search(SearchQuery("", agencies=(limit,), today=TODAY, facets=True))
        assert ids(result) == expected and result.total == len(expected), limit
        assert sum((result.facets or {}).get("issuer", {}).values()) == len(expected)


def test_personal_data_is_found_only_by_who_may_see_it(index: IndexBackend) -> None:
    """An ID (as printed in groups, or a group of it), an address or a date of birth,
    shown masked to a user without personal data, does not find the record for them; it
    does for who may see it, the ID typed in any grouping."""
    index.upsert([record(8, "Giấy xác nhận cho bà Lê Thị Hoa. Số định danh cá nhân: 0272 0312 3429.\n"
                            "Địa chỉ thường trú: số 5 Hàng Bạc, Hoàn Kiếm\nNgày sinh: 05/03/1990",
                         doc_type="Giấy xác nhận", holder_name="Lê Thị Hoa")])
    eight = f"{8:064x}"

    def found(text: str, personal: bool) -> bool:
        return eight in {h.id for h in index.search(SearchQuery(text, personal=personal, today=TODAY)).hits}

    for hidden in ("027203123429", "0272", "0312 3429", "Hàng Bạc", "hang bac hoan kiem", "1990", "05/03/1990"):
        assert not found(hidden, personal=False), hidden
    for shown in ("027203123429", "0272 0312 3429", "0272-0312-3429", "Hàng Bạc", "le thi hoa 1990"):
        assert found(shown, personal=True), shown
    assert found("Lê Thị Hoa", personal=False) and found("giay xac nhan", personal=False)
    assert not found("0272", personal=True), "a group of an ID is not a word of the index"


def test_pagination_and_idempotent_upsert(index: IndexBackend) -> None:
    first = index.search(SearchQuery("giay phep", limit=2, offset=0, today=TODAY))
    second = index.search(SearchQuery("giay phep", limit=2, offset=2, today=TODAY))
    assert first.total == second.total == 3
    assert len(first.hits) == 2 and len(second.hits) == 1
    assert not set(ids(first)) & set(ids(second))
    index.upsert([record(1, "GIẤY PHÉP XÂY DỰNG (sửa)", doc_type="Giấy phép xây dựng")])
    assert index.count() == 4


def test_cli_search_json_shape(cli, tmp_path: Path, born_digital_corpus: Path) -> None:
    folder = copy_corpus(born_digital_corpus, tmp_path / "c")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    result = cli("search", "giay khai sinh", "--json")
    data = json.loads(result.stdout)
    assert data["total"] >= 1
    top = data["hits"][0]
    assert set(top) >= {"id", "path", "score", "fields", "snippet"}
    assert top["fields"]["doc_type"] == "Giấy khai sinh"
    number = top["fields"]["number"]
    by_number = json.loads(cli("search", number, "--json").stdout)
    assert by_number["hits"][0]["id"] == top["id"]
    shown = cli("show", top["id"][:12])
    assert shown.exit_code == 0 and number in shown.output
    layout = json.loads(cli("show", top["id"], "--layout").stdout)["layout"]
    first_line = layout[0]["lines"][0]
    assert layout[0]["width"] > 0 and len(first_line["box"]) == 4
    assert first_line["words"][0][2] in first_line["text"]
    assert "layout" not in json.loads(cli("export").stdout.splitlines()[0])
    missing = cli("show", "ffffffffffff")
    assert missing.exit_code == 5
    csv_out = cli("export", "--format", "csv")
    assert csv_out.stdout.splitlines()[0].startswith("id,path,sha256")
    assert len(csv_out.stdout.strip().splitlines()) == 9


@pytest.mark.parametrize("backend", BACKEND_NAMES)
def test_date_and_validity_filters_agree_with_brute_force(tmp_path: Path, backend: str,
                                                          request: pytest.FixtureRequest) -> None:
    """Facet tokens (years, decades, centuries) give exactly what a row-by-row check gives,
    at year edges and around today, for every combination of filters."""
    import random

    rng = random.Random(3)
    idx = open_backend(backend, tmp_path, request)
    truth = {}
    records = []
    for n in range(400):
        issued = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(365 * 36))
        until = issued + dt.timedelta(days=rng.randrange(4000)) if rng.random() < 0.5 else None
        doc_type = rng.choice(["Quyết định", "Giấy khai sinh", "Giấy phép xây dựng"])
        records.append(record(n, f"văn bản số {n}", doc_type=doc_type, issue_date=issued.isoformat(),
                              valid_until=until.isoformat() if until else None))
        no_end = "unknown" if doc_type == "Giấy phép xây dựng" else "valid"
        status = ("expired" if until < TODAY else "valid") if until else no_end
        truth[f"{n:064x}"] = (issued, status, doc_type)
    idx.upsert(records)
    bounds = [None, dt.date(2020, 1, 1), dt.date(2020, 12, 31), dt.date(2021, 6, 15), TODAY,
              dt.date(2026, 12, 31), dt.date(1999, 12, 31)]
    for _ in range(60):
        lo, hi = rng.choice(bounds), rng.choice(bounds)
        validity = rng.choice([None, "valid", "expired", "unknown"])
        words = rng.choice(["", "văn bản"])
        expect = {i for i, (issued, status, _) in truth.items()
                  if (lo is None or issued >= lo) and (hi is None or issued <= hi)
                  and (validity is None or status == validity)}
        result = idx.search(SearchQuery(words, date_from=lo, date_to=hi, validity=validity, today=TODAY, limit=1000))
        assert result.total == len(expect), (lo, hi, validity, words)
        assert {h.id for h in result.hits} == expect, (lo, hi, validity, words)
    idx.close()


def test_delete_removes_from_every_query(index: IndexBackend) -> None:
    doc = f"{3:064x}"
    index.delete([doc, "0" * 63 + "f"])  # an unknown id is ignored
    assert index.count() == 3
    assert doc not in {h.id for h in index.search(SearchQuery("645/QĐ-UBND", today=TODAY)).hits}
    assert index.search(SearchQuery("", doc_type="quyet dinh", today=TODAY)).total == 0
    assert index.search(SearchQuery("giao đất", today=TODAY)).total == 0


def test_reindex_rebuilds_the_index_from_the_ledger(cli, home: Path, tmp_path: Path,
                                                     born_digital_corpus: Path) -> None:
    import sqlite3

    folder = copy_corpus(born_digital_corpus, tmp_path / "r")
    assert cli("ingest", "--no-progress", str(folder)).exit_code == 0
    before = json.loads(cli("search", "giay", "--json", "--limit", "50").stdout)
    with sqlite3.connect(home / "index.sqlite") as db:  # an index from another sohoa version
        db.execute("PRAGMA user_version = 99")
    stale = cli("search", "giay")
    assert stale.exit_code == 4 and "sohoa reindex" in stale.output
    rebuilt = cli("reindex")
    assert rebuilt.exit_code == 0 and "Index rebuilt (embedded): 8 records." in rebuilt.output
    after = json.loads(cli("search", "giay", "--json", "--limit", "50").stdout)
    assert after == before


def test_facet_counts(index: IndexBackend) -> None:
    every = index.search(SearchQuery("", facets=True, today=TODAY)).facets
    assert every == {
        "doc_type": {"Giấy phép xây dựng": 2, "Quyết định": 1, "Thông báo": 1},
        "issuer": {"UBND TỈNH BẮC GIANG SỞ XÂY DỰNG": 2, "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG": 1,
                   "UỶ BAN NHÂN DÂN HUYỆN YÊN DŨNG": 1},
        "level": {"district": 1, "province": 3},
        "year": {"2021": 1, "2022": 1, "2024": 2},
        "validity": {"valid": 3, "expired": 1},
        "signature": {"unchecked": 2, "unknown_revocation": 1, "valid": 1},
    }
    # Counts cover every match, whatever the page, and a number query counts what cites it.
    matched = index.search(SearchQuery("645/QĐ-UBND", facets=True, limit=1, today=TODAY))
    assert matched.facets["doc_type"] == {"Quyết định": 1, "Thông báo": 1}
    assert matched.facets["level"] == {"district": 1, "province": 1}
    district = index.search(SearchQuery("", level="district", facets=True, today=TODAY))
    assert [h.id for h in district.hits] == [f"{4:064x}"] and district.facets["level"] == {"district": 1}
    assert index.search(SearchQuery("giay phep", level="district", today=TODAY)).total == 0
    assert "facets" not in index.search(SearchQuery("giay", today=TODAY)).to_json()
