"""Personal data in records, masked for whoever may not see it (``personal_data``).

What is masked, wherever it appears (fields, text, snippets, the OCR layout's lines and
words, corrections, facets, the access log):
- A personal ID number found by its label: any run of 6 or more digits, or characters
  OCR confuses with digits (O/0, l/1, I/1, S/5, B/8), within a few words after ``CMND``,
  ``CCCD``, ``chứng minh``, ``căn cước``, ``định danh`` or ``hộ chiếu``, misread or not.
- Any number that could be an ID without a label: a run of 9 to 13 digits (an ID number
  has 9 or 12; OCR drops or adds one), also when printed in groups, whatever separates
  them (``0272 0312 3429``, ``041-204-567-812``, invisible characters), in any script of
  digits; in a longer run of groups (a date, then an ID), each stretch of 9 to 13.
  Phone numbers and business codes are masked too: masking errs on the side of hiding;
  amounts of money, dossier codes and procedure codes are not.
- In a snippet cut out of a longer text, a run of 5 or more digits at a cut edge (the
  rest of it may be an ID).
- A date of birth after its label ("Ngày sinh", "sinh ngày", "năm sinh").
- An address after its label ("Địa chỉ", "thường trú", "tạm trú", "nơi cư trú", "chỗ ở",
  "HKTT", "quê quán", "nguyên quán", "nơi sinh").

An ID number keeps its first four and last two digits (``0241******34``) when it has nine
or more, so a person can still tell two records apart; shorter runs are masked whole.
Labels are matched with or without their diacritics and in either case, as OCR may read
them. Record ids and content hashes (lower-case hexadecimal, 12 characters or more) are
never masked.

Everything here is computed as spans over the text (``personal_spans``), so the same
decision masks a text, each word of an OCR line (``mask_page``), keeps personal data out
of the words everyone's searches match (``split_personal``) and, later, the pixels of
those words on a page image.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

DIGIT_LIKE = r"\dOolIS|B"
"""Digits (of any script: full-width too) and the letters OCR reads for them."""
_SPACE = "[ \u00a0\u2009\u202f\t]"
SEPARATOR = (rf"(?:{_SPACE}*[-\u2010-\u2015_/.,]{_SPACE}*|{_SPACE}+|[\u200b-\u200d\u2060\ufeff\u00ad]+)")
"""What may stand between the groups of a number: spaces, a dash, slash, dot, comma or
underscore (spaced or not), or invisible characters."""
_LIKE_MAP = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8"})


_VIETNAMESE = {"a": "aàáảãạăằắẳẵặâầấẩẫậ", "e": "eèéẻẽẹêềếểễệ", "i": "iìíỉĩị", "o": "oòóỏõọôồốổỗộơờớởỡợ",
               "u": "uùúủũụưừứửữự", "y": "yỳýỷỹỵ", "d": "dđð"}


def _loose(pattern: str) -> str:
    """``pattern`` with each plain letter standing for itself in either case and with any
    Vietnamese accent (``dia`` matches ``địa``, ``ĐỊA``, ``đia``...), so labels are found
    with or without their diacritics, as OCR reads them, in the text as it is: not folded
    first, nor matched ignoring case, both of which cost more than the rest of the masking
    on every record indexed. Escapes and character classes are left as they are."""
    out, escaped, in_class = [], False, False
    for ch in pattern:
        if escaped or in_class or not ch.isascii() or not ch.isalpha():
            out.append(ch)
            escaped = ch == "\\" and not escaped
            in_class = (in_class or (ch == "[" and not escaped)) and not (ch == "]" and in_class)
            continue
        lower = _VIETNAMESE.get(ch.lower(), ch.lower())
        out.append(f"[{lower}{lower.upper()}]")
    return "".join(out)


ID_LABEL = re.compile("(?=[cCdDđĐðhH])" + _loose(  # the lookahead: most places fail at once
    r"(?<![^\W\d_])(?:c\.?\s?m\.?\s?n\.?\s?d|c\.?\s?c\.?\s?c\.?\s?d|cmtnd|chung\s+minh(?:\s+nhan\s+dan)?"
    r"|can\s+cuoc(?:\s+cong\s+dan)?|dinh\s+danh(?:\s+ca\s+nhan)?|ho\s+chieu)(?![^\W\d_])"))
"""The labels of a personal ID number."""
ID_AFTER_LABEL = re.compile(rf"[^\d]{{0,40}}?(?<![A-Za-z\d])(?:[AC-HJ-NPR-Z](?=\d))?"
                            rf"((?:[{DIGIT_LIKE}]{SEPARATOR}?){{5,15}}[{DIGIT_LIKE}])(?![A-Za-z\d])")
"""After a label: a few characters (``số``, ``:``, ``cá nhân``, a line break), then the
number (a passport's letter before it), its groups separated or not."""
NUMBER_RUN = re.compile(rf"\d+(?:{SEPARATOR}\d+)*")
"""A run of digits, or of groups of digits with separators between them."""
MONEY = re.compile(r"\s*(?:(?i:đồng|vnđ|vnd|usd|triệu|tỷ)|đ(?![\w…])|%)")
"""What follows an amount of money (a company's capital is not an ID)."""
EDGE_RUN = re.compile(rf"^…?\s*(\d+(?:{SEPARATOR}\d+)*)|(\d+(?:{SEPARATOR}\d+)*)\s*…?$")
"""A run of digits at the start or end of a snippet."""
HEX_ID = re.compile(r"[0-9a-f]{12,}")
"""A record id or content hash (with a letter, alone between other characters): never masked."""
CODES = re.compile(r"\d(?:\d\d\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}|\.\d{6}(?:\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?)"
                   r"(?!\d)")
"""A dossier code (``000.00.00.H30-210315-0001``, Circular 01/2018) or a procedure's code
(``1.003011.000.00.00.H38``), not part of a longer number: never masked."""
BIRTH = re.compile("(?=[nNsS])" + _loose(r"((?:ngay\s+sinh|sinh\s+ngay|nam\s+sinh)\s*:?\s*)"
                          r"(\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{4}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{1,2}"
                          r"|\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}|\d{4}(?!\d))"))
BIRTH_LABEL = re.compile(_loose(r"(?:ngay\s+sinh|sinh\s+ngay|nam\s+sinh)(?![^\W\d_])"))
"""A date of birth's label alone (a page image blacks out what follows it, read or not)."""
ADDRESS_LABEL = re.compile(_loose(r"(?:dia\s+chi|thuong\s+tru|tam\s+tru|noi\s+cu\s+tru|cho\s+o|noi\s+o|hktt|dktt"
                                  r"|ho\s+khau|que\s+quan|nguyen\s+quan|noi\s+sinh)[^:\n]{0,20}\Z"))
"""An address's label, up to the colon after it: looked for just before each colon."""
_BLANKS = re.compile(r"\s*")
MASKED_FIELDS = ("holder_id",)
"""Fields that are a personal ID as a whole."""
MIN_ID_DIGITS, MAX_ID_DIGITS = 9, 13
EDGE_DIGITS = 5

Kind = Literal["id", "cut", "birth", "address"]
"""``cut``: digits at a snippet's edge, masked whole (the rest of the number is unseen)."""


@dataclass(frozen=True)
class Span:
    """Characters ``start:end`` of a text hold personal data of ``kind``."""

    start: int
    end: int
    kind: Kind


def _protected(text: str) -> list[tuple[int, int]]:
    """Record ids, hashes, dossier and procedure codes in ``text``: never masked."""
    found = [(m.start(), m.end()) for m in HEX_ID.finditer(text)
             if not re.fullmatch(r"\d+", m.group()) and not (m.start() and text[m.start() - 1].isalnum())
             and not (m.end() < len(text) and text[m.end()].isalnum())]
    found += [(m.start(), m.end()) for m in CODES.finditer(text) if not (m.start() and text[m.start() - 1].isdigit())]
    return found


def personal_spans(text: str, *, snippet: bool = False) -> list[Span]:
    """Where ``text`` holds ID numbers, dates of birth and addresses (see the module
    docstring); ``snippet``: ``text`` was cut out of a longer one, so digits at its edges
    may be the rest of an ID."""
    protected = _protected(text)

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in protected)

    spans: list[Span] = []
    for label in ID_LABEL.finditer(text):
        found = ID_AFTER_LABEL.match(text, label.end())
        if found and sum(c.isdigit() for c in found.group(1)) >= 4 and free(*found.span(1)):
            spans.append(Span(*found.span(1), "id"))
    for run in NUMBER_RUN.finditer(text):
        if run.end() - run.start() < MIN_ID_DIGITS or MONEY.match(text, run.end()):
            continue
        spans.extend(Span(start, end, "id") for start, end in _id_windows(run.group(), run.start()) if free(start, end))
    if snippet:
        for edge in EDGE_RUN.finditer(text):
            group = 1 if edge.group(1) else 2
            if sum(c.isdigit() for c in edge.group(group)) >= EDGE_DIGITS:
                spans.append(Span(*edge.span(group), "cut"))
    for birth in BIRTH.finditer(text):
        spans.append(Span(*birth.span(2), "birth"))
    colon = text.find(":")
    while colon >= 0:
        if ADDRESS_LABEL.search(text, max(0, colon - 60), colon):
            start = _BLANKS.match(text, colon + 1).end()  # type: ignore[union-attr]
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            if end > start:
                spans.append(Span(start, end, "address"))
        colon = text.find(":", colon + 1)
    return _merged(spans)


def _id_windows(run: str, at: int) -> list[tuple[int, int]]:
    """Where a run of digit groups could hold an ID: the whole run when it has 9 to 13
    digits; in a longer run of several groups (a date before an ID...), every stretch of
    whole groups with 9 to 13 digits. One unbroken number of 14 digits or more is no ID."""
    groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", run)]
    total = sum(e - s for s, e in groups)
    if MIN_ID_DIGITS <= total <= MAX_ID_DIGITS:
        return [(at, at + len(run))]
    if total < MIN_ID_DIGITS or len(groups) == 1:
        return []
    hidden = [False] * len(groups)
    for first in range(len(groups)):
        digits = 0
        for last in range(first, len(groups)):
            digits += groups[last][1] - groups[last][0]
            if digits > MAX_ID_DIGITS:
                break
            if digits >= MIN_ID_DIGITS:
                hidden[first:last + 1] = [True] * (last + 1 - first)
    windows: list[tuple[int, int]] = []
    for n, (start, end) in enumerate(groups):
        if hidden[n]:
            if windows and n and hidden[n - 1]:
                windows[-1] = (windows[-1][0], at + end)
            else:
                windows.append((at + start, at + end))
    return windows


def _merged(spans: Iterable[Span]) -> list[Span]:
    """Overlapping spans as one, the wider kind winning (an address holds an ID)."""
    rank = {"id": 0, "cut": 1, "birth": 2, "address": 3}
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and span.start < out[-1].end:
            last = out[-1]
            kind = max(last.kind, span.kind, key=rank.__getitem__)
            out[-1] = Span(last.start, max(last.end, span.end), kind)
        else:
            out.append(span)
    return out


def _hidden_id(chars: str) -> str:
    """An ID run with its digits starred: the first four and last two kept when it has
    nine or more digits (spaces and separators kept as they are)."""
    positions = [i for i, c in enumerate(chars) if c.translate(_LIKE_MAP).isdigit()]
    keep = set(positions[:4] + positions[-2:]) if len(positions) >= MIN_ID_DIGITS else set()
    return "".join("*" if i in positions and i not in keep else c for i, c in enumerate(chars))


def _charwise(text: str, spans: list[Span]) -> str:
    """``text`` with each span starred character by character (same length): IDs as
    ``_hidden_id``, dates' digits, every letter of an address."""
    out = list(text)
    for span in spans:
        part = text[span.start:span.end]
        if span.kind == "id":
            masked = _hidden_id(part)
        elif span.kind in ("cut", "birth"):
            masked = re.sub(r"\d", "*", part)
        else:
            masked = re.sub(r"\S", "*", part)
        out[span.start:span.end] = masked
    return "".join(out)


def mask_text(text: str, *, snippet: bool = False) -> str:
    """``text`` with ID numbers, dates of birth and addresses masked, for a reader: an
    address becomes ``***``, a date of birth ``**/**/****``."""
    spans = personal_spans(text, snippet=snippet)
    if not spans:
        return text
    starred = _charwise(text, spans)
    out, pos = [], 0
    for span in spans:
        out.append(starred[pos:span.start])
        if span.kind == "address":
            out.append("***")
        elif span.kind == "birth":
            out.append("**/**/****" if re.search(r"\D", text[span.start:span.end]) else "****")
        else:
            out.append(starred[span.start:span.end])
        pos = span.end
    out.append(starred[pos:])
    return "".join(out)


def mask_personal(text: str) -> str:
    """``text`` with ID numbers, dates of birth and addresses masked."""
    return mask_text(text)


def mask_ids(text: str) -> str:
    """``text`` with ID numbers masked (dates and addresses left): what a log keeps of a
    query or a name."""
    spans = [s for s in personal_spans(text) if s.kind == "id"]
    return _charwise(text, spans) if spans else text


def mask_field(name: str, value: Any) -> Any:
    """A field's value as a reader without ``personal_data`` sees it."""
    if not isinstance(value, str):
        return value
    if name in MASKED_FIELDS:
        return _hidden_id(value)
    return mask_text(value)


def mask_page(page: Mapping[str, Any]) -> dict[str, Any]:
    """One page of a record's OCR layout (``page_to_json``) with its lines and words masked.

    The page is masked as one text, so that a label on one line masks the number on the
    next, and an ID the OCR cut into several words is masked in each of them."""
    lines = list(page.get("lines") or ())
    masked_texts = mask_text("\n".join(str(line.get("text", "")) for line in lines)).split("\n")
    if len(masked_texts) != len(lines):  # a line's text held a newline: mask line by line
        masked_texts = [mask_text(str(line.get("text", ""))) for line in lines]
    # The words of each line joined by spaces, the lines by newlines, and where each word lies.
    joined, places = words_text([[str(w[2]) for w in line.get("words") or ()] for line in lines])
    spans = personal_spans(joined)
    starred = _charwise(joined, spans)
    out_lines = []
    for line, text, row in zip(lines, masked_texts, places, strict=True):
        words = []
        for word, (start, end) in zip(line.get("words") or (), row, strict=True):
            touching = [s for s in spans if s.start < end and start < s.end]
            shown = word[2]
            if touching:
                shown = "***" if any(s.kind == "address" for s in touching) else starred[start:end]
            words.append([*word[:2], shown, *word[3:]])
        out_lines.append({**line, "text": text, "words": words})
    return {**page, "lines": out_lines}


def words_text(lines: list[list[str]]) -> tuple[str, list[list[tuple[int, int]]]]:
    """The words of each line joined by spaces, the lines by newlines, and where each word lies."""
    parts, places, pos = [], [], 0
    for words in lines:
        row = []
        for word in words:
            row.append((pos, pos + len(word)))
            pos += len(word) + 1
        places.append(row)
        parts.append(" ".join(words))
        pos += 0 if words else 1
    return "\n".join(parts), places


def mask_record(data: Mapping[str, Any]) -> dict[str, Any]:
    """A record's export form (``Record.to_json`` and what search adds to it) with its
    personal data masked: the fields, the corrections of them, the text, a hit's snippet,
    the OCR layout's lines and words, the file's paths and a failure's reason."""
    out = dict(data)
    if isinstance(out.get("path"), str):  # a hit's path: scans are often named by their holder's ID
        out["path"] = mask_ids(out["path"])
    if isinstance(out.get("source"), dict):
        source = dict(out["source"])
        if isinstance(source.get("path"), str):
            source["path"] = mask_ids(source["path"])
        if isinstance(source.get("paths"), list):
            source["paths"] = [mask_ids(p) if isinstance(p, str) else p for p in source["paths"]]
        out["source"] = source
    if isinstance(out.get("error"), str):
        out["error"] = mask_text(out["error"])
    if isinstance(out.get("fields"), dict):
        out["fields"] = {k: mask_field(k, v) for k, v in out["fields"].items()}
    if out.get("corrections"):
        out["corrections"] = [{**c, "old": mask_field(c.get("field", ""), c.get("old")),
                               "new": mask_field(c.get("field", ""), c.get("new"))} for c in out["corrections"]]
    if isinstance(out.get("text"), str):
        out["text"] = mask_text(out["text"])
    if isinstance(out.get("snippet"), str):
        out["snippet"] = mask_snippet(out["snippet"])
    if out.get("layout"):
        out["layout"] = [mask_page(page) for page in out["layout"]]
    return out


def mask_snippet(snippet: str) -> str:
    """A hit's snippet (HTML with ``<mark>`` around matches) masked as text: the marks are
    taken out first, so that ``<mark>0241</mark>83148061`` cannot slip through as two
    short runs, and put back around what is left of their words."""
    plain = snippet.replace("<mark>", "").replace("</mark>", "")
    masked = mask_text(plain, snippet=True)
    if masked == plain:
        return snippet
    # Put the marks back at the same places: masking keeps the length of IDs; where an
    # address or date shrank, the marks inside it go with it.
    marks: list[tuple[int, str]] = []
    pos = 0
    for piece in re.split(r"(</?mark>)", snippet):
        if piece in ("<mark>", "</mark>"):
            marks.append((pos, piece))
        else:
            pos += len(piece)
    if len(masked) != len(plain):
        return masked
    out, last = [], 0
    for at, tag in marks:
        out.append(masked[last:at])
        out.append(tag)
        last = at
    out.append(masked[last:])
    return "".join(out)


def split_personal(text: str) -> tuple[str, str]:
    """``text`` without its personal data, and that data alone: what everyone's searches
    match, and what only the searches of those who may see it match (an address or a date
    of birth shown masked must not be found by its words either). Each ID becomes one word
    of its digits, so that neither a group of an ID printed in groups (``0272``) nor the
    groups typed apart find it, and the whole number does."""
    spans = personal_spans(text)
    if not spans:
        return text, ""
    public, personal, pos = [], [], 0
    for span in spans:
        public.append(text[pos:span.start] + " ")
        part = text[span.start:span.end]
        personal.append(id_word(part) if span.kind == "id" else part)
        pos = span.end
    public.append(text[pos:])
    return "".join(public), "\n".join(personal)


def id_word(number: str) -> str:
    """An ID number as one word of ASCII digits, however it was printed or typed."""
    return "".join(str(int(c)) for c in number.translate(_LIKE_MAP) if c.isdecimal())


def join_ids(query: str) -> str:
    """A query with each ID in it written as one word (``id_word``), as the index keeps IDs."""
    spans = [s for s in personal_spans(query) if s.kind == "id"]
    for span in reversed(spans):
        query = query[:span.start] + " " + id_word(query[span.start:span.end]) + " " + query[span.end:]
    return query


def looks_like_id(query: str) -> bool:
    """Whether a query is or holds a number that could be a personal ID (a run of 9 to 13
    digits, or a number after an ID's label): what a user without ``personal_data`` may
    not search for (the answer would tell whether the ID is in the archive)."""
    if any(span.kind == "id" for span in personal_spans(query)):
        return True
    # Words of four digits or more read as digits (O for 0...), then groups counted as one
    # number whatever separates them.
    read = " ".join(w.translate(_LIKE_MAP) if sum(c.isdigit() for c in w) >= 4 else w for w in query.split())
    return any(_id_windows(m.group(), m.start()) for m in NUMBER_RUN.finditer(read))
