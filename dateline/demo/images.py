"""Lead images for the demo, drawn with Pillow so no photo is needed."""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

PALETTES = [
    ["#12355b", "#420039", "#d72638", "#ff570a", "#f9dc5c"],
    ["#0b3c49", "#3e7cb1", "#81a4cd", "#dbe4ee", "#f1bf98"],
    ["#283d3b", "#197278", "#edddd4", "#c44536", "#772e25"],
    ["#22223b", "#4a4e69", "#9a8c98", "#c9ada7", "#f2e9e4"],
    ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51"],
    ["#1d3557", "#457b9d", "#a8dadc", "#f1faee", "#e63946"],
]
MOTIFS = ("skyline", "waves", "hills", "bars", "circles", "grid")
SIZE = (1200, 675)


def _sky(draw, rnd, top, bottom):
    w, h = SIZE
    t, b = Image.new("RGB", (1, 1), top).getpixel((0, 0)), Image.new("RGB", (1, 1), bottom).getpixel((0, 0))
    for y in range(h):
        f = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(t[i] + (b[i] - t[i]) * f) for i in range(3)))


def _skyline(draw, rnd, pal):
    w, h = SIZE
    _sky(draw, rnd, pal[0], pal[3])
    for layer, colour in enumerate((pal[1], pal[0])):
        x = -20
        while x < w:
            bw = rnd.randint(40, 120)
            bh = rnd.randint(int(h * 0.2), int(h * (0.55 + 0.15 * layer)))
            draw.rectangle([x, h - bh, x + bw, h], fill=colour)
            if layer:
                for wy in range(h - bh + 12, h - 10, 22):
                    for wx in range(x + 8, x + bw - 8, 18):
                        if rnd.random() < 0.35:
                            draw.rectangle([wx, wy, wx + 7, wy + 10], fill=pal[4])
            x += bw + rnd.randint(0, 12)


def _waves(draw, rnd, pal):
    w, h = SIZE
    _sky(draw, rnd, pal[3], pal[2])
    for i, colour in enumerate(pal[:4]):
        base = h * (0.45 + i * 0.14)
        amp, freq, phase = rnd.randint(10, 40), rnd.uniform(1.5, 4), rnd.uniform(0, 6)
        pts = [(x, base + amp * math.sin(phase + freq * x / w * 2 * math.pi)) for x in range(0, w + 10, 10)]
        draw.polygon(pts + [(w, h), (0, h)], fill=colour)


def _hills(draw, rnd, pal):
    w, h = SIZE
    _sky(draw, rnd, pal[4], pal[3])
    draw.ellipse([w * 0.7, h * 0.12, w * 0.7 + 120, h * 0.12 + 120], fill=pal[4])
    for i, colour in enumerate(pal[2::-1]):
        pts, y = [], h * (0.5 + i * 0.15)
        for x in range(0, w + 60, 60):
            y += rnd.randint(-25, 25)
            pts.append((x, y))
        draw.polygon(pts + [(w, h), (0, h)], fill=colour)


def _bars(draw, rnd, pal):
    w, h = SIZE
    draw.rectangle([0, 0, w, h], fill=pal[3])
    n = rnd.randint(7, 14)
    bw = w / (n * 1.5)
    for i in range(n):
        bh = rnd.randint(int(h * 0.15), int(h * 0.8))
        x = bw * 0.5 + i * bw * 1.5
        draw.rectangle([x, h - bh - 40, x + bw, h - 40], fill=pal[i % 3])
    draw.line([(30, h - 40), (w - 30, h - 40)], fill=pal[0], width=4)


def _circles(draw, rnd, pal):
    w, h = SIZE
    draw.rectangle([0, 0, w, h], fill=pal[0])
    for _ in range(26):
        r = rnd.randint(40, 220)
        x, y = rnd.randint(-50, w + 50), rnd.randint(-50, h + 50)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=rnd.choice(pal[1:]))


def _grid(draw, rnd, pal):
    w, h = SIZE
    cell = 75
    for y in range(0, h, cell):
        for x in range(0, w, cell):
            colour = rnd.choice(pal)
            if rnd.random() < 0.5:
                draw.rectangle([x, y, x + cell, y + cell], fill=colour)
            else:
                draw.rectangle([x, y, x + cell, y + cell], fill=pal[3])
                draw.pieslice([x, y, x + 2 * cell, y + 2 * cell], 180, 270, fill=colour)


def draw(motif: str, seed: int) -> bytes:
    """A 1200×675 JPEG of ``motif``; the same seed gives the same picture."""
    if motif not in MOTIFS:
        raise ValueError(f"unknown motif {motif!r}; choose one of {', '.join(MOTIFS)}")
    rnd = random.Random(seed)
    image = Image.new("RGB", SIZE)
    pal = PALETTES[seed % len(PALETTES)]
    globals()[f"_{motif}"](ImageDraw.Draw(image), rnd, pal)
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=72, optimize=True, progressive=True)
    return out.getvalue()
