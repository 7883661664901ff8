"""What auditors use, for the CLI and the web alike: the register reconciled with the
archive of a home, and progress toward "every still-valid result digitised".

Every entry point brings the ledger's facts up to date and reconciles first when either
side changed (cheap when neither did), so that a figure is never older than the archive.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process

from sohoa.core.agencies import own_keys, resolve
from sohoa.core.errors import RecordNotFound
from sohoa.core.settings import Settings
from sohoa.ingest.ledger import Ledger
from sohoa.ocr.issuer import read_block
from sohoa.register import progress as counts
from sohoa.register.store import Reconciled, Register, RegisterFileError


@contextlib.contextmanager
def reconciled(settings: Settings, *, force: bool = False) -> Iterator[tuple[Register, Reconciled | None]]:
    """The home's register, reconciled with its ledger (None: no archive yet)."""
    settings.ensure_home()
    done = None
    if settings.ledger_path.is_file():
        ledger = Ledger(settings.ledger_path)
        try:
            ledger.sync_facts()
        finally:
            ledger.close()
    with Register(settings.home) as reg:
        if settings.ledger_path.is_file():
            done = reg.reconcile(settings.ledger_path, force=force)
        else:
            reg.tally()
        yield reg, done


class Counts:
    """Where the figures are counted: SQL over the register (the embedded default), or
    Elasticsearch aggregations over a mirror of its tally when the archive is on a
    cluster (``settings.es_url``); the same answers either way."""

    def __init__(self, reg: Register, settings: Settings, done: Reconciled | None = None) -> None:
        self.db = reg.db
        self.warnings = warnings(reg, done)
        self._index = None
        self._search: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        if settings.es_url:
            from sohoa.indexer.elastic import open_backend
            from sohoa.register import elastic

            index = self._index = open_backend(settings)
            alias = index.side_index(f"register-{reg.id}", reg.tallied, elastic.MAPPINGS,
                                     lambda: elastic.documents(reg.db))
            self._search = lambda body: index.aggregate(alias, body)

    @property
    def where(self) -> str:
        return "elasticsearch" if self._search else "sqlite"

    def progress(self, **kw: Any) -> counts.Progress:
        from sohoa.register import elastic

        return elastic.progress(self._search, **kw) if self._search else counts.progress(self.db, **kw)

    def grid(self, **kw: Any) -> list[tuple[str, str, int, int]]:
        from sohoa.register import elastic

        return elastic.grid(self._search, **kw) if self._search else counts.grid(self.db, **kw)

    def weekly(self, **kw: Any) -> list[tuple[str, int]]:
        from sohoa.register import elastic

        return elastic.weekly(self._search, **kw) if self._search else counts.weekly(self.db, **kw)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()


@contextlib.contextmanager
def counted(settings: Settings) -> Iterator[tuple[Register, Counts]]:
    """The reconciled register and where its figures are counted."""
    with reconciled(settings) as (reg, done):
        found = Counts(reg, settings, done)
        try:
            yield reg, found
        finally:
            found.close()


def scope(reg: Register, agencies: Collection[str] | None) -> list[str] | None:
    """The agencies (their keys, as the entries hold them) a user limited to ``agencies``
    sees: those who are one of them however either is written (None: every agency)."""
    if not agencies:
        return None
    province = reg.province
    wanted = {key for name in agencies for key in own_keys(reg.who(name, None, province).key)}
    return sorted(key for (key,) in reg.db.execute("SELECT DISTINCT agency_key FROM entries")
                  if wanted & own_keys(key))


@functools.lru_cache(maxsize=4096)
def successor_name(agency: str) -> str:
    """The agency that took over ``agency`` on 1 July 2025 where that is certain (a merged
    province's bodies); else the name as printed (a district's tasks went to communes or
    the province depending on the procedure, which the name alone does not tell)."""
    block = read_block([agency])
    if not block.successor:
        return agency
    later = resolve(block.successor)
    return later.label if later.resolved else block.successor


UNMATCHED_WARNING = 0.2
"""Above this share of the archive's records matching no register entry, the figures say
so: the register may lack agencies, or name them in a way sohoa did not resolve."""


def warnings(reg: Register, done: Reconciled | None) -> tuple[tuple[str, str], ...]:
    """What makes the figures less than they look (``Progress.warnings``)."""
    out = []
    if reg.count() == 0:
        out.append(("Chưa nhập sổ đăng ký kết quả nào, nên chưa có gì để đếm: nhập sổ bằng `sohoa register import "
                    "TỆP`.", "No register of issued results has been imported, so there is nothing to count: "
                    "import one with `sohoa register import FILE`."))
    elif done is not None and done.records and done.unmatched_records > UNMATCHED_WARNING * done.records:
        share = done.unmatched_records / done.records
        out.append((f"{share:.0%} hồ sơ số hóa ({vn_number(done.unmatched_records)} / {vn_number(done.records)}) "
                    "không khớp chắc chắn mục nào của sổ: sổ có thể thiếu cơ quan, hoặc gọi tên cơ quan khác cách "
                    "sohoa đọc được. Xem `sohoa register agencies`, `sohoa register unmatched` và `sohoa register "
                    "waiting`.",
                    f"{share:.0%} of the archive's records ({done.unmatched_records:,} of {done.records:,}) match "
                    "no register entry for sure: the register may lack agencies, or name them in a way sohoa did "
                    "not resolve. See `sohoa register agencies`, `sohoa register unmatched` and `sohoa register "
                    "waiting`."))
    return tuple(out)


def vn_number(n: int) -> str:
    """A count as Vietnamese writes it: dots between thousands (1.525)."""
    return f"{n:,}".replace(",", ".")


def closest(name: str, labels: list[str], limit: int = 3) -> list[str]:
    """The agencies' names nearest to a mistyped one, compared as bodies and places with
    abbreviations written out and without accents (``UBND xa Tra Hiepp`` is near
    ``Ủy ban nhân dân xã Trà Hiệp (Trà Bồng, Quảng Ngãi)``)."""
    shorts = {label: resolve(label).short for label in labels}
    found = process.extract(resolve(name).short, shorts, limit=limit, score_cutoff=60)
    return [label for _, _, label in found]


def require_register(settings: Settings) -> None:
    """Refuse to count when there is no register: a count of nothing is no progress."""
    with Register(settings.home) as reg:
        if reg.count() == 0:
            ((vi, en),) = warnings(reg, None)
            raise RecordNotFound(vi, en)


def known_agencies(settings: Settings, agencies: Collection[str]) -> None:
    """Every name in ``agencies`` is an agency of the register, or ``RecordNotFound`` says
    which is not, with the register's names closest to it."""
    with Register(settings.home) as reg:
        labels = [r[0] for r in reg.db.execute(
            "SELECT DISTINCT coalesce(agency_label, agency) FROM entries ORDER BY 1")]
        for name in agencies:
            if not scope(reg, [name]):
                close = closest(name, labels)
                raise RecordNotFound(
                    f"Sổ không có cơ quan nào là {name!r}" + (f"; gần nhất: {'; '.join(close)}" if close else "")
                    + ". Xem `sohoa register agencies`.",
                    f"The register has no agency {name!r}" + (f"; closest: {'; '.join(close)}" if close else "")
                    + ". See `sohoa register agencies`.")


def progress(settings: Settings, *, by: str | None, as_of: dt.date, deadline: dt.date, stage: str,
             agencies: Collection[str] | None = None, successor: bool = False) -> counts.Progress:
    with counted(settings) as (reg, found):
        result = found.progress(by=by, as_of=as_of, deadline=deadline, stage=stage, agencies=scope(reg, agencies),
                                merge=successor_name if successor else None)
        return dataclasses.replace(result, warnings=found.warnings)


@dataclass(frozen=True)
class Overview:
    """Everything an auditor's report and dashboard show, counted in one reconciled state."""
    province: counts.Progress
    breakdowns: dict[str, counts.Progress]
    """``level``, ``agency``, ``procedure``, ``year``."""
    weeks: list[tuple[str, int]]
    cells: list[tuple[str, str, int, int]]
    """Agency × year (``progress.grid``)."""
    missing: list[dict[str, object]]
    """Still valid and not yet scanned on the day: what is left to scan."""
    index: list[counts.IndexRow]
    """The national service index's indicators per agency and quarter."""
    successor: bool
    agencies: tuple[str, ...] | None


def overview(settings: Settings, *, as_of: dt.date, deadline: dt.date, stage: str = "signed",
             agencies: Collection[str] | None = None, successor: bool = False,
             breakdowns: Collection[str] = tuple(counts.BREAKDOWNS), period: str = "quarter",
             lists: bool = True) -> Overview:
    """``lists=False``: without the list of what is missing and the service index (a page
    that shows neither)."""
    merge = successor_name if successor else None
    with counted(settings) as (reg, found):
        db = reg.db
        seen = scope(reg, agencies)
        def count(by: str | None) -> counts.Progress:
            return found.progress(by=by, as_of=as_of, deadline=deadline, stage=stage, agencies=seen, merge=merge)

        cells = found.grid(as_of=as_of, stage=stage, agencies=seen)
        if merge is not None:
            added: dict[tuple[str, str], list[int]] = {}
            for agency, year, valid, reached in cells:
                got = added.setdefault((merge(agency), year), [0, 0])
                got[0], got[1] = got[0] + valid, got[1] + reached
            cells = [(a, y, v, r) for (a, y), (v, r) in sorted(added.items())]
        return Overview(
            province=dataclasses.replace(count(None), warnings=found.warnings),
            breakdowns={by: count(by) for by in breakdowns},
            weeks=found.weekly(as_of=as_of, stage=stage, agencies=seen), cells=cells,
            missing=counts.missing(db, as_of=as_of, stage="scanned", agencies=seen) if lists else [],
            index=counts.service_index(db, period=period, until=as_of, agencies=seen, merge=merge) if lists else [],
            successor=successor, agencies=tuple(agencies) if agencies else None)


def service_index(settings: Settings, *, period: str, until: dt.date, agencies: Collection[str] | None = None,
                  successor: bool = False) -> list[counts.IndexRow]:
    with reconciled(settings) as (reg, _):
        return counts.service_index(reg.db, period=period, until=until, agencies=scope(reg, agencies),
                                    merge=successor_name if successor else None)


def drill(settings: Settings, *, as_of: dt.date, stage: str, reached: bool, by: str | None = None,
          group: str | None = None, agencies: Collection[str] | None = None,
          successor: bool = False) -> list[dict[str, object]]:
    """The entries behind one count of ``progress``: those of the row ``group`` of the
    breakdown ``by`` (a row's ``group``) that had (``reached``) or had not reached ``stage``."""
    key = None
    with reconciled(settings) as (reg, _):
        seen = scope(reg, agencies)
        if by == "agency" and group is not None:
            keys = [group]
            if successor:
                keys = [k for name, k in reg.db.execute("SELECT min(agency), agency_key FROM entries "
                                                        "GROUP BY agency_key") if successor_name(name) == group]
            seen = keys if seen is None else sorted(set(seen) & set(keys))
        elif by is not None and group is not None:
            key = (by, group)
        if not reached:
            return counts.missing(reg.db, as_of=as_of, stage=stage, agencies=seen, key=key)
        rows = counts.reached(reg.db, as_of=as_of, stage=stage, agencies=seen, key=key)
        if settings.ledger_path.is_file():
            files = reg.files(settings.ledger_path, (s for r in rows for s in str(r["records"] or "").split(",") if s))
            for row in rows:
                row["files"] = ", ".join(files.get(s, "?") for s in str(row["records"] or "").split(",") if s)
        return rows


def waiting(settings: Settings, agencies: Collection[str] | None = None) -> list[dict[str, object]]:
    """The matches waiting for a person, within ``agencies``."""
    with reconciled(settings) as (reg, _):
        seen = scope(reg, agencies)
        found = reg.waiting(settings.ledger_path)
        keys = {w["entry_id"]: k for w in found for (k,) in reg.db.execute(
            "SELECT agency_key FROM entries WHERE id = ?", (w["entry_id"],))}
    return found if seen is None else [w for w in found if keys.get(w["entry_id"]) in seen]


@dataclass(frozen=True)
class Decision:
    """What a person's decision on a pair did."""

    entry_id: int
    sha256: str
    moved_from: int | None = None
    """A record confirmed for this entry that counted for another (matched automatically):
    that entry, now missing again."""


def decide(settings: Settings, entry: str, record: str, decision: str, *, by: str,
           agencies: Collection[str] | None = None, note: str | None = None, both: bool = False) -> Decision:
    """A person's decision on a pair (``Register.decide``: confirm, reject or link), the one
    function the CLI and the web call: the register reconciled before (what the person
    saw) and at once after (what it counts). An auditor limited to agencies decides only
    on their entries."""
    with reconciled(settings) as (reg, done):
        if done is None:
            raise RecordNotFound("Chưa có kho số hóa (chạy `sohoa ingest` trước).",
                                 "There is no archive yet (run `sohoa ingest` first).")
        seen = scope(reg, agencies)
        entry_id = reg.entry_id(entry)
        if seen is not None:
            (key,) = reg.db.execute("SELECT agency_key FROM entries WHERE id = ?", (entry_id,)).fetchone()
            if key not in seen:
                raise RegisterFileError(f"Mục {entry} thuộc cơ quan ngoài phạm vi của tài khoản này.",
                                        f"Entry {entry} belongs to an agency outside this account's.")
        entry_id, sha = reg.decide(str(entry_id), record, decision, by=by, ledger_path=settings.ledger_path,
                                   note=note, both=both)
        before = [m["entry_id"] for m in reg.matches("auto") if m["sha256"] == sha and m["entry_id"] != entry_id]
        reg.reconcile(settings.ledger_path)
    moved = before[0] if decision == "confirm" and before and not both else None
    return Decision(int(entry_id), sha, moved)


def group_of(settings: Settings, by: str, printed: str) -> str:
    """The group of a row of ``sohoa progress --by`` from its key as printed: an agency's
    name (as printed, or any way of writing it), a level in Vietnamese or English, a
    procedure's code, name or both, a year. A key that is no row, or that names several
    (two procedures of one name), raises ``RecordNotFound`` with what it could be."""
    def unknown(what_vi: str, what_en: str, options: list[str]) -> RecordNotFound:
        listed = "; ".join(options[:8])
        return RecordNotFound(f"{what_vi} {printed!r}" + (f": {listed}" if listed else "") + ".",
                              f"{what_en} {printed!r}" + (f": {listed}" if listed else "") + ".")

    with Register(settings.home) as reg:
        if by == "agency":
            found = [r[0] for r in reg.db.execute("SELECT DISTINCT agency_key FROM entries "
                                                  "WHERE agency_label = ?1 OR agency = ?1", (printed,))]
            if len(found) != 1:
                found = scope(reg, [printed]) or []
            if len(found) == 1:
                return found[0]
            every = [r[0] for r in reg.db.execute("SELECT DISTINCT coalesce(agency_label, agency) FROM entries")]
            if found:
                labels = [r[0] for r in reg.db.execute(
                    "SELECT DISTINCT coalesce(agency_label, agency) FROM entries WHERE agency_key IN "
                    f"({', '.join('?' * len(found))}) ORDER BY 1", found)]
                raise unknown("Nhiều cơ quan ứng với", "Several agencies answer to", labels)
            close = closest(printed, every)
            raise unknown("Sổ không có cơ quan nào là", "The register has no agency", close)
        if by == "level":
            level = counts.LEVEL_KEYS.get(printed.strip().lower())
            if level is None:
                raise unknown("Cấp phải là tỉnh, huyện hoặc xã, không phải",
                              "A level is province, district or commune, not", [])
            return level
        if by == "procedure":
            rows = reg.db.execute(
                "SELECT coalesce(procedure_code, procedure_name, ''), procedure_code, min(procedure_name) "
                "FROM entries GROUP BY 1").fetchall()
            wanted = " ".join(printed.split()).casefold()
            found = [(g, c, n) for g, c, n in rows if wanted in {
                (c or "").casefold(), (n or "").casefold(), " ".join(filter(None, (c, n))).casefold()}]
            if len(found) == 1:
                return str(found[0][0])
            names = [" ".join(filter(None, (c, n))) for _, c, n in rows]
            if found:
                raise unknown("Nhiều thủ tục cùng tên, hãy dùng mã", "Several procedures have the name; give the "
                              "code", [" ".join(filter(None, (c, n))) for _, c, n in found])
            close = [m[0] for m in process.extract(printed, names, limit=3, score_cutoff=50)]
            raise unknown("Sổ không có thủ tục nào là", "The register has no procedure", close)
        years = [r[0] for r in reg.db.execute("SELECT DISTINCT substr(issued, 1, 4) FROM entries ORDER BY 1")]
        if printed.strip() not in years:
            raise unknown("Sổ không có kết quả nào ban hành năm", "The register has no result issued in", years[-8:])
        return printed.strip()


AGENCY_STATES = ("unresolved", "ambiguous", "mapped", "resolved")


def agency_names(settings: Settings, named: dict[str, str] | None = None) -> list[dict[str, object]]:
    """Each distinct agency name in the register and in the archive (an issuer with the
    parent printed above it), with who it is read as, and its counts: entries (still
    valid) and those matched, records and those matched. The names sohoa could not place
    come first, then those it could place in several units, then those an ``[agencies]``
    map placed (``named``: a map not imported yet, to try), then the rest; most used first."""
    from sohoa.register.columns import agency_word

    with reconciled(settings) as (reg, done):
        amap = {**reg.agency_map, **(named or {})}
        province = reg.province
        rows: list[dict[str, object]] = []

        def row(side: str, name: str, parent: str | None, count: int, valid: int | None, matched: int) -> None:
            who = reg.who(name, parent, province, amap)
            mapped = agency_word(name) in amap
            state = ("mapped" if mapped else "unresolved" if not who.units else "ambiguous" if who.ambiguous
                     else "resolved")
            keys = who.keys
            rows.append({"state": state, "side": side, "name": name if not parent else f"{name} / {parent}",
                         "identity": who.label, "key": "|".join(keys[:3]) + (f"|…(+{len(keys) - 3})"
                                                                             if len(keys) > 3 else ""),
                         "count": count, "valid": valid, "matched": matched})

        for name, count, valid, matched in reg.db.execute(
                "SELECT e.agency, count(*), sum(e.status = 'valid'), "
                "sum(EXISTS (SELECT 1 FROM coverage c WHERE c.entry_id = e.id)) FROM entries e GROUP BY e.agency"):
            row("register", name, None, count, valid, matched)
        if done is not None:
            for name, parent, count, matched in reg.archive_agencies(settings.ledger_path):
                row("archive", name, parent, count, None, matched)
    rank = {s: i for i, s in enumerate(AGENCY_STATES)}
    return sorted(rows, key=lambda r: (rank[str(r["state"])], -int(r["count"] or 0), str(r["name"])))
