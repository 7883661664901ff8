"""The auditors' charts, drawn on the server with matplotlib (no browser library, no CDN):
coverage bars per row of a breakdown, the cumulative curve with the deadline and the
forecast, and a heat map agency × year of issue. SVG for the web pages, PNG for the
reports (``search_api.report``).

Each function takes the figures already counted (``sohoa.register.progress``) and a
``tr(vi, en)`` that picks the reader's language; nothing here queries a store.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")  # before anything draws: no display on a server

from matplotlib.figure import Figure

from sohoa.core.i18n import t
from sohoa.register.facts import STAGES
from sohoa.register.progress import Progress, Row

Tr = Callable[[str, str], str]
STAGE_COLOURS = {"scanned": "#c6dbef", "extracted": "#6baed6", "verified": "#2171b5", "signed": "#08306b"}
STAGE_WORDS = {"scanned": ("đã quét", "scanned"), "extracted": ("đã trích xuất", "extracted"),
               "verified": ("đã xác minh", "verified"), "signed": ("đã ký số", "signed")}
FONT = "DejaVu Sans"
"""matplotlib's own font, which has every Vietnamese letter."""
MAX_BARS = 40
"""Rows drawn at most in the coverage bars (the lowest shares first: those that need attention)."""
MAX_HEAT_ROWS = 40


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    fig.set_layout_engine("constrained")
    return fig


def lowest(p: Progress, n: int = MAX_BARS) -> list[Row]:
    """The rows of ``p`` (all of them when there are at most ``n``), else the ``n`` with
    the lowest share at the tracked stage: those that need attention; in ``p``'s order."""
    rows = list(p.rows) if p.by else [p.total]
    if len(rows) <= n:
        return rows
    kept = {r.key for r in sorted(rows, key=lambda r: (getattr(r, p.stage) / r.valid if r.valid else 1.0, r.key))[:n]}
    return [r for r in rows if r.key in kept]


def coverage(p: Progress, labels: Callable[[str], str] | None = None, tr: Tr = t,
             rows: Sequence[Row] | None = None) -> Figure:
    """Horizontal bars, one per row of ``p`` (``rows``: those rows only; else ``lowest(p)``;
    the province when it has no breakdown): the share of its still-valid results at each
    stage, the stages drawn one over the other (each bar is at most as long as the one
    before), the tracked stage's share written."""
    rows = list(rows if rows is not None else lowest(p))[::-1]  # matplotlib draws the first bar at the bottom
    fig = _figure(10, 1.3 + 0.28 * len(rows))
    ax = fig.add_subplot()
    names = [(labels or str)(r.key) for r in rows]
    for stage in STAGES:
        shares = [100 * getattr(r, stage) / r.valid if r.valid else 0.0 for r in rows]
        ax.barh(names, shares, height=0.7, color=STAGE_COLOURS[stage], label=tr(*STAGE_WORDS[stage]))
    for i, r in enumerate(rows):
        share = 100 * getattr(r, p.stage) / r.valid if r.valid else 0.0
        ax.text(101, i, f"{share:.1f}%  ({getattr(r, p.stage):,}/{r.valid:,})", va="center", fontsize=8,
                family=FONT)
    ax.set_xlim(0, 135)
    ax.set_xticks(range(0, 101, 20), [f"{x}%" for x in range(0, 101, 20)])
    ax.tick_params(labelsize=8)
    ax.set_title(tr(f"Kết quả còn hiệu lực ngày {p.as_of:%d/%m/%Y} đã số hóa đến mỗi bước",
                    f"Still-valid results on {p.as_of.isoformat()} digitised to each stage"), fontsize=10, family=FONT)
    ax.legend(loc="lower right", fontsize=8, ncols=4, frameon=False, bbox_to_anchor=(1.0, 1.04))
    for label in ax.get_yticklabels():
        label.set_family(FONT)
    return fig


def cumulative(weeks: Sequence[tuple[str, int]], p: Progress, tr: Tr = t) -> Figure:
    """Results that reached ``p.stage``, cumulated week by week up to ``p.as_of``, against
    the still-valid results to digitise, with the deadline and the forecast at today's pace."""
    fig = _figure(9, 4)
    ax = fig.add_subplot()
    total = p.total
    if weeks:
        days = [dt.date.fromisoformat(w) for w, _ in weeks]
        ax.step(days, [n for _, n in weeks], where="post", color=STAGE_COLOURS["signed"],
                label=tr(f"{STAGE_WORDS[p.stage][0]} (cộng dồn theo tuần)", f"{p.stage} (cumulative, by week)"))
    done = getattr(total, p.stage)
    ax.axhline(total.valid, color="#636363", linestyle=":",
               label=tr(f"còn hiệu lực: {total.valid:,}", f"still valid: {total.valid:,}"))
    ax.axvline(p.deadline, color="#cb181d",
               label=tr(f"hạn {p.deadline:%d/%m/%Y}", f"deadline {p.deadline.isoformat()}"))
    if total.forecast and total.status != "done":
        end = dt.date.fromisoformat(total.forecast)
        ax.plot([p.as_of, end], [done, total.valid], color="#fd8d3c", linestyle="--",
                label=tr(f"dự kiến xong {end:%d/%m/%Y}", f"forecast {end.isoformat()}"))
    ax.plot([p.as_of], [done], "o", color="#fd8d3c")
    ax.set_ylim(0, max(total.valid, done, 1) * 1.08)
    ax.set_title(tr(f"Tiến độ đến ngày {p.as_of:%d/%m/%Y}", f"Progress up to {p.as_of.isoformat()}"),
                 fontsize=10, family=FONT)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    fig.autofmt_xdate()
    return fig


def heat_rows(cells: Sequence[tuple[str, str, int, int]], n: int = MAX_HEAT_ROWS) -> list[str]:
    """The agencies of the heat map: all, or the ``n`` with the most results left; by name."""
    left: dict[str, int] = {}
    for agency, _, valid, reached in cells:
        left[agency] = left.get(agency, 0) + valid - reached
    return sorted(sorted(left, key=lambda a: (-left[a], a))[:n])


def heatmap(cells: Sequence[tuple[str, str, int, int]], p: Progress, tr: Tr = t,
            agencies: Sequence[str] | None = None) -> Figure:
    """Agency × year of issue: the share of each cell's still-valid results that reached
    ``p.stage`` (``cells`` from ``progress.grid``; ``agencies``: those rows, else
    ``heat_rows``); empty cells are left blank."""
    agencies = list(agencies if agencies is not None else heat_rows(cells))
    years = sorted({c[1] for c in cells})
    share = [[float("nan")] * len(years) for _ in agencies]
    where = {a: i for i, a in enumerate(agencies)}
    for agency, year, valid, reached in cells:
        if agency in where and valid:
            share[where[agency]][years.index(year)] = 100 * reached / valid
    fig = _figure(max(7.0, 4.5 + 0.55 * len(years)), 1.5 + 0.26 * max(len(agencies), 1))
    ax = fig.add_subplot()
    image = ax.imshow(share or [[float("nan")]], cmap="Blues", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(years)), years, fontsize=8, rotation=45)
    ax.set_yticks(range(len(agencies)), agencies, fontsize=7, family=FONT)
    for i, row in enumerate(share):
        for j, value in enumerate(row):
            if value == value:  # not NaN
                ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=6,
                        color="white" if value > 60 else "black")
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(tr(f"% {STAGE_WORDS[p.stage][0]}", f"% {p.stage}"), fontsize=8, family=FONT)
    ax.set_title(tr(f"Cơ quan × năm ban hành: % {STAGE_WORDS[p.stage][0]}, ngày {p.as_of:%d/%m/%Y}",
                    f"Agency × year of issue: % {p.stage}, on {p.as_of.isoformat()}"), fontsize=10, family=FONT)
    return fig


def image(fig: Figure, kind: str = "svg") -> bytes:
    """``fig`` as an SVG (text drawn as outlines: the same in every browser) or a PNG."""
    out = io.BytesIO()
    fig.savefig(out, format=kind, dpi=150 if kind == "png" else 100, metadata={"Date": None} if kind == "svg" else None)
    return out.getvalue()
