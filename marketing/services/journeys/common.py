"""What every journey shares: the candidate a selection yields, texts and their placeholders."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketing.errors import JourneyInvalid
from marketing.models import CouponKind, CouponTemplate, JourneyKind
from orders.models import OrderStatus

# An order counts as bought once paid and not cancelled or refunded in full.
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)

# The message kinds (members.message_kinds) the journeys send, one per journey.
MESSAGE_KINDS: dict[str, str] = {
    JourneyKind.DORMANT: "journey_dormant",
    JourneyKind.BIRTHDAY: "journey_birthday",
    JourneyKind.REPLENISH: "journey_replenish",
}
MESSAGE_KIND_LABELS = {
    "journey_dormant": _("专属回归礼"),
    "journey_birthday": _("生日福利"),
    "journey_replenish": _("复购提醒"),
}

# Placeholders each journey's text may use.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    JourneyKind.DORMANT: frozenset({"name", "amount"}),
    JourneyKind.BIRTHDAY: frozenset({"name", "amount"}),
    JourneyKind.REPLENISH: frozenset({"name", "amount", "product"}),
}

COMEBACK_LINK = "/package-journey/comeback/index"


@dataclass(frozen=True)
class Candidate:
    """One shopper eligible for one occasion of one journey."""

    member_id: int
    occasion: str
    name: str = ""
    product_id: int | None = None
    product_title: str = ""
    # The birthday a birthday coupon is valid around (None for the other journeys).
    birthday: date | None = None


def placeholders_in(text: str) -> set[str]:
    """The ``{names}`` in ``text``; a malformed brace is an error."""
    try:
        return {field for _literal, field, _spec, _conv in string.Formatter().parse(text) if field is not None}
    except ValueError as exc:
        raise JourneyInvalid(details={"text": text[:60]}) from exc


def text_validate(*, kind: str, text: str) -> None:
    allowed = PLACEHOLDERS[kind]
    unknown = placeholders_in(text) - allowed
    if unknown:
        raise JourneyInvalid(
            _("文案里有不支持的占位符：%(names)s") % {"names": "、".join("{" + name + "}" for name in sorted(unknown))},
            details={"unknown": sorted(unknown), "allowed": sorted(allowed)},
        )


def coupon_amount_text(template: CouponTemplate | None) -> str:
    """The coupon's benefit as a shopper reads it: "30元", "满100减50", "9折"."""
    if template is None:
        return ""
    if template.kind == CouponKind.RATE_OFF and template.rate is not None:
        tenths = (template.rate * 10).normalize()
        return gettext("%(rate)s折") % {"rate": f"{tenths:f}"}
    yuan = _yuan(template.off)
    if template.threshold:
        return gettext("满%(threshold)s减%(off)s") % {"threshold": _yuan(template.threshold), "off": yuan}
    return gettext("%(off)s元") % {"off": yuan}


def _yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"


def text_render(text: str, *, name: str, amount: str, product: str = "") -> str:
    values = {"name": name or gettext("亲"), "amount": amount, "product": product}
    return text.format_map(_Missing(values))


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def local_date(at: datetime) -> date:
    from django.utils import timezone

    return timezone.localtime(at).date()
