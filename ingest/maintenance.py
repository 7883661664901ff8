"""The archive kept up after its ingests: the index rebuilt from the ledger (one home, or
every home sharing an Elasticsearch alias), checked against it and its pending records
sent again, every PDF's signatures verified again, and the ledger's state counted."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.core.errors import ConfigError
from sohoa.core.model import Record
from sohoa.core.settings import Settings
from sohoa.indexer.base import IndexBackend
from sohoa.ingest.feed import Retried, send_pending
from sohoa.ingest.ledger import DocumentState, Ledger
from sohoa.ingest.run import locked_ledger, migrate_extractions


def reindex(settings: Settings, index: IndexBackend) -> int:
    """Fill ``index`` with every processed record in the ledger, replacing what it held
    (records of an older extractor contract are first extracted again from their layout)."""
    with locked_ledger(settings) as ledger:
        migrate_extractions(ledger, settings)
        count = index.replace_all(ledger.records(include_failed=False))
        ledger.mark_indexed(ledger.to_index())
        ledger.set_meta("index_target", index.target)
        return count


def reindex_all(settings: Settings, homes: Sequence[Path], index: IndexBackend) -> int:
    """Rebuild an alias several offices share from the ledgers of all of them (this home's
    and ``homes``): one record per content hash (the first ledger's reading of it), held by
    every ledger that has it. The other ledgers are only read."""
    if index.name != "elasticsearch":
        raise ConfigError("--all-ledgers dựng lại một chỉ mục Elasticsearch dùng chung; cần --es-url.",
                          "--all-ledgers rebuilds a shared Elasticsearch index; it needs --es-url.")
    with locked_ledger(settings) as mine:
        migrate_extractions(mine, settings)
        others = []
        try:
            for home in homes:
                path = Path(home).resolve() / "ledger.sqlite"
                if path == settings.ledger_path.resolve():
                    continue
                if not path.is_file():
                    raise ConfigError(f"Không có sổ theo dõi ở {home} (thiếu {path.name}).",
                                      f"There is no ledger in {home} (no {path.name}).")
                others.append(Ledger.reading(path, shared=True))  # another home's: read, never written
            ledgers = [mine, *others]
            owners: dict[str, list[str]] = {}
            for ledger in ledgers:
                who = ledger.meta("ledger_id") or ""
                for sha in ledger.processed_ids():
                    owners.setdefault(sha, []).append(who)

            def records() -> Iterator[Record]:
                seen: set[str] = set()
                for ledger in ledgers:
                    for record in ledger.records(include_failed=False):
                        if record.id not in seen:
                            seen.add(record.id)
                            yield record

            count = index.replace_all(records(), owners=lambda sha: owners.get(sha, ()))  # type: ignore[call-arg]
            mine.mark_indexed(mine.to_index())
            mine.set_meta("index_target", index.target)
            return count
        finally:
            for ledger in others:
                ledger.close()


@dataclass
class Checked:
    """What ``check_index`` found and did."""

    records: int = 0
    """Records this ledger holds as indexed."""
    missing: int = 0
    """Of those, not in the index (or without this ledger's claim): sent again."""
    extra: int = 0
    """In the index for this ledger, but no record of it: let go of."""


def check_index(settings: Settings, index: IndexBackend) -> Checked:
    """Compare the ledger with the index and repair the difference: a record the ledger
    says is indexed but the index lacks is sent again; one the index holds for this ledger
    that the ledger has not is let go of (on a shared alias, only this ledger's claim)."""
    result = Checked()
    with locked_ledger(settings) as ledger:
        ids = ledger.ids_in_state(DocumentState.indexed)
        result.records = len(ids)
        wanted = set(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            held = index.held(chunk)
            missing = [sha for sha in chunk if sha not in held]
            records = [r for r in (ledger.get(sha) for sha in missing) if r is not None]
            for batch in range(0, len(records), settings.index_batch):
                index.upsert(records[batch:batch + settings.index_batch])
            result.missing += len(records)
        extra = [i for i in index.mine() if i not in wanted]
        index.delete(extra)
        result.extra = len(extra)
    return result


def retry_index(settings: Settings, index: IndexBackend) -> Retried:
    """Send the records left pending (index down during an ingest) and drop orphans."""
    with locked_ledger(settings) as ledger:
        return send_pending(ledger, index, settings.index_batch)


@dataclass
class Reverified:
    checked: int = 0
    changed: dict[str, int] = field(default_factory=dict)
    """New status -> how many records moved to it."""
    missing: list[str] = field(default_factory=list)
    """Records none of whose files can be read any more (their verdict is kept)."""


def reverify(settings: Settings, index: IndexBackend) -> Reverified:
    """Verify the signatures of every PDF in the ledger again, with today's trust store
    (new roots, new CRLs) and update the records and the index."""
    from sohoa.signatures.verify import verify_file

    result = Reverified()
    with locked_ledger(settings) as ledger:
        for sha in ledger.processed_pdfs():
            record = ledger.get(sha, as_read=True)
            if record is None:
                continue
            path = ledger.on_disk(record.id)
            if path is None:
                result.missing.append(record.id)
                continue
            verdict = verify_file(path, "pdf", settings)
            result.checked += 1
            if verdict != record.signatures:
                if verdict.status != record.signature_status:
                    result.changed[verdict.status] = result.changed.get(verdict.status, 0) + 1
                ledger.store(dataclasses.replace(record, signatures=verdict))
        send_pending(ledger, index, settings.index_batch)
    return result


def index_state(settings: Settings) -> dict[str, int]:
    """How many documents are in each ledger state (``extracted`` = pending index)."""
    settings.ensure_home()
    with Ledger.reading(settings.ledger_path) as ledger:
        return ledger.state_counts()
