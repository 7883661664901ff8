"""Turning a laid-out sample into a scan (ink, seal, skew, noise, blur, JPEG) or a born-digital PDF."""

from __future__ import annotations

import io
import math
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from sample_layout import (
    FONT_FILES,
    PAGE_H,
    PAGE_W,
    Doc,
    Op,
    font_path,
    pil_font,
)

# --------------------------------------------------------------------------- raster


def render_page(doc: Doc, page: int, dpi: int, rng: random.Random) -> Image.Image:
    scale = dpi / 72
    img = Image.new("RGB", (round(PAGE_W * scale), round(PAGE_H * scale)), (252, 251, 247))
    draw = ImageDraw.Draw(img)
    overlays = []
    for op in doc.ops:
        if op.page != page:
            continue
        if op.kind == "text":
            fnt = pil_font(op.style, max(6, round(op.size * scale)))
            anchor = {"left": "ls", "center": "ms", "right": "rs"}[op.align]
            draw.text((op.x * scale, op.y * scale), op.text, font=fnt, fill=(12, 12, 12), anchor=anchor)
        elif op.kind == "rule":
            draw.line([(op.x * scale, op.y * scale), ((op.x + op.width) * scale, op.y * scale)],
                      fill=(12, 12, 12), width=max(1, round(scale * 0.8)))
        else:
            overlays.append(op)
    for op in overlays:  # ink goes on top of the print
        if op.kind == "signature":
            draw_signature(img, op, scale, rng, doc.signature_rgb)
        elif op.kind == "seal":
            draw_seal(img, op, scale, doc.seal_rgb)
    return img


def ink_over(img: Image.Image, layer: Image.Image, at: tuple[int, int]) -> None:
    """Lay ink on paper as ink does: multiply, so black print under a seal stays black."""
    box = (at[0], at[1], at[0] + layer.width, at[1] + layer.height)
    under = img.crop(box)
    white = Image.new("RGB", layer.size, (255, 255, 255))
    white.paste(layer.convert("RGB"), (0, 0), layer)
    img.paste(ImageChops.multiply(under, white), box[:2])


def draw_signature(img: Image.Image, op: Op, scale: float, rng: random.Random,
                   rgb: tuple[int, int, int] = (30, 50, 170)) -> None:
    size = (round(op.width * scale * 1.3), round(60 * scale))
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    origin = (round(op.x * scale - size[0] * 0.1), round(op.y * scale - size[1] / 2))
    x0, y0 = op.x * scale - origin[0], op.y * scale - origin[1]
    pts = []
    for i in range(40):
        t = i / 39
        pts.append((x0 + t * op.width * scale + rng.uniform(-4, 4) * scale / 4,
                    y0 + math.sin(t * rng.uniform(8, 14)) * 12 * scale / 4 + rng.uniform(-3, 3)))
    draw.line(pts, fill=(*rgb, 255), width=max(2, round(scale * 1.2)), joint="curve")
    ink_over(img, layer, origin)


def draw_seal(img: Image.Image, op: Op, scale: float, rgb: tuple[int, int, int] = (215, 45, 50)) -> None:
    size = round(op.width * scale)
    seal = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(seal)
    red = (*rgb, 235)
    r = size / 2
    d.ellipse([2, 2, size - 3, size - 3], outline=red, width=max(2, round(scale * 1.5)))
    d.ellipse([size * 0.2, size * 0.2, size * 0.8, size * 0.8], outline=red, width=max(1, round(scale)))
    star = [(r + math.cos(math.radians(-90 + k * 36)) * (size * (0.22 if k % 2 == 0 else 0.09)),
             r + math.sin(math.radians(-90 + k * 36)) * (size * (0.22 if k % 2 == 0 else 0.09)))
            for k in range(10)]
    d.polygon(star, fill=red)
    fnt = pil_font("bold", max(6, round(8 * scale)))
    text = op.text.upper()
    step = 300 / max(1, len(text))
    for i, ch in enumerate(text):
        angle = -240 + i * step
        glyph = Image.new("RGBA", (round(12 * scale), round(12 * scale)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=fnt, fill=red, anchor="mm")
        glyph = glyph.rotate(-angle - 90, expand=True)
        gx = r + math.cos(math.radians(angle)) * r * 0.6 - glyph.width / 2
        gy = r + math.sin(math.radians(angle)) * r * 0.6 - glyph.height / 2
        seal.alpha_composite(glyph, (max(0, round(gx)), max(0, round(gy))))
    ink_over(img, seal, (round(op.x * scale - r), round(op.y * scale - r)))


def degrade(img: Image.Image, doc: Doc, rng: random.Random) -> Image.Image:
    q = doc.quality
    arr = np.asarray(img).astype(np.float32)
    if q in ("typical", "poor"):
        _h, w = arr.shape[:2]
        # Uneven lighting: a gentle gradient across the page.
        strength = 18 if q == "typical" else 45
        grad = np.linspace(0, strength, w, dtype=np.float32)[None, :, None]
        arr = np.clip(arr - grad, 0, 255)
    noise = {"clean": 3, "typical": 8, "poor": 16}.get(q, 0)
    if noise:
        nrng = np.random.default_rng(doc.seed)
        arr = np.clip(arr + nrng.normal(0, noise, arr.shape).astype(np.float32), 0, 255)
    out = Image.fromarray(arr.astype(np.uint8))
    if q == "poor":
        nrng = np.random.default_rng(doc.seed + 1)
        a = np.asarray(out).copy()
        ys = nrng.integers(0, a.shape[0], 1500)
        xs = nrng.integers(0, a.shape[1], 1500)
        a[ys, xs] = 40
        out = Image.fromarray(a)
    blur = {"clean": 0, "typical": 0.5, "poor": 0.9}.get(q, 0)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    skew = {"clean": 0.3, "typical": 1.5, "poor": 3.0}.get(q, 0)
    if skew:
        out = out.rotate(rng.uniform(-skew, skew), resample=Image.BICUBIC, expand=False,
                         fillcolor=(250, 250, 248))
    if not doc.colour:
        out = out.convert("L")
    return out


def show_through(front: Image.Image) -> Image.Image:
    """The blank back of a printed page as a scanner sees it: the print, mirrored, faintly."""
    grey = np.asarray(front.convert("L").transpose(Image.FLIP_LEFT_RIGHT)).astype(np.float32)
    back = 255 - (255 - grey) * 0.12  # print at ~12% strength: ink of ~20 gives ~225
    paper = np.stack([back - 3, back - 4, back - 8], axis=-1) if front.mode == "RGB" else back
    return Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "RGB" if front.mode == "RGB" else "L")


def jpeg_bytes(img: Image.Image, quality: int, dpi: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()


def write_raster(doc: Doc, out: Path, rng: random.Random) -> Path:
    pages = []
    for number in range(1, doc.pages + 1):
        front = render_page(doc, number, doc.dpi, rng)
        if doc.quality == "photo":
            from sample_photo import photograph

            pages.append(photograph(front, rng))
            continue
        pages.append(degrade(front, doc, rng))
        if doc.duplex:
            pages.append(degrade(show_through(front), doc, rng))
    jq = {"clean": 90, "typical": 70, "poor": 40, "photo": 80}[doc.quality]
    dpi = 72 if doc.quality == "photo" else doc.dpi  # a phone writes 72 whatever the page
    path = out / f"{doc.name}.{ {'pdf': 'pdf', 'tiff': 'tif', 'jpeg': 'jpg', 'png': 'png'}[doc.fmt] }"
    if doc.fmt == "pdf":
        import img2pdf

        layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
        path.write_bytes(img2pdf.convert([jpeg_bytes(p, jq, dpi) for p in pages], layout_fun=layout))
    elif doc.fmt == "tiff":
        # JPEG artefacts first, then lossless storage, as a scanner driver does.
        pages = [Image.open(io.BytesIO(jpeg_bytes(p, jq, dpi))) for p in pages]
        pages[0].save(path, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw",
                      dpi=(dpi, dpi))
    elif doc.fmt == "jpeg":
        path.write_bytes(jpeg_bytes(pages[0], jq, dpi))
    else:
        Image.open(io.BytesIO(jpeg_bytes(pages[0], jq, dpi))).save(path, "PNG", dpi=(dpi, dpi))
    return path


def write_born_digital(doc: Doc, out: Path) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    for style in FONT_FILES:
        name = f"{doc.typeface}-{style}"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, font_path(style)))
    path = out / f"{doc.name}.pdf"
    c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    c.setTitle(doc.truth.get("subject") or doc.doc_type)
    for page in range(1, doc.pages + 1):
        for op in doc.ops:
            if op.page != page:
                continue
            y = PAGE_H - op.y
            if op.kind == "text":
                c.setFont(f"{doc.typeface}-{op.style}", op.size)
                {"left": c.drawString, "center": c.drawCentredString, "right": c.drawRightString}[op.align](
                    op.x, y, op.text)
            elif op.kind == "rule":
                c.setLineWidth(0.7)
                c.line(op.x, y, op.x + op.width, y)
            elif op.kind == "seal":
                c.setStrokeColorRGB(0.8, 0.12, 0.14)
                c.setLineWidth(1.5)
                c.circle(op.x, y, op.width / 2)
                c.circle(op.x, y, op.width * 0.3)
                c.setStrokeColorRGB(0, 0, 0)
        c.showPage()
    c.save()
    return path


