#!/usr/bin/env python3
"""Independent generator of scanner-feeder "stacks" of Vietnamese administrative results.

usage (from the repository root):
    .venv/bin/python scripts/independent/stacks.py OUT --seed S [--stacks 6]

A stack is what a clerk gets from feeding a pile of paper results through a scanner's document
feeder into ONE PDF: 4-8 results of 1-5 pages each, raster pages only (no text layer), with what
real piles hold: later pages numbered "2", "- 2 -", "Trang 2/3", at the foot or not at all;
annexes (PHỤ LỤC / DANH SÁCH / QUY CHẾ "kèm theo ...", sometimes under a repeated issuer block and
motto); blank separator sheets between results; blank backs of sheets inside a result (duplex);
one-page certificates and notices; continuation pages that mention "Cộng hòa", "độc lập" or
"Số:" mid-page; a first page whose header is faint or partly cut.

Writes
    OUT/stacks/stack_S_NN.pdf, OUT/stacks/stacks.json  {"stack_S_NN.pdf": [{"file", "first", "last"}, ...]}
    OUT/stacks/stacks_meta.json                         per-page labels and counts (extra, for graders)
    OUT/alone/NAME.pdf, OUT/alone/NAME.gt.json          every result alone: the very same page images

Written from shared/domain.md, the real scans in shared/realdata/ and scripts/independent/gen.py
(reused for names, places, issuers, fonts, signatures and seals) without reading sohoa's code.
"""

import argparse
import json
import os
import random
import re

import cv2
import gen
import numpy as np
import pikepdf
from PIL import Image, ImageDraw

nfc, upper = gen.nfc, gen.upper
INK = (18, 18, 22)
QH = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TN = "Độc lập - Tự do - Hạnh phúc"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def vnum(n):
    return f"{n:,}".replace(",", ".")


def pct(a, b):
    return f"{100.0 * a / max(1, b):.1f}".replace(".", ",")


# --------------------------------------------------------------------------- text pools
GENERIC = [
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị kịp thời báo cáo về cơ quan chuyên môn để tổng hợp, tham mưu cấp có thẩm quyền xem xét, giải quyết theo quy định.",
    "Việc tổ chức thực hiện phải bảo đảm công khai, minh bạch, đúng đối tượng, đúng quy định của pháp luật; không để xảy ra sai sót, tiêu cực, gây phiền hà cho tổ chức, cá nhân.",
    "Hồ sơ, tài liệu liên quan được lưu trữ tại bộ phận một cửa và được số hóa, cập nhật vào Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh theo đúng quy định hiện hành.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách địa phương và các nguồn hợp pháp khác theo quy định của Luật Ngân sách nhà nước và các văn bản hướng dẫn thi hành.",
    "Các phòng, ban chuyên môn có trách nhiệm rà soát, tổng hợp số liệu, đối chiếu với cơ sở dữ liệu quốc gia về dân cư trước khi trình cấp có thẩm quyền phê duyệt.",
    "Thủ trưởng các cơ quan, đơn vị chịu trách nhiệm trước cấp trên về tiến độ và chất lượng thực hiện nhiệm vụ được giao; kết quả thực hiện là tiêu chí đánh giá, xếp loại thi đua cuối năm.",
    "Bộ phận tiếp nhận và trả kết quả có trách nhiệm hướng dẫn tổ chức, cá nhân nộp hồ sơ trực tuyến, thanh toán phí, lệ phí qua Cổng Dịch vụ công quốc gia và nhận kết quả điện tử.",
    "Trường hợp phát hiện hồ sơ có sai sót hoặc thông tin không thống nhất, cơ quan tiếp nhận thông báo bằng văn bản cho tổ chức, cá nhân để bổ sung, hoàn thiện trong thời hạn quy định.",
    "Văn phòng có trách nhiệm theo dõi, đôn đốc việc thực hiện và tổng hợp kết quả, báo cáo định kỳ hoặc đột xuất khi có yêu cầu của cơ quan cấp trên.",
    "Tăng cường kỷ luật, kỷ cương hành chính; chấn chỉnh kịp thời tình trạng chậm trễ, né tránh, đùn đẩy trách nhiệm trong giải quyết công việc của người dân, doanh nghiệp.",
    "Đẩy mạnh ứng dụng công nghệ thông tin trong chỉ đạo, điều hành; sử dụng chữ ký số trong gửi, nhận văn bản điện tử giữa các cơ quan hành chính nhà nước.",
    "Công khai đầy đủ, kịp thời các thủ tục hành chính thuộc thẩm quyền giải quyết tại Bộ phận Một cửa và trên Cổng thông tin điện tử để tổ chức, cá nhân biết, thực hiện.",
    "Rà soát, sắp xếp kho lưu trữ hồ sơ giấy; phân loại hồ sơ còn hiệu lực để ưu tiên số hóa, bảo đảm khả năng khai thác, tái sử dụng dữ liệu.",
    "Phân công công chức theo dõi, cập nhật tiến độ giải quyết từng hồ sơ; xin lỗi người dân bằng văn bản đối với hồ sơ trễ hạn theo quy định.",
    "Phối hợp chặt chẽ với các cơ quan, đơn vị có liên quan trong quá trình thẩm định, bảo đảm thời gian giải quyết không vượt quá thời hạn đã công bố.",
    "Định kỳ hằng tháng, các đơn vị tổng hợp kết quả thực hiện, gửi về Văn phòng trước ngày 20 để tổng hợp, báo cáo cấp trên theo quy định.",
    "Tổ chức tập huấn, bồi dưỡng kỹ năng, nghiệp vụ cho đội ngũ cán bộ, công chức làm việc tại Bộ phận Một cửa các cấp.",
    "Kiểm tra, đánh giá việc chấp hành các quy định về văn thư, lưu trữ; xử lý nghiêm các trường hợp vi phạm theo thẩm quyền.",
    "Bảo đảm an toàn, an ninh thông tin trên môi trường mạng; quản lý chặt chẽ thiết bị lưu khóa bí mật và chữ ký số chuyên dùng.",
    "Vận động người dân sử dụng tài khoản định danh điện tử để thực hiện dịch vụ công trực tuyến, hạn chế việc nộp hồ sơ giấy.",
    "Cập nhật đầy đủ, kịp thời trạng thái xử lý hồ sơ trên hệ thống; bảo đảm dữ liệu thống nhất giữa hồ sơ giấy và hồ sơ điện tử.",
    "Bố trí đủ máy quét, máy tính và đường truyền cho Bộ phận Một cửa; ưu tiên đầu tư thiết bị số hóa có tốc độ cao, quét được hai mặt.",
    "Hướng dẫn người dân kê khai biểu mẫu điện tử; không yêu cầu nộp lại các giấy tờ đã được số hóa hoặc đã có trong cơ sở dữ liệu.",
    "Thực hiện nghiêm việc tiếp công dân định kỳ; giải quyết dứt điểm các kiến nghị, phản ánh ngay từ cơ sở, không để phát sinh điểm nóng.",
    "Thường xuyên rà soát, đề xuất cắt giảm thành phần hồ sơ, rút ngắn thời gian giải quyết đối với các thủ tục hành chính có số lượng hồ sơ lớn.",
    "Chủ động phối hợp với cơ quan công an trong việc khai thác, xác thực thông tin công dân phục vụ giải quyết thủ tục hành chính.",
    "Lưu trữ kết quả số hóa đúng định dạng, có chữ ký số của cơ quan; đồng bộ kết quả vào kho dữ liệu của tổ chức, cá nhân trên Cổng Dịch vụ công quốc gia.",
    "Kịp thời biểu dương, khen thưởng những tập thể, cá nhân có thành tích; phê bình, nhắc nhở các đơn vị chậm triển khai hoặc có tỷ lệ hồ sơ trễ hạn cao.",
    "Tổ chức đánh giá mức độ hài lòng của người dân, doanh nghiệp đối với sự phục vụ của cơ quan hành chính nhà nước theo quy định.",
    "Rà soát, kiện toàn đội ngũ công chức làm công tác văn thư, lưu trữ; bảo đảm có trình độ chuyên môn phù hợp với yêu cầu nhiệm vụ.",
    "Xây dựng lộ trình số hóa hồ sơ tồn đọng theo từng năm, ưu tiên các lĩnh vực đất đai, hộ tịch, đăng ký kinh doanh và xây dựng.",
    "Theo dõi, tổng hợp khó khăn, vướng mắc của cơ sở; kịp thời đề xuất giải pháp tháo gỡ, không để ảnh hưởng đến quyền lợi của người dân.",
]
KH_SUBJ = [
    "Triển khai số hóa hồ sơ, kết quả giải quyết thủ tục hành chính năm {y}",
    "Cải cách hành chính năm {y}",
    "Tuyên truyền, phổ biến, giáo dục pháp luật năm {y}",
    "Phòng, chống thiên tai và tìm kiếm cứu nạn năm {y}",
    "Thực hiện chuyển đổi số năm {y}",
    "Kiểm soát thủ tục hành chính năm {y}",
]
KH_TASKS = [
    "Công tác tuyên truyền, phổ biến",
    "Rà soát, đơn giản hóa thủ tục hành chính",
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "Kiện toàn Bộ phận tiếp nhận và trả kết quả",
    "Ứng dụng công nghệ thông tin, chuyển đổi số",
    "Công tác kiểm tra, giám sát",
    "Chế độ thông tin, báo cáo",
    "Nâng cao chất lượng đội ngũ cán bộ, công chức",
]
UNITS = [
    "Văn phòng HĐND và UBND",
    "Phòng Nội vụ",
    "Phòng Tư pháp",
    "Phòng Tài chính - Kế hoạch",
    "Phòng Văn hóa và Thông tin",
    "Phòng Tài nguyên và Môi trường",
    "Ủy ban nhân dân các xã, thị trấn",
    "Công chức Văn phòng - Thống kê",
]
BC_SUBJ = [
    "Kết quả thực hiện công tác cải cách hành chính quý {q} năm {y}",
    "Tình hình tiếp nhận, giải quyết thủ tục hành chính 6 tháng đầu năm {y}",
    "Kết quả số hóa hồ sơ, kết quả giải quyết thủ tục hành chính năm {y}",
    "Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội tháng {m} năm {y}",
]
TB_SUBJ = [
    "Về việc tạm dừng tiếp nhận hồ sơ trực tiếp",
    "Lịch tiếp công dân định kỳ năm {y}",
    "Kết luận của Chủ tịch Ủy ban nhân dân tại cuộc họp giao ban tháng {m} năm {y}",
    "Về việc niêm yết công khai danh sách hộ gia đình đủ điều kiện hỗ trợ",
    "Về việc thay đổi địa điểm làm việc của Bộ phận Một cửa",
]
TB_PERSON_SUBJ = [
    "Về việc trả kết quả giải quyết hồ sơ",
    "Về việc bổ sung hồ sơ đề nghị cấp phép",
    "Kết quả giải quyết thủ tục hành chính",
]
CV_SUBJ = gen.CV_SUBJECTS
TRAPS = [
    "Tiếp tục quán triệt, thực hiện nghiêm Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2013 và các văn bản quy phạm pháp luật có liên quan; kiên định mục tiêu độc lập dân tộc gắn liền với chủ nghĩa xã hội.",
    "Tổ chức hội nghị triển khai tại Nhà văn hóa thôn Độc Lập, xã Cộng Hòa; thành phần gồm đại diện lãnh đạo các cơ quan, đơn vị và Trưởng các thôn, tổ dân phố.",
    "Các văn bản có liên quan được gửi kèm theo, gồm: Công văn Số: {n1}/UBND-KT ngày {d1} của Ủy ban nhân dân tỉnh và Quyết định Số: {n2}/QĐ-UBND ngày {d2} về việc phê duyệt danh mục thủ tục hành chính.",
    "Mọi công dân nước Cộng hòa xã hội chủ nghĩa Việt Nam đều có quyền tiếp cận thông tin và được hướng dẫn đầy đủ khi thực hiện thủ tục hành chính; giữ vững độc lập, chủ quyền và ổn định chính trị tại địa phương.",
]
TRAP_LINES = [  # a line that starts with "Số:" in the middle of a page
    "Số: {n1}/GP-UBND, cấp ngày {d1} cho hộ kinh doanh tại thôn Cộng Hòa (đã hết hiệu lực);",
    "Số: {n2}/QĐ-UBND ngày {d2} về việc công nhận thôn Độc Lập đạt chuẩn nông thôn mới;",
]
DIEU_TITLES = [
    "Trách nhiệm của các phòng, ban chuyên môn:",
    "Trách nhiệm của Ủy ban nhân dân các xã, thị trấn:",
    "Chế độ thông tin, báo cáo:",
    "Kinh phí thực hiện:",
]
QC_ARTICLES = [
    ("Phạm vi điều chỉnh", "Quy chế này quy định nguyên tắc, nội dung, phương thức và trách nhiệm phối hợp giữa các cơ quan, đơn vị trong tiếp nhận, giải quyết và trả kết quả giải quyết thủ tục hành chính."),
    ("Đối tượng áp dụng", "Quy chế này áp dụng đối với các cơ quan chuyên môn, đơn vị sự nghiệp, cán bộ, công chức, viên chức và tổ chức, cá nhân có liên quan."),
    ("Nguyên tắc phối hợp", "Việc phối hợp bảo đảm đúng chức năng, nhiệm vụ, quyền hạn của mỗi cơ quan; kịp thời, hiệu quả, không chồng chéo; đề cao trách nhiệm của người đứng đầu."),
    ("Nội dung phối hợp", "Phối hợp trong tiếp nhận hồ sơ, thẩm định, xác minh, lấy ý kiến, trình ký, trả kết quả; số hóa hồ sơ, kết quả và cập nhật dữ liệu vào hệ thống thông tin."),
    ("Thời hạn phối hợp", "Cơ quan được lấy ý kiến có trách nhiệm trả lời bằng văn bản trong thời hạn 03 ngày làm việc kể từ ngày nhận được đề nghị; quá thời hạn không trả lời được coi là thống nhất."),
    ("Trách nhiệm của cơ quan chủ trì", "Cơ quan chủ trì chịu trách nhiệm toàn diện về kết quả giải quyết; chủ động đôn đốc, tổng hợp ý kiến và thông báo kết quả cho tổ chức, cá nhân."),
    ("Trách nhiệm của cơ quan phối hợp", "Cơ quan phối hợp cử công chức đầu mối, cung cấp thông tin, tài liệu đầy đủ, chính xác và chịu trách nhiệm về nội dung tham gia ý kiến."),
    ("Khen thưởng và xử lý vi phạm", "Tập thể, cá nhân có thành tích được khen thưởng theo quy định; trường hợp vi phạm thì tùy theo tính chất, mức độ bị xử lý kỷ luật theo quy định của pháp luật."),
    ("Tổ chức thực hiện", "Thủ trưởng các cơ quan, đơn vị có trách nhiệm quán triệt, triển khai thực hiện Quy chế này; trong quá trình thực hiện, nếu có vướng mắc, kịp thời phản ánh để sửa đổi, bổ sung."),
]


# --------------------------------------------------------------------------- layout engine
class Layout:
    """Pages of one result drawn at the stack's dpi. Every drawn string is logged with its page."""

    def __init__(self, r, dpi, fam):
        self.r = r
        self.dpi = dpi
        self.fam = fam
        self.F = gen.Fonts(fam, dpi)
        self.W = round(210 / 25.4 * dpi)
        self.H = round(297 / 25.4 * dpi)
        ml, mr, mt, mb = r.uniform(30, 35), r.uniform(15, 20), r.uniform(20, 25), r.uniform(20, 25)
        self.ml, self.mr, self.mt, self.mb = (self.mm(v) for v in (ml, mr, mt, mb))
        self.tw = self.W - self.ml - self.mr
        wide = "Sans" in fam or fam == "DejaVu Serif"
        self.base = r.choice([12, 12.5, 13]) if wide else r.choice([13, 13.5, 14])
        self.line_sp = r.uniform(1.15, 1.3)
        self.th = max(1, dpi // 150)
        self.pages, self.kinds, self.log = [], [], []
        self.overlays, self.fades = {}, {}
        self.paras_on_page = 0
        self.new_page("main")

    def mm(self, v):
        return round(v / 25.4 * self.dpi)

    def f(self, pt=None, bold=False, italic=False):
        return self.F.get(self.base if pt is None else pt, bold=bold, italic=italic)

    @property
    def bottom(self):
        return self.H - self.mb

    def new_page(self, kind):
        img = Image.new("RGB", (self.W, self.H), (255, 255, 255))
        self.pages.append(img)
        self.kinds.append(kind)
        self.draw = ImageDraw.Draw(img)
        self.y = self.mt + (self.mm(3) if len(self.pages) > 1 else 0)
        self.paras_on_page = 0

    @property
    def pi(self):
        return len(self.pages) - 1

    def lh(self, font):
        return int(font.size * self.line_sp)

    def ensure(self, h, kind=None):
        if self.y + h > self.bottom:
            self.new_page(kind or self.kinds[-1])
            return True
        return False

    def text(self, x, y, s, font, page=None):
        d = self.draw if page is None else ImageDraw.Draw(self.pages[page])
        d.text((x, y), s, font=font, fill=INK)
        self.log.append((self.pi if page is None else page, s))

    def center(self, s, font, cx, y=None):
        y = self.y if y is None else y
        w = font.getlength(s)
        self.text(cx - w / 2, y, s, font)
        return w

    def hline(self, x0, x1, y):
        self.draw.line([(x0, y), (x1, y)], fill=INK, width=self.th)

    # ---- paragraphs (word wrap of runs of (text, font), justified)
    @staticmethod
    def wrap_runs(runs, width, indent):
        words, prev_space = [], True
        for text, font in runs:
            for i, p in enumerate(text.split(" ")):
                sep = prev_space if i == 0 else True
                if p == "":
                    prev_space = True
                    continue
                if not sep and words:
                    words[-1].append((p, font))
                else:
                    words.append([(p, font)])
                prev_space = False
            prev_space = text.endswith(" ") or prev_space
        lines, cur, curw, avail = [], [], 0.0, width - indent
        for w in words:
            ww = sum(f.getlength(t) for t, f in w)
            sp = w[0][1].getlength(" ") if cur else 0
            if cur and curw + sp + ww > avail:
                lines.append(cur)
                cur, curw, avail, sp = [], 0.0, width, 0
            cur.append(w)
            curw += sp + ww
        if cur:
            lines.append(cur)
        return lines

    def measure(self, runs, indent_mm=12.7, width=None, after_pt=4):
        width = self.tw if width is None else width
        lines = self.wrap_runs(runs, width, self.mm(indent_mm))
        return sum(max(self.lh(f) for w in ln for _, f in w) for ln in lines) + int(after_pt * self.dpi / 72)

    def para(self, runs, indent_mm=12.7, justify=True, align="left", x0=None, width=None, after_pt=4, keep=False):
        if isinstance(runs, str):
            runs = [(runs, self.f())]
        x0 = self.ml if x0 is None else x0
        width = self.tw if width is None else width
        indent = self.mm(indent_mm) if align == "left" else 0
        lines = self.wrap_runs(runs, width, indent)
        lhs = [max(self.lh(f) for w in ln for _, f in w) for ln in lines]
        if keep:
            self.ensure(sum(lhs))
        for li, ln in enumerate(lines):
            self.ensure(lhs[li])
            ind = indent if li == 0 else 0
            widths = [sum(f.getlength(t) for t, f in w) for w in ln]
            spaces = [w[0][1].getlength(" ") for w in ln[1:]]
            total = sum(widths) + sum(spaces)
            last = li == len(lines) - 1
            if align == "center":
                x, extra = x0 + (width - total) / 2, 0
            else:
                x = x0 + ind
                extra = (width - ind - total) / max(1, len(ln) - 1) if (justify and not last and len(ln) > 1) else 0
            for k, w in enumerate(ln):
                xx = x
                for t, f in w:
                    self.draw.text((xx, self.y), t, font=f, fill=INK)
                    xx += f.getlength(t)
                x += widths[k] + (spaces[k] + extra if k < len(ln) - 1 else 0)
            self.log.append((self.pi, " ".join("".join(t for t, _ in w) for w in ln)))
            self.y += lhs[li]
        self.y += int(after_pt * self.dpi / 72)
        self.paras_on_page += 1

    # ---- Decree 30 header: issuer block left, motto right, Số and date line
    def header(self, iss, number=None, date_line=None, subject_vv=None):
        r, F = self.r, self.F
        pt = r.choice([12, 12.5, 13])
        f_par, f_iss = F.get(pt), F.get(pt, bold=True)
        f_qh, f_tn = F.get(pt, bold=True), F.get(pt + r.choice([0, 0.5, 1]), bold=True)
        lines, parent = iss["lines"], iss["parent"]
        iw = max([f_iss.getlength(s) for s in lines] + ([f_par.getlength(parent)] if parent else []))
        iw = max(iw, self.mm(55))
        gap = self.mm(4)
        pq = pt
        while f_qh.getlength(QH) > self.tw - iw - gap and pq > 9.5:
            pq -= 0.5
            f_qh, f_tn = F.get(pq, bold=True), F.get(min(pq + 1, 14), bold=True)
        lcx = self.ml + iw / 2 - self.mm(r.uniform(0, 3))
        rx0 = self.ml + iw + gap
        rcx = (rx0 + self.ml + self.tw) / 2
        y0 = self.y
        lh = int(f_iss.size * 1.25)
        ly = y0
        if parent:
            self.center(parent, f_par, lcx, ly)
            ly += lh
        for s in lines:
            self.center(s, f_iss, lcx, ly)
            ly += lh
        ulw = f_iss.getlength(lines[-1]) * r.uniform(0.33, 0.5)
        self.hline(lcx - ulw / 2, lcx + ulw / 2, ly + self.mm(0.8))
        ry = y0
        self.center(QH, f_qh, rcx, ry)
        ry += lh
        tw_ = self.center(TN, f_tn, rcx, ry)
        ry += int(f_tn.size * 1.2)
        self.hline(rcx - tw_ / 2, rcx + tw_ / 2, ry + self.mm(0.3))
        motto_bottom = ry + self.mm(1)
        y_no = max(ly, ry) + self.mm(r.uniform(3, 5))
        bottom = max(ly, ry) + self.mm(2)
        if number is not None:
            f_no, f_date = self.f(), self.f(italic=True)
            self.center("Số: " + number, f_no, lcx, y_no)
            dw = f_date.getlength(date_line)
            self.center(date_line, f_date, min(rcx, self.ml + self.tw - dw / 2), y_no)
            self.y = y_no + self.lh(f_no)
            bottom = self.y
            if subject_vv:
                self.para(
                    [("V/v " + subject_vv, F.get(pt))],
                    align="center",
                    x0=lcx - iw / 2 - self.mm(2),
                    width=iw + self.mm(4),
                    justify=False,
                    after_pt=8,
                )
                bottom = self.y
        else:
            self.y = bottom + self.mm(4)
        return dict(y0=y0, first_lh=lh, motto_x0=rx0 - self.mm(2), motto_bottom=motto_bottom, bottom=bottom, lcx=lcx)

    def title(self, heading, subj_lines, rule=True):
        r = self.r
        self.y += self.mm(r.uniform(5, 9))
        ft = self.f(max(self.base, 13.5), bold=True)
        self.center(heading, ft, self.ml + self.tw / 2)
        self.y += self.lh(ft)
        fs = self.f(bold=True)
        for s in subj_lines:
            self.center(s, fs, self.ml + self.tw / 2)
            self.y += self.lh(fs)
        if subj_lines and rule:
            w = self.mm(r.uniform(25, 45))
            self.hline(self.ml + self.tw / 2 - w / 2, self.ml + self.tw / 2 + w / 2, self.y + self.mm(1))
        self.y += self.mm(r.uniform(5, 8))

    # ---- signer block (right) with recipients (left) on the same level; signature and seal overlays
    def signer_height(self, title_lines, rec):
        f_sig, f_name = self.f(bold=True), self.f(self.base + 1, bold=True)
        sig = self.lh(f_sig) * len(title_lines) + self.mm(32) + self.lh(f_name) + self.mm(4)
        recs = int(self.F.get(12).size * 1.3) + len(rec) * int(self.F.get(11).size * 1.25)
        return max(sig, recs) + self.mm(6)

    def signer(self, title_lines, name, rec, seal_text, with_seal, cross):
        r = self.r
        f_sig = self.f(bold=True)
        f_name = self.f(self.base + r.choice([0, 0, 0.5, 1]), bold=True)
        sig_gap = self.mm(r.uniform(24, 32))
        self.y += self.mm(r.uniform(2, 6))
        self.ensure(self.signer_height(title_lines, rec) - self.mm(6))
        scx = self.ml + self.tw * r.uniform(0.70, 0.76)
        sy = self.y
        for s in title_lines:
            self.center(s, f_sig, scx, sy)
            sy += self.lh(f_sig)
        title_bottom = sy
        name_y = sy + sig_gap
        nw = self.center(name, f_name, scx, name_y)
        bb = f_name.getbbox(name)
        name_box = (scx - nw / 2, name_y + bb[1], scx + nw / 2, name_y + bb[3])
        if rec:
            f_nn, f_nl = self.F.get(12, bold=True, italic=True), self.F.get(11)
            ny = self.y + self.mm(1)
            self.text(self.ml, ny, "Nơi nhận:", f_nn)
            ny += int(f_nn.size * 1.2)
            for s in rec:
                self.text(self.ml, ny, s, f_nl)
                ny += int(f_nl.size * 1.25)
        else:
            ny = self.y
        self.y = max(ny, name_y + self.lh(f_name))
        shape = (self.H, self.W)
        sw = self.mm(r.uniform(35, 55))
        sbox = (
            scx - sw / 2 + self.mm(r.uniform(-5, 5)),
            title_bottom + self.mm(1),
            scx + sw / 2 + self.mm(r.uniform(-5, 5)),
            name_y - self.mm(1),
        )
        sig_mask = gen.draw_signature(r, shape, sbox, name_box, cross, self.dpi)
        ov = self.overlays.setdefault(self.pi, [])
        if with_seal:
            rad = self.mm(r.uniform(17, 20.5))
            sx = min(name_box[0], sbox[0] + sw * 0.3) + r.uniform(-0.1, 0.25) * rad
            cy = min(name_box[1] + (name_box[3] - name_box[1]) * 0.3 - rad, (title_bottom + name_y) / 2 + r.uniform(-0.15, 0.1) * rad)
            ov.append(("seal", gen.draw_seal(r, shape, (sx, cy), rad, seal_text, self.dpi), seal_colour(r)))
        ink = r.choice([(25, 50, 165), (20, 35, 120), (35, 60, 190), (30, 30, 70)])
        ov.append(("sig", sig_mask * r.uniform(0.85, 0.97), ink))

    # ---- ruled tables that break across pages and repeat their header row
    def wrap_cell(self, s, font, width):
        out, cur = [], ""
        for w in s.split():
            t = (cur + " " + w) if cur else w
            if cur and font.getlength(t) > width:
                out.append(cur)
                cur = w
            else:
                cur = t
        return [*out, cur] if cur else out or [""]

    def table_start(self, cols, pt=None):
        pt = pt or max(11, self.base - 1.5)
        self.t_cols = cols
        self.t_font, self.t_hfont = self.F.get(pt), self.F.get(pt, bold=True)
        tot = sum(c[1] for c in cols)
        self.t_w = [self.tw * c[1] / tot for c in cols]
        self.t_pad = self.mm(1.2)
        self._row([c[0] for c in cols], self.t_hfont, header=True)

    def row_h(self, cells, font):
        n = max(len(self.wrap_cell(c, font, w - 2 * self.t_pad)) for c, w in zip(cells, self.t_w, strict=True))
        return n * int(font.size * 1.22) + 2 * self.t_pad

    def row_fits(self, cells):
        return self.y + self.row_h(cells, self.t_font) <= self.bottom

    def _row(self, cells, font, header=False):
        h = self.row_h(cells, font)
        if not header and self.y + h > self.bottom:
            self.new_page(self.kinds[-1])
            self._row([c[0] for c in self.t_cols], self.t_hfont, header=True)
        x = self.ml
        y0 = self.y
        for c, w, col in zip(cells, self.t_w, self.t_cols, strict=True):
            yy = y0 + self.t_pad
            for ln in self.wrap_cell(c, font, w - 2 * self.t_pad):
                lw = font.getlength(ln)
                align = "center" if header else col[2]
                xx = x + (w - lw) / 2 if align == "center" else x + self.t_pad
                if ln:
                    self.text(xx, yy, ln, font)
                yy += int(font.size * 1.22)
            x += w
        x = self.ml
        d = self.draw
        d.rectangle([self.ml, y0, self.ml + sum(self.t_w), y0 + h], outline=INK, width=self.th)
        for w in self.t_w[:-1]:
            x += w
            d.line([(x, y0), (x, y0 + h)], fill=INK, width=self.th)
        self.y = y0 + h

    def row(self, cells):
        self._row(cells, self.t_font)


def seal_colour(r):
    return (r.randint(190, 225), r.randint(20, 50), r.randint(30, 60))


# --------------------------------------------------------------------------- one result
KIND_DTYPE = {
    "qd": "Quyết định",
    "kh": "Kế hoạch",
    "bc": "Báo cáo",
    "cv": "Công văn",
    "tb": "Thông báo",
    "gcn": "Giấy chứng nhận",
    "gp": "Giấy phép",
}
ISSUER_KINDS = {
    "qd": ["commune", "district", "district", "province", "dept"],
    "kh": ["commune", "district", "province", "dept"],
    "bc": ["commune", "district", "dept", "office"],
    "cv": ["commune", "district", "province", "dept", "office"],
    "tb": ["commune", "district", "dept", "office"],
    "gcn": ["office", "district", "dept"],
    "gp": ["district", "dept"],
}
ABBR = {"qd": "QĐ", "kh": "KH", "bc": "BC", "tb": "TB", "gcn": "GCN", "gp": "GP"}


def sentence_issuer(iss, ikind, prov, dist, comm):
    if iss["ubnd"]:
        return "Ủy ban nhân dân " + {"commune": "xã " + comm, "district": "huyện " + dist, "province": "tỉnh " + prov}[ikind]
    name = " ".join(iss["lines"])
    if name in PROPER:
        return PROPER[name]
    low = name.lower()
    for nm in (prov, dist, comm):
        low = low.replace(nm.lower(), nm)
    return low[0].upper() + low[1:]


PROPER = {
    "SỞ Y TẾ": "Sở Y tế",
    "SỞ XÂY DỰNG": "Sở Xây dựng",
    "SỞ CÔNG THƯƠNG": "Sở Công Thương",
    "SỞ KẾ HOẠCH VÀ ĐẦU TƯ": "Sở Kế hoạch và Đầu tư",
    "SỞ TƯ PHÁP": "Sở Tư pháp",
    "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN": "Sở Nông nghiệp và Phát triển nông thôn",
    "SỞ GIÁO DỤC VÀ ĐÀO TẠO": "Sở Giáo dục và Đào tạo",
    "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG": "Sở Tài nguyên và Môi trường",
    "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH": "Sở Văn hóa, Thể thao và Du lịch",
    "SỞ NỘI VỤ": "Sở Nội vụ",
    "PHÒNG TÀI CHÍNH - KẾ HOẠCH": "Phòng Tài chính - Kế hoạch",
    "PHÒNG KINH TẾ VÀ HẠ TẦNG": "Phòng Kinh tế và Hạ tầng",
    "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG": "Phòng Tài nguyên và Môi trường",
    "PHÒNG KINH TẾ": "Phòng Kinh tế",
}


def build_result(r, plan, dpi):
    """Lays out one result. Returns the Layout (clean pages) plus fields and meta."""
    kind = plan["kind"]
    dtype = KIND_DTYPE[kind]
    fam = r.choices(list(gen.FONT_WEIGHTS), weights=list(gen.FONT_WEIGHTS.values()))[0]
    L = Layout(r, dpi, fam)
    F = L.f
    prov = r.choice(list(gen.PROVINCES))
    dists, pcode = gen.PROVINCES[prov]
    dist, comm = r.choice(dists), r.choice(gen.COMMUNES)

    # issuer and signer style
    style = plan["sig_style"]
    ikinds = ISSUER_KINDS[kind]
    if style == "TM":
        ikinds = [k for k in ikinds if k in ("commune", "district", "province")] or ikinds
    ikind = r.choice(ikinds)
    iss = gen.make_issuer(r, ikind, prov, dist, comm)
    want = {"gcn": ("SYT", "SCT", "SNNPTNT"), "gp": ("SXD", "SCT")}.get(kind)
    while ikind == "dept" and want and iss["code"] not in want:
        iss = gen.make_issuer(r, ikind, prov, dist, comm)
    if style == "TM" and not iss["ubnd"]:
        style = "KT"
    if style == "TL" and ikind not in ("dept", "province"):
        style = "single"
    head, deputy = iss["head"], iss["deputy"]
    if style == "KT":
        signed_for, signer_title = "KT. " + head, deputy
    elif style == "TM":
        signed_for, signer_title = "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
    elif style == "TL":
        signed_for, signer_title = "TL. " + head, r.choice(["CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"])
    else:
        signed_for, signer_title = None, head
    signer_name, _ = gen.make_name(r)
    s_iss = sentence_issuer(iss, ikind, prov, dist, comm)
    lvl_word = {"commune": "xã", "district": "huyện", "province": "tỉnh"}.get(ikind, "tỉnh" if ikind == "dept" else "huyện")
    lvl_name = {"commune": comm, "district": dist, "province": prov}.get(ikind, prov if ikind == "dept" else dist)

    # number and date
    d, m, y = gen.rand_date(r, 2019, 2025)
    issue_date = f"{y:04d}-{m:02d}-{d:02d}"
    date_line = gen.fmt_date_line(iss["place"], d, m, y, r)
    nn = r.choice([r.randint(1, 9), r.randint(10, 99), r.randint(100, 999), r.randint(1000, 3999)])
    if kind == "cv":
        unit = "UBND" if iss["ubnd"] else iss["code"]
        number = f"{nn:02d}/{unit}-{r.choice(['VX', 'KT', 'VP', 'NC', 'KTTH', 'TCKH'] if iss['ubnd'] else ['VP', 'NVY', 'QLCL', 'KHTC'])}"
    else:
        number = f"{nn:02d}/{ABBR[kind]}-{iss['code']}"
    number = nfc(number)
    d_short = f"{d:02d}/{m if m > 2 else f'{m:02d}'}/{y}"

    # holder (a person the result is about) and subject
    holder_name = holder_id = None
    holder_sex = None
    birth = None
    variant = None
    if kind == "qd":
        variant = "list" if plan["annex"] else r.choice(["hotro", "dat", "khen", "bonhiem", "totac"])
        if plan["annex"]:
            variant = r.choice(["list", "list", "khenlist", "quyche"])
        if plan["main_target"] >= 3 and variant in ("hotro", "dat", "khen", "bonhiem"):
            variant = r.choice([variant, "totac"])
    if (kind == "qd" and variant in ("hotro", "dat", "khen", "bonhiem")) or kind in ("gcn", "gp") or (kind == "tb" and plan.get("tb_person")):
        holder_name, holder_sex = gen.make_name(r)
        while holder_name == signer_name:
            holder_name, holder_sex = gen.make_name(r)
        birth = gen.rand_date(r, 1950, 2003)
        if r.random() < 0.6 and variant not in ("khen", "bonhiem"):
            holder_id = gen.cccd(r, pcode, holder_sex, birth[2])
    ong = "Ông" if holder_sex == "M" else "Bà"
    hn_print = (upper(holder_name) if r.random() < 0.3 else holder_name) if holder_name else None
    hn_font = F(bold=r.random() < 0.45)
    addr = f"{r.choice(gen.VILLAGES)}, xã {comm}, huyện {dist}, tỉnh {prov}"

    q = ROMAN[(m - 1) // 3]
    fmt = dict(y=y, m=m, q=q)
    annex_title = None
    if kind == "qd":
        subject = {
            "hotro": "Về việc hỗ trợ kinh phí xây dựng nhà ở cho hộ nghèo",
            "dat": "Về việc giao đất ở cho hộ gia đình, cá nhân",
            "khen": "Về việc tặng Giấy khen",
            "bonhiem": "Về việc bổ nhiệm viên chức quản lý",
            "totac": "Về việc thành lập Tổ công tác số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
            "list": f"Về việc phê duyệt danh sách hộ gia đình được hỗ trợ kinh phí xây dựng nhà ở năm {y}",
            "khenlist": "Về việc tặng Giấy khen cho các tập thể, cá nhân có thành tích xuất sắc",
            "quyche": "Về việc ban hành Quy chế phối hợp giải quyết thủ tục hành chính",
        }[variant]
    elif kind == "kh":
        subject = r.choice(KH_SUBJ).format(**fmt)
    elif kind == "bc":
        subject = r.choice(BC_SUBJ).format(**fmt)
    elif kind == "tb":
        subject = r.choice(TB_PERSON_SUBJ if holder_name else TB_SUBJ).format(**fmt)
    elif kind == "cv":
        subject = r.choice(CV_SUBJ)
    elif kind == "gcn":
        variant = "hkd" if ikind in ("office", "district") else "attp"
        subject = "ĐĂNG KÝ HỘ KINH DOANH" if variant == "hkd" else r.choice(["CƠ SỞ ĐỦ ĐIỀU KIỆN AN TOÀN THỰC PHẨM", "Cơ sở đủ điều kiện an toàn thực phẩm"])
    else:
        variant = "xaydung" if (ikind == "district" and r.random() < 0.6) or iss["code"] == "SXD" else "ruou"
        subject = {"xaydung": "Xây dựng nhà ở riêng lẻ", "ruou": "Bán lẻ sản phẩm rượu"}[variant]
    subj_lines = [subject]
    fs = F(bold=True)
    if kind != "cv" and fs.getlength(subject) > L.tw * 0.92:  # break a long subject in two centred lines
        words = subject.split()
        best = min(range(1, len(words)), key=lambda k: abs(fs.getlength(" ".join(words[:k])) - fs.getlength(" ".join(words[k:]))))
        subj_lines = [" ".join(words[:best]), " ".join(words[best:])]

    # ------------------------------------------------------------------ page 1 header
    hdr = L.header(iss, number, date_line, subject if kind == "cv" else None)
    if kind != "cv":
        L.title(upper(dtype), subj_lines)
    f_b, f_bb, f_bi = F(), F(bold=True), F(italic=True)

    pool = list(GENERIC)
    r.shuffle(pool)

    def take():
        if not pool:
            pool.extend(GENERIC)
            r.shuffle(pool)
        return pool.pop()

    def cancu(keys):
        lst = [gen.CANCU_COMMON[0]] if r.random() < 0.75 else []
        lst += gen.CANCU.get(keys, [])[: r.randint(1, 2)]
        if r.random() < 0.35:
            lst.append(gen.CANCU_COMMON[r.choice([1, 2])])
        lst = [s for s in lst if max(int(v) for v in re.findall(r"năm (\d{4})", s)) <= y] or [gen.CANCU_COMMON[0]]
        for s in lst:
            L.para([(s, f_bi)])

    def id_lines():
        out = []
        if birth:
            out.append(f"Sinh ngày: {birth[0]:02d}/{birth[1]:02d}/{birth[2]}" if r.random() < 0.6 else f"Năm sinh: {birth[2]}")
        if holder_id:
            lab = r.choice(["Số CCCD:", "Số định danh cá nhân:", "Căn cước công dân số:"])
            out.append(f"{lab} {holder_id}")
        out.append(r.choice(["Nơi thường trú:", "Địa chỉ thường trú:", "Nơi cư trú:"]) + " " + addr)
        for s in out:
            L.para([(s, f_b)], indent_mm=12.7)

    # the stream of paragraphs that can be repeated to reach a page count; each item: list of para() calls
    state = {"n": 0, "sec": 0, "dieu": 2, "k": 0, "per": r.randint(4, 7)}

    def stream_item():
        state["n"] += 1
        n = state["n"]
        if kind == "qd":
            items = []
            if state["k"] >= state["per"] and state["dieu"] < 6:
                state["dieu"] += 1
                state["k"], state["per"] = 0, r.randint(4, 7)
                items.append(([(f"Điều {state['dieu']}. ", f_bb), (DIEU_TITLES[(state["dieu"] - 3) % len(DIEU_TITLES)], f_b)], {}))
            state["k"] += 1
            items.append(([(f"{state['k']}. " + take(), f_b)], {}))
            return items
        if kind == "kh":
            items = []
            if n == 1:
                items.append(([("I. MỤC ĐÍCH, YÊU CẦU", f_bb)], dict(indent_mm=0)))
                items.append(([("1. Mục đích", f_bb)], {}))
            if n == 3:
                items.append(([("2. Yêu cầu", f_bb)], {}))
            if n == 5:
                items.append(([("II. NỘI DUNG, NHIỆM VỤ TRỌNG TÂM", f_bb)], dict(indent_mm=0)))
            if n < 5:
                items.append(([("- " + take(), f_b)], {}))
                return items
            k = n - 4
            task = KH_TASKS[(k - 1) % len(KH_TASKS)]
            items.append(([(f"{k}. {task}", f_bb)], {}))
            items.append(([("- " + take(), f_b)], {}))
            items.append(([(f"- Đơn vị chủ trì: {r.choice(UNITS)}; thời gian thực hiện: {r.choice(['thường xuyên', f'trong quý {r.choice(ROMAN[:4])} năm {y}', f'trước ngày {r.randint(1, 28):02d}/{r.randint(3, 12)}/{y}'])}.", f_b)], {}))
            return items
        if kind == "bc":
            items = []
            if n == 1:
                items.append(([("I. KẾT QUẢ ĐẠT ĐƯỢC", f_bb)], dict(indent_mm=0)))
            if n == 6:
                items.append(([("II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", f_bb)], dict(indent_mm=0)))
            if n == 9:
                items.append(([("III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", f_bb)], dict(indent_mm=0)))
            if n < 6 and n % 2 == 1:
                a_ = r.randint(300, 4000)
                b_ = int(a_ * r.uniform(0.55, 0.95))
                c_ = int(a_ * r.uniform(0.85, 0.99))
                e_ = int(c_ * r.uniform(0.9, 1.0))
                items.append(([(f"- Tổng số hồ sơ tiếp nhận: {vnum(a_)} hồ sơ, trong đó tiếp nhận trực tuyến {vnum(b_)} hồ sơ (đạt {pct(b_, a_)}%); đã giải quyết {vnum(c_)} hồ sơ, trong đó đúng hạn {vnum(e_)} hồ sơ (đạt {pct(e_, c_)}%).", f_b)], {}))
                return items
            items.append(([("- " + take(), f_b)], {}))
            return items
        if kind == "cv":
            return [([(f"{n}. " + take(), f_b)], {})]
        return [([(take(), f_b)], {})]

    # ------------------------------------------------------------------ opening, by kind
    closing = []  # list of (runs, kwargs)
    if kind == "qd":
        auth = " ".join(iss["lines"]) if style == "TM" else head + " " + " ".join(iss["lines"])
        L.para([(auth, f_bb)], align="center", justify=False, after_pt=8)
        cancu({"hotro": "hotro", "dat": "dat", "khen": "khen", "khenlist": "khen", "bonhiem": "bonhiem", "list": "hotro"}.get(variant, "none"))
        L.para([(f"{r.choice(['Xét đề nghị của Trưởng phòng chuyên môn tại Tờ trình số ', 'Theo đề nghị của công chức chuyên môn tại Tờ trình số '])}{r.randint(10, 300)}/TTr-{iss['code']} ngày {max(1, d - 3):02d}/{m:02d}/{y}.", f_bi)])
        L.y += L.mm(2)
        L.center("QUYẾT ĐỊNH:", L.f(L.base + 0.5, bold=True), L.ml + L.tw / 2)
        L.y += L.lh(f_bb) + L.mm(2)
        if variant == "hotro":
            L.para([("Điều 1. ", f_bb), ("Hỗ trợ kinh phí xây dựng nhà ở cho hộ nghèo theo quy định, cụ thể như sau:", f_b)])
            L.para([("Họ và tên chủ hộ: ", f_b), (hn_print, hn_font)])
            id_lines()
            L.para([(f"Mức hỗ trợ: {r.choice(['40.000.000', '50.000.000', '60.000.000'])} đồng.", f_b)])
        elif variant == "dat":
            L.para([("Điều 1. ", f_bb), ("Giao đất ở có thu tiền sử dụng đất cho hộ gia đình, cá nhân như sau:", f_b)])
            L.para([("Họ, chữ đệm và tên: ", f_b), (hn_print, hn_font)])
            id_lines()
            L.para([(f"Vị trí: thửa đất số {r.randint(1, 900)}, tờ bản đồ số {r.randint(1, 60)}; diện tích: {r.randint(100, 400)},0 m².", f_b)])
        elif variant == "khen":
            L.para([("Điều 1. ", f_bb), ("Tặng Giấy khen cho ông/bà ", f_b), (hn_print, hn_font), (f", {r.choice(['công chức Văn phòng - Thống kê', 'giáo viên', 'Trưởng thôn', 'viên chức'])}, đã có thành tích xuất sắc trong phong trào thi đua năm {y - 1 if m < 4 else y}.", f_b)])
        elif variant == "bonhiem":
            L.para([("Điều 1. ", f_bb), ("Bổ nhiệm ", f_b), (ong.lower() + " ", f_b), (hn_print, hn_font), (f", sinh ngày {birth[0]:02d}/{birth[1]:02d}/{birth[2]}, giữ chức vụ {r.choice(['Phó Trưởng phòng Hành chính - Tổng hợp', 'Tổ trưởng chuyên môn', 'Phó Giám đốc Trung tâm'])} kể từ ngày ký.", f_b)])
        elif variant == "totac":
            L.para([("Điều 1. ", f_bb), ("Thành lập Tổ công tác số hóa hồ sơ, kết quả giải quyết thủ tục hành chính, gồm các ông (bà) có tên sau:", f_b)])
            for j in range(r.randint(3, 6)):
                nm, _ = gen.make_name(r)
                L.para([(f"{j + 1}. {nm}, {r.choice(['công chức Văn phòng - Thống kê', 'chuyên viên Phòng Nội vụ', 'công chức Tư pháp - Hộ tịch', 'viên chức Trung tâm'])}, {'Tổ trưởng' if j == 0 else 'thành viên'};", f_b)])
            L.para([("Điều 2. ", f_bb), ("Tổ công tác có nhiệm vụ:", f_b)])
        else:
            which = {"list": "Danh sách hộ gia đình được hỗ trợ", "khenlist": "Danh sách tập thể, cá nhân được khen thưởng", "quyche": "Quy chế phối hợp giải quyết thủ tục hành chính"}[variant]
            verb = "Ban hành kèm theo Quyết định này" if variant == "quyche" else "Phê duyệt"
            L.para([("Điều 1. ", f_bb), (f"{verb} {which[0].lower() + which[1:]} ({r.choice(['có danh sách kèm theo', 'chi tiết tại Phụ lục kèm theo', 'kèm theo'])}).", f_b)])
            annex_title = variant
        if variant not in ("totac",):
            L.para([("Điều 2. ", f_bb), ("Tổ chức thực hiện:", f_b)])
        closing.append(([("Điều {dieu}. ", f_bb), (f"Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị có liên quan{' và ' + ('ông' if holder_sex == 'M' else 'bà') + ' có tên tại Điều 1' if holder_name else ''} chịu trách nhiệm thi hành Quyết định này./.", f_b)], {}))
    elif kind == "kh":
        L.para([(f"Thực hiện Kế hoạch số {r.randint(10, 300)}/KH-UBND ngày {max(1, d - 9):02d}/{m:02d}/{y} của Ủy ban nhân dân tỉnh, {s_iss} ban hành Kế hoạch {subject[0].lower() + subject[1:]}, cụ thể như sau:", f_b)])
        closing.append(([("{sec}. TỔ CHỨC THỰC HIỆN", f_bb)], dict(indent_mm=0)))
        closing.append(([(f"Trên đây là Kế hoạch {subject[0].lower() + subject[1:]}; yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện./.", f_b)], {}))
        annex_title = "kh" if plan["annex"] else None
    elif kind == "bc":
        if r.random() < 0.5:
            L.center("Kính gửi: " + r.choice(["Ủy ban nhân dân tỉnh", "Ủy ban nhân dân huyện", "Văn phòng UBND tỉnh", "Sở Nội vụ"]), f_b, L.ml + L.tw / 2)
            L.y += L.lh(f_b) + L.mm(3)
        L.para([(f"Thực hiện Công văn số {r.randint(100, 3000)}/UBND-NC ngày {max(1, d - 12):02d}/{m:02d}/{y}, {s_iss} báo cáo {subject[0].lower() + subject[1:]} như sau:", f_b)])
        closing.append(([(f"Trên đây là báo cáo {subject[0].lower() + subject[1:]} của {s_iss}./.", f_b)], {}))
        annex_title = "bc" if plan["annex"] else None
    elif kind == "cv":
        kg = r.sample(gen.KINHGUI_ORGS, r.randint(1, 3))
        if len(kg) == 1:
            L.center("Kính gửi: " + kg[0], f_b, L.ml + L.tw / 2)
            L.y += L.lh(f_b) + L.mm(3)
        else:
            x_kg = L.ml + L.mm(30)
            L.text(x_kg, L.y, "Kính gửi:", f_b)
            for s in kg:
                L.text(x_kg + f_b.getlength("Kính gửi: "), L.y, "- " + s + ";", f_b)
                L.y += L.lh(f_b)
            L.y += L.mm(3)
        L.para([(f"Thực hiện chỉ đạo của cấp trên về việc {subject}, {s_iss} đề nghị các cơ quan, đơn vị thực hiện một số nội dung sau:", f_b)])
        closing.append(([("Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.", f_b)], {}))
    elif kind == "tb":
        if holder_name:
            L.center(f"Kính gửi: {r.choice(['Ông (bà)', ong])} {hn_print}", f_b, L.ml + L.tw / 2)
            L.y += L.lh(f_b) + L.mm(3)
            L.para([(f"{s_iss} nhận được hồ sơ của ông (bà) ", f_b), (hn_print, hn_font), (f" đề nghị giải quyết thủ tục hành chính, mã hồ sơ 000.00.{r.randint(10, 99)}.H{r.randint(10, 64)}-{y % 100:02d}{m:02d}{max(1, d - 4):02d}-{r.randint(1, 9999):04d}.", f_b)])
            id_lines()
            closing.append(([("Đề nghị ông (bà) đến Bộ phận Một cửa để nhận kết quả hoặc tra cứu trên Cổng Dịch vụ công quốc gia./.", f_b)], {}))
        else:
            L.para([(f"{s_iss} thông báo {subject[0].lower() + subject[1:]} như sau:", f_b)])
            closing.append(([("Ủy ban nhân dân thông báo để các cơ quan, đơn vị, tổ chức và cá nhân biết, thực hiện./.", f_b)], {}))
    elif kind == "gcn":
        if variant == "hkd":
            L.para([(f"Mã số hộ kinh doanh: {r.randint(10, 99)}{r.choice('ABCDEFGH')}{r.randint(8000000, 8999999)}", f_bb)], indent_mm=0)
            L.para([(f"Đăng ký lần đầu: ngày {max(1, d - 2):02d} tháng {m:02d} năm {y}", f_bi)], indent_mm=0)
            L.para([("1. Tên hộ kinh doanh: ", f_b), (f"HỘ KINH DOANH {upper(r.choice(['Tạp hóa', 'Quán ăn', 'Cửa hàng']))} {upper(r.choice(['Minh Phát', 'Thành Công', 'Phú Quý', 'An Khang']))}", f_bb)], indent_mm=0)
            L.para([(f"2. Địa chỉ trụ sở hộ kinh doanh: {r.choice(gen.VILLAGES)}, xã {comm}, huyện {dist}, tỉnh {prov}", f_b)], indent_mm=0)
            L.para([(f"3. Ngành, nghề kinh doanh: {r.choice(gen.BIZ_LINES)}", f_b)], indent_mm=0)
            L.para([(f"4. Vốn kinh doanh: {r.choice(['50.000.000', '100.000.000', '300.000.000'])} đồng", f_b)], indent_mm=0)
            L.para([("5. Họ, chữ đệm và tên chủ hộ kinh doanh: ", f_b), (hn_print, hn_font)], indent_mm=0)
            L.para([(f"Giới tính: {'Nam' if holder_sex == 'M' else 'Nữ'}; Sinh ngày: {birth[0]:02d}/{birth[1]:02d}/{birth[2]}; Dân tộc: Kinh; Quốc tịch: Việt Nam", f_b)], indent_mm=0)
            if holder_id:
                L.para([(f"Số giấy tờ pháp lý của cá nhân: {holder_id}", f_b)], indent_mm=0)
            L.para([(f"Địa chỉ thường trú: {addr}", f_b)], indent_mm=0)
        else:
            L.para([("Chứng nhận: ", f_bb), (f"{r.choice(gen.BUSINESS)} {r.choice(['Hương Quê', 'Phúc Lộc', 'Ba Miền', 'Tân Tiến'])}", f_b)], indent_mm=0)
            L.para([("Chủ cơ sở: ", f_b), (hn_print, hn_font)], indent_mm=0)
            if holder_id:
                L.para([(f"Số định danh cá nhân: {holder_id}", f_b)], indent_mm=0)
            L.para([(f"Địa chỉ: {r.choice(gen.VILLAGES)}, xã {comm}, huyện {dist}, tỉnh {prov}", f_b)], indent_mm=0)
            L.para([("Đủ điều kiện an toàn thực phẩm theo quy định để sản xuất, kinh doanh: ", f_b), (r.choice(["bánh kẹo các loại", "nước mắm", "giò, chả", "suất ăn sẵn"]), f_bb)], indent_mm=0)
            L.para([(f"Giấy chứng nhận có hiệu lực đến ngày {d:02d} tháng {m:02d} năm {y + 3}.", f_bi)], indent_mm=0)
    else:  # gp
        cancu("xaydung" if variant == "xaydung" else "ruou")
        L.para([("1. Cấp cho: ", f_b), (f"{ong} ", f_b), (hn_print, hn_font)], indent_mm=0)
        if holder_id:
            L.para([(f"Số định danh cá nhân: {holder_id}", f_b)], indent_mm=0)
        L.para([(f"Địa chỉ: {addr}", f_b)], indent_mm=0)
        if variant == "xaydung":
            L.para([(f"2. Được phép xây dựng công trình: Nhà ở riêng lẻ tại thửa đất số {r.randint(1, 900)}, tờ bản đồ số {r.randint(1, 60)}, xã {comm}, huyện {dist}, tỉnh {prov}; số tầng: {r.randint(2, 4)}; tổng diện tích sàn: {r.randint(150, 450)},{r.randint(0, 9)} m².", f_b)], indent_mm=0)
            L.para([("3. Giấy phép này có hiệu lực khởi công xây dựng trong thời hạn 12 tháng kể từ ngày cấp.", f_b)], indent_mm=0)
        else:
            L.para([("2. Được phép bán lẻ sản phẩm rượu tại địa điểm kinh doanh nêu trên; nguồn cung cấp sản phẩm rượu từ các thương nhân có giấy phép phân phối, bán buôn theo quy định.", f_b)], indent_mm=0)
            L.para([(f"3. Giấy phép có giá trị đến ngày {d:02d}/{m:02d}/{y + 5}.", f_bi)], indent_mm=0)

    # ------------------------------------------------------------------ fill to the planned number of pages
    title_lines = ([signed_for] if signed_for else []) + [signer_title]
    rec = {"qd": ["- Như Điều 3;"], "cv": ["- Như trên;"], "tb": ["- Như trên;"], "kh": ["- Các phòng, ban liên quan;"], "bc": ["- Như trên;"]}.get(kind, ["- Người được cấp;"])
    rec = rec + r.sample(["- TT Đảng ủy, HĐND;", "- Chủ tịch, các PCT;", "- Bộ phận Một cửa;", "- Cổng thông tin điện tử;", "- Phòng Tư pháp;"], r.randint(1, 3))
    rec.append(f"- Lưu: VT, {iss['code'] if not iss['ubnd'] else r.choice(['VP', 'TP', 'ĐC', 'VX'])}.")
    target = plan["main_target"]
    trap = {"wanted": plan["trap"] and target >= 2, "page": None}
    sig_h = L.signer_height(title_lines, rec)

    def closing_h():
        return sum(L.measure(runs, **{k: v for k, v in kw.items() if k == "indent_mm"}) for runs, kw in closing)

    def put_trap():
        tn = dict(n1=r.randint(100, 2999), n2=r.randint(10, 999), d1=f"{r.randint(1, 28):02d}/{r.randint(3, 12)}/{y - 1}", d2=f"{r.randint(1, 28):02d}/{r.randint(3, 12)}/{y - 1}")
        picks = r.sample(TRAPS, r.choice([1, 1, 2]))
        for s in picks:
            L.para([(s.format(**tn), f_b)])
        if r.random() < 0.5:
            L.para([(r.choice(TRAP_LINES).format(**tn), f_b)], indent_mm=0)
        trap["page"] = L.pi

    if kind not in ("gcn", "gp"):
        guard = n_items = 0
        while guard < 200:
            guard += 1
            items = stream_item()
            need = sum(L.measure(runs, **{k: v for k, v in kw.items() if k == "indent_mm"}) for runs, kw in items)
            # on the last planned page: stop when what follows would not fit, or now and then
            if L.pi + 1 >= target and (L.y + need + closing_h() + sig_h > L.bottom or (n_items and L.paras_on_page >= 2 and r.random() < 0.25)):
                break
            n_items += 1
            for runs, kw in items:
                L.para(runs, **kw)
            if trap["wanted"] and trap["page"] is None and L.pi >= 1 and L.paras_on_page >= 2:
                put_trap()
        if trap["wanted"] and trap["page"] is None and L.pi >= 1:
            put_trap()
        sec = ROMAN[2 if state["n"] >= 5 else 1]
        for runs, kw in closing:
            L.para([(t.replace("{sec}", sec).replace("{dieu}", str(state["dieu"] + 1)), f) for t, f in runs], **kw)
        if kind == "qd":
            rec[0] = f"- Như Điều {state['dieu'] + 1};"
    L.signer(title_lines, signer_name, rec if kind not in ("gcn", "gp") or r.random() < 0.5 else [], iss["seal"], plan["seal"], plan["cross"])
    sign_page = L.pi
    L.seal_text = iss["seal"]
    main_pages = len(L.pages)

    # ------------------------------------------------------------------ annex
    annex_pages = 0
    annex_meta = None
    if annex_title and plan["annex_target"] > 0:
        atarget = min(plan["annex_target"], 5 - main_pages)
        if atarget >= 1:
            annex_meta = build_annex(L, r, plan, annex_title, iss, ikind, number, d, m, y, d_short, s_iss, prov, dist, comm, lvl_word, lvl_name, atarget)
            annex_pages = len(L.pages) - main_pages

    # ------------------------------------------------------------------ page numbers (drawn once the count is known)
    pn = plan["pnum"] if main_pages > 1 else "none"
    numbered = []
    fpn = L.F.get(r.choice([11, 12, 13]), italic=pn == "trang" and r.random() < 0.5)
    pn_right = r.random() < 0.5
    trang_p1 = r.random() < 0.5
    for i in range(main_pages):
        if pn == "none" or (i == 0 and not (pn == "trang" and trang_p1)):
            continue
        s = {"top_bare": str(i + 1), "top_dash": f"- {i + 1} -", "trang": f"Trang {i + 1}/{main_pages}", "foot": str(i + 1)}[pn]
        draw_page_number(L, i, s, fpn, "foot" if pn == "foot" or (pn == "trang" and pn_right) else "top", pn_right and pn in ("foot", "trang"))
        numbered.append(i)
    if annex_pages:
        astyle = annex_meta["numbering"]
        for k in range(annex_pages):
            i = main_pages + k
            s = None
            if astyle == "continue" and pn in ("top_bare", "top_dash", "foot"):
                s = {"top_bare": str(i + 1), "top_dash": f"- {i + 1} -", "foot": str(i + 1)}[pn]
                where = "foot" if pn == "foot" else "top"
            elif astyle == "restart" and k > 0:
                s, where = str(k + 1), "top"
            if s:
                draw_page_number(L, i, s, fpn, where, pn_right and where == "foot")
                numbered.append(i)

    fields = {
        "doc_type": dtype,
        "number": number,
        "issue_date": issue_date,
        "issuer": " ".join(iss["lines"]),
        "issuer_parent": iss["parent"],
        "subject": " ".join(subj_lines),
        "signer_title": signer_title,
        "signed_for": signed_for,
        "signer_name": signer_name,
        "holder_name": holder_name,
        "holder_id": holder_id,
    }
    fields = {k: nfc(v) for k, v in fields.items()}
    meta = {
        "font": fam,
        "dpi": dpi,
        "variant": variant,
        "issuer_kind": ikind,
        "signer_style": style,
        "seal": bool(plan["seal"]),
        "main_pages": main_pages,
        "sign_page": sign_page + 1,
        "annex_pages": annex_pages,
        "annex": annex_meta,
        "page_number_style": pn,
        "numbered_pages": [i + 1 for i in numbered],
        "trap_page": None if trap["page"] is None else trap["page"] + 1,
        "header_defect": plan["header_defect"],
    }
    # every field of the truth must have been drawn (page 1 for the header, the signing page for the signer)
    checks = [("Số: " + number, 0), (date_line, 0), (signer_name, sign_page), (signer_title, sign_page)]
    checks += [(s, 0) for s in iss["lines"] + subj_lines + ([iss["parent"]] if iss["parent"] else [])]
    checks += [(signed_for, sign_page)] if signed_for else []
    for s, pg in checks:
        if s not in " ".join(t for p, t in L.log if p == pg):
            print("WARNING: not drawn where expected:", s, pg)
    if holder_name and not any(holder_name in t or upper(holder_name) in t for _, t in L.log):
        print("WARNING: holder not drawn", holder_name)
    if holder_id and not any(holder_id in t for _, t in L.log):
        print("WARNING: holder id not drawn", holder_id)
    return L, hdr, fields, meta


def draw_page_number(L, i, s, font, where, right):
    w = font.getlength(s)
    x = (L.W - L.mr - w) if right else (L.W / 2 - w / 2)
    y = L.mm(L.r.uniform(8, 12)) if where == "top" else L.H - L.mm(L.r.uniform(11, 15))
    L.text(x, y, s, font, page=i)


def build_annex(L, r, plan, what, iss, ikind, number, d, m, y, d_short, s_iss, prov, dist, comm, lvl_word, lvl_name, atarget):
    first = len(L.pages)
    L.new_page("annex")
    L.y = L.mt
    repeat = plan["annex_header"]
    if repeat:
        L.header(iss)
    f_b, f_bb, f_bi = L.f(), L.f(bold=True), L.f(italic=True)
    by = r.choice([f"của {s_iss}", f"của Chủ tịch Ủy ban nhân dân {lvl_word} {lvl_name}" if iss["ubnd"] else f"của {s_iss}", f"của UBND {lvl_word} {lvl_name}" if iss["ubnd"] else f"của {s_iss}"])
    when = r.choice([f"ngày {d_short}", f"ngày {d:02d} tháng {m if m > 2 else f'{m:02d}'} năm {y}"])
    parent = {"list": "Quyết định", "khenlist": "Quyết định", "quyche": "Quyết định", "kh": "Kế hoạch", "bc": "Báo cáo"}[what]
    ref = f"{parent} số {number} {when} {by}"
    style = "phuluc" if what in ("kh", "bc") else r.choice(["phuluc", "danhsach"])
    if what == "quyche":
        style = "quyche"
    heads = []
    if style == "phuluc":
        heads.append(r.choice(["PHỤ LỤC", "PHỤ LỤC I", "Phụ lục 01"]))
    title = {
        "list": f"DANH SÁCH HỘ GIA ĐÌNH ĐƯỢC HỖ TRỢ KINH PHÍ XÂY DỰNG NHÀ Ở NĂM {y}",
        "khenlist": "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG GIẤY KHEN",
        "quyche": "QUY CHẾ",
        "kh": "PHÂN CÔNG NHIỆM VỤ THỰC HIỆN KẾ HOẠCH",
        "bc": "BIỂU TỔNG HỢP SỐ LIỆU TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
    }[what]
    if style == "danhsach" and title.startswith("DANH SÁCH "):
        heads += ["DANH SÁCH", title[len("DANH SÁCH ") :]]
    else:
        heads.append(title)
    if what == "quyche":
        heads.append("Phối hợp giải quyết thủ tục hành chính")
    ft = L.f(max(L.base, 13.5), bold=True)
    for i, h in enumerate(heads):
        L.para([(h, ft if i == 0 else f_bb)], align="center", justify=False, after_pt=1)
    kem = "Ban hành kèm theo" if what == "quyche" else "Kèm theo"
    L.para([(f"({kem} {ref})", f_bi)], align="center", justify=False, after_pt=2)
    w = L.mm(r.uniform(25, 45))
    L.hline(L.ml + L.tw / 2 - w / 2, L.ml + L.tw / 2 + w / 2, L.y + L.mm(0.5))
    L.y += L.mm(5)
    hdr_bottom = L.y

    def room():
        return L.pi - first + 1 < atarget

    rows = 0
    if what == "quyche":
        art = 0
        chap = 0
        while True:
            if art % 4 == 0:
                chap += 1
                blk = [(f"Chương {ROMAN[chap - 1]}", f_bb), ({1: "QUY ĐỊNH CHUNG", 2: "NỘI DUNG PHỐI HỢP", 3: "TỔ CHỨC THỰC HIỆN"}.get(chap, "ĐIỀU KHOẢN THI HÀNH"), f_bb)]
            else:
                blk = []
            name, text = QC_ARTICLES[art % len(QC_ARTICLES)]
            art += 1
            need = sum(L.measure([b]) for b in blk) + L.measure([(f"Điều {art}. {name}", f_bb)]) + L.measure([(text, f_b)]) * 2
            if not room() and (L.y + need > L.bottom or (rows >= 3 and r.random() < 0.3)):
                break
            for b in blk:
                L.para([b], align="center", justify=False, after_pt=2)
            L.para([(f"Điều {art}. {name}", f_bb)])
            L.para([(text, f_b)])
            if r.random() < 0.6:
                L.para([(gen_take(r), f_b)])
            rows += 1
    else:
        if what in ("list", "khenlist"):
            cols = [("STT", 0.7, "center"), ("Họ và tên", 2.6, "left"), ("Năm sinh", 1.1, "center"), ("Địa chỉ", 3.2, "left"), ("Số tiền (đồng)" if what == "list" else "Ghi chú", 1.6, "center")]
        elif what == "kh":
            cols = [("STT", 0.6, "center"), ("Nội dung nhiệm vụ", 4.2, "left"), ("Cơ quan chủ trì", 2.4, "left"), ("Thời gian", 1.6, "center")]
        else:
            cols = [("STT", 0.6, "center"), ("Lĩnh vực", 3.2, "left"), ("Tiếp nhận", 1.4, "center"), ("Trực tuyến", 1.4, "center"), ("Đúng hạn", 1.4, "center")]
        L.table_start(cols)
        stop_after = r.randint(2, 14)
        fields_ = ["Đất đai", "Hộ tịch", "Chứng thực", "Xây dựng", "Đăng ký kinh doanh", "Lao động - Thương binh và Xã hội", "Văn hóa", "Nông nghiệp", "Tư pháp", "Y tế", "Giáo dục"]
        total = 0
        while True:
            rows += 1
            if what in ("list", "khenlist"):
                nm, _ = gen.make_name(r)
                cells = [str(rows), nm, str(r.randint(1940, 2000)), f"{r.choice(gen.VILLAGES)}, xã {r.choice(gen.COMMUNES)}", r.choice(["40.000.000", "50.000.000", "60.000.000"]) if what == "list" else r.choice(["", "Tập thể", "Cá nhân"])]
                if what == "list":
                    total += int(cells[-1].replace(".", ""))
            elif what == "kh":
                cells = [str(rows), gen_take(r), r.choice(UNITS), r.choice(["Thường xuyên", f"Quý {r.choice(ROMAN[:4])}/{y}", f"Tháng {r.randint(3, 12)}/{y}"])]
            else:
                a_ = r.randint(20, 900)
                cells = [str(rows), fields_[(rows - 1) % len(fields_)], vnum(a_), vnum(int(a_ * r.uniform(0.4, 0.95))), vnum(int(a_ * r.uniform(0.85, 1.0)))]
            if not room() and (not L.row_fits(cells) or (L.pi - first + 1 == atarget and rows > stop_after and L.y > hdr_bottom)):
                rows -= 1
                break
            L.row(cells)
            if what == "bc" and rows >= len(fields_):
                break
        if what == "list" and L.row_fits(["", "Tổng cộng", "", "", vnum(total)]):
            L.row(["", "Tổng cộng", "", "", vnum(total)])
        if L.y + L.lh(f_bi) * 2 < L.bottom and r.random() < 0.6:
            L.y += L.mm(3)
            L.para([(f"(Danh sách này có {rows} {'hộ' if what == 'list' else 'mục'}./.)" if what in ("list", "kh") else "./.", f_bi)], indent_mm=0)
    # a hanging seal (dấu treo) over the top-left of the annex's first page
    hang = r.random() < 0.4
    if hang:
        rad = L.mm(r.uniform(16, 19))
        cx = L.ml + L.mm(r.uniform(5, 25))
        cy = L.mt + L.mm(r.uniform(2, 14)) if repeat else L.mt + L.mm(r.uniform(-2, 8))
        L.overlays.setdefault(first, []).append(("seal", gen.draw_seal(r, (L.H, L.W), (cx, cy), rad, iss["seal"], L.dpi), seal_colour(r)))
    return {
        "style": style,
        "repeats_header": bool(repeat),
        "hanging_seal": hang,
        "rows_or_articles": rows,
        "numbering": plan["annex_numbering"],
        "ref": ref,
    }


def gen_take(r):
    return r.choice(GENERIC)


# --------------------------------------------------------------------------- scanner
def scan_page(page, prof, paper, r, fades=(), cut=0, ghost=None, staple=False, giaplai=None):
    """Turn a clean RGB page into what a sheet-fed scanner produces; returns JPEG bytes and size."""
    rng = np.random.default_rng(r.randint(0, 2**31))
    a = np.asarray(page, np.float32).copy()
    H, W = a.shape[:2]
    dpi = prof["dpi"]
    if cut:  # a copy whose top was cut off: content moved up, paper below
        a[:-cut] = a[cut:].copy()
        a[-cut:] = 255
    for x0, y0, x1, y1, fac in fades:
        y0, y1, x0, x1 = max(0, int(y0)), min(H, int(y1)), max(0, int(x0)), min(W, int(x1))
        reg = a[y0:y1, x0:x1]
        reg = 255 - (255 - reg) * fac
        a[y0:y1, x0:x1] = cv2.GaussianBlur(reg, (0, 0), 0.6 * dpi / 200)
    a = 255 - (255 - a) * paper["ink"]
    if ghost is not None:  # show-through of the other side of the sheet, mirrored
        g = cv2.GaussianBlur(np.asarray(ghost.convert("L"), np.float32)[:, ::-1], (0, 0), 1.6 * dpi / 200)
        a -= ((255 - g) * paper["show"])[..., None]
    a = a / 255.0 * paper["tone"][None, None, :]
    lf = cv2.resize(rng.normal(0, 1, (7, 5)).astype(np.float32), (W, H), interpolation=cv2.INTER_CUBIC)
    a += (lf * paper["mottle"])[..., None]
    if staple:  # two holes left by a removed staple
        sx, sy = int(staple[0] * dpi / 25.4), int(staple[1] * dpi / 25.4)
        for k in (0, 1):
            cv2.circle(a, (sx + k * int(4 * dpi / 25.4), sy + k * int(2 * dpi / 25.4)), max(2, dpi // 90), (90, 90, 90), -1, cv2.LINE_AA)
    if giaplai is not None:  # slice of an edge-overlap seal at the right edge
        mask, colour = giaplai
        col = np.array(colour, np.float32) / 255.0
        a *= 1 - mask[..., None] * (1 - col[None, None, :])
    ang = r.uniform(-1, 1) * prof["skew"]
    M = cv2.getRotationMatrix2D((W / 2, H / 2), ang, 1.0)
    M[0, 2] += r.uniform(-1, 1) * prof["shift"] * W
    M[1, 2] += r.uniform(-1, 1) * prof["shift"] * H
    a = cv2.warpAffine(a, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=tuple(float(v) for v in prof["bg"]))
    if prof["blur"] > 0:
        a = cv2.GaussianBlur(a, (0, 0), prof["blur"] * dpi / 300)
    a += rng.normal(0, prof["noise"], (H, W)).astype(np.float32)[..., None]
    if prof["streak"] is not None:
        x, w_, depth = prof["streak"]
        a[:, x : x + w_] -= depth
    n = int(W * H * prof["dust"])
    ys, xs = rng.integers(0, H, n), rng.integers(0, W, n)
    a[ys, xs] -= rng.uniform(40, 140, (n, 1)).astype(np.float32)
    a = np.clip(a, 0, 255).astype(np.uint8)
    if prof["gray"]:
        a = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)
        _ok, enc = cv2.imencode(".jpg", a, [cv2.IMWRITE_JPEG_QUALITY, prof["jpeg"]])
    else:
        _ok, enc = cv2.imencode(".jpg", a[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, prof["jpeg"]])
    return enc.tobytes(), W, H


def scanner_profile(r, quality):
    dpi = r.choice([200, 200, 250, 300, 300]) if quality != "poor" else 200
    bg = r.choice([(250, 250, 250), (238, 238, 236), (205, 205, 205), (70, 70, 72)])
    W = round(210 / 25.4 * dpi)
    return {
        "quality": quality,
        "dpi": dpi,
        "gray": r.random() < 0.15,
        "skew": {"clean": 0.35, "typical": 0.9, "poor": 1.8}[quality],
        "shift": {"clean": 0.002, "typical": 0.004, "poor": 0.007}[quality],
        "blur": {"clean": 0.5, "typical": 0.8, "poor": 1.3}[quality] * r.uniform(0.8, 1.2),
        "noise": {"clean": 1.8, "typical": 3.5, "poor": 6.5}[quality] * r.uniform(0.8, 1.2),
        "dust": {"clean": 0.00002, "typical": 0.00008, "poor": 0.0004}[quality],
        "jpeg": {"clean": r.randint(78, 88), "typical": r.randint(62, 78), "poor": r.randint(45, 60)}[quality],
        "bg": bg,
        "streak": (r.randint(W // 8, W * 7 // 8), r.randint(1, 3), r.uniform(12, 35)) if r.random() < 0.3 else None,
    }


def paper_profile(r, quality):
    g, warm = r.uniform(232, 251), r.choice([0, 0, r.uniform(0, 4), r.uniform(3, 10)])
    base = np.array([g, g - warm * 0.35, g - warm], np.float32)  # white to slightly yellowed paper
    if quality == "poor":
        base -= r.uniform(5, 15)
    return {
        "tone": base,
        "ink": r.uniform(0.85, 1.0) if quality != "poor" else r.uniform(0.62, 0.82),
        "mottle": r.uniform(0.5, 2.5) if quality != "clean" else r.uniform(0.2, 0.8),
        "show": r.uniform(0.015, 0.045),
    }


def giaplai_masks(r, L, n_pages):
    """Slices of one seal stamped across the right edges of the fanned sheets."""
    rad = L.mm(r.uniform(16, 19))
    full = gen.draw_seal(r, (int(rad * 2 + 10), int(rad * 2 + 10)), (rad + 5, rad + 5), rad, L.seal_text, L.dpi)
    strip = int(full.shape[1] / max(2, n_pages))
    cy = int(L.H * r.uniform(0.35, 0.6))
    out = []
    for i in range(n_pages):
        mk = np.zeros((L.H, L.W), np.float32)
        sl = full[:, i * strip : (i + 1) * strip]
        h, w = sl.shape
        mk[cy : cy + h, L.W - w : L.W] = sl[: L.H - cy]
        out.append(mk)
    return out


# --------------------------------------------------------------------------- pdf
def write_pdf(path, pages, dpi):
    pdf = pikepdf.new()
    for jb, w, h, gray in pages:
        img = pikepdf.Stream(pdf, b"")
        img.write(jb, filter=pikepdf.Name.DCTDecode)
        img.Type = pikepdf.Name.XObject
        img.Subtype = pikepdf.Name.Image
        img.Width, img.Height = w, h
        img.ColorSpace = pikepdf.Name.DeviceGray if gray else pikepdf.Name.DeviceRGB
        img.BitsPerComponent = 8
        pw, ph = w * 72.0 / dpi, h * 72.0 / dpi
        content = pikepdf.Stream(pdf, f"q {pw:.4f} 0 0 {ph:.4f} 0 0 cm /Im0 Do Q".encode())
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, pw, ph],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=img)),
            Contents=content,
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path, deterministic_id=True, min_version="1.4")


# --------------------------------------------------------------------------- planning
def plan_results(R, n):
    sp = gen.spread
    kinds = sp(R, n, [("qd", 28), ("kh", 12), ("bc", 10), ("cv", 14), ("tb", 14), ("gcn", 11), ("gp", 11)])
    pnum = sp(R, n, [("top_bare", 40), ("top_dash", 12), ("trang", 12), ("foot", 14), ("none", 22)])
    backs = sp(R, n, [("none", 62), ("after_first", 14), ("after_last", 12), ("interleaved", 12)])
    defect = sp(R, n, [(None, 80), ("faint", 7), ("faint_motto", 6), ("cut", 7)])
    trap = sp(R, n, [(True, 60), (False, 40)])
    annex = sp(R, n, [(True, 50), (False, 50)])
    ahead = sp(R, n, [(True, 50), (False, 50)])
    anum = sp(R, n, [("none", 55), ("restart", 25), ("continue", 20)])
    sig = sp(R, n, [("KT", 40), ("TM", 15), ("TL", 10), ("single", 35)])
    seal = sp(R, n, [(True, 80), (False, 20)])
    cross = sp(R, n, [(True, 35), (False, 65)])
    out = []
    for i in range(n):
        k = kinds[i]
        r = random.Random(f"plan-{R.random()}")
        has_annex = annex[i] and k in ("qd", "kh", "bc") and (k != "bc" or r.random() < 0.5)
        main = {
            "qd": r.choice([1, 2, 2, 3]) if has_annex else r.choice([1, 1, 2, 2, 3, 4]),
            "kh": r.choice([2, 2, 3, 4]),
            "bc": r.choice([1, 2, 2, 3]),
            "cv": r.choice([1, 1, 1, 2]),
            "tb": r.choice([1, 1, 2]),
        }.get(k, 1)
        a_t = min(r.choice([1, 1, 2]), 5 - main) if has_annex else 0
        out.append(
            dict(
                kind=k,
                main_target=main,
                annex=has_annex and a_t > 0,
                annex_target=a_t,
                annex_header=ahead[i],
                annex_numbering=anum[i],
                pnum=pnum[i],
                backs=backs[i],
                header_defect=defect[i],
                trap=trap[i],
                sig_style=sig[i],
                seal=seal[i],
                cross=cross[i],
                tb_person=r.random() < 0.4,
                staple=r.random() < 0.3,
                giaplai=r.random() < 0.2,
            )
        )
    # annexes are few: alternate a repeated header and the three numbering habits over them
    ax = [p for p in out if p["annex"]]
    for i, p in enumerate(ax):
        p["annex_header"] = i % 2 == 0
        p["annex_numbering"] = ["none", "restart", "none", "continue"][i % 4]
    return out


def blank_layout(content, backs):
    """Returns the page sequence of a result: ints index content pages, 'B' is a blank back."""
    n = content
    if backs == "after_first" and n < 2:
        backs = "none"
    if backs == "interleaved" and n > 2:
        backs = "after_first"
    if backs != "none" and n + (n if backs == "interleaved" else 1) > 5:
        backs = "none"
    seq = []
    for i in range(n):
        seq.append(i)
        if backs == "interleaved" or (backs == "after_first" and i == 0):
            seq.append("B")
    if backs == "after_last":
        seq.append("B")
    return seq, backs


# --------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stacks", type=int, default=6)
    a = ap.parse_args()
    S = a.seed
    sdir, adir = os.path.join(a.out_dir, "stacks"), os.path.join(a.out_dir, "alone")
    os.makedirs(sdir, exist_ok=True)
    os.makedirs(adir, exist_ok=True)
    R = random.Random(f"stacks-master-{S}")
    counts = [R.randint(4, 8) for _ in range(a.stacks)]
    qual = gen.spread(R, a.stacks, [("clean", 2), ("typical", 3), ("poor", 1)])
    plans = plan_results(R, sum(counts))
    truth, meta_all = {}, {}
    tot = dict(stacks=0, results=0, pages=0, separators=0, blank_backs=0, annexes=0, annex_pages=0, annex_repeat_header=0, one_page=0, unnumbered_continuation=0, unnumbered_annex=0, faint_headers=0, trap_pages=0, by_type={})
    pi = 0
    for k in range(a.stacks):
        rs = random.Random(f"stack-{S}-{k}")
        prof = scanner_profile(rs, qual[k])
        name = f"stack_{S}_{k + 1:02d}.pdf"
        stack_pages, entries, labels = [], [], []
        ends_blank = False
        for j in range(counts[k]):
            plan = plans[pi]
            pi += 1
            r = random.Random(f"result-{S}-{k}-{j}")
            if j > 0 and not ends_blank and rs.random() < 0.3:
                sep_paper = paper_profile(rs, "clean")
                blank = Image.new("RGB", (round(210 / 25.4 * prof["dpi"]), round(297 / 25.4 * prof["dpi"])), (255, 255, 255))
                stack_pages.append((*scan_page(blank, prof, sep_paper, rs)[:3], prof["gray"]))
                labels.append({"page": len(stack_pages), "kind": "separator"})
                tot["separators"] += 1
            L, hdr, fields, meta = build_result(r, plan, prof["dpi"])
            paper = paper_profile(r, qual[k])
            content = len(L.pages)
            seq, backs = blank_layout(content, plan["backs"])
            meta["blank_backs"] = backs
            # page-1 header defects
            fades, cut = [], 0
            if plan["header_defect"] == "faint":
                fades = [(0, hdr["y0"] - L.mm(3), L.W, hdr["bottom"] + L.mm(2), r.uniform(0.18, 0.32))]
            elif plan["header_defect"] == "faint_motto":
                fades = [(hdr["motto_x0"], hdr["y0"] - L.mm(3), L.W, hdr["motto_bottom"] + L.mm(1), r.uniform(0.12, 0.25))]
            elif plan["header_defect"] == "cut":
                cut = int(hdr["y0"] + hdr["first_lh"] * r.uniform(0.35, 0.75))
            # overlays (seal, signature) onto clean pages
            clean = []
            for i, pg in enumerate(L.pages):
                for _kind, mask, colour in L.overlays.get(i, []):
                    pg = gen.multiply_overlay(pg, mask, colour)
                clean.append(pg)
            gl = giaplai_masks(r, L, content) if plan["giaplai"] and content > 1 and plan["seal"] else None
            staple = (r.uniform(6, 14), r.uniform(6, 12)) if plan["staple"] and content > 1 else False
            first = len(stack_pages) + 1
            last_i = 0
            res_name = f"stack_{S}_{k + 1:02d}_r{j + 1:02d}"
            for item in seq:
                if item == "B":
                    prev = clean[last_i]
                    blank = Image.new("RGB", (L.W, L.H), (255, 255, 255))
                    jb = scan_page(blank, prof, paper, r, ghost=prev if r.random() < 0.65 else None, staple=staple)
                    labels.append({"page": len(stack_pages) + 1, "kind": "blank_back", "result": res_name})
                    tot["blank_backs"] += 1
                else:
                    last_i = item
                    jb = scan_page(clean[item], prof, paper, r, fades=fades if item == 0 else (), cut=cut if item == 0 else 0, staple=staple, giaplai=(gl[item], seal_colour(r)) if gl else None)
                    kind_ = L.kinds[item]
                    num = item + 1 in meta["numbered_pages"]
                    labels.append({"page": len(stack_pages) + 1, "kind": kind_, "result": res_name, "result_page": item + 1, "page_number_printed": num})
                    if item > 0 and not num:
                        tot["unnumbered_continuation" if kind_ == "main" else "unnumbered_annex"] += 1
                stack_pages.append((*jb, prof["gray"]))
            last = len(stack_pages)
            ends_blank = seq[-1] == "B"
            entries.append({"file": res_name, "first": first, "last": last})
            meta.update(stack=name, first=first, last=last, pages=last - first + 1, content_pages=content, page_sequence=["blank" if s == "B" else s + 1 for s in seq], giaplai=bool(gl), staple=bool(staple), scanner=qual[k])
            write_pdf(os.path.join(adir, res_name + ".pdf"), stack_pages[first - 1 : last], prof["dpi"])
            quality = qual[k] if not plan["header_defect"] or qual[k] == "poor" else ("typical" if qual[k] == "clean" else qual[k])
            gt = {"file": res_name + ".pdf", "quality": quality, "family": "indep-stacks", "fields": fields, "meta": meta}
            with open(os.path.join(adir, res_name + ".gt.json"), "w", encoding="utf-8") as fh:
                json.dump(gt, fh, ensure_ascii=False, indent=1)
            tot["results"] += 1
            tot["by_type"][fields["doc_type"]] = tot["by_type"].get(fields["doc_type"], 0) + 1
            tot["one_page"] += content == 1
            tot["annexes"] += meta["annex_pages"] > 0
            tot["annex_pages"] += meta["annex_pages"]
            tot["annex_repeat_header"] += bool(meta["annex"] and meta["annex"]["repeats_header"])
            tot["faint_headers"] += bool(plan["header_defect"])
            tot["trap_pages"] += meta["trap_page"] is not None
            print(f"  {res_name}: pages {first}-{last} {fields['doc_type']:<15} content={content} main={meta['main_pages']} annex={meta['annex_pages']} backs={backs} pn={meta['page_number_style']} defect={plan['header_defect']} trap={meta['trap_page']}")
        write_pdf(os.path.join(sdir, name), stack_pages, prof["dpi"])
        truth[name] = entries
        meta_all[name] = {"dpi": prof["dpi"], "quality": qual[k], "gray": prof["gray"], "pages": len(stack_pages), "labels": labels}
        tot["stacks"] += 1
        tot["pages"] += len(stack_pages)
        print(f"{name}: {len(stack_pages)} pages, {len(entries)} results, {prof['dpi']} dpi, {qual[k]}{', grey' if prof['gray'] else ''}")
    with open(os.path.join(sdir, "stacks.json"), "w", encoding="utf-8") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)
    with open(os.path.join(sdir, "stacks_meta.json"), "w", encoding="utf-8") as fh:
        json.dump({"seed": S, "counts": tot, "stacks": meta_all}, fh, ensure_ascii=False, indent=1)
    print(json.dumps(tot, ensure_ascii=False))


if __name__ == "__main__":
    main()
