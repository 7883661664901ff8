"""The Elasticsearch index: one archive shared by every officer of a province.

It answers the same queries as the embedded index, with the same results. Words are
turned into tokens by Python (``indexer.snippets``, ``sohoa.core.text``) and stored
space-separated, and the server only splits on whitespace. Two reasons: the server may
hold its core alone, with no ``asciifolding`` filter, and the tokens are then exactly
those the embedded index uses. Each document carries its text twice, as accented index
form (``orig``) and diacritic-folded (``folded``), and likewise its extracted fields
(``head``, ``head_folded``).

Ranking uses the same evidence, with the same weights, as ``indexer.sqlite_fts``. The
score is the sum of constant-score clauses, then the newest issue date. Validity is
judged at query time from ``valid_until``.

Searches go to an alias (``sohoa`` by default). It points at a versioned index
(``sohoa-v1-...``), and ``replace_all`` builds a new index and swings the alias over in
one atomic action, so searching never stops during ``sohoa reindex``. Writes are bulk
requests in bounded batches, idempotent by record id (the SHA-256). 429, 5xx and
connection failures are retried with exponential backoff. Whatever still fails is
raised as :class:`IndexBackendError`, and the ledger then keeps those records as
"pending index".

The mapping, documents and queries are in ``indexer.elastic_schema``; the writers' leases
and the rebuild lock of a shared alias in ``indexer.elastic_locks``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sohoa.core.errors import ConfigError, IndexBackendError
from sohoa.core.model import Record, RecordStatus
from sohoa.core.settings import Settings
from sohoa.indexer import elastic_schema as schema
from sohoa.indexer.base import Hit, SearchQuery, SearchResult
from sohoa.indexer.elastic_locks import Guard
from sohoa.indexer.elastic_schema import MAPPINGS, SCHEMA_VERSION
from sohoa.indexer.snippets import (
    snippet,
)

RETRY_STATUS = (429, 500, 502, 503, 504)

@dataclass(frozen=True)
class ElasticConfig:
    """How to reach the cluster and lay out the index; secrets come from the environment."""

    url: str
    alias: str = "sohoa"
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    ca_certs: str | None = None
    shards: int = 1
    replicas: str = "0-1"
    """``auto_expand_replicas``: none on one node, one copy as soon as there are two."""
    batch_docs: int = 500
    batch_bytes: int = 10 << 20
    retries: int = 4
    backoff: float = 0.5
    """Seconds before the first retry, doubled for each next one."""
    timeout: float = 30.0

    @classmethod
    def of(cls, settings: Settings) -> ElasticConfig:
        """The cluster of ``settings`` (``es_url``, ``es_index`` and ``es_options``)."""
        casts: dict[str, Callable[[str], Any]] = {"shards": int, "batch_docs": int, "retries": int,
                                                  "backoff": float, "timeout": float}
        options = {name: casts.get(name, str)(value) for name, value in settings.es_options}
        return cls(url=settings.es_url or "", alias=settings.es_index, **options)



class ElasticIndex:
    """The index behind ``config.alias`` on the cluster at ``config.url``.

    Nothing is sent to the cluster until the first call, so an ingest can start (and
    keep its records pending) while the cluster is down.
    """

    name = "elasticsearch"

    def __init__(self, config: ElasticConfig, *, check_schema: bool = True, ledger_path: Any = None) -> None:
        from elasticsearch import Elasticsearch

        self.config = config
        self.alias = config.alias
        self.target = f"elasticsearch:{config.url.rstrip('/')}/{config.alias}"
        auth: dict[str, Any] = {}
        if config.api_key:
            auth["api_key"] = config.api_key
        elif config.username:
            auth["basic_auth"] = (config.username, config.password or "")
        if config.ca_certs:
            auth["ca_certs"] = config.ca_certs
        # The transport tries another node at once; backoff between attempts is ours.
        self.es = Elasticsearch(config.url, request_timeout=config.timeout, max_retries=1,
                                retry_on_timeout=True, **auth)
        self._check_schema = check_schema
        self._ready = False
        self._ledger_path = ledger_path
        self._owner: str | None = None
        self.guard = Guard(self.es, config.alias, self._call, lambda: self.owner)

    def close(self) -> None:
        self.guard.release()
        self.es.close()

    # ------------------------------------------------------------------ the cluster

    def _call(self, what_vi: str, what_en: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one request, retrying 429/5xx/connection failures with backoff."""
        from elasticsearch import ApiError, TransportError

        delay = self.config.backoff
        for attempt in range(self.config.retries + 1):
            try:
                return fn(*args, **kwargs)
            except ApiError as exc:
                if exc.status_code not in RETRY_STATUS or attempt == self.config.retries:
                    raise self._error(what_vi, what_en, exc) from exc
            except TransportError as exc:  # connection refused, timeout, TLS
                if attempt == self.config.retries:
                    raise self._error(what_vi, what_en, exc) from exc
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _error(self, what_vi: str, what_en: str, exc: Exception) -> IndexBackendError:
        detail = getattr(exc, "message", None) or str(exc)
        return IndexBackendError(
            f"{what_vi} trên Elasticsearch {self.config.url} thất bại: {detail}. Kiểm tra máy chủ đang chạy "
            "(scripts/start-elasticsearch khi phát triển) và địa chỉ --es-url; các bản ghi chưa gửi được vẫn nằm "
            "trong sổ theo dõi, chạy `sohoa index --retry` khi máy chủ hoạt động lại.",
            f"{what_en} on Elasticsearch at {self.config.url} failed: {detail}. Check that the server is running "
            "(scripts/start-elasticsearch in development) and the --es-url address; records not sent stay in the "
            "ledger: run `sohoa index --retry` once the server is back.",
        )

    def _index_body(self) -> dict[str, Any]:
        return {
            "settings": {"number_of_shards": self.config.shards, "auto_expand_replicas": self.config.replicas},
            "mappings": {**MAPPINGS, "_meta": {"sohoa_schema": SCHEMA_VERSION}},
        }

    def _new_index_name(self, tag: str) -> str:
        return f"{self.alias}-v{SCHEMA_VERSION}-{tag}"

    def _ensure(self) -> None:
        """Install the index template and, on a new cluster, the first index and alias."""
        if self._ready:
            return
        self._call("Cài mẫu chỉ mục", "Installing the index template", self.es.indices.put_index_template,
                   name=self.alias, index_patterns=[f"{self.alias}-v*"], template=self._index_body(),
                   priority=200, meta={"managed_by": "sohoa"})
        current = self._current_indices()
        if not current:
            try:
                self._call("Tạo chỉ mục", "Creating the index", self.es.indices.create,
                           index=self._new_index_name("initial"), aliases={self.alias: {}}, wait_for_active_shards="1")
            except IndexBackendError as exc:  # created meanwhile by another process: fine
                if "resource_already_exists" not in str(exc.__cause__):
                    raise
            current = self._current_indices()
        if self._check_schema:
            for name in current:
                found = re.search(r"-v(\d+)-", name)
                if not found or int(found.group(1)) != SCHEMA_VERSION:
                    raise IndexBackendError(
                        f"Chỉ mục {name} trên Elasticsearch do phiên bản sohoa khác ghi. "
                        "Chạy `sohoa reindex` để dựng lại chỉ mục từ sổ theo dõi.",
                        f"The index {name} on Elasticsearch was written by another sohoa version. "
                        "Run `sohoa reindex` to rebuild it from the ledger.")
        self._ready = True

    def _current_indices(self) -> list[str]:
        from elasticsearch import NotFoundError

        try:
            found = self._call("Đọc bí danh", "Reading the alias", self.es.indices.get_alias, name=self.alias)
        except IndexBackendError as exc:
            if isinstance(exc.__cause__, NotFoundError):
                return []
            raise
        return sorted(found.body)

    # ------------------------------------------------------------------ writing


    def _bulk(self, index: str, actions: Iterable[dict[str, Any]], what_vi: str, what_en: str) -> int:
        """Send ``actions`` in bounded batches, each retried as a whole with backoff (writes
        are idempotent by id); documents the cluster refuses raise. Returns how many went."""
        done = 0
        for batch in _batches(actions, self.config.batch_docs):
            self._call(what_vi, what_en, self._send_batch, index, batch, what_vi, what_en)
            done += len(batch)
        return done

    def _send_batch(self, index: str, batch: list[dict[str, Any]], what_vi: str, what_en: str) -> None:
        from elasticsearch.helpers import streaming_bulk

        failed = [info for ok, info in streaming_bulk(
            self.es, batch, index=index, chunk_size=self.config.batch_docs, max_chunk_bytes=self.config.batch_bytes,
            raise_on_error=False, max_retries=self.config.retries, initial_backoff=self.config.backoff,
            max_backoff=30, retry_on_status=RETRY_STATUS, ignore_status=(404,))
            if not ok and next(iter(info.values())).get("status") != 404]
        if failed:
            raise _refused([next(iter(info.values())) for info in failed], what_vi, what_en)

    def _refresh(self, index: str) -> None:
        self._call("Làm mới chỉ mục", "Refreshing the index", self.es.indices.refresh, index=index)

    @property
    def owner(self) -> str | None:
        """The ledger (office) this process writes for: its ``ledger_id``, read from the
        home's ledger once it exists; None without a ledger (nothing is owned)."""
        if self._owner is None and self._ledger_path is not None:
            self._owner = _ledger_id(self._ledger_path)
        return self._owner

    def upsert(self, records: Sequence[Record]) -> None:
        docs = [schema.document(r) for r in records if r.status is RecordStatus.indexed]
        if not docs:
            return
        self._ensure()
        if self.owner is None:
            self._bulk(self.alias, ({"_id": d["id"], "_source": d} for d in docs), "Ghi chỉ mục", "Writing the index")
        else:
            for batch in _batches(docs, self.config.batch_docs):
                self._owned(batch, add=True)
        self._refresh(self.alias)

    def delete(self, ids: Sequence[str]) -> None:
        """Remove these ids; on an alias several ledgers share, this ledger lets go of them
        and a record goes only when no other ledger holds it."""
        if not ids:
            return
        self._ensure()
        if self.owner is None:
            self._bulk(self.alias, ({"_op_type": "delete", "_id": i} for i in ids), "Xoá khỏi chỉ mục",
                       "Deleting from the index")
        else:
            for batch in _batches([{"id": i} for i in ids], self.config.batch_docs):
                self._owned(batch, add=False)
        self._refresh(self.alias)

    def _owned(self, docs: list[dict[str, Any]], *, add: bool) -> None:
        """Write (``add``) or let go of ``docs`` as this ledger, keeping the other ledgers
        that hold each: read the current holders, write with the version read (optimistic
        concurrency: no script on the server), and again for what another writer changed
        meanwhile."""
        owner = self.owner
        self.guard.lease()
        pending = {d["id"]: d for d in docs}
        for _ in range(self.config.retries + 4):
            found = self._call("Đọc chỉ mục", "Reading the index", self.es.mget, index=self.alias,
                               ids=list(pending), source=["ledgers"] if add else True).body["docs"]
            actions: list[dict[str, Any]] = []
            for hit in found:
                doc = pending[hit["_id"]]
                version = {"if_seq_no": hit["_seq_no"], "if_primary_term": hit["_primary_term"]} \
                    if hit.get("found") else {}
                holders = set((hit.get("_source") or {}).get("ledgers") or ())
                if add:
                    source = {**doc, "ledgers": sorted(holders | {owner})}
                    actions.append({"_op_type": "index" if version else "create", "_id": doc["id"],
                                    "_source": source, **version})
                elif version:
                    rest = sorted(holders - {owner}) if holders else []
                    if rest:
                        actions.append({"_op_type": "index", "_id": doc["id"],
                                        "_source": {**hit["_source"], "ledgers": rest}, **version})
                    else:
                        actions.append({"_op_type": "delete", "_id": doc["id"], **version})
            conflicts = self._call("Ghi chỉ mục", "Writing the index", self._send_owned, actions)
            pending = {i: pending[i] for i in conflicts}
            if not pending:
                return
        raise IndexBackendError(
            f"Ghi chỉ mục: {len(pending)} tài liệu liên tục bị nơi khác ghi đè, ví dụ {next(iter(pending))}; chạy "
            "`sohoa index --retry` sau ít phút.",
            f"Writing the index: {len(pending)} documents kept being changed by another writer, e.g. "
            f"{next(iter(pending))}; run `sohoa index --retry` in a few minutes.")

    def _send_owned(self, actions: list[dict[str, Any]]) -> list[str]:
        """Send ``actions``; the ids refused because another writer got there first."""
        from elasticsearch.helpers import streaming_bulk

        conflicts, failed = [], []
        for ok, info in streaming_bulk(self.es, actions, index=self.alias, chunk_size=self.config.batch_docs,
                                       max_chunk_bytes=self.config.batch_bytes, raise_on_error=False,
                                       raise_on_exception=True, max_retries=self.config.retries,
                                       initial_backoff=self.config.backoff, max_backoff=30,
                                       retry_on_status=RETRY_STATUS):
            if ok:
                continue
            detail = next(iter(info.values()))
            if detail.get("status") == 409:
                conflicts.append(detail["_id"])
            elif detail.get("status") != 404:
                failed.append(detail)
        if failed:
            raise _refused(failed, "Ghi chỉ mục", "Writing the index")
        return conflicts

    def held(self, ids: Sequence[str]) -> set[str]:
        if not ids or not self._current_indices():
            return set()
        found: set[str] = set()
        for start in range(0, len(ids), self.config.batch_docs):
            docs = self._call("Đọc chỉ mục", "Reading the index", self.es.mget, index=self.alias,
                              ids=list(ids[start:start + self.config.batch_docs]), source=["ledgers"]).body["docs"]
            found.update(d["_id"] for d in docs if d.get("found") and (
                self.owner is None or self.owner in ((d.get("_source") or {}).get("ledgers") or ())))
        return found

    def mine(self) -> Iterator[str]:
        from elasticsearch.helpers import scan

        if not self._current_indices():
            return
        query = {"query": {"term": {"ledgers": self.owner}}} if self.owner else {"query": {"match_all": {}}}
        yield from self._call("Đọc chỉ mục", "Reading the index",
                              lambda: [hit["_id"] for hit in scan(self.es, index=self.alias, query=query,
                                                                  _source=False)])

    # ------------------------------------------------------------------ writers and rebuilds

    def shared(self) -> bool:
        """Whether the alias holds records of ledgers other than this one."""
        if self.owner is None:
            return False
        self._ensure()
        others = self._call("Đếm tài liệu", "Counting documents", self.es.count, index=self.alias,
                            query={"bool": {"must_not": {"term": {"ledgers": self.owner}}}})
        return others["count"] > 0

    def replace_all(self, records: Iterable[Record], owners: Callable[[str], Sequence[str]] | None = None) -> int:
        """Hold exactly ``records``. Written for a ledger (``owner``) on an alias of this
        layout, only this ledger's claims change: its records written with its claim added,
        those it no longer has let go of, each with the optimistic concurrency of every
        write; another ledger's claim on a shared record, and what another office writes
        meanwhile, stay. (A rebuild into a new index would strip the claims of an office
        whose records are all also this one's, and lose what it writes during the build.)
        Otherwise (no ledger, an index of another layout, or with ``owners``, the ledgers
        holding each record, for ``reindex --all-ledgers``): a new versioned index holding
        exactly ``records``, the alias moved to it in one action, the old ones dropped;
        searches use the old index until then."""
        if owners is None and self.owner is not None and self._current_schema_ok():
            return self._replace_own(records)
        if owners is None and self.owner is not None and self._other_ledgers():
            others = ", ".join(self._other_ledgers())
            raise IndexBackendError(
                f"Bí danh {self.alias} có hồ sơ của sổ theo dõi khác ({others}) và cần dựng lại theo dạng mới: chạy "
                "`sohoa reindex --all-ledgers HOME...` với thư mục dữ liệu của mọi văn phòng dùng chung, khi không "
                "văn phòng nào đang nạp.",
                f"The alias {self.alias} holds records of other ledgers ({others}) and must be rebuilt in the new "
                "layout: run `sohoa reindex --all-ledgers HOME...` with the homes of every office that shares it, "
                "while none of them ingests.")
        self._check_schema = False
        self._ensure()
        if owners is not None:
            self.guard.take()
        try:
            return self._rebuild(records, owners)
        finally:
            if owners is not None:
                self.guard.drop()

    def _rebuild(self, records: Iterable[Record], owners: Callable[[str], Sequence[str]] | None) -> int:
        """A new versioned index holding exactly ``records``, the alias moved to it."""
        old = self._current_indices()
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dt%H%M%S%f")
        name = self._new_index_name(stamp)
        body = self._index_body()
        body["settings"] = {**body["settings"], "refresh_interval": "-1", "auto_expand_replicas": "false",
                            "number_of_replicas": 0}
        self._call("Tạo chỉ mục mới", "Creating the new index", self.es.indices.create, index=name, **body)
        try:
            def holders(record: Record) -> list[str]:
                if owners is not None:
                    return sorted(owners(record.id))
                return [self.owner] if self.owner else []

            count = self._bulk(name, ({"_id": d["id"], "_source": d} for d in
                                      ({**schema.document(r), "ledgers": holders(r)}
                                       for r in records if r.status is RecordStatus.indexed)),
                               "Dựng lại chỉ mục", "Rebuilding the index")
            self._call("Hoàn tất chỉ mục mới", "Finishing the new index", self.es.indices.put_settings,
                       index=name, settings={"refresh_interval": None, "number_of_replicas": None,
                                             "auto_expand_replicas": self.config.replicas})
            self._refresh(name)
            self._call("Chờ chỉ mục mới", "Waiting for the new index", self.es.cluster.health, index=name,
                       wait_for_status="yellow", timeout="60s")
            actions = [{"remove": {"index": i, "alias": self.alias}} for i in old]
            actions.append({"add": {"index": name, "alias": self.alias}})
            self._call("Chuyển bí danh", "Switching the alias", self.es.indices.update_aliases, actions=actions)
        except Exception:
            with contextlib.suppress(Exception):  # the half-built index goes; the first error is what matters
                self.es.indices.delete(index=name, ignore_unavailable=True)
            raise
        for index in old:
            self._call("Xoá chỉ mục cũ", "Deleting the old index", self.es.indices.delete, index=index,
                       ignore_unavailable=True)
        self._check_schema = True
        return count

    def _other_ledgers(self) -> list[str]:
        """The ledgers other than this one that hold records of the alias (any layout)."""
        if not self._current_indices():
            return []
        found = self._call("Đếm sổ theo dõi", "Counting ledgers", self.es.search, index=self.alias, size=0,
                           aggs={"ledgers": {"terms": {"field": "ledgers", "size": 50}}})
        buckets = ((found.body.get("aggregations") or {}).get("ledgers") or {}).get("buckets") or []
        return [b["key"] for b in buckets if b["key"] != self.owner]

    def _current_schema_ok(self) -> bool:
        """Whether the alias points at indices of this layout version (which has ``ledgers``)."""
        current = self._current_indices()
        versions = [re.search(r"-v(\d+)-", name) for name in current]
        return bool(current) and all(v is not None and int(v.group(1)) == SCHEMA_VERSION for v in versions)

    def _replace_own(self, records: Iterable[Record]) -> int:
        """This ledger's records replaced on a shared alias; the count written."""
        from elasticsearch.helpers import scan

        mine: set[str] = set()
        batch: list[Record] = []
        for record in records:
            if record.status is not RecordStatus.indexed:
                continue
            batch.append(record)
            mine.add(record.id)
            if len(batch) >= self.config.batch_docs:
                self.upsert(batch)
                batch = []
        self.upsert(batch)
        query = {"query": {"term": {"ledgers": self.owner}}}
        held = self._call("Đọc chỉ mục", "Reading the index",
                          lambda: [hit["_id"] for hit in scan(self.es, index=self.alias, query=query, _source=False)])
        self.delete([i for i in held if i not in mine])
        return len(mine)

    # ------------------------------------------------------------------ side indices

    def side_index(self, name: str, stamp: str, mappings: dict[str, Any],
                   documents: Callable[[], Iterable[dict[str, Any]]]) -> str:
        """An index beside the records' for figures other than records (the register's
        tally), behind the alias ``{alias}-{name}``, holding ``documents()`` (bulk actions)
        as of ``stamp``. Built again only when the stamp it was built from differs: a new
        index, the alias moved to it in one action, the old one dropped. Returns the alias."""
        from elasticsearch import NotFoundError

        alias = f"{self.alias}-{name}"
        try:
            found = self._call("Đọc bí danh", "Reading the alias", self.es.indices.get_alias, name=alias).body
        except IndexBackendError as exc:
            if not isinstance(exc.__cause__, NotFoundError):
                raise
            found = {}
        for index in found:
            meta = self._call("Đọc chỉ mục", "Reading the index", self.es.indices.get_mapping, index=index).body
            if (meta[index]["mappings"].get("_meta") or {}).get("sohoa_stamp") == stamp:
                return alias
        index = f"{alias}-{dt.datetime.now(dt.UTC).strftime('%Y%m%dt%H%M%S%f')}"
        self._call("Tạo chỉ mục", "Creating the index", self.es.indices.create, index=index,
                   settings={"number_of_shards": 1, "auto_expand_replicas": self.config.replicas,
                             "refresh_interval": "-1"},
                   mappings={**mappings, "_meta": {"sohoa_stamp": stamp, "managed_by": "sohoa"}})
        try:
            self._bulk(index, documents(), "Ghi chỉ mục phụ", "Writing the side index")
            self._call("Hoàn tất chỉ mục", "Finishing the index", self.es.indices.put_settings, index=index,
                       settings={"refresh_interval": None})
            self._refresh(index)
            actions = [{"remove": {"index": i, "alias": alias}} for i in found]
            actions.append({"add": {"index": index, "alias": alias}})
            self._call("Chuyển bí danh", "Switching the alias", self.es.indices.update_aliases, actions=actions)
        except Exception:
            with contextlib.suppress(Exception):
                self.es.indices.delete(index=index, ignore_unavailable=True)
            raise
        for old in found:
            self._call("Xoá chỉ mục cũ", "Deleting the old index", self.es.indices.delete, index=old,
                       ignore_unavailable=True)
        return alias

    def aggregate(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        """One search of ``body`` (its ``size`` 0, a query and aggregations) on ``index``:
        the answer's aggregations."""
        answer = self._call("Tổng hợp số liệu", "Aggregating", self.es.search, index=index, **body)
        return answer.body.get("aggregations", {})

    def count(self) -> int:
        self._ensure()
        return self._call("Đếm tài liệu", "Counting documents", self.es.count, index=self.alias)["count"]

    # ------------------------------------------------------------------ searching


    def search(self, q: SearchQuery) -> SearchResult:
        self._ensure()
        body, sort = schema.query(q)
        aggs = schema.facet_aggregations(q.today) if q.facets else None
        response = self._call(
            "Tìm kiếm", "Searching", self.es.search, index=self.alias, query=body, sort=sort, from_=q.offset,
            size=q.limit, track_total_hits=True, aggs=aggs,
            source_includes=["id", "path", "fields", "body", "valid_until", "no_end", "signature_status"])
        hits = [
            Hit(id=h["_source"]["id"], path=h["_source"]["path"], score=float(h.get("_score") or 0.0),
                fields=h["_source"]["fields"], snippet=snippet(h["_source"]["body"], q.text),
                validity=schema.validity_of(h["_source"], q.today), signature=h["_source"]["signature_status"])
            for h in response["hits"]["hits"]
        ]
        facets = schema.read_facets(response["aggregations"]) if aggs else None
        return SearchResult(response["hits"]["total"]["value"], hits, facets)




def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _refused(failed: list[dict[str, Any]], what_vi: str, what_en: str) -> IndexBackendError:
    """Documents of a bulk request the cluster refused, as the error a person reads."""
    detail = failed[0]
    reason = (detail.get("error") or {}).get("reason", detail)
    return IndexBackendError(
        f"{what_vi}: {len(failed)} tài liệu bị Elasticsearch từ chối, ví dụ {detail.get('_id')}: {reason}.",
        f"{what_en}: Elasticsearch refused {len(failed)} documents, e.g. {detail.get('_id')}: {reason}.")


def _ledger_id(path: Any) -> str | None:
    """The ``ledger_id`` of the ledger at ``path`` (``ingest.ledger``), read-only; None
    when there is no ledger yet."""
    import sqlite3
    from pathlib import Path

    if not Path(path).is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'ledger_id'").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def open_backend(settings: Settings, *, discard_stale: bool = False, shared: bool = False) -> ElasticIndex:
    """The alias on the cluster at ``settings.es_url``; with ``discard_stale`` the schema of
    what is there is not checked (``sohoa reindex`` builds a new versioned index behind it).
    ``shared`` is for embedded stores; a client of the cluster may be used by any thread."""
    if not settings.es_url:
        raise ConfigError("Cần địa chỉ Elasticsearch: dùng --es-url URL hoặc biến SOHOA_ES_URL.",
                          "Elasticsearch needs an address: use --es-url URL or set SOHOA_ES_URL.")
    return ElasticIndex(ElasticConfig.of(settings), check_schema=not discard_stale, ledger_path=settings.ledger_path)
