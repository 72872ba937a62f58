#!/usr/bin/env python3
"""Generates the labelled image set of scripts/bench-images: realistic, degraded pictures of QR codes.

    python3 scripts/make-image-set.py SOURCE_DIR OUT_DIR [--seed N] [--per-class N] [--jobs N] [--classes A,B]

SOURCE_DIR holds clean code pictures as `dl-issue issue --output NAME.png` writes them (dark modules on
white, a whole number of pixels per module, a quiet zone) and, beside each, NAME.txt with the code's text.
The module grid is read back from each PNG (and checked by drawing it again), so every picture below is
drawn from the exact modules of a real code, at any size, angle or perspective.

OUT_DIR receives CLASS/NAME-LEVEL-NN.png|jpg and manifest.json, a list of
{"file": relative path, "class", "level", "text": the code's expected text ("" when there is no code),
"source": NAME (null when there is no code), "params": {...}}.

Classes, each with levels of rising severity (the level is part of the file name):
  rotation          a printed code at 7°, 23°, 45°, 67°, 131° on a textured background
  perspective       a printed card tilted 20°–70° in 3D (pinhole camera), with a shadow, photo JPEG
  blur              Gaussian defocus, sigma 1.5–3 px at 6 px per module, and motion blur (a line kernel)
  noise             Gaussian sensor noise, sigma 16–64 (of 255), and salt-and-pepper (2%, 6%)
  jpeg              a photo downscaled as phones do, then JPEG at quality 40, 20, 10, 5
  low-contrast      the whole picture squeezed into 60, 30, 15 or 8 grey levels, under- and over-exposed
  uneven-light      a light gradient (4x, 16x) or a soft shadow edge (4x, 8x) across the code, a spotlight
  inverted          light modules on dark: print, dark-mode screen, blurred, noisy, rotated
  small-in-clutter  a 4000x3000 or 3000x2250 cluttered photo, the code at 2–3 px per module, some rotated
  screenshot        a phone screen (1170x2532, 1080x2400) with status bar, header and text, the code at a
                    non-integer scale; light, dark and dark-inverted mode, shared (downscaled JPEG), and
                    photos of the screen (perspective, pixel-grid aliasing, moiré bands, glare)
  curved            a card bent round a cylinder over 40°, 70° or 100° of arc (a licence in a wallet, a
                    printout held in one hand), some also leaning back 25°, its sides shaded
  glare             a phone screen photographed with a lamp's reflection on the code: a soft or strong
                    veil (with moiré), a small saturated hot spot, a hot spot on a tilted phone
  no-code           pictures without any QR code (text ""): a cluttered 12-MP photo, a desk, the app's
                    screen before its code shows, a card with a 1D barcode; a reader should give up fast

Everything is drawn from a numpy Generator seeded with (seed, class, index): the same seed gives the same
pictures (for a given numpy and Pillow), whatever --jobs is. Needs Python 3 with Pillow and numpy.
"""

import argparse
import functools
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# Levels of every class, roughly from mild to severe. The order of this table is the order of the report.
CLASSES = {
    "rotation": ["7deg", "23deg", "45deg", "67deg", "131deg"],
    "perspective": ["tilt20", "tilt35", "tilt50", "tilt60", "tilt70"],
    "blur": ["gauss1.5", "gauss2.2", "gauss2.6", "gauss3.0", "motion8", "motion12"],
    "noise": ["gauss16", "gauss32", "gauss48", "gauss64", "saltpepper2", "saltpepper6"],
    "jpeg": ["q40", "q20", "q10", "q5"],
    "low-contrast": ["range60", "range30", "range15", "range8", "under", "over"],
    "uneven-light": ["gradient4x", "gradient16x", "shadow4x", "shadow8x", "spot"],
    "inverted": ["plain", "dark-mode", "blur", "noise", "rotated"],
    "small-in-clutter": ["3.0px", "2.5px", "2.5px-rot", "2.0px", "2.0px-rot"],
    "screenshot": ["light", "dark", "dark-inverted", "shared", "photo", "photo-moire"],
    "curved": ["bend40", "bend70", "bend100", "bend70-tilt25", "bend100-tilt25"],
    "glare": ["soft", "strong", "strong-moire", "hotspot", "hotspot-tilt"],
    # Photos with no code at all: what a reader must give up on quickly (a camera frame before the
    # licence is in view, a wrong file).
    "no-code": ["clutter-12mp", "desk", "screen", "barcode-card"],
}
NO_CODE = "no-code"

QUIET = 4  # quiet zone, in modules, that QR asks for (and dl-issue draws)


# ----------------------------------------------------------------------------------------------
# Source codes
# ----------------------------------------------------------------------------------------------

class Source:
    """One clean code: its name, its text and its module grid (True = dark)."""

    def __init__(self, name, text, modules):
        self.name, self.text, self.modules = name, text, modules
        self.n = modules.shape[0]


def load_source(png_path, txt_path):
    """Reads the module grid back from a clean PNG (finder pattern → pixels per module) and checks it."""
    dark = np.asarray(Image.open(png_path).convert("L")) < 128
    ys, xs = np.nonzero(dark)
    if len(ys) == 0:
        raise ValueError(f"{png_path}: no dark pixels")
    top, left, bottom, right = ys.min(), xs.min(), ys.max() + 1, xs.max() + 1
    row = dark[top, left:right]
    run = int(np.argmin(row)) if not row.all() else len(row)  # the top-left finder's top edge: 7 modules
    ppm = run / 7
    n = round((right - left) / ppm)
    if ppm < 1 or (n - 17) % 4 != 0 or not 21 <= n <= 177 or abs(n * ppm - (right - left)) > 0.5:
        raise ValueError(f"{png_path}: not a clean QR code picture (module {ppm:.2f} px, {n} modules)")
    centres = ((np.arange(n) + 0.5) * ppm).astype(int)
    modules = dark[np.ix_(top + centres, left + centres)]
    if float(ppm).is_integer():  # drawn again at the same scale, the grid must give back the very pixels
        k = int(ppm)
        if not np.array_equal(np.kron(modules, np.ones((k, k), bool)), dark[top:bottom, left:right]):
            raise ValueError(f"{png_path}: module grid does not redraw the picture")
    with open(txt_path, encoding="utf-8") as f:
        text = f.read().strip("\r\n")
    name = os.path.splitext(os.path.basename(png_path))[0]
    return Source(name, text, modules)


def render_code(src, k, quiet=QUIET, dark=0, light=255):
    """The code at k pixels per module (nearest neighbour), with a quiet zone, as a uint8 array."""
    m = np.pad(src.modules, quiet, constant_values=False)
    img = np.where(m, np.uint8(dark), np.uint8(light)).astype(np.uint8)
    return np.repeat(np.repeat(img, k, axis=0), k, axis=1)


# ----------------------------------------------------------------------------------------------
# Text-like drawing
# ----------------------------------------------------------------------------------------------

LATIN = ["DRIVING LICENCE", "ZHANG XIAOMING", "WANG FANG", "LI JIANGUO", "CHEN JING", "No. 310101199001011234",
         "Class C1  A2", "Valid until 2032-05-01", "Shanghai Traffic Police", "People's Republic of China",
         "Points 12/12", "Issued 2020-05-01", "Category B2", "Refresh", "Scan to verify", "Parking 2F",
         "Receipt 0042", "Total 128.50", "EXIT", "Menu", "Tea 18.00", "Room 302", "Platform 4"]


@functools.lru_cache(maxsize=64)
def font(size):
    """Pillow's built-in scalable font (the same on every machine), or its bitmap font when too old."""
    try:
        return ImageFont.load_default(size=max(6, int(size)))
    except TypeError:
        return ImageFont.load_default()


def pseudo_hanzi(draw, rng, x, y, size, count, fill):
    """A row of Chinese-looking glyphs: 3–7 straight strokes in each square cell."""
    lw = max(1, int(round(size / 10)))
    for i in range(count):
        gx = x + i * size * 1.12
        for _ in range(int(rng.integers(3, 8))):
            kind = rng.integers(0, 4)
            a, b = sorted(rng.uniform(0.05, 0.95, 2))
            c = rng.uniform(0.1, 0.9)
            if kind == 0:    # horizontal stroke
                pts = [(gx + a * size, y + c * size), (gx + b * size, y + c * size)]
            elif kind == 1:  # vertical stroke
                pts = [(gx + c * size, y + a * size), (gx + c * size, y + b * size)]
            elif kind == 2:  # falling diagonal
                pts = [(gx + a * size, y + a * size), (gx + b * size, y + b * size)]
            else:            # rising diagonal
                pts = [(gx + a * size, y + b * size), (gx + b * size, y + a * size)]
            draw.line(pts, fill=fill, width=lw)


def latin_text(draw, rng, x, y, size, fill, text=None):
    draw.text((x, y), text if text is not None else LATIN[int(rng.integers(len(LATIN)))], font=font(size), fill=fill)


# ----------------------------------------------------------------------------------------------
# Geometry: homographies and warped pasting
# ----------------------------------------------------------------------------------------------

def homography(src, dst):
    """The 8 coefficients of the projective map taking 4 points src to 4 points dst."""
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y]); b.append(v)
    return np.linalg.solve(np.array(a, float), np.array(b, float))


def rect_quad(cx, cy, w, h, angle_deg):
    """Corners (TL, TR, BR, BL) of a w×h rectangle centred at (cx, cy), turned by angle_deg."""
    t = math.radians(angle_deg)
    c, s = math.cos(t), math.sin(t)
    pts = np.array([(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)])
    return pts @ np.array([[c, s], [-s, c]]) + (cx, cy)


def tilted_quad(rng, w, h, tilt_deg, roll_deg, distance):
    """Corners of a w×h card tilted by tilt_deg about a random in-plane axis, seen by a pinhole camera
    at `distance` (in card widths) and turned by roll_deg; scaled so its longest edge is as long as the
    card's longest side (the near side keeps the card's resolution), centred on (0, 0)."""
    phi = rng.uniform(0, 2 * math.pi)
    k = np.array([math.cos(phi), math.sin(phi), 0.0])
    t = math.radians(tilt_deg)
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    rot = np.eye(3) * math.cos(t) + math.sin(t) * kx + (1 - math.cos(t)) * np.outer(k, k)  # Rodrigues
    corners = np.array([(-w / 2, -h / 2, 0), (w / 2, -h / 2, 0), (w / 2, h / 2, 0), (-w / 2, h / 2, 0)])
    p = corners @ rot.T + (0, 0, distance * max(w, h))
    q = p[:, :2] / p[:, 2:3]
    q -= q.mean(axis=0)
    edges = [np.linalg.norm(q[i] - q[(i + 1) % 4]) for i in range(4)]
    q *= max(w, h) / max(edges)
    r = math.radians(roll_deg)
    return q @ np.array([[math.cos(r), math.sin(r)], [-math.sin(r), math.cos(r)]])


def place_quad(rng, quad, width, height, margin=0.03):
    """quad (centred on 0) moved to a random spot where it lies wholly inside the frame, or None."""
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    mx, my = width * margin, height * margin
    x_min, x_max = mx - lo[0], width - mx - hi[0]
    y_min, y_max = my - lo[1], height - my - hi[1]
    if x_min > x_max or y_min > y_max:
        return None
    return quad + (rng.uniform(x_min, x_max), rng.uniform(y_min, y_max))


def paste_warped(canvas, img, quad, ss=2, resample=Image.BICUBIC):
    """Draws PIL image img onto canvas (float 0..1 or uint8, H×W or H×W×3) with its corners on quad
    (TL, TR, BR, BL), rendered at ss× and box-averaged down so edges are anti-aliased like a lens and
    sensor make them; ss=1 keeps the aliasing (pixel grids → moiré)."""
    h_c, w_c = canvas.shape[:2]
    x0 = max(0, int(math.floor(quad[:, 0].min())) - 2)
    y0 = max(0, int(math.floor(quad[:, 1].min())) - 2)
    x1 = min(w_c, int(math.ceil(quad[:, 0].max())) + 2)
    y1 = min(h_c, int(math.ceil(quad[:, 1].max())) + 2)
    if x1 <= x0 or y1 <= y0:
        return
    w, h = img.size
    coeffs = homography((quad - (x0, y0)) * ss, [(0, 0), (w, 0), (w, h), (0, h)])  # output → input
    size = ((x1 - x0) * ss, (y1 - y0) * ss)
    warped = img.transform(size, Image.PERSPECTIVE, tuple(coeffs), resample)
    mask = Image.new("L", img.size, 255).transform(size, Image.PERSPECTIVE, tuple(coeffs), Image.BILINEAR)
    if ss > 1:
        warped = warped.resize((x1 - x0, y1 - y0), Image.BOX)
        mask = mask.resize((x1 - x0, y1 - y0), Image.BOX)
    top = np.asarray(warped, np.float32) / 255
    m = np.asarray(mask, np.float32) / 255
    region = canvas[y0:y1, x0:x1]
    scale = 255.0 if canvas.dtype == np.uint8 else 1.0
    if region.ndim == 3:
        m = m[..., None]
        if top.ndim == 2:
            top = top[..., None]
    elif top.ndim == 3:
        top = top.mean(axis=2)
    out = region.astype(np.float32) * (1 - m) + top * scale * m
    canvas[y0:y1, x0:x1] = np.clip(np.rint(out), 0, 255) if canvas.dtype == np.uint8 else out


# ----------------------------------------------------------------------------------------------
# Pixel operations on float pictures (0..1)
# ----------------------------------------------------------------------------------------------

def gauss_blur(a, sigma):
    """Separable Gaussian blur (edges repeated) of an H×W or H×W×C float array."""
    if sigma <= 0.05:
        return a
    r = max(1, int(math.ceil(3 * sigma)))
    x = np.arange(-r, r + 1, dtype=np.float32)
    kernel = np.exp(-x * x / (2 * sigma * sigma))
    kernel /= kernel.sum()
    out = a.astype(np.float32)
    for axis in (0, 1):
        pad = [(0, 0)] * out.ndim
        pad[axis] = (r, r)
        p = np.pad(out, pad, mode="edge")
        n = out.shape[axis]
        acc = np.zeros_like(out)
        window = [slice(None)] * out.ndim
        for i, wgt in enumerate(kernel):
            window[axis] = slice(i, i + n)
            acc += wgt * p[tuple(window)]
        out = acc
    return out


def shifted(a, dx, dy):
    """a sampled at (x+dx, y+dy) with bilinear interpolation, edges repeated."""
    pad = int(math.ceil(max(abs(dx), abs(dy)))) + 2
    p = np.pad(a, ((pad, pad), (pad, pad)), mode="edge")
    h, w = a.shape
    ix, iy = int(math.floor(dx)), int(math.floor(dy))
    fx, fy = dx - ix, dy - iy
    y0, x0 = pad + iy, pad + ix
    tl, tr = p[y0:y0 + h, x0:x0 + w], p[y0:y0 + h, x0 + 1:x0 + 1 + w]
    bl, br = p[y0 + 1:y0 + 1 + h, x0:x0 + w], p[y0 + 1:y0 + 1 + h, x0 + 1:x0 + 1 + w]
    return (1 - fy) * ((1 - fx) * tl + fx * tr) + fy * ((1 - fx) * bl + fx * br)


def motion_blur(a, length, angle_deg):
    """Camera shake: the mean of the picture along a straight line of `length` pixels."""
    t = math.radians(angle_deg)
    steps = np.linspace(-length / 2, length / 2, int(math.ceil(length)) * 2 + 1)
    return sum(shifted(a, s * math.cos(t), s * math.sin(t)) for s in steps) / len(steps)


def smooth_noise(rng, h, w, cell):
    """Low-frequency noise (a random grid every `cell` pixels, bicubic), unit standard deviation."""
    cell = max(2, int(cell))
    gh, gw = h // cell + 4, w // cell + 4
    grid = rng.standard_normal((gh, gw)).astype(np.float32)
    big = np.asarray(Image.fromarray(grid, "F").resize((gw * cell, gh * cell), Image.BICUBIC))
    a = big[cell:cell + h, cell:cell + w]
    return (a - a.mean()) / (a.std() + 1e-6)


def background(rng, h, w, kind=None, base=None):
    """A surface for a card to lie on: paper, wood-grain desk, woven fabric or concrete."""
    kind = kind or ["paper", "desk", "fabric", "concrete"][int(rng.integers(4))]
    base = rng.uniform(0.35, 0.75) if base is None else base
    a = base + 0.06 * smooth_noise(rng, h, w, rng.integers(80, 250))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "desk":
        warp = 20 * smooth_noise(rng, h, w, 120)
        t = math.radians(rng.uniform(0, 180))
        a += 0.05 * np.sin(2 * math.pi * (xx * math.sin(t) + yy * math.cos(t) + warp) / rng.uniform(7, 20))
    elif kind == "fabric":
        a += 0.05 * np.sin(2 * math.pi * xx / rng.uniform(2.5, 4.5)) * np.sin(2 * math.pi * yy / rng.uniform(2.5, 4.5))
    elif kind == "concrete":
        a += 0.04 * smooth_noise(rng, h, w, 3) + 0.03 * smooth_noise(rng, h, w, 12)
    a += 0.012 * rng.standard_normal((h, w), dtype=np.float32)
    return a.astype(np.float32)


def add_noise(a, rng, sigma255):
    """Additive Gaussian sensor noise, sigma in 0..255 units (the same on every channel)."""
    if sigma255 <= 0:
        return a
    n = rng.standard_normal(a.shape[:2], dtype=np.float32) * (sigma255 / 255)
    return a + (n[..., None] if a.ndim == 3 else n)


def tint(a, rng):
    """A grey picture as RGB under warm or cool light (white balance never quite right)."""
    t = np.array([1.0, rng.uniform(0.92, 1.0), rng.uniform(0.8, 1.0)], np.float32)
    if rng.random() < 0.5:
        t = t[::-1].copy()
    return a[..., None] * t


def to_image(a):
    """A float 0..1 array (H×W or H×W×3) as a PIL image."""
    return Image.fromarray(np.clip(np.rint(a * 255), 0, 255).astype(np.uint8))


# ----------------------------------------------------------------------------------------------
# Scenes: a printed code lying on something, photographed
# ----------------------------------------------------------------------------------------------

def make_card(rng, src, k, margin, ink=0, paper=255, text=False, quiet=QUIET):
    """The code printed on a card at k px per module with `margin` extra modules of card around the
    quiet zone; with text=True a title above and lines of text below, as on a licence or a label."""
    code = Image.fromarray(render_code(src, k, quiet + margin, ink, paper))
    if not text:
        return code
    side = src.n + 2 * (quiet + margin)
    top, bottom = 6, 10
    card = Image.new("L", (side * k, (side + top + bottom) * k), paper)
    card.paste(code, (0, top * k))
    d = ImageDraw.Draw(card)
    pseudo_hanzi(d, rng, 2 * k, 1.5 * k, 3 * k, int((side - 4) / 3.4), ink)
    for line in range(3):
        y = (top + side + 1 + line * 3) * k
        if rng.random() < 0.5:
            latin_text(d, rng, 2 * k, y, 2 * k, ink)
        else:
            pseudo_hanzi(d, rng, 2 * k, y, 2 * k, int(rng.integers(4, int((side - 4) / 2.3))), ink)
    return card


def code_scene(rng, src, width, height, ppm, angle=0.0, tilt=0.0, margin=None, ink=None, paper=None,
               text=False, bg=None, shadow=False, ss=2):
    """A float picture of a printed code on a background: ppm pixels per module (in the card's plane),
    turned by angle, tilted by tilt degrees in 3D. Returns (picture, card quad)."""
    margin = int(rng.integers(1, 5)) if margin is None else margin
    ink = rng.uniform(0.05, 0.15) if ink is None else ink
    paper = rng.uniform(0.88, 0.97) if paper is None else paper
    canvas = background(rng, height, width) if bg is None else bg
    for _ in range(20):  # shrink until the card fits the frame
        k = max(2, int(math.ceil(ppm * ss)))
        card = make_card(rng, src, k, margin, int(ink * 255), int(paper * 255), text)
        w, h = card.size[0] / k * ppm, card.size[1] / k * ppm
        if tilt > 0:
            rel = tilted_quad(rng, w, h, tilt, angle, rng.uniform(1.6, 3.0))
        else:
            rel = rect_quad(0, 0, w, h, angle)
        quad = place_quad(rng, rel, width, height)
        if quad is not None:
            break
        ppm *= 0.9
    else:
        raise RuntimeError("code does not fit the frame")
    if shadow:  # a soft shadow of the card, offset down-right: it lies a little above the surface
        sh = Image.new("L", (width, height), 0)
        off = np.array([rng.uniform(0.005, 0.02) * width, rng.uniform(0.005, 0.02) * height])
        ImageDraw.Draw(sh).polygon([tuple(p) for p in quad + off], fill=255)
        sh = sh.filter(ImageFilter.GaussianBlur(rng.uniform(4, 12)))
        canvas *= 1 - rng.uniform(0.25, 0.45) * np.asarray(sh, np.float32) / 255
    paste_warped(canvas, card, quad, ss=ss)
    return canvas, quad


def quad_frame(quad):
    """Centre, unit direction of the top edge, and half-diagonal of a quad: to lay light across it."""
    c = quad.mean(axis=0)
    d = quad[1] - quad[0]
    return c, d / np.linalg.norm(d), np.linalg.norm(quad[2] - quad[0]) / 2


def gentle_light(a, rng, quad):
    """A mild lighting gradient (0.8–1.0) across the picture, as any room light gives."""
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = rng.uniform(0, 2 * math.pi)
    g = ((xx - w / 2) * math.cos(t) + (yy - h / 2) * math.sin(t)) / max(w, h)
    field = 1 - rng.uniform(0.0, 0.2) * (g + 0.5)
    return a * (field[..., None] if a.ndim == 3 else field)


# ----------------------------------------------------------------------------------------------
# The classes. Each generator takes (rng, source, level) and returns (PIL image, "png"|"jpg", quality,
# params) where params are a few numbers worth knowing when a file fails.
# ----------------------------------------------------------------------------------------------

def gen_rotation(rng, src, level):
    angle = float(level.removesuffix("deg"))
    width, height = [(1280, 960), (1600, 1200)][int(rng.integers(2))]
    ppm = rng.uniform(2.6, 6.0)
    a, quad = code_scene(rng, src, width, height, ppm, angle=angle)
    a = gentle_light(a, rng, quad)
    a = add_noise(gauss_blur(a, rng.uniform(0.6, 1.0)), rng, rng.uniform(1.5, 3))
    return to_image(a), "png", None, {"ppm": ppm, "angle": angle}


def gen_perspective(rng, src, level):
    tilt = float(level.removeprefix("tilt"))
    width, height = [(1600, 1200), (2016, 1512)][int(rng.integers(2))]
    ppm = rng.uniform(4.5, 7.0)
    roll = rng.uniform(-25, 25)
    a, quad = code_scene(rng, src, width, height, ppm, angle=roll, tilt=tilt, text=True, shadow=True)
    a = gentle_light(a, rng, quad)
    a = add_noise(gauss_blur(a, rng.uniform(0.6, 1.0)), rng, rng.uniform(2, 4))
    q = int(rng.integers(85, 93))
    return to_image(tint(a, rng)), "jpg", q, {"ppm": ppm, "tilt": tilt, "roll": roll, "quality": q}


def gen_blur(rng, src, level):
    ppm = rng.uniform(5.5, 6.5)
    angle = rng.uniform(-8, 8)
    a, _ = code_scene(rng, src, 1280, 960, ppm, angle=angle)
    params = {"ppm": ppm, "angle": angle}
    if level.startswith("gauss"):
        sigma = float(level.removeprefix("gauss"))
        a = gauss_blur(a, sigma)
        params["sigma"] = sigma
    else:
        length, direction = float(level.removeprefix("motion")), rng.uniform(0, 180)
        a = motion_blur(gauss_blur(a, 0.6), length, direction)
        params.update(length=length, direction=direction)
    return to_image(add_noise(a, rng, 2)), "png", None, params


def gen_noise(rng, src, level):
    ppm = rng.uniform(4.5, 5.5)
    angle = rng.uniform(-10, 10)
    a, _ = code_scene(rng, src, 1280, 960, ppm, angle=angle)
    a = gauss_blur(a, 0.6)
    params = {"ppm": ppm, "angle": angle}
    if level.startswith("gauss"):
        sigma = float(level.removeprefix("gauss"))
        a = add_noise(a, rng, sigma)
        params["sigma"] = sigma
    else:
        p = float(level.removeprefix("saltpepper")) / 100
        hit = rng.random(a.shape) < p
        a = np.where(hit, (rng.random(a.shape) < 0.5).astype(np.float32), a)
        params["fraction"] = p
    return to_image(a), "png", None, params


def gen_jpeg(rng, src, level):
    q = int(level.removeprefix("q"))
    ppm = rng.uniform(5.0, 6.5)
    angle = rng.uniform(-12, 12)
    a, quad = code_scene(rng, src, 1600, 1200, ppm, angle=angle, text=rng.random() < 0.5)
    a = add_noise(gauss_blur(gentle_light(a, rng, quad), rng.uniform(1.0, 1.5)), rng, 2)
    img = to_image(tint(a, rng))
    f = rng.uniform(0.5, 0.62)  # the phone stores a smaller picture than its sensor takes
    img = img.resize((round(img.width * f), round(img.height * f)), Image.LANCZOS)
    return img, "jpg", q, {"ppm": ppm * f, "angle": angle, "quality": q}


def gen_low_contrast(rng, src, level):
    ppm = rng.uniform(4.5, 6.0)
    angle = rng.uniform(-10, 10)
    a, _ = code_scene(rng, src, 1280, 960, ppm, angle=angle, ink=0.0, paper=1.0,
                      bg=background(rng, 960, 1280, base=rng.uniform(0.3, 0.6)))
    a = gauss_blur(a, rng.uniform(0.7, 1.1))
    if level.startswith("range"):
        span = float(level.removeprefix("range"))
        lo = rng.uniform(40, 215 - span)
    elif level == "under":   # almost no light: everything in the bottom 15–25 levels
        span, lo = rng.uniform(15, 25), rng.uniform(1, 4)
    else:                    # "over": blown out, the paper clips at white
        span, lo = rng.uniform(40, 55), rng.uniform(220, 230)
    a = (lo + span * a) / 255
    a = add_noise(a, rng, rng.uniform(1.5, 2.5))
    return to_image(a), "png", None, {"ppm": ppm, "angle": angle, "low": lo, "span": span}


def gen_uneven_light(rng, src, level):
    ppm = rng.uniform(4.5, 6.0)
    angle = rng.uniform(-12, 12)
    a, quad = code_scene(rng, src, 1280, 960, ppm, angle=angle, ink=0.08, paper=0.92)
    h, w = a.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    c, _, half = quad_frame(quad)
    t = rng.uniform(0, 2 * math.pi)
    along = ((xx - c[0]) * math.cos(t) + (yy - c[1]) * math.sin(t)) / half  # -1..1 across the card
    params = {"ppm": ppm, "angle": angle}
    if level.startswith("gradient"):        # light falling off steeply across the code (exponentially)
        ratio = float(level.removeprefix("gradient").removesuffix("x"))
        field = np.exp(-np.log(ratio) * (np.clip(along, -1.2, 1.2) + 1) / 2)
    elif level.startswith("shadow"):        # a hand or phone's shadow: a soft straight edge near the middle
        ratio = float(level.removeprefix("shadow").removesuffix("x"))
        edge = rng.uniform(-0.3, 0.3) + 0.05 * smooth_noise(rng, h, w, 200)
        soft = rng.uniform(0.5, 2.0) * ppm / half
        field = 1 - (1 - 1 / ratio) / (1 + np.exp(-(along - edge) / soft))
    else:                                   # a spotlight beside the code: the far corner in the dark
        ratio = 8.0
        spot = c + np.array([math.cos(t), math.sin(t)]) * half * rng.uniform(0.5, 0.9)
        r2 = ((xx - spot[0]) ** 2 + (yy - spot[1]) ** 2) / (half * rng.uniform(0.6, 0.9)) ** 2
        field = 1 / ratio + (1 - 1 / ratio) * np.exp(-r2)
    params["ratio"] = ratio
    a = gauss_blur(a * field * rng.uniform(0.9, 1.05), 0.6)
    return to_image(add_noise(a, rng, 2.5)), "png", None, params


def screen_code(src, ppm, dark, light, bitmap=512):
    """The code as an app draws it: a QR bitmap of whole pixels per module (about `bitmap` px wide),
    scaled to ppm px per module by the screen with bilinear filtering (anti-aliased edges)."""
    k = max(1, bitmap // (src.n + 2 * QUIET))
    img = Image.fromarray(render_code(src, k, QUIET, dark, light))
    side = round((src.n + 2 * QUIET) * ppm)
    return img.resize((side, side), Image.BILINEAR)


def gen_inverted(rng, src, level):
    params = {}
    if level == "dark-mode":  # a dark-mode app showing the code light-on-dark, cropped around it
        ppm = rng.uniform(5.3, 8.5)
        bg, card_v, fg = rng.uniform(0.03, 0.08), rng.uniform(0.1, 0.16), rng.uniform(0.82, 0.94)
        img = Image.new("RGB", (1080, 1440), tuple([int(bg * 255)] * 3))
        d = ImageDraw.Draw(img)
        code = screen_code(src, ppm, int(fg * 255), int(card_v * 255))  # modules light, ground dark
        x, y = (1080 - code.width) // 2, int(rng.integers(220, max(221, 1440 - code.width - 200)))
        d.rounded_rectangle([x - 40, y - 40, x + code.width + 40, y + code.height + 40], 36,
                            fill=tuple([int(card_v * 255)] * 3))
        img.paste(code.convert("RGB"), (x, y))
        grey = tuple([int(0.85 * 255)] * 3)
        latin_text(d, rng, 60, 60, 48, grey, "Driving Licence")
        latin_text(d, rng, x, y - 130, 36, grey)
        pseudo_hanzi(d, rng, x, y + code.height + 70, 40, 6, grey)
        return img, "png", None, {"ppm": ppm}
    ppm = rng.uniform(4.5, 6.0)
    angle = rng.uniform(20, 70) * (1 if rng.random() < 0.5 else -1) if level == "rotated" else rng.uniform(-5, 5)
    tilt = rng.uniform(10, 20) if level == "rotated" else 0.0
    a, _ = code_scene(rng, src, 1280, 960, ppm, angle=angle, tilt=tilt, ink=rng.uniform(0.85, 0.95),
                      paper=rng.uniform(0.05, 0.12), bg=background(rng, 960, 1280, base=rng.uniform(0.05, 0.2)))
    sigma = rng.uniform(1.3, 1.8) if level == "blur" else 0.6
    a = gauss_blur(a, sigma)
    a = add_noise(a, rng, 20 if level == "noise" else 2)
    params.update(ppm=ppm, angle=angle, tilt=tilt, sigma=sigma)
    return to_image(a), "png", None, params


# ---- small code in a large cluttered photo

def clutter(rng, width, height):
    """A busy RGB photo-like scene: gradient light, shapes, text blocks, barcodes, checker patches."""
    c0, c1 = rng.uniform(60, 200) + rng.uniform(-20, 20, 3), rng.uniform(60, 200) + rng.uniform(-20, 20, 3)
    t = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    base = (c0 * (1 - t) + c1 * t).astype(np.float32)
    img = Image.fromarray(np.broadcast_to(base, (height, width, 3)).astype(np.uint8))
    d = ImageDraw.Draw(img)
    size = max(width, height)

    def colour():  # mostly muted, now and then a saturated one (a logo, a toy)
        c = rng.uniform(0, 255, 3)
        grey = c.mean()
        c = grey + (c - grey) * (rng.uniform(0.2, 0.6) if rng.random() < 0.8 else 1.0)
        return tuple(int(v) for v in c)

    for _ in range(int(width * height / 30000)):
        kind = rng.choice(["rect", "ellipse", "polygon", "line", "text", "hanzi", "barcode", "checker"],
                          p=[0.2, 0.15, 0.15, 0.15, 0.12, 0.1, 0.06, 0.07])
        x, y = rng.uniform(-0.05, 1.0) * width, rng.uniform(-0.05, 1.0) * height
        s = size * rng.uniform(0.01, 0.12)
        if kind == "rect":
            d.rectangle([x, y, x + s, y + s * rng.uniform(0.3, 2)], fill=colour(),
                        outline=colour() if rng.random() < 0.4 else None, width=int(rng.integers(1, 8)))
        elif kind == "ellipse":
            d.ellipse([x, y, x + s, y + s * rng.uniform(0.4, 1.6)], fill=colour())
        elif kind == "polygon":
            d.polygon([(x + rng.uniform(-s, s), y + rng.uniform(-s, s)) for _ in range(int(rng.integers(3, 7)))],
                      fill=colour())
        elif kind == "line":
            d.line([(x, y), (x + rng.uniform(-3, 3) * s, y + rng.uniform(-3, 3) * s)], fill=colour(),
                   width=int(rng.integers(1, 12)))
        elif kind == "text":
            fs = rng.uniform(12, 70)
            for line in range(int(rng.integers(1, 6))):
                latin_text(d, rng, x, y + line * fs * 1.3, fs, colour())
        elif kind == "hanzi":
            fs, ink = rng.uniform(10, 50), colour()
            for line in range(int(rng.integers(1, 8))):
                pseudo_hanzi(d, rng, x, y + line * fs * 1.4, fs, int(rng.integers(3, 16)), ink)
        elif kind == "barcode":  # a 1D barcode: its bars are many edges, like a QR code's
            bx, unit, ink = x, rng.uniform(1.5, 5), colour()
            for _ in range(int(rng.integers(25, 60))):
                wbar = unit * int(rng.integers(1, 4))
                if rng.random() < 0.5:
                    d.rectangle([bx, y, bx + wbar - 1, y + s], fill=ink)
                bx += wbar
        else:                    # a checker patch (a chessboard, tiles, a fabric print)
            cell, a_col, b_col = max(rng.uniform(3, 20), s / 16), colour(), colour()
            for i in range(int(s / cell)):
                for j in range(int(s / cell)):
                    d.rectangle([x + i * cell, y + j * cell, x + (i + 1) * cell - 1, y + (j + 1) * cell - 1],
                                fill=a_col if (i + j) % 2 else b_col)
    return np.array(img)


def gen_small_in_clutter(rng, src, level):
    idx_size = int(rng.integers(2))
    width, height = [(4000, 3000), (3000, 2250)][idx_size]
    ppm = float(level.split("px")[0])
    rotated = level.endswith("-rot")
    angle = rng.uniform(10, 80) * (1 if rng.random() < 0.5 else -1) if rotated else rng.uniform(-3, 3)
    tilt = rng.uniform(0, 25) if rotated else 0.0
    canvas = clutter(rng, width, height)
    k = 3 * int(math.ceil(ppm))  # the label drawn at 3× its final size and averaged down (ss=3)
    card = make_card(rng, src, k, int(rng.integers(1, 4)), int(rng.uniform(0.05, 0.15) * 255),
                     int(rng.uniform(0.85, 0.97) * 255), text=rng.random() < 0.5)
    w, h = card.size[0] / k * ppm, card.size[1] / k * ppm
    # A small code is far from the camera (about ten of its widths): its perspective is slight.
    rel = tilted_quad(rng, w, h, tilt, angle, rng.uniform(6, 12)) if tilt > 0 else rect_quad(0, 0, w, h, angle)
    quad = place_quad(rng, rel, width, height, margin=0.08)
    paste_warped(canvas, card, quad, ss=3)
    # Camera: vignette, lens blur, sensor noise, JPEG as the phone stores it.
    yy, xx = np.ogrid[0:height, 0:width]
    r2 = ((xx - width / 2) / (width / 2)) ** 2 + ((yy - height / 2) / (height / 2)) ** 2
    vignette = (1 - rng.uniform(0.15, 0.35) * r2 / 2).astype(np.float32)
    img = Image.fromarray(np.clip(canvas * vignette[..., None], 0, 255).astype(np.uint8))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.7, 1.1)))
    arr = np.asarray(img).astype(np.int16)
    arr += np.rint(rng.standard_normal((height, width), dtype=np.float32) * rng.uniform(2, 4)).astype(np.int16)[..., None]
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    q = int(rng.integers(85, 93))
    return img, "jpg", q, {"ppm": ppm, "angle": angle, "tilt": tilt, "size": f"{width}x{height}", "quality": q}


# ---- paper bent round a cylinder (a licence card in a wallet, a printout held in one hand)

def sample_bilinear(img, u, v, fill):
    """img (H×W float) at the real coordinates (u, v) (arrays of one shape), bilinear; fill outside."""
    h, w = img.shape
    inside = (u >= 0) & (v >= 0) & (u <= w - 1) & (v <= h - 1)
    u, v = np.clip(u, 0, w - 1.001), np.clip(v, 0, h - 1.001)
    x0, y0 = np.floor(u).astype(np.int64), np.floor(v).astype(np.int64)
    fx, fy = u - x0, v - y0
    top = img[y0, x0] * (1 - fx) + img[y0, x0 + 1] * fx
    bottom = img[y0 + 1, x0] * (1 - fx) + img[y0 + 1, x0 + 1] * fx
    return np.where(inside, top * (1 - fy) + bottom * fy, fill), inside


def paste_curved(canvas, card, bend_deg, tilt_deg, roll_deg, centre, scale, ss=2):
    """Draws the PIL card onto canvas bent round a vertical cylinder so that it spans bend_deg of arc
    (its middle nearest the camera, its sides curling away), leaning back by tilt_deg, seen by a pinhole
    camera, turned by roll_deg and scaled so that the card's middle keeps `scale` pixels per card pixel.
    Rendered at ss× and box-averaged down."""
    a = np.asarray(card, np.float32) / 255
    h, w = a.shape
    theta_half = math.radians(bend_deg) / 2
    radius = (w / 2) / theta_half
    distance = 2.5 * max(w, h)
    tilt = math.radians(tilt_deg)
    # Forward map of card (x, y) → image, used for the bounding box and as the inverse's table.
    def project(theta, y):
        x3 = radius * np.sin(theta)
        z3 = radius * (1 - np.cos(theta))
        y3 = y - h / 2
        # lean back about the horizontal axis through the card's middle
        y3t = y3 * math.cos(tilt) - z3 * math.sin(tilt)
        z3t = y3 * math.sin(tilt) + z3 * math.cos(tilt) + distance
        return distance * x3 / z3t * scale, distance * y3t / z3t * scale
    thetas = np.linspace(-theta_half, theta_half, 200)
    ys = np.linspace(0, h, 50)
    tt, yy = np.meshgrid(thetas, ys)
    px, py = project(tt, yy)
    r = math.radians(roll_deg)
    rot = np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])
    pts = np.stack([px.ravel(), py.ravel()], axis=1) @ rot.T + centre
    x0, y0 = max(0, int(pts[:, 0].min()) - 2), max(0, int(pts[:, 1].min()) - 2)
    x1, y1 = min(canvas.shape[1], int(pts[:, 0].max()) + 3), min(canvas.shape[0], int(pts[:, 1].max()) + 3)
    # Inverse: for each output pixel, undo the roll, then solve project(theta, y) = pixel for the card's
    # (theta, y) by Newton steps (a bent, tilted card has no closed-form inverse).
    oy, ox = np.mgrid[y0 * ss:y1 * ss, x0 * ss:x1 * ss].astype(np.float64) / ss + 0.5 / ss
    rel = np.stack([ox - centre[0], oy - centre[1]], axis=-1) @ rot  # undo the roll
    qx, qy = rel[..., 0], rel[..., 1]
    theta = np.clip(qx / (scale * radius), -theta_half, theta_half)
    ycard = qy / scale + h / 2
    for _ in range(8):  # Newton on both unknowns with a numeric Jacobian
        fx, fy = project(theta, ycard)
        ex, ey = fx - qx, fy - qy
        d = 1e-4
        ax, ay = project(theta + d, ycard)
        bx, by = project(theta, ycard + d)
        j11, j21 = (ax - fx) / d, (ay - fy) / d
        j12, j22 = (bx - fx) / d, (by - fy) / d
        det = j11 * j22 - j12 * j21
        det = np.where(np.abs(det) < 1e-9, 1e-9, det)
        theta -= (j22 * ex - j12 * ey) / det
        ycard -= (-j21 * ex + j11 * ey) / det
    u = theta * radius + w / 2
    top, inside = sample_bilinear(a, u, ycard, 0.0)
    # Light falls off where the paper turns away from the camera.
    shade = np.cos(np.clip(theta, -theta_half, theta_half)) ** 0.6
    top = top * shade
    hh, ww = (y1 - y0), (x1 - x0)
    top = top.reshape(hh, ss, ww, ss).mean(axis=(1, 3))
    m = inside.astype(np.float32).reshape(hh, ss, ww, ss).mean(axis=(1, 3))
    region = canvas[y0:y1, x0:x1]
    canvas[y0:y1, x0:x1] = region * (1 - m) + top * m


def gen_curved(rng, src, level):
    bend = float(level.split("-")[0].removeprefix("bend"))
    tilt = float(level.split("tilt")[1]) if "tilt" in level else 0.0
    width, height = [(1600, 1200), (2016, 1512)][int(rng.integers(2))]
    ppm = rng.uniform(4.5, 6.5)
    k = max(2, int(math.ceil(ppm * 2)))
    card = make_card(rng, src, k, int(rng.integers(1, 4)), int(rng.uniform(0.05, 0.15) * 255),
                     int(rng.uniform(0.88, 0.97) * 255), text=True)
    canvas = background(rng, height, width)
    roll = rng.uniform(-20, 20)
    scale = ppm / k
    while max(card.size) * scale > 0.8 * min(width, height):
        scale *= 0.9
    centre = np.array([width / 2 + rng.uniform(-0.1, 0.1) * width, height / 2 + rng.uniform(-0.1, 0.1) * height])
    paste_curved(canvas, card, bend, tilt, roll, centre, scale)
    a = gentle_light(canvas, rng, rect_quad(centre[0], centre[1], 100, 100, roll))
    a = add_noise(gauss_blur(a, rng.uniform(0.6, 1.0)), rng, rng.uniform(2, 4))
    q = int(rng.integers(85, 93))
    return to_image(tint(a, rng)), "jpg", q, {"ppm": scale * k, "bend": bend, "tilt": tilt, "roll": roll, "quality": q}


# ---- phone screenshots and photos of a phone screen

def phone_screen(rng, src, mode):
    """A phone screenshot of a licence app: status bar, header, card with the code and text, tab bar.
    mode: light, dark (dark UI, code on a white panel) or dark-inverted (code light on dark)."""
    width, height = [(1170, 2532), (1080, 2400)][int(rng.integers(2))]
    dark = mode != "light"
    bg = (0, 0, 0) if dark else (242, 242, 247)
    text = (235, 235, 240) if dark else (28, 28, 30)
    sub = (152, 152, 160) if dark else (110, 110, 118)
    accent = (10, 132, 255) if rng.random() < 0.5 else (22, 160, 110)
    card = (28, 28, 30) if dark else (255, 255, 255)
    img = Image.new("RGB", (width, height), bg)
    d = ImageDraw.Draw(img)
    u = width / 390  # layout unit: points of a 390-point-wide phone
    # Status bar: clock, signal bars, battery.
    latin_text(d, rng, 32 * u, 16 * u, 16 * u, text, f"{int(rng.integers(7, 23))}:{int(rng.integers(0, 60)):02d}")
    for i in range(4):
        d.rectangle([300 * u + i * 6 * u, (30 - 3 * i) * u, 304 * u + i * 6 * u, 34 * u], fill=text)
    d.rounded_rectangle([334 * u, 22 * u, 360 * u, 34 * u], int(3 * u), outline=text, width=max(1, int(u)))
    d.rectangle([336 * u, 24 * u, (336 + rng.uniform(5, 22)) * u, 32 * u], fill=text)
    # Header.
    hy = 50 * u
    if not dark:
        d.rectangle([0, hy, width, hy + 52 * u], fill=accent)
    head = (255, 255, 255) if not dark else text
    d.line([(22 * u, hy + 18 * u), (14 * u, hy + 26 * u), (22 * u, hy + 34 * u)], fill=head, width=int(2.5 * u))
    latin_text(d, rng, 120 * u, hy + 14 * u, 20 * u, head, "Driving Licence")
    # Card with name, number and the code.
    cx0, cy0, cx1 = 16 * u, hy + 72 * u, width - 16 * u
    code_side = rng.uniform(0.62, 0.78) * width
    ppm = code_side / (src.n + 2 * QUIET)
    cy1 = cy0 + code_side + 190 * u
    d.rounded_rectangle([cx0, cy0, cx1, cy1], int(14 * u), fill=card)
    pseudo_hanzi(d, rng, 32 * u, cy0 + 20 * u, 24 * u, 3, text)
    latin_text(d, rng, 130 * u, cy0 + 24 * u, 17 * u, sub, LATIN[int(rng.integers(1, 5))])
    latin_text(d, rng, 32 * u, cy0 + 60 * u, 14 * u, sub, "No. 3101 0119 9001 01****   C1  A2")
    x = int((width - code_side) / 2)
    y = int(cy0 + 100 * u)
    if mode == "dark":            # many apps keep the code dark on a white panel even in dark mode
        code = screen_code(src, ppm, 0, 255)
    elif mode == "dark-inverted":
        code = screen_code(src, ppm, 235, 28)
    else:
        code = screen_code(src, ppm, 0, 255)
    img.paste(code.convert("RGB"), (x, y))
    latin_text(d, rng, 120 * u, y + code.height + 20 * u, 14 * u, sub, f"Refreshes in 0:{int(rng.integers(10, 60)):02d}")
    # Buttons, more text, tab bar, home indicator.
    by = cy1 + 24 * u
    d.rounded_rectangle([16 * u, by, width - 16 * u, by + 48 * u], int(12 * u), fill=accent)
    latin_text(d, rng, 160 * u, by + 14 * u, 17 * u, (255, 255, 255), "Refresh")
    for line in range(4):
        ly = by + 70 * u + line * 28 * u
        if ly > height - 120 * u:
            break
        pseudo_hanzi(d, rng, 20 * u, ly, 15 * u, int(rng.integers(6, 20)), sub)
    ty = height - 84 * u
    d.line([(0, ty), (width, ty)], fill=sub, width=1)
    for i in range(4):
        tx = (48 + i * 98) * u
        d.ellipse([tx - 11 * u, ty + 10 * u, tx + 11 * u, ty + 32 * u], outline=accent if i == 1 else sub,
                  width=int(2 * u))
    d.rounded_rectangle([width / 2 - 67 * u, height - 13 * u, width / 2 + 67 * u, height - 8 * u], int(3 * u), fill=text)
    return img, ppm, (x + code.width / 2, y + code.height / 2, code.width)


def screen_photo(rng, screen, moire, glare=None, code=None, tilt=None):
    """A phone camera's photo of the screen: pixel grid (RGB stripes, dark gaps) resampled without
    prefiltering (aliasing, moiré), optional beat bands and glare, perspective, lens blur, noise.
    glare: None (a lamp's reflection half of the time, anywhere), "soft" or "strong" (a broad reflection
    over the code), "hotspot" (a small saturated one on the code); code: (x, y, side) on the screen."""
    # Each screen pixel as 3×3 sensor-scale cells: R, G, B columns and a darker gap row.
    big = np.repeat(np.repeat(np.asarray(screen), 3, axis=0), 3, axis=1)
    bleed, gap = (0.15, 0.55) if moire else (0.45, 0.85)
    cols = np.full((3, 3), bleed, np.float32)
    np.fill_diagonal(cols, 1.0)                               # column c lights channel c
    rows = np.array([1.0, 1.0, gap], np.float32)
    w_big, h_big = big.shape[1], big.shape[0]
    for ch in range(3):
        gain = 1.9 * np.tile(cols[:, ch], w_big // 3)[None, :] * np.tile(rows, h_big // 3)[:, None]
        big[..., ch] = np.clip(big[..., ch] * gain, 0, 255).astype(np.uint8)
    bezel = int(rng.integers(40, 90))
    phone = Image.new("RGB", (w_big + 2 * bezel, h_big + 2 * bezel), (12, 12, 14))
    phone.paste(Image.fromarray(big), (bezel, bezel))
    out_w, out_h = 1512, 2016
    scale = out_h * rng.uniform(0.78, 0.92) / phone.height
    desk = background(rng, out_h, out_w, base=rng.uniform(0.2, 0.4))
    canvas = tint(desk, rng)
    tilt, roll = (rng.uniform(5, 20) if tilt is None else tilt), rng.uniform(-10, 10)
    rel = tilted_quad(rng, phone.width, phone.height, tilt, roll, rng.uniform(1.5, 2.5))
    while (quad := place_quad(rng, rel * scale, out_w, out_h, margin=0.01)) is None:
        scale *= 0.95
    paste_warped(canvas, phone, quad, ss=1)  # ss=1: sampled straight, the pixel grid aliases
    h, w = out_h, out_w
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if moire:  # broad curved bands of colour over the screen (not the desk), and finer ripples in them
        screen_mask = np.zeros((h, w), np.float32)
        paste_warped(screen_mask, Image.new("L", phone.size, 255), quad, ss=1)
        t = rng.uniform(0, math.pi)
        along = xx * math.cos(t) + yy * math.sin(t)
        bend = 2 * math.pi * rng.uniform(0.5, 1.5) * smooth_noise(rng, h, w, 300)
        beat = 2 * math.pi * along / rng.uniform(30, 120) + bend
        tf = t + rng.uniform(-0.5, 0.5)
        ripple = np.cos(2 * math.pi * rng.uniform(0.15, 0.3) * (xx * math.cos(tf) + yy * math.sin(tf)))
        amp = rng.uniform(0.2, 0.35)
        for ch in range(3):
            band = 0.5 + 0.5 * np.cos(beat + ch * 2.1)
            canvas[..., ch] *= 1 - screen_mask * amp * band * (0.75 + 0.25 * ripple)
    if glare is None and rng.random() < 0.5:  # glare: a lamp reflected in the glass
        gx, gy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
        r = rng.uniform(0.1, 0.25) * w
        canvas += (rng.uniform(0.15, 0.35) * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * r * r)))[..., None]
    elif glare is not None:  # a reflection over the code itself: where on the photo the code's centre is
        cx, cy, side = code
        coeffs = homography([(0, 0), (phone.width, 0), (phone.width, phone.height), (0, phone.height)], quad)
        px, py = (cx * 3 + bezel), (cy * 3 + bezel)
        den = coeffs[6] * px + coeffs[7] * py + 1
        gx = (coeffs[0] * px + coeffs[1] * py + coeffs[2]) / den
        gy = (coeffs[3] * px + coeffs[4] * py + coeffs[5]) / den
        code_px = side * 3 * scale
        if glare == "hotspot":  # a small, nearly white spot (a ceiling light) off the code's middle
            gx += rng.uniform(-0.25, 0.25) * code_px
            gy += rng.uniform(-0.25, 0.25) * code_px
            r, strength = rng.uniform(0.06, 0.1) * code_px, rng.uniform(0.6, 0.9)
        else:  # a window or a lamp: a broad veil that lifts the code's dark modules
            gx += rng.uniform(-0.3, 0.3) * code_px
            gy += rng.uniform(-0.3, 0.3) * code_px
            r = rng.uniform(0.3, 0.5) * code_px
            strength = rng.uniform(0.25, 0.4) if glare == "soft" else rng.uniform(0.45, 0.65)
        canvas += (strength * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * r * r)))[..., None]
    canvas = gauss_blur(canvas, rng.uniform(0.9, 1.6) if moire else rng.uniform(0.7, 1.2))
    canvas = add_noise(canvas, rng, rng.uniform(2, 4))
    return to_image(canvas), scale * 3


def gen_screenshot(rng, src, level):
    mode = level if level in ("light", "dark", "dark-inverted") else ("dark" if rng.random() < 0.3 else "light")
    screen, ppm, _ = phone_screen(rng, src, mode)
    params = {"ppm": ppm, "mode": mode, "size": f"{screen.width}x{screen.height}"}
    if level == "shared":  # forwarded through a messaging app: halved and recompressed
        f = rng.uniform(0.42, 0.55)
        small = screen.resize((round(screen.width * f), round(screen.height * f)), Image.LANCZOS)
        q = int(rng.integers(60, 76))
        params.update(ppm=ppm * f, quality=q)
        return small, "jpg", q, params
    if level.startswith("photo"):
        photo, scale = screen_photo(rng, screen, level == "photo-moire")
        q = int(rng.integers(85, 93))
        params.update(ppm=ppm * scale, quality=q)
        return photo, "jpg", q, params
    return screen, "png", None, params


def gen_glare(rng, src, level):
    """A phone screen photographed with a reflection on the code (the counter's lamp, a window)."""
    screen, ppm, code = phone_screen(rng, src, "light" if rng.random() < 0.7 else "dark")
    kind = level.split("-")[0]
    tilt = rng.uniform(25, 40) if level.endswith("-tilt") else None
    photo, scale = screen_photo(rng, screen, level.endswith("-moire"), glare=kind, code=code, tilt=tilt)
    q = int(rng.integers(85, 93))
    return photo, "jpg", q, {"ppm": ppm * scale, "glare": kind, "quality": q}


def gen_no_code(rng, src, level):
    """A picture with no QR code in it (src is not drawn)."""
    if level == "clutter-12mp":
        width, height = 4000, 3000
        canvas = clutter(rng, width, height)
        img = Image.fromarray(canvas.astype(np.uint8)).filter(ImageFilter.GaussianBlur(rng.uniform(0.7, 1.1)))
        q = int(rng.integers(85, 93))
        return img, "jpg", q, {"size": f"{width}x{height}", "quality": q}
    if level == "screen":
        screen, _, (cx, cy, side) = phone_screen(rng, src, "light" if rng.random() < 0.5 else "dark")
        a = np.asarray(screen).copy()
        # The app before its code is shown: the code's square (and a little around it) left blank.
        h, w = a.shape[:2]
        half = side / 2 + 4
        y0, y1, x0, x1 = max(0, int(cy - half)), min(h, int(cy + half) + 1), max(0, int(cx - half)), min(w, int(cx + half) + 1)
        a[y0:y1, x0:x1] = a[max(0, y0 - 2), x0]
        return Image.fromarray(a), "png", None, {"size": f"{w}x{h}"}
    width, height = [(1600, 1200), (2016, 1512)][int(rng.integers(2))]
    canvas = background(rng, height, width)
    if level == "barcode-card":  # a card with text and a 1D barcode, no QR code
        card = Image.new("L", (700, 440), int(rng.uniform(0.88, 0.97) * 255))
        d = ImageDraw.Draw(card)
        pseudo_hanzi(d, rng, 30, 30, 40, 8, 20)
        for line in range(4):
            latin_text(d, rng, 30, 110 + line * 40, 26, 30)
        x = 60
        while x < 640:
            wbar = int(rng.integers(2, 9))
            if rng.random() < 0.5:
                d.rectangle([x, 300, x + wbar - 1, 400], fill=15)
            x += wbar
        quad = place_quad(rng, rect_quad(0, 0, 700, 440, rng.uniform(-20, 20)), width, height)
        paste_warped(canvas, card, quad)
    a = add_noise(gauss_blur(canvas, rng.uniform(0.6, 1.0)), rng, rng.uniform(2, 4))
    q = int(rng.integers(85, 93))
    return to_image(tint(a, rng)), "jpg", q, {"quality": q}


GENERATORS = {
    "rotation": gen_rotation, "perspective": gen_perspective, "blur": gen_blur, "noise": gen_noise,
    "jpeg": gen_jpeg, "low-contrast": gen_low_contrast, "uneven-light": gen_uneven_light,
    "inverted": gen_inverted, "small-in-clutter": gen_small_in_clutter, "screenshot": gen_screenshot,
    "curved": gen_curved, "glare": gen_glare, "no-code": gen_no_code,
}


# ----------------------------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------------------------

def make_one(job):
    """Generates and writes one picture; returns its manifest entry."""
    seed, class_index, cls, index, level, src, out_dir = job
    rng = np.random.default_rng([seed, class_index, index])
    img, fmt, quality, params = GENERATORS[cls](rng, src, level)
    assert max(img.size) <= 4000 and min(img.size) <= 3000, (cls, img.size)
    name = "none" if cls == NO_CODE else src.name
    rel = f"{cls}/{name}-{level}-{index:02d}.{fmt}"
    path = os.path.join(out_dir, rel)
    if fmt == "jpg":
        img.save(path, "JPEG", quality=quality)
    else:
        img.save(path, "PNG", compress_level=6)
    clean = {k: (round(float(v), 3) if isinstance(v, (float, np.floating)) else v) for k, v in params.items()}
    # A picture without a code expects nothing read: its text is empty.
    return {"file": rel, "class": cls, "level": level, "text": "" if cls == NO_CODE else src.text,
            "source": None if cls == NO_CODE else src.name, "params": clean}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source_dir", help="clean code PNGs, each NAME.png with NAME.txt holding its text")
    ap.add_argument("out_dir", help="where to write CLASS/*.png|jpg and manifest.json")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--per-class", type=int, default=20, help="pictures per class (default 20)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPUs)")
    ap.add_argument("--classes", help="comma-separated subset of: " + ", ".join(CLASSES))
    args = ap.parse_args()

    names = sorted(f[:-4] for f in os.listdir(args.source_dir) if f.endswith(".png"))
    sources = []
    for name in names:
        png, txt = os.path.join(args.source_dir, name + ".png"), os.path.join(args.source_dir, name + ".txt")
        if not os.path.exists(txt):
            sys.exit(f"make-image-set: {txt} is missing (each NAME.png needs NAME.txt with the code's text)")
        sources.append(load_source(png, txt))
    if not sources:
        sys.exit(f"make-image-set: no .png in {args.source_dir}")
    classes = list(CLASSES) if not args.classes else args.classes.split(",")
    for cls in classes:
        if cls not in CLASSES:
            sys.exit(f"make-image-set: unknown class {cls}")

    jobs = []
    for cls in classes:
        ci = list(CLASSES).index(cls)
        os.makedirs(os.path.join(args.out_dir, cls), exist_ok=True)
        levels = CLASSES[cls]
        for i in range(args.per_class):
            # Levels go round; each round uses the next source, so every level sees every code.
            src = sources[(i // len(levels) + ci) % len(sources)]
            jobs.append((args.seed, ci, cls, i, levels[i % len(levels)], src, args.out_dir))
    # The big pictures first, so the workers finish together.
    heavy = {"small-in-clutter": 0, "no-code": 0, "screenshot": 1, "glare": 1}
    order = sorted(range(len(jobs)), key=lambda j: heavy.get(jobs[j][2], 2))

    start = time.monotonic()
    results = [None] * len(jobs)
    if args.jobs > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            for j, entry in zip(order, pool.map(make_one, [jobs[j] for j in order])):
                results[j] = entry
    else:
        for j in order:
            results[j] = make_one(jobs[j])
    with open(os.path.join(args.out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"make-image-set: {len(results)} pictures of {len(classes)} classes from {len(sources)} codes "
          f"in {time.monotonic() - start:.1f} s → {args.out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
