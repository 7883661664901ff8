"""Re-run generation in memory, capture every string drawn, and check each GT field is on the page."""

import random
import re
import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
import gen
from PIL import ImageDraw

LOG = []
_orig = ImageDraw.ImageDraw.text


def _t(self, xy, text, *a, **k):
    LOG.append(text)
    return _orig(self, xy, text, *a, **k)


ImageDraw.ImageDraw.text = _t
seed, n = int(sys.argv[1]), int(sys.argv[2])
R = random.Random(f"indep-master-{seed}")
q = gen.spread(R, n, [("clean", 1), ("typical", 1), ("poor", 1)])
st = gen.spread(R, n, [("KT", 40), ("TM", 15), ("TL", 15), ("single", 30)])
cr = gen.spread(R, n, [(True, 40), (False, 60)])
se = gen.spread(R, n, [(True, 75), (False, 25)])
tw = gen.spread(R, n, [(True, 20), (False, 80)])
bad = 0
for i in range(n):
    LOG.clear()
    r = random.Random(f"indep-{seed}-{i}")
    pages, dpi, f, meta = gen.build(r, i, seed, q[i], st[i], cr[i], se[i], tw[i])
    txt = " ".join(LOG)
    y, m, d = f["issue_date"].split("-")
    need = {
        "number": "Số: " + f["number"],
        "date": f"ngày {d} tháng {m if int(m) <= 2 else int(m)} năm {y}",
        "signer_name": f["signer_name"],
        "signer_title": f["signer_title"],
    }
    for k in ("signed_for", "issuer_parent", "holder_id"):
        if f[k]:
            need[k] = f[k]
    for k, v in need.items():
        if v not in LOG and v not in txt:
            print(i, "MISSING", k, v)
            bad += 1
    if f["holder_name"] and f["holder_name"] not in txt and gen.upper(f["holder_name"]) not in txt:
        print(i, "MISSING holder", f["holder_name"])
        bad += 1
    if f["subject"] and f["subject"] not in txt:
        print(i, "MISSING subject", f["subject"])
        bad += 1
    if not all(w in txt for w in f["issuer"].split()):
        print(i, "MISSING issuer", f["issuer"])
        bad += 1
    ids = set(re.findall(r"(?<!\d)\d{12}(?!\d)", txt))
    if ids != ({f["holder_id"]} if f["holder_id"] else set()):
        print(i, "ID mismatch", ids, f["holder_id"])
        bad += 1
    # signer name must occur exactly once as a drawn string
    if LOG.count(f["signer_name"]) != 1:
        print(i, "signer name drawn", LOG.count(f["signer_name"]), "times")
print("seed", seed, "problems:", bad)
