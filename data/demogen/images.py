"""Demo images: three public-domain / CC0 portraits shipped in PyPI packages, re-cropped and
given real distortions or stylisations that match each item's sub-dimension.

Planning (`plan_pool`) is pure and cheap, so the metadata can be regenerated without
rendering; `render` turns one `ImageSpec` into a JPEG.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
import numpy as np
import skimage
from PIL import Image, ImageEnhance, ImageFilter, ImageOps
from skimage.transform import swirl

from demogen.facets import FACETS

OUT_W, OUT_H = 336, 384  # portrait 7:8
JPEG_QUALITY = 80


@dataclass(frozen=True)
class Base:
    """A source portrait and where the face is (pixels), for face-centred effects."""

    name: str
    path: Path
    face: tuple[int, int]
    face_radius: int


BASES: dict[str, Base] = {
    "astronaut": Base(
        "astronaut", Path(skimage.__file__).parent / "data" / "astronaut.png", (225, 130), 48
    ),
    "camera": Base("camera", Path(skimage.__file__).parent / "data" / "camera.png", (212, 140), 38),
    "grace_hopper": Base(
        "grace_hopper",
        Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg",
        (266, 250),
        80,
    ),
}


@dataclass(frozen=True)
class ImageSpec:
    """Everything needed to render one demo image deterministically."""

    file_name: str  # "images/ni_0007.jpg"
    base: str
    image_source: str
    subdimension: str
    level: int  # 0 best .. 3 worst
    kind: str | None  # the applied effect (a key of the facet's kinds), None if nothing
    seed: int
    width_frac: float  # crop width / base width
    face_x: float  # where the face lands in the crop (fractions)
    face_y: float
    flip: bool
    source_style: str  # "none", "aigc", "oil", "watercolour", "cartoon"


_LEVEL_WEIGHTS = {  # share of images per level, by image source
    "NI": (2, 3, 3, 2),
    "SDI": (1, 3, 3, 3),
    "AGI": (2, 3, 3, 2),
    "AI": (3, 3, 2, 2),
    "CGI": (2, 3, 3, 2),
}
_SOURCE_STYLES = {
    "NI": ("none",),
    "SDI": ("none",),
    "AGI": ("aigc",),
    "AI": ("oil", "watercolour"),
    "CGI": ("cartoon",),
}


def pool_size(n_items: int) -> int:
    """Images per (source, sub-dimension): about one per 14 items, 2..8."""
    return max(2, min(8, math.ceil(n_items / 14)))


def _balanced(rng: random.Random, values: list, weights: tuple[int, ...], n: int) -> list:
    """n draws following integer weights as closely as possible, in random order."""
    bag = [v for v, w in zip(values, weights, strict=False) for _ in range(w)]
    out = [bag[i % len(bag)] for i in range(n)] if n >= len(bag) else rng.sample(bag, n)
    rng.shuffle(out)
    return out


def plan_pool(
    rng: random.Random, source: str, subdim: str, n_images: int, first_index: int
) -> list[ImageSpec]:
    """Image specs for one (source, sub-dimension), with levels and kinds spread evenly."""
    facet = FACETS[subdim]
    levels = _balanced(rng, [0, 1, 2, 3], _LEVEL_WEIGHTS[source], n_images)
    kinds_cycle = list(facet.kinds)
    rng.shuffle(kinds_cycle)
    bases = list(BASES)
    rng.shuffle(bases)
    specs = []
    for j, level in enumerate(levels):
        if facet.kind_levels:
            allowed = [k for k in kinds_cycle if level in facet.kind_levels[k]]
            kind: str | None = allowed[j % len(allowed)]
        elif level == 0 and not facet.kind_at_level0:
            kind = None
        else:
            kind = kinds_cycle[j % len(kinds_cycle)]
        specs.append(
            ImageSpec(
                file_name=f"images/{source.lower()}_{first_index + j:04d}.jpg",
                base=bases[j % len(bases)],
                image_source=source,
                subdimension=subdim,
                level=level,
                kind=kind,
                seed=rng.randrange(2**31),
                width_frac=round(rng.uniform(0.62, 0.86), 3),
                face_x=round(rng.uniform(0.42, 0.58), 3),
                face_y=round(rng.uniform(0.3, 0.4), 3),
                flip=rng.random() < 0.3,
                source_style=rng.choice(_SOURCE_STYLES[source]),
            )
        )
    return specs


# ----------------------------------------------------------------------------- rendering


@cache
def _load(base: str) -> Image.Image:
    return Image.open(BASES[base].path).convert("RGB")


def _arr(img: Image.Image) -> np.ndarray:
    return np.asarray(img, dtype=np.float32) / 255.0


def _img(a: np.ndarray) -> Image.Image:
    return Image.fromarray((np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8))


def _crop(spec: ImageSpec) -> tuple[Image.Image, tuple[float, float], float]:
    """Crop and resize the base; returns the image, face centre and face radius (output px)."""
    base = BASES[spec.base]
    img = _load(spec.base)
    wf, fx_t, fy_t = spec.width_frac, spec.face_x, spec.face_y
    if spec.subdimension == "Composition":
        kind = spec.kind or "centred"
        wf = {"centred": 0.62, "thirds": 0.55, "tilted": 0.6, "cropped": 0.42}[kind]
        fx_t, fy_t = {
            "centred": (0.5, 0.36),
            "thirds": (1 / 3, 0.34),
            "tilted": (0.5, 0.38),
            "cropped": (0.5, 0.04 if spec.level == 3 else 0.1),
        }[kind]
        if spec.kind == "tilted":
            angle = (12 if spec.level == 2 else 20) * (1 if spec.seed % 2 else -1)
            img = img.rotate(
                angle,
                resample=Image.BICUBIC,
                center=base.face,
                fillcolor=tuple(int(v) for v in np.asarray(img).mean((0, 1))),
            )
    w = min(wf * img.width, img.width, img.height * OUT_W / OUT_H)
    h = w * OUT_H / OUT_W
    x0 = min(max(base.face[0] - fx_t * w, 0), img.width - w)
    y0 = min(max(base.face[1] - fy_t * h, 0), img.height - h)
    out = img.resize((OUT_W, OUT_H), Image.LANCZOS, box=(x0, y0, x0 + w, y0 + h))
    scale = OUT_W / w
    face = ((base.face[0] - x0) * scale, (base.face[1] - y0) * scale)
    if spec.flip:
        out = ImageOps.mirror(out)
        face = (OUT_W - face[0], face[1])
    return out, face, base.face_radius * scale


def _motion_blur(a: np.ndarray, length: int, angle: float) -> np.ndarray:
    """Average of shifted copies along a line: a linear motion-blur kernel."""
    if length <= 1:
        return a
    pad = length
    p = np.pad(a, ((pad, pad), (pad, pad), (0, 0)), mode="edge")
    acc = np.zeros_like(p)
    for t in np.linspace(-(length - 1) / 2, (length - 1) / 2, length):
        dy, dx = int(round(t * math.sin(angle))), int(round(t * math.cos(angle)))
        acc += np.roll(p, (dy, dx), axis=(0, 1))
    return (acc / length)[pad:-pad, pad:-pad]


def _radial(shape: tuple[int, int], centre: tuple[float, float], radius: float) -> np.ndarray:
    """1 at the centre falling smoothly to 0 at `radius` (a soft spotlight mask)."""
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    d = np.hypot(xx - centre[0], yy - centre[1]) / radius
    return np.clip(1 - d, 0, 1) ** 1.5


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], cells: int) -> np.ndarray:
    """Low-frequency random field in [-1, 1] (bicubic upsampling of a coarse grid)."""
    coarse = rng.uniform(0, 255, (cells, cells)).astype(np.uint8)
    up = Image.fromarray(coarse).resize((shape[1], shape[0]), Image.BICUBIC)
    return np.asarray(up, dtype=np.float32) / 127.5 - 1


def _paste(
    a: np.ndarray,
    src_box: tuple[int, int, int, int],
    dst: tuple[int, int],
    alpha: float,
    flip: bool = False,
) -> np.ndarray:
    """Copy a rectangle of `a` to `dst` with a feathered edge (AIGC-like duplication)."""
    x0, y0, x1, y1 = src_box
    patch = a[y0:y1, x0:x1].copy()
    if flip:
        patch = patch[::-1]
    h, w = patch.shape[:2]
    dx, dy = dst
    dx, dy = max(0, min(dx, a.shape[1] - w)), max(0, min(dy, a.shape[0] - h))
    yy, xx = np.mgrid[0:h, 0:w]
    edge = np.minimum.reduce([xx, yy, w - 1 - xx, h - 1 - yy]) / max(3, min(h, w) * 0.2)
    m = (np.clip(edge, 0, 1) * alpha)[..., None]
    out = a.copy()
    out[dy : dy + h, dx : dx + w] = m * patch + (1 - m) * out[dy : dy + h, dx : dx + w]
    return out


def _source_style(img: Image.Image, style: str) -> Image.Image:
    """Stand-ins for AI-generated, artistic and CGI images."""
    if style == "aigc":  # airbrushed, glowing, oversaturated
        smooth = img.filter(ImageFilter.MedianFilter(3)).filter(ImageFilter.SMOOTH_MORE)
        glow = smooth.filter(ImageFilter.GaussianBlur(6))
        out = Image.blend(smooth, ImageEnhance.Brightness(glow).enhance(1.15), 0.25)
        return ImageEnhance.Color(out).enhance(1.3)
    if style == "oil":  # painterly: median + quantised colours
        paint = img.filter(ImageFilter.ModeFilter(7)).filter(ImageFilter.MedianFilter(7))
        return ImageEnhance.Color(ImageOps.posterize(paint, 3)).enhance(1.35)
    if style == "watercolour":
        soft = img.filter(ImageFilter.GaussianBlur(2)).filter(ImageFilter.MedianFilter(5))
        edges = ImageOps.invert(img.convert("L").filter(ImageFilter.FIND_EDGES))
        paper = Image.merge("RGB", [edges] * 3)
        return ImageEnhance.Color(Image.blend(soft, paper, 0.25)).enhance(1.2)
    if style == "cartoon":  # flat shaded regions with dark outlines
        smooth = img.filter(ImageFilter.MedianFilter(7))
        flat = smooth.quantize(12, dither=Image.Dither.NONE).convert("RGB")
        edges = (
            smooth.convert("L").filter(ImageFilter.FIND_EDGES).point(lambda v: 255 if v > 28 else 0)
        )
        a = _arr(flat) * (1 - 0.8 * _arr(edges.convert("RGB")))
        return _img(a)
    return img


def _stylise(img: Image.Image, kind: str) -> Image.Image:
    if kind == "oil":
        return _source_style(img, "oil")
    if kind == "cartoon":
        return _source_style(img, "cartoon")
    if kind == "sepia":
        g = _arr(img.convert("L").convert("RGB"))[..., :1]
        return _img(np.concatenate([g * 1.07, g * 0.87, g * 0.62], axis=2) + 0.04)
    g = ImageOps.autocontrast(img.convert("L"), cutoff=3)
    return ImageEnhance.Contrast(g).enhance(1.6).convert("RGB")


def _effect(img: Image.Image, spec: ImageSpec, face: tuple[float, float], fr: float) -> Image.Image:
    """Apply the sub-dimension's effect at the spec's level (level 0: none or the mildest)."""
    lv, kind, sub = spec.level, spec.kind, spec.subdimension
    rng = np.random.default_rng(spec.seed)
    a = _arr(img)
    if sub == "Noise" and lv:
        sigma = (0, 0.035, 0.075, 0.14)[lv]
        shape = a.shape if kind == "chroma" else a.shape[:2] + (1,)
        return _img(a + rng.normal(0, sigma, shape).astype(np.float32))
    if sub == "Blur" and lv:
        if kind == "motion":
            return _img(_motion_blur(a, (1, 6, 12, 21)[lv], rng.uniform(0, math.pi)))
        return img.filter(ImageFilter.GaussianBlur((0, 1.3, 2.8, 5.0)[lv]))
    if sub == "Exposure" and lv:
        if kind == "over":
            return _img(a * (1, 1.35, 1.75, 2.4)[lv] + (0, 0.03, 0.08, 0.12)[lv])
        return _img(a ** (1, 1.5, 2.1, 2.9)[lv] * (1, 0.85, 0.65, 0.5)[lv])
    if sub == "Color" and lv:
        cast = {
            "blue": (0.8, 0.93, 1.25),
            "yellow": (1.15, 1.05, 0.7),
            "magenta": (1.18, 0.82, 1.12),
            "green": (0.86, 1.16, 0.86),
        }[kind or "blue"]
        s = (0, 0.35, 0.7, 1.0)[lv]
        return _img(a * (1 + s * (np.array(cast, dtype=np.float32) - 1)))
    if sub == "Artifacts" and lv:
        if kind == "pixel":
            f = (1, 3, 6, 10)[lv]
            small = img.resize((OUT_W // f, OUT_H // f), Image.BILINEAR)
            return small.resize((OUT_W, OUT_H), Image.NEAREST)
        if kind == "banding":
            q = (256, 20, 9, 5)[lv]
            smooth = _arr(img.filter(ImageFilter.GaussianBlur(1.5)))
            return _img(np.round(smooth * (q - 1)) / (q - 1))
        if kind == "ringing":
            return img.filter(ImageFilter.UnsharpMask(4, (0, 160, 320, 520)[lv], 0))
        return img  # jpeg: applied at save time
    if sub == "Anatomy" and lv:
        if kind == "warp":
            return _img(swirl(a, center=face, strength=(0, 1.2, 2.8, 5.0)[lv], radius=fr * 2.2))
        if kind == "dup":
            x, y, r = int(face[0]), int(face[1]), int(fr)
            box = (x - r, y - r // 2, x + r, y + r // 3)
            size = (0, 0.55, 0.8, 1.0)[lv]
            sub_box = (box[0], box[1], box[0] + int((box[2] - box[0]) * size) + 4, box[3])
            return _img(_paste(a, sub_box, (x - r // 2, y + int(r * 0.9)), 0.95))
        s = (1, 1.15, 1.35, 1.6)[lv]  # stretch the face region vertically
        x, y, r = int(face[0]), int(face[1]), int(fr * 1.3)
        region = img.crop((x - r, y - r, x + r, y + r))
        tall = region.resize((2 * r, int(2 * r * s)), Image.BICUBIC)
        return _img(_paste_image(a, _arr(tall), (x - r, y - r)))
    if sub == "Texture" and lv:
        if kind == "smooth":
            out = img
            for _ in range(lv):
                out = out.filter(ImageFilter.MedianFilter(5)).filter(ImageFilter.SMOOTH_MORE)
            return out
        if kind == "tiled":
            t = 20
            px, py = int(face[0]) - t // 2, max(0, int(face[1] - fr * 1.6))
            tile = a[py : py + t, px : px + t]
            reps = np.tile(tile, (OUT_H // t + 1, OUT_W // t + 1, 1))[:OUT_H, :OUT_W]
            m = (1 - _radial(a.shape[:2], face, fr * 2.6))[..., None] * (0, 0.3, 0.55, 0.8)[lv]
            return _img(m * reps + (1 - m) * a)
        field = _smooth_field(rng, a.shape[:2], 9)[..., None]
        return _img(a * (1 + (0, 0.12, 0.25, 0.4)[lv] * field))
    if sub == "Semantics" and lv:
        x, y, r = int(face[0]), int(face[1]), int(fr)
        if kind == "dup":
            size = int(r * (0, 0.8, 1.1, 1.4)[lv])
            return _img(
                _paste(
                    a,
                    (x - size, y - size, x + size, y + size),
                    (x + int(r * 1.6), y + int(r * 0.4)),
                    0.9,
                )
            )
        if kind == "merge":
            bx = 8 if x > OUT_W // 2 else OUT_W - 8 - 2 * r
            return _img(
                _paste(
                    a,
                    (bx, 8, bx + 2 * r, 8 + 2 * r),
                    (x - r, y + int(r * 1.5)),
                    (0, 0.5, 0.75, 0.95)[lv],
                )
            )
        h = (0, OUT_H // 4, OUT_H // 3, OUT_H // 2)[lv]  # an upside-down slab of scenery
        side = 0 if x > OUT_W // 2 else OUT_W // 2
        return _img(
            _paste(a, (side, 0, side + OUT_W // 2, h), (side, OUT_H - h - 10), 0.9, flip=True)
        )
    if sub == "Emotion":
        s = (1.0, 0.7, 0.38, 0.08)[lv]
        grade = {
            "calm": lambda v: 0.2 + 0.7 * v * np.array([0.95, 1.0, 1.05], np.float32),
            "cheerful": lambda v: np.clip(
                v * np.array([1.18, 1.08, 0.85], np.float32) + 0.05, 0, 1
            ),
            "gloomy": lambda v: (
                (0.55 * v.mean(2, keepdims=True) + 0.45 * v)
                * np.array([0.8, 0.88, 1.02], np.float32)
                * 0.75
            ),
            "tense": lambda v: (
                np.clip((v - 0.5) * 1.6 + 0.45, 0, 1)
                * (0.35 + 0.65 * _radial(v.shape[:2], face, OUT_W * 0.75)[..., None])
            ),
        }[kind or "calm"]
        return _img((1 - s) * a + s * grade(a))
    if sub == "Lighting":
        mask = _radial(a.shape[:2], face, fr * 3.2)[..., None]
        s = (0.5, 0.7, 0.85, 1.0)[lv]
        if kind == "soft":
            return _img(a**0.85 * (1 - 0.1 * s) + 0.06)
        if kind == "side":
            ramp = np.linspace(1.25, 0.25, OUT_W, dtype=np.float32)[None, :, None]
            return _img(a * (1 + s * (ramp - 1)))
        if kind == "back":
            return _img(a * (1 - 0.75 * s * mask) + 0.35 * s * (1 - mask))
        return _img(np.clip((a - 0.5) * (1 + 1.2 * s) + 0.5, 0, 1) * (0.55 + 0.45 * mask))
    if sub == "Style":
        styled = _stylise(img, kind or "oil")
        if lv <= 1:
            return Image.blend(img, styled, 1.0 if lv == 0 else 0.75)
        # inconsistent: only part of the frame is stylised
        cut = int(OUT_W * (0.55 if lv == 2 else 0.4))
        out = _arr(styled)
        out[:, cut:] = a[:, cut:]
        return _img(out)
    return img


def _paste_image(a: np.ndarray, patch: np.ndarray, at: tuple[int, int]) -> np.ndarray:
    """Paste a (possibly taller) patch at `at` with a feathered edge, clipped to the frame."""
    x0, y0 = at
    h, w = patch.shape[:2]
    y1, x1 = min(a.shape[0], y0 + h), min(a.shape[1], x0 + w)
    ys, xs = max(0, y0), max(0, x0)
    patch = patch[ys - y0 : y1 - y0, xs - x0 : x1 - x0]
    ph, pw = patch.shape[:2]
    yy, xx = np.mgrid[0:ph, 0:pw]
    m = np.clip(np.minimum.reduce([xx, yy, pw - 1 - xx, ph - 1 - yy]) / 10, 0, 1)[..., None]
    out = a.copy()
    out[ys:y1, xs:x1] = m * patch + (1 - m) * out[ys:y1, xs:x1]
    return out


def render(spec: ImageSpec) -> bytes:
    """The JPEG bytes of one demo image."""
    img, face, fr = _crop(spec)
    if spec.subdimension != "Style" or spec.image_source != "AI":
        img = _source_style(img, spec.source_style)
    img = _effect(img, spec, face, fr)
    quality = JPEG_QUALITY
    if spec.subdimension == "Artifacts" and spec.kind == "jpeg" and spec.level:
        quality = (JPEG_QUALITY, 22, 10, 4)[spec.level]
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()
