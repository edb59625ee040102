"""Product pictures for the demo shop, drawn with Pillow: a coloured card with the product's name.

Uses a CJK font when fontconfig finds one (the project's set-up installs fonts-noto-cjk);
otherwise Pillow's built-in font with Latin text, so the demo still has pictures anywhere.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CARD_SIZE = 480
FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """The file of a font that covers Simplified Chinese, if fontconfig knows one."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        # A fixed command with no user input.
        found = subprocess.run(  # noqa: S603
            [fc_match, "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not found or not Path(found).is_file():
        return None
    return found if font_has_glyphs(found, "商品") else None


# A code point no font draws: what a font shows for it is its "missing glyph" box (tofu).
_NO_GLYPH = "\U0010fffd"


def font_has_glyphs(path: str, text: str) -> bool:
    """Whether the font at ``path`` really draws every character of ``text``.

    fc-match falls back to any font when none covers Chinese, and a Latin font still draws a
    box for 商, so a non-empty drawing proves nothing: each character must differ from the box
    the font draws for a code point it certainly lacks.
    """
    try:
        font = ImageFont.truetype(path, 20)
    except OSError:
        return False
    tofu = bytes(font.getmask(_NO_GLYPH))
    return all(font.getmask(char).getbbox() and bytes(font.getmask(char)) != tofu for char in text)


@lru_cache(maxsize=8)
def _font(size: int) -> tuple[FontType, bool]:
    path = cjk_font_path()
    if path:
        # .ttc collections hold several faces; prefer the Simplified Chinese one.
        for index in range(10):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            if "SC" in (font.getname()[0] or ""):
                return font, True
        return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: FontType, width: int) -> list[str]:
    lines, current = [], ""
    for char in text:
        if draw.textlength(current + char, font=font) > width and current:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines[:3]


def render_card(*, title: str, latin: str, colour: tuple[int, int, int], caption: str = "") -> bytes:
    """A PNG card: the first character big, the title below (``latin`` when no CJK font)."""
    image = Image.new("RGB", (CARD_SIZE, CARD_SIZE), colour)
    draw = ImageDraw.Draw(image)
    big, cjk = _font(180)
    small, _ = _font(34)
    text = title if cjk else latin
    initial = text[:1].upper()
    margin = 36
    draw.rounded_rectangle(
        (margin, margin, CARD_SIZE - margin, CARD_SIZE - margin), radius=36, outline=(255, 255, 255), width=6
    )
    draw.text((CARD_SIZE // 2, CARD_SIZE // 2 - 60), initial, font=big, fill=(255, 255, 255), anchor="mm")
    y = CARD_SIZE // 2 + 70
    for line in _wrap(draw, text, small, CARD_SIZE - 2 * margin - 40):
        draw.text((CARD_SIZE // 2, y), line, font=small, fill=(255, 255, 255), anchor="mm")
        y += 44
    if caption and cjk:
        draw.text((CARD_SIZE // 2, CARD_SIZE - margin - 40), caption, font=small, fill=(255, 255, 255), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # flat colours: fast and still small
    return buffer.getvalue()
