"""The guide block's text (F25 topic pages): paragraphs with product cards and pictures inline.

The merchant writes plain text in one box, as the rich-text block does (no HTML: both the
console and the mini-program draw it as text, so nothing in it can run or restyle the page).
A blank line starts a new paragraph, and three marks turn a piece into something else::

    ## 开学装备清单            a line starting "## " is a small heading
    [商品:12]                  a product card (live name, price, stock), inline where it stands
    [图片:https://…/a.jpg]     a picture (https:// or this site's /media/… address)

``[product:12]`` and ``[image:…]`` work too. A mark inside a paragraph splits it: the text
before, the card, the text after. :func:`guide_parse` is pure (no database) so the block's
check and its resolver read the body the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from marketing.pages.schema import MEDIA_PATTERN

MARK = re.compile(r"\[(?P<kind>商品|product|图片|image)[:：]\s*(?P<ref>[^\]\s]{1,500})\s*\]", re.IGNORECASE)
HEADING = re.compile(r"^#{1,3}\s+(?P<text>.+)$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_PRODUCTS = 20
MAX_IMAGES = 9

PieceKind = Literal["heading", "text", "product", "image"]


@dataclass(frozen=True)
class Piece:
    kind: PieceKind
    text: str = ""  # heading / text
    product_id: int = 0  # product
    url: str = ""  # image


@dataclass(frozen=True)
class Parsed:
    pieces: tuple[Piece, ...]
    problems: tuple[str, ...]  # mark texts that are not valid ("[商品:abc]")

    @property
    def product_ids(self) -> list[int]:
        return list(dict.fromkeys(p.product_id for p in self.pieces if p.kind == "product"))


def _paragraphs(body: str) -> list[str]:
    text = CONTROL.sub("", body.replace("\r\n", "\n").replace("\r", "\n"))
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _mark(kind: str, ref: str) -> Piece | None:
    if kind.lower() in ("商品", "product"):
        return Piece("product", product_id=int(ref)) if ref.isdigit() and int(ref) > 0 else None
    return Piece("image", url=ref) if MEDIA_PATTERN.match(ref) else None


def guide_parse(body: str) -> Parsed:
    """The body's pieces in reading order, and the marks that could not be read."""
    pieces: list[Piece] = []
    problems: list[str] = []
    for paragraph in _paragraphs(body):
        heading = HEADING.match(paragraph)
        if heading and "\n" not in paragraph:
            pieces.append(Piece("heading", text=heading.group("text").strip()))
            continue
        cursor = 0
        for match in MARK.finditer(paragraph):
            before = paragraph[cursor : match.start()].strip()
            if before:
                pieces.append(Piece("text", text=before))
            piece = _mark(match.group("kind"), match.group("ref"))
            if piece is None:
                problems.append(match.group(0))
            else:
                pieces.append(piece)
            cursor = match.end()
        rest = paragraph[cursor:].strip()
        if rest:
            pieces.append(Piece("text", text=rest))
    return Parsed(tuple(pieces), tuple(problems))
