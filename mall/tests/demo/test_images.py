"""Demo product pictures: drawn with a font that really has Chinese, Latin text otherwise."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from PIL import Image

from mall.demo import images


def _font_file(pattern: str) -> str | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    found = subprocess.run(  # noqa: S603 - a fixed command
        [fc_match, "-f", "%{file}", pattern], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or None


def test_a_latin_font_is_not_taken_for_chinese() -> None:
    latin = _font_file("DejaVu Sans")
    if latin is None or "dejavu" not in latin.lower():
        pytest.skip("no DejaVu font on this machine")
    # DejaVu draws its box for 商: a drawing is not a glyph.
    assert images.font_has_glyphs(latin, "Duoying")
    assert not images.font_has_glyphs(latin, "商")


def test_the_projects_cjk_font_is_found_and_draws_chinese() -> None:
    images.cjk_font_path.cache_clear()
    path = images.cjk_font_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("make test installs fonts-noto-cjk; no CJK font was found")
        pytest.skip("no CJK font on this machine")
    assert images.font_has_glyphs(path, "多营商城美妆")


def test_without_a_cjk_font_the_card_carries_latin_text(monkeypatch: pytest.MonkeyPatch) -> None:
    images._font.cache_clear()
    monkeypatch.setattr(images, "cjk_font_path", lambda: None)
    try:
        latin_card = images.render_card(title="保湿面霜", latin="Moisturiser", colour=(200, 120, 140))
        other_title = images.render_card(title="防晒霜", latin="Moisturiser", colour=(200, 120, 140))
    finally:
        images._font.cache_clear()
    picture = Image.open(io.BytesIO(latin_card))
    assert picture.size == (images.CARD_SIZE, images.CARD_SIZE)
    # Only the Latin text is drawn: the Chinese title does not change the picture.
    assert latin_card == other_title
