"""The slider captcha's pure parts: puzzles that vary and hide their answer, and drag checks."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import pytest
from PIL import Image

from members import captcha
from members.tests.captcha_trails import human_trail, robot_trail


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_a_puzzle_is_two_pngs_with_the_gap_inside_the_picture() -> None:
    puzzle = captcha.puzzle_draw(random.Random(3))
    background, piece = _image(puzzle.background_png), _image(puzzle.piece_png)
    assert (background.format, background.size) == ("PNG", (captcha.WIDTH, captcha.HEIGHT))
    assert (piece.format, piece.size) == ("PNG", (captcha.PIECE_BOX, captcha.PIECE_BOX))
    assert captcha.MIN_X <= puzzle.x <= captcha.WIDTH - captcha.PIECE_BOX
    assert 0 <= puzzle.y <= captcha.HEIGHT - captcha.PIECE_BOX
    # The piece is opaque inside its outline and transparent around it.
    alpha = piece.convert("RGBA").getchannel("A")
    assert alpha.getpixel((20, 30)) == 255
    assert alpha.getpixel((2, 2)) == 0
    assert len(puzzle.background_png) < 40_000, "data URLs must stay small for a phone"


def test_puzzles_differ_in_picture_and_answer() -> None:
    rng = random.Random(11)
    puzzles = [captcha.puzzle_draw(rng) for _ in range(6)]
    assert len({p.background_png for p in puzzles}) == 6
    assert len({p.x for p in puzzles}) > 3
    assert len({p.y for p in puzzles}) > 3


def test_the_gap_is_darker_than_the_picture_around_it() -> None:
    puzzle = captcha.puzzle_draw(random.Random(5))
    grey = _image(puzzle.background_png).convert("L")
    inside = grey.getpixel((puzzle.x + 20, puzzle.y + 30))
    piece = _image(puzzle.piece_png).convert("L")
    assert isinstance(inside, int) and isinstance(piece.getpixel((20, 30)), int)
    assert inside < piece.getpixel((20, 30))  # type: ignore[operator]


def test_data_urls_are_png() -> None:
    assert captcha.data_url(b"\x89PNG").startswith("data:image/png;base64,iVBORw")


# --- drags ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_a_finger_dropping_on_the_gap_passes(seed: int) -> None:
    trail = human_trail(150, seed=seed)
    assert captcha.drag_problem(answer_x=150, dropped_x=150, trail=trail) is None


@pytest.mark.parametrize(("dropped", "passes"), [(145, True), (155, True), (144, False), (156.5, False)])
def test_the_drop_must_be_within_five_pixels(dropped: float, passes: bool) -> None:
    trail = human_trail(dropped, seed=2)
    problem = captcha.drag_problem(answer_x=150, dropped_x=dropped, trail=trail)
    assert (problem is None) is passes
    if not passes:
        assert problem == "missed_the_gap"


def _shift_time(trail: list[list[float]], factor: float) -> list[list[float]]:
    start = trail[0][2]
    return [[x, y, start + (t - start) * factor] for x, y, t in trail]


def _zigzag() -> list[list[float]]:
    """Ten pixels right, eight back, 150 times: it ends at 150 but half its moves go left."""
    points, x = [], 0.0
    for i in range(150):
        x += 10 if i % 2 == 0 else -8
        points.append([x, float(i % 5 - 2), 1000 + i * 16.0 + (i % 7)])
    return points


CASES: list[tuple[str, Callable[[], list[list[float]]], float]] = [
    ("too_few_points", lambda: human_trail(150)[:: len(human_trail(150)) // 4][:5], 150),
    ("too_fast", lambda: _shift_time(human_trail(150), 0.1), 150),
    ("too_slow", lambda: _shift_time(human_trail(150), 30), 150),
    ("bad_start", lambda: [[x + 40, y, t] for x, y, t in human_trail(110)], 150),
    ("trail_does_not_end_at_drop", lambda: human_trail(120), 150),
    ("no_wobble", lambda: [[x, 0.0, t] for x, _y, t in human_trail(150)], 150),
    ("off_the_track", lambda: [[x, y + i * 3, t] for i, (x, y, t) in enumerate(human_trail(150))], 150),
    ("constant_speed", lambda: [[x, (i % 3) - 1.0, t] for i, (x, _y, t) in enumerate(robot_trail(150))], 150),
    ("time_goes_back", lambda: [[x, y, -t] for x, y, t in human_trail(150)], 150),
    ("malformed_trail", lambda: [*human_trail(150)[:-1], [150.0, 0.0]], 150),
    ("not_moving_right", lambda: _zigzag(), 150),
]


@pytest.mark.parametrize(("reason", "make", "dropped"), CASES, ids=[c[0] for c in CASES])
def test_drags_that_do_not_look_like_a_hand_are_refused(
    reason: str, make: Callable[[], list[list[float]]], dropped: float
) -> None:
    assert captcha.drag_problem(answer_x=150, dropped_x=dropped, trail=make()) == reason


def test_a_script_dragging_straight_and_even_is_refused_even_on_the_gap() -> None:
    assert captcha.drag_problem(answer_x=150, dropped_x=150, trail=robot_trail(150)) in {
        "no_wobble",
        "constant_speed",
    }
