"""Structured fields from the text of a result, following the Decree 30/2020 layout.

Reads by zone: the issuer block (top-left, above the number), the place/date line
(top-right), the type heading and summary (centred), the signer block (bottom-right of
the last page). The header zone is read by ``ocr.header``, the signer block by
``ocr.signer_block``; the type, summary and holder here, with the type-specific fields
of the rule files (``ocr/rules.py``).
A field that is not found is None with confidence 0: nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil.relativedelta import relativedelta

from sohoa.core.layout import Line, PageLayout
from sohoa.core.model import FIELD_NAMES, Extraction
from sohoa.core.text import clean, fold
from sohoa.ocr import tones
from sohoa.ocr.dates import parse_date, validity_clause
from sohoa.ocr.header import HeaderZone
from sohoa.ocr.layout import centred_part
from sohoa.ocr.reading import NONE, Found, fix_surname, has_words, labelled, line_conf, personal_id, upper_ratio
from sohoa.ocr.rules import Rule
from sohoa.ocr.signer_block import SignerBlock

_NAME_REST = re.compile(r"\n(?P<rest>[^\W\d_]+(?: [^\W\d_]+){0,3})[ \t]*(?=,|\n|$)")


def _wrapped_rest(m: re.Match[str], original: str) -> str:
    """The end of a name the line wrapped ("… của ông (bà) PHAN NGỌC" / "MỸ ĐÀO"): the
    next line's words, when the name read ends its line, the next line holds only them
    (or them and a comma), each starts with a capital, and the name keeps to five words."""
    rest = _NAME_REST.match(original, m.end("value"))
    if not rest:
        return ""
    words, read = rest.group("rest").split(), m.group("value").split()
    upper = all(w.isupper() for w in read)
    if len(read) + len(words) > 5 or not all(w[:1].isupper() and (w.isupper() or not upper) for w in words):
        return ""
    return " " + " ".join(words)

_CUT_NAME = re.compile(r"[ ]*([:;.])[ ]*([^\W\d_]+)(?:[ ]|$)", re.MULTILINE)
"""A name in capitals that goes on after a stop on its line: its rest cut off by a slip."""


class Extractor(HeaderZone, SignerBlock):
    """Extract the fields of ``FIELD_NAMES`` from one document's pages."""

    def classify(self) -> tuple[Rule | None, int | None, float]:
        """The matching rule, the index of its heading's last line, and a confidence."""
        p = self.first
        best: tuple[int, int, Rule, int, float] | None = None
        number = self._number_line()
        start = number[0] + 1 if number else 0
        for i in range(start, len(p.lines)):
            line = p.lines[i]
            if line.y0 > p.h * 0.6:
                break
            if not p.centred(line):
                continue
            joined = re.sub(r"^[\W_]+", "", p.folded[i].upper())  # "_ QUYẾT ĐỊNH": a speck before it
            joined2 = f"{joined} {p.folded[i + 1].upper()}" if i + 1 < len(p.lines) else joined
            for rule in self.rules:
                for heading in rule.headings:
                    for text, last in ((joined, i), (joined2, i + 1)):
                        m = heading.search(text)
                        if m and (best is None or (i, -len(m.group(0))) < (best[0], -best[1])):
                            best = (i, len(m.group(0)), rule, last, line_conf([line]))
            if best:
                break
        if best:
            return best[2], best[3], best[4]
        # No heading. A "V/v" line under the number, or "Kính gửi:" above the body, is a
        # công văn's (Decree 30): stronger than a word of the notation ("2191/CT-CS" is the tax
        # department's letter, not a chỉ thị).
        if self._vv_line() is not None or self._addressed():
            for rule in self.rules:
                if rule.has_vv_line:
                    return rule, None, 0.8
        notation = fold(self.notation() or "").upper()
        code = notation.split("-")[0] if notation else ""
        for rule in self.rules:
            if code and code in rule.notation_codes:
                return rule, None, 0.6
        return None, None, 0.0

    def _addressed(self) -> bool:
        """A "Kính gửi:" line in the top half of page 1, below the number."""
        p = self.first
        number = self._number_line()
        return number is not None and any(
            re.match(r"^\W*Kinh gui\b", folded, re.IGNORECASE) and line.y0 < p.h * 0.5
            for line, folded in zip(p.lines[number[0] + 1:], p.folded[number[0] + 1:], strict=True))

    def _vv_line(self) -> int | None:
        p = self.first
        number = self._number_line()
        if not number:
            return None
        for i in range(number[0] + 1, min(len(p.lines), number[0] + 6)):
            if p.left(p.lines[i]) and re.match(r"^\s*V\s*/\s*v\b", p.folded[i], re.IGNORECASE):
                return i
        return None

    def subject(self, rule: Rule, heading_end: int | None) -> Found:
        """The summary, its hook-read-as-acute tone slips repaired (``ocr.tones``), with a note."""
        found = self._subject_as_read(rule, heading_end)
        if found.value is None:
            return found
        text, changed = tones.repair(found.value.lstrip(" :;.,-–"))  # ": Về việc …": the label's colon
        text, respelled = tones.repair_non_syllables(text)
        text, used = tones.repair_by_use(text)
        changed += respelled + used
        if changed:
            self.notes.append("subject: tone marks repaired from the words around them: "
                              + ", ".join(f"{a} → {b}" for a, b in changed))
        return Found(text, found.confidence)

    def _subject_as_read(self, rule: Rule, heading_end: int | None) -> Found:
        p = self.first
        if rule.subject == "vv_line":
            i = self._vv_line()
            if i is None:
                return NONE
            picked = [p.lines[i]]
            for j in range(i + 1, len(p.lines)):
                prev, line = picked[-1], p.lines[j]
                far = line.y0 - prev.y1 > prev.height * 1.2
                if not p.left(line) and not far:
                    continue  # the right column at the same height
                if far or re.match(r"^\s*Kinh gui", p.folded[j], re.IGNORECASE):
                    break
                picked.append(line)
            return Found(" ".join(ln.text for ln in picked), line_conf(picked))
        if heading_end is None or rule.subject == "none":
            return NONE
        picked = []
        heading = p.lines[heading_end]
        body = max(ln.x1 for ln in p.lines) - min(ln.x0 for ln in p.lines)
        for j in range(heading_end + 1, len(p.lines)):
            line = centred_part(p.lines[j], heading.cx, p.w * 0.02)
            folded = fold(line.text)
            prev = picked[-1] if picked else heading
            if not p.centred(line) and line.cx < p.w * 0.3 and line.y0 - prev.y1 < prev.height * 0.9:
                continue  # a received stamp in the left margin, beside the summary ("CV ĐẾN")
            if (not p.centred(line) or line.y0 - prev.y1 > prev.height * 0.9
                    or re.match(r"^\s*(Can cu|Kinh gui|Dieu \d)", folded, re.IGNORECASE)
                    or (upper_ratio(line.text) > 0.8 and len(line.text) > 12)
                    # A paragraph of the body (a photo leaves no gap above it): a new
                    # sentence across the whole width, wider than the summary above, or
                    # after a short line that ended it ("tháng 5").
                    or (picked and line.text[:1].isupper() and line.x1 - line.x0 > 0.8 * body
                        and (line.x1 - line.x0 > 1.1 * max(ln.x1 - ln.x0 for ln in picked)
                             or picked[-1].x1 - picked[-1].x0 < 0.5 * (line.x1 - line.x0)))):
                break
            picked.append(line)
            if rule.subject == "line_after_heading":
                break
        if not picked:
            return NONE
        text = " ".join(re.sub(r"^(?:[^\w(]|_)+|(?:[^\w).,;]|_)+$", "", ln.text) for ln in picked).strip(" ()")
        text = re.sub(r"\s+", " ", text)
        if re.match(r"ve\b", fold(text), re.IGNORECASE):  # a summary opens "Về" ("Vẽ việc", "về công tác")
            text = "Về" + text[2:]
        return Found(text, line_conf(picked))


    # ---------------------------------------------------------------- rule patterns

    def _pattern(self, rule: Rule, field: str) -> tuple[re.Match[str], str, list[Line]] | None:
        """First match on any page, with the page's original text and the lines it spans."""
        for page in self.pages:
            folded = "\n".join(page.folded)
            for pattern in rule.patterns.get(field, ()):
                m = pattern.search(folded)
                if m:
                    return m, "\n".join(clean(ln.text) for ln in page.lines), page.lines_between(*m.span())
        return None

    def by_pattern(self, rule: Rule, field: str) -> Found:
        hit = self._pattern(rule, field)
        if not hit:
            return NONE
        m, original, lines = hit
        value = re.sub(r"\s+", " ", original[m.start("value"):m.end("value")]).strip()
        if field == "holder_name":
            cut = _CUT_NAME.match(original, m.end("value"))
            # "ĐÔ NGỌC: TU": a mark read as a stop inside the name
            if cut and value.isupper() and cut.group(2).isupper():
                self.notes.append(f"holder_name: the name {value!r} goes on past {cut.group(1)!r} on its "
                                  "line: not taken")
                return NONE
            value = fix_surname(without_honorific(value + _wrapped_rest(m, original)))
        if field == "holder_id":
            value = personal_id(value)
            if value is None:
                return NONE
        if field == "valid_until":
            date = parse_date(value)
            if date is None:
                return NONE
            value = date.isoformat()
        return Found(value, line_conf(lines))

    def by_label(self, rule: Rule, field: str) -> Found:
        """The value of the first "label: value" line whose label is one of the rule's
        wordings for ``field``: numbering, extra words and OCR slips in the label allowed."""
        spec = rule.labels.get(field)
        if spec is None:
            return NONE
        for page in self.pages:
            for line, words, value in labelled(page):
                joined = " ".join(words)
                if not value.strip() or not words or len(words) > 10 or any(x in joined for x in spec.exclude if x):
                    continue
                if any(has_words(words, synonym) for synonym in spec.synonyms):
                    found = _label_value(field, value)
                    if found:
                        return Found(found, line_conf([line]) * 0.95)
        return NONE

    def valid_until(self, rule: Rule, issue_date: str | None) -> Found:
        found = self.by_pattern(rule, "valid_until")
        if found.value:
            return found
        hit = self._pattern(rule, "valid_for_months")
        if hit and issue_date:
            months = int(hit[0].group("months"))
            until = dt.date.fromisoformat(issue_date) + relativedelta(months=months)
            self.notes.append(f"valid_until: {months} months from the issue date")
            return Found(until.isoformat(), line_conf(hit[2]))
        return self._validity_sentence(issue_date)

    def _validity_sentence(self, issue_date: str | None) -> Found:
        """An end date or a duration stated in any sentence about validity (``ocr.dates``)."""
        start = dt.date.fromisoformat(issue_date) if issue_date else None
        for page in self.pages:
            clause = validity_clause("\n".join(ln.text for ln in page.lines), start)
            if clause:
                self.notes.append(f"valid_until: read from a sentence about validity ({clause.how})")
                return Found(clause.until.isoformat(), line_conf(page.lines) * 0.9)
        return NONE

    def _type_code_contradicted(self, number: str | None, rule: Rule) -> bool:
        """A notation whose type code is no code sohoa knows, one letter away from the code
        of the document's own heading ("899/TH-SXD" on a THÔNG BÁO, whose code is TB):
        a letter misread, so the number is withheld, with a note, rather than guessed."""
        if not number or "/" not in number or not rule.notation_codes:
            return False
        code = fold(number.split("/")[-1].split("-")[0]).upper()
        near = [c for c in rule.notation_codes
                if len(c) == len(code) and sum(a != b for a, b in zip(c, code, strict=True)) == 1]
        if code in self._known_codes() or not near:
            return False
        self.notes.append(f"number: {number!r} withheld: its type code {code} is no code, and a "
                          f"{rule.doc_type} is numbered {near[0]}; a letter misread")
        return True

    # ---------------------------------------------------------------- all together

    def run(self) -> Extraction:
        found: dict[str, Found] = {name: NONE for name in FIELD_NAMES}
        if not self.pages:
            return _to_extraction(found, (), None)
        rule, heading_end, type_conf = self.classify()
        if rule:
            found["doc_type"] = Found(rule.doc_type, type_conf)
        found["number"] = self.number()
        if found["number"].value is None and not self.number_illegible and rule:
            found["number"] = self.number_of_shape(rule)
        elif rule and self._type_code_contradicted(found["number"].value, rule):
            found["number"] = NONE
        found["issue_date"], place = self.issue_date_and_place(rule)
        found["signed_on"] = self.signed_on()
        found.update(self.issuer_block(found["issue_date"].value))
        found["place"] = self.snap_place(place, found)
        found["signer_title"], found["signer_name"], found["signed_for"] = self.signer()
        if rule:
            found["subject"] = self.subject(rule, heading_end)
            for name in ("holder_name", "holder_id"):
                found[name] = self.by_pattern(rule, name)
                if found[name].value is None:
                    found[name] = self.by_label(rule, name)
            found["valid_until"] = self.valid_until(rule, found["issue_date"].value)
        else:
            self.notes.append("doc_type: no rule matched this document")
        return _to_extraction(found, tuple(self.notes), rule.name if rule else None)

_HONORIFIC = re.compile(r"^\s*(?:h[ộo]\s+(?:gia\s+đình\s+)?)?(?:[ôo]ng|b[àa])?\s*"
                        r"(?:\(\s*(?:[ôo]ng|b[àa])\s*\)|/\s*(?:[ôo]ng|b[àa]))?\s*[:.]?\s*", re.IGNORECASE)
"""What stands before a holder's name: Ông, Bà, Ông (Bà), Ông/Bà, hộ ông, hộ gia đình bà."""


def without_honorific(name: str) -> str:
    """``Bà NGUYỄN THỊ AN`` -> ``NGUYỄN THỊ AN``; a name is left whole (ÔNG is no family name)."""
    stripped = _HONORIFIC.sub("", name.strip(), count=1).strip(" .,;")
    return stripped if len(stripped.split()) >= 2 else name.strip()


_NEXT_LABEL = re.compile(r"\s+(?:gioi tinh|ngay sinh|sinh ngay|sinh nam|nam sinh|dan toc|quoc tich|so dinh danh"
                         r"|so cccd|dien thoai)\b.*", re.IGNORECASE)
"""The label of the next particular on the same line, after a name."""


def _label_value(field: str, value: str) -> str | None:
    """The value after a label, when it has the field's shape (a name; a 12-digit ID)."""
    if field == "holder_id":
        return personal_id(value)
    text = re.split(r"\s*[,;(]|\s{2,}", without_honorific(value))[0]
    follows = _NEXT_LABEL.search(fold(text))  # "NGUYỄN THỊ AN Giới tính: Nữ"
    text = text[:follows.start()] if follows else text
    if field == "holder_name" and re.fullmatch(r"[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*){1,5}", fold(text)):
        return fix_surname(text)

def _to_extraction(found: dict[str, Found], notes: tuple[str, ...], rule: str | None) -> Extraction:
    return Extraction(
        fields={k: v.value for k, v in found.items()},
        confidence={k: (v.confidence if v.value is not None else 0.0) for k, v in found.items()},
        notes=notes,
        rule=rule,
    )


def signer_page(pages: list[PageLayout]) -> int | None:
    """The page of the signer block (see ``Extractor.signer_page``): where a second look goes."""
    return SignerBlock(pages).signer_page()


def extract(pages: list[PageLayout], signing_times: tuple[str, ...] = (), today: dt.date | None = None) -> Extraction:
    """The fields of one document; see the module docstring."""
    return Extractor(pages, signing_times, today=today).run()
