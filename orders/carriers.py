"""The carriers staff ship with, and what their tracking numbers look like.

One list for the ship dialog, the bulk-ship sheet and the packing slip, so a carrier is
always written the same way (``顺丰速运``, not ``SF`` in one order and ``顺丰`` in the next).
The patterns are deliberately loose (the carriers change their ranges): they catch a number
pasted into the wrong column or a typo'd prefix, not every impossible number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

OTHER = "other"


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    pattern: re.Pattern[str]
    example: str


CARRIERS: tuple[Carrier, ...] = (
    Carrier("sf", "顺丰速运", re.compile(r"^(SF\d{10,13}|\d{12})$"), "SF1234567890123"),
    Carrier("zto", "中通快递", re.compile(r"^\d{12,15}$"), "78123456789012"),
    Carrier("yto", "圆通速递", re.compile(r"^YT\d{13,15}$"), "YT1234567890123"),
    Carrier("yunda", "韵达快递", re.compile(r"^\d{13,15}$"), "4312345678901"),
    Carrier("sto", "申通快递", re.compile(r"^\d{12,15}$"), "773123456789012"),
    Carrier("jt", "极兔速递", re.compile(r"^JT\d{13}$"), "JT1234567890123"),
    Carrier("jd", "京东物流", re.compile(r"^JD[A-Z0-9]{11,18}$"), "JDVA12345678901"),
    Carrier("ems", "EMS", re.compile(r"^([A-Z]{2}\d{9}[A-Z]{2}|\d{13})$"), "EA123456789CN"),
    Carrier("post", "中国邮政", re.compile(r"^([A-Z]{2}\d{9}[A-Z]{2}|\d{13})$"), "9812345678901"),
)
_BY_CODE = {c.code: c for c in CARRIERS}
# What staff type in a sheet: the code, the full name or the short name all mean the carrier.
_ALIASES = {
    **{c.code: c for c in CARRIERS},
    **{c.name: c for c in CARRIERS},
    "顺丰": _BY_CODE["sf"],
    "中通": _BY_CODE["zto"],
    "圆通": _BY_CODE["yto"],
    "韵达": _BY_CODE["yunda"],
    "申通": _BY_CODE["sto"],
    "极兔": _BY_CODE["jt"],
    "京东": _BY_CODE["jd"],
    "京东快递": _BY_CODE["jd"],
    "邮政": _BY_CODE["post"],
    "邮政快递包裹": _BY_CODE["post"],
    "ems": _BY_CODE["ems"],
}
_OTHER_TRACKING = re.compile(r"^[A-Za-z0-9-]{6,40}$")


def carrier_choices() -> list[tuple[str, str]]:
    """For the ship dialog's select: the listed carriers, then 其他."""
    return [(c.code, c.name) for c in CARRIERS] + [(OTHER, str(_("其他")))]


def carrier_by_code(code: str) -> Carrier | None:
    return _BY_CODE.get(code)


def carrier_lookup(text: str) -> Carrier | None:
    """A carrier from what a sheet says (code, full or short name; case and spaces ignored)."""
    key = (text or "").strip()
    return _ALIASES.get(key) or _ALIASES.get(key.lower())


def tracking_no_error(carrier: Carrier | None, tracking_no: str) -> str | None:
    """Why ``tracking_no`` cannot be this carrier's number, or ``None`` when it can."""
    number = (tracking_no or "").strip()
    if not number:
        return str(_("请填写运单号。"))
    if carrier is None:
        if _OTHER_TRACKING.match(number):
            return None
        return str(_("运单号应为 6–40 位字母、数字或短横线。"))
    if carrier.pattern.match(number.upper()):
        return None
    return str(_("这不像%(carrier)s的运单号（例如 %(example)s），请核对。")) % {
        "carrier": carrier.name,
        "example": carrier.example,
    }
