"""The slider captcha's pure parts: drawing a puzzle and judging a drag (no Django, no state).

A puzzle is a generated background (a two-colour gradient, random translucent shapes and a
little grain, so no two look alike and no image assets are needed) with a jigsaw piece cut
out at a random place. The client gets the background with the gap darkened and the piece
on its own; it shows the piece at ``piece_y`` on the left and the shopper drags it to the
gap. Only the server knows the gap's ``x``.

:func:`drag_problem` judges the answer: the dropped ``x`` within a tolerance of the gap, and
the recorded trail ``[[x, y, t_ms], …]`` shaped like a hand's drag — enough points, a human
duration, starting at the left, moving mostly rightwards and ending where the piece was
dropped, some vertical wobble, and a speed that changes (scripts drag at one speed).
Services call these and keep the answer in the cache.
"""

from __future__ import annotations

import base64
import io
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter

WIDTH = 300
HEIGHT = 150
# The piece: a 44 px square with a round knob on its top and on its right side, drawn in a
# 56 × 56 box whose top-left corner is the piece's (x, y).
PIECE_BOX = 56
_SQUARE = (0, 12, 44, 56)
_KNOB_RADIUS = 8
_KNOBS = ((22, 12), (44, 34))
MARGIN = 8
MIN_X = PIECE_BOX + 20  # the gap never sits where the piece starts

# Drag checks: what a finger on a phone produces, and what scripts do not.
TOLERANCE_PX = 5
MIN_POINTS = 8
MAX_POINTS = 2000
MIN_DURATION_MS = 250
MAX_DURATION_MS = 20_000
MAX_START_X = 15
MAX_BACKWARD_SHARE = 0.4
MIN_Y_WOBBLE = 1.0
MAX_Y_WOBBLE = 80.0
MIN_SPEED_VARIATION = 0.2


@dataclass(frozen=True)
class Puzzle:
    """One drawn puzzle: the answer (``x``) must stay on the server."""

    x: int
    y: int
    background_png: bytes
    piece_png: bytes


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _colour(rng: random.Random, *, light: bool) -> tuple[int, int, int]:
    low, high = (120, 245) if light else (30, 160)
    return (rng.randint(low, high), rng.randint(low, high), rng.randint(low, high))


def _background(rng: random.Random) -> Image.Image:
    start, end = _colour(rng, light=True), _colour(rng, light=False)
    # A gradient along a random direction: draw it on a 1-px strip and stretch it.
    strip = Image.new("RGB", (256, 1))
    for i in range(256):
        share = i / 255
        strip.putpixel((i, 0), tuple(round(a + (b - a) * share) for a, b in zip(start, end, strict=True)))
    gradient = strip.resize((WIDTH * 2, HEIGHT * 2)).rotate(rng.uniform(0, 360), resample=Image.Resampling.BILINEAR)
    image = gradient.crop((WIDTH // 2, HEIGHT // 2, WIDTH // 2 + WIDTH, HEIGHT // 2 + HEIGHT)).convert("RGBA")
    layer = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _shape in range(rng.randint(8, 14)):
        x0, y0 = rng.randint(-40, WIDTH), rng.randint(-40, HEIGHT)
        x1, y1 = x0 + rng.randint(20, 120), y0 + rng.randint(20, 90)
        fill = (*_colour(rng, light=rng.random() < 0.5), rng.randint(70, 170))
        kind = rng.randrange(3)
        if kind == 0:
            draw.ellipse((x0, y0, x1, y1), fill=fill)
        elif kind == 1:
            draw.rectangle((x0, y0, x1, y1), fill=fill)
        else:
            points = [(rng.randint(x0, x1), rng.randint(y0, y1)) for _ in range(rng.randint(3, 5))]
            draw.polygon(points, fill=fill)
    image = Image.alpha_composite(image, layer)
    # Grain at a quarter of the size, so the PNG stays small (fine noise does not compress).
    grain = Image.effect_noise((WIDTH // 4, HEIGHT // 4), 60).resize((WIDTH, HEIGHT)).convert("RGBA")
    image = Image.blend(image, grain, 0.12)
    return image.filter(ImageFilter.SMOOTH).convert("RGB")


def _piece_mask() -> Image.Image:
    mask = Image.new("L", (PIECE_BOX, PIECE_BOX), 0)
    draw = ImageDraw.Draw(mask)
    draw.rounded_rectangle(_SQUARE, radius=4, fill=255)
    for cx, cy in _KNOBS:
        draw.ellipse((cx - _KNOB_RADIUS, cy - _KNOB_RADIUS, cx + _KNOB_RADIUS, cy + _KNOB_RADIUS), fill=255)
    return mask


def _outline(mask: Image.Image) -> Image.Image:
    """The mask's rim, two pixels wide."""
    return ImageChops.subtract(mask, mask.filter(ImageFilter.MinFilter(5)))


def _png(image: Image.Image, *, colours: int | None = None) -> bytes:
    buffer = io.BytesIO()
    if colours is not None:
        image = image.quantize(colors=colours, method=Image.Quantize.FASTOCTREE)
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def puzzle_draw(rng: random.Random) -> Puzzle:
    """A fresh puzzle; ``rng`` should be ``secrets.SystemRandom()`` outside tests."""
    x = rng.randint(MIN_X, WIDTH - PIECE_BOX - MARGIN)
    y = rng.randint(MARGIN, HEIGHT - PIECE_BOX - MARGIN)
    background = _background(rng)
    mask = _piece_mask()
    rim = _outline(mask)
    box = (x, y, x + PIECE_BOX, y + PIECE_BOX)

    piece = background.crop(box).convert("RGBA")
    piece = Image.composite(Image.new("RGBA", piece.size, (255, 255, 255, 255)), piece, rim)
    piece.putalpha(mask)

    overlay = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    overlay.paste(Image.new("RGBA", (PIECE_BOX, PIECE_BOX), (0, 0, 0, 130)), box[:2], mask)
    overlay.paste(Image.new("RGBA", (PIECE_BOX, PIECE_BOX), (255, 255, 255, 170)), box[:2], rim)
    holed = Image.alpha_composite(background.convert("RGBA"), overlay)
    return Puzzle(x=x, y=y, background_png=_png(holed.convert("RGB"), colours=128), piece_png=_png(piece))


# --- judging a drag ---------------------------------------------------------------------


def _finite(values: Sequence[float]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values)


def drag_problem(
    *, answer_x: int, dropped_x: float, trail: Sequence[Sequence[float]], tolerance: int = TOLERANCE_PX
) -> str | None:
    """None when the drag passes, else the first check it fails (for logs, never for the client)."""
    if len(trail) < MIN_POINTS:
        return "too_few_points"
    if len(trail) > MAX_POINTS:
        return "too_many_points"
    if any(len(point) != 3 or not _finite(point) for point in trail):
        return "malformed_trail"
    xs = [float(p[0]) for p in trail]
    ys = [float(p[1]) for p in trail]
    ts = [float(p[2]) for p in trail]
    if any(b < a for a, b in itertools.pairwise(ts)):
        return "time_goes_back"
    duration = ts[-1] - ts[0]
    if duration < MIN_DURATION_MS:
        return "too_fast"
    if duration > MAX_DURATION_MS:
        return "too_slow"
    if xs[0] > MAX_START_X or xs[0] < -MAX_START_X:
        return "bad_start"
    if abs(xs[-1] - dropped_x) > tolerance:
        return "trail_does_not_end_at_drop"
    steps = [(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(list(zip(xs, ts, strict=True)))]
    moving = [(dx, dt) for dx, dt in steps if dx != 0]
    if not moving:
        return "no_movement"
    if sum(1 for dx, _dt in moving if dx < 0) > MAX_BACKWARD_SHARE * len(moving):
        return "not_moving_right"
    wobble = max(ys) - min(ys)
    if wobble < MIN_Y_WOBBLE:
        return "no_wobble"
    if wobble > MAX_Y_WOBBLE:
        return "off_the_track"
    speeds = [abs(dx) / dt for dx, dt in moving if dt > 0]
    if len(speeds) < 3:
        return "too_few_points"
    mean = sum(speeds) / len(speeds)
    spread = math.sqrt(sum((s - mean) ** 2 for s in speeds) / len(speeds))
    if mean <= 0 or spread / mean < MIN_SPEED_VARIATION:
        return "constant_speed"
    if abs(dropped_x - answer_x) > tolerance:
        return "missed_the_gap"
    return None
