"""What every backend indexes and ranks the same way: the texts of a record, query terms,
the evidence weights, and highlighted snippets."""

from __future__ import annotations

import html
import re

from sohoa.core.model import Record
from sohoa.core.privacy import MASKED_FIELDS, id_word, join_ids, split_personal
from sohoa.core.text import fold, index_form, search_form

_TOKEN = re.compile(r"[^\W_]+")
"""A word as the embedded index's tokenizer (FTS5 unicode61) sees it: letters and digits; "_" splits
words there, so a query's "ho_kinh" is two words, never a phrase (which the index cannot match)."""

HEAD_FIELDS = ("doc_type", "number", "issuer", "issuer_parent", "subject", "holder_name", "signer_name", "place")
"""The extracted fields searched as the record's "head"."""
# Evidence and its weight: an exact accented match outweighs everything but the number.
EVIDENCE = (("orig", "exact", 8.0), ("head", "exact", 4.0), ("head_folded", "folded", 2.0))
PHRASE_SCORE = 1.0
NUMBER_SCORE = 100.0


def searchable_text(record: Record) -> tuple[str, str]:
    """What the words of a query are looked for in: the number, the fields people
    corrected (what the paper says, where OCR misread it) and the full text, as (what
    everyone's searches match, the personal data only searches allowed to see it match:
    ``sohoa.core.privacy.split_personal``)."""
    confirmed = [name for name in sorted(record.confirmed) if name != "number" and record.fields.get(name)]
    public = [record.fields.get("number") or "", *(record.fields[n] for n in confirmed if n not in MASKED_FIELDS),
              record.text]
    public_text, personal = split_personal("\n".join(v for v in public if v))
    held = [id_word(record.fields[n]) for n in confirmed if n in MASKED_FIELDS]
    return public_text, "\n".join(v for v in (personal, *held) if v)


def issuer_text(record: Record) -> str:
    """What ``--issuer`` matches: the agency, its governing body and its successor, so that
    "bac giang" finds the Sở of Bắc Giang and "bac ninh" the legacy Bắc Giang results too."""
    return " ".join(record.fields[k] for k in ("issuer", "issuer_parent", "issuer_successor")
                    if record.fields.get(k))


def head_text(record: Record) -> str:
    return "\n".join(record.fields[k] for k in HEAD_FIELDS if record.fields.get(k))


def tokens(text: str) -> list[str]:
    """The words of ``text``, split as the embedded index's tokenizer splits them."""
    return _TOKEN.findall(text)


def terms(query: str) -> list[str]:
    """Words of a query in index form (accented, modern tones, lower case); an ID in it as
    one word, as the index keeps IDs."""
    return [index_form(t) for t in _TOKEN.findall(join_ids(query))]


def folded_terms(query: str) -> list[str]:
    return [search_form(t) for t in _TOKEN.findall(join_ids(query))]


def snippet(text: str, query: str, width: int = 160) -> str:
    """About ``width`` characters around the first match, matches wrapped in <mark>.

    Matching is diacritic-insensitive; folding keeps one character per character, so
    positions found in the folded text mark the same characters in the original.
    """
    flat = re.sub(r"\s+", " ", text).strip()
    if not flat:
        return ""
    folded = fold(flat).lower()
    words = [w for w in folded_terms(query) if w]
    spans: list[tuple[int, int]] = []
    if len(folded) == len(flat):
        for word in words:
            for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", folded):
                spans.append((m.start(), m.end()))
    spans.sort()
    if spans:
        centre = spans[0][0]
        start = max(0, centre - width // 3)
    else:
        start = 0
    end = min(len(flat), start + width)
    if start > 0:
        start = flat.rfind(" ", 0, start) + 1
    if end < len(flat) and flat[end] != " ":  # never cut a word (half a number is still half an ID)
        space = flat.rfind(" ", start, end)
        end = space if space > start else end
    out, pos = [], start
    for s, e in spans:
        if s < pos or e > end:
            continue
        out.append(html.escape(flat[pos:s]))
        out.append(f"<mark>{html.escape(flat[s:e])}</mark>")
        pos = e
    out.append(html.escape(flat[pos:end]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(flat) else "")
