"""Counting participation per campaign and minute for the anomaly watch (F31), at request time.

Cheap by design: the map "tool → live campaign" is cached (dropped with the budgeted-tools map
whenever a campaign changes), and one participation is one pipelined Redis round trip of four
keys that share a hash slot (``anomaly:{<campaign id>}:<minute>:…``):

* ``n``   — participations (orders placed, coupons claimed, deals joined through its tools);
* ``new`` — of those, by accounts made in the last :data:`NEW_ACCOUNT_HOURS` hours;
* ``ip`` / ``dev`` — sets of ``address|shopper`` and ``device|shopper``, so the minute knows
  how many accounts each IP address and device carried;
* ``ph`` — for orders, a set of ``masked receiver phone|shopper`` (``138****0443``: the
  evidence never holds a full number), so repeated phones across accounts show;
* ``ad`` — for orders, a set of ``street address label|shopper``: the address normalised
  (full-width folded, spaces and punctuation dropped) so "文三路 8 号" and "文三路８号" are one
  street address, shown as its region, the first characters of the street and a short digest
  (:func:`address_label`): farms that vary the receiver's name and phone still ship to one door.

Keys live :data:`KEY_TTL` seconds, long enough for the trailing baseline. Without Redis (the
embedded set-up) nothing is counted and the watch has nothing to act on; a Redis error is
logged and the shopper's request goes on.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from redis.exceptions import RedisError

from mall.redis import get_redis, slot_key
from marketing.models import CampaignToolKind
from marketing.selectors.campaign_tool_maps import live_campaign_tools
from marketing.services.campaign_budget import coupon_templates_of, rule_tool_keys
from members.models import Member
from members.services.abuse import RequestContext
from orders.models import Order, Refund
from orders.services.hooks import order_hook

logger = logging.getLogger(__name__)

KEY_PREFIX = "anomaly"
KEY_TTL = 3 * 3600
NEW_ACCOUNT_HOURS = 24


def minute_of(moment: datetime) -> int:
    """The minute a moment falls in, as whole minutes since the epoch (the counters' window id)."""
    return int(moment.timestamp()) // 60


def counter_key(campaign_id: int, minute: int, part: str) -> str:
    return slot_key(KEY_PREFIX, campaign_id, minute, part)


def _is_new(member: Member, now: datetime) -> bool:
    created = getattr(member, "created_at", None)
    return created is not None and created >= now - timedelta(hours=NEW_ACCOUNT_HOURS)


def phone_mask(phone: str) -> str:
    phone = phone.strip()
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}" if len(phone) >= 7 else ""


_NOT_ADDRESS = re.compile(r"[\s\W_]+", re.UNICODE)
STREET_SHOWN = 4


def address_label(address: Mapping[str, Any]) -> str:
    """One street address as the evidence shows it: its region, the first few characters of the
    street and a digest of the whole normalised address (equal addresses, equal labels; the
    merchant sees which door without the console repeating the shopper's full address)."""
    parts = [str(address.get(name) or "") for name in ("province", "city", "district", "detail")]
    folded = [_NOT_ADDRESS.sub("", unicodedata.normalize("NFKC", part)).lower() for part in parts]
    street = folded[3]
    if not street:
        return ""
    digest = hashlib.sha256("/".join(folded).encode()).hexdigest()[:6]
    return f"{''.join(folded[:3])} {street[:STREET_SHOWN]}…#{digest}"


def participation_count(
    *,
    campaign_ids: Iterable[int],
    member: Member,
    context: RequestContext,
    phone: str = "",
    address: str = "",
    now: datetime | None = None,
) -> None:
    """Count one participation of ``member`` in each campaign (one Redis round trip)."""
    ids = sorted(set(campaign_ids))
    client = get_redis()
    if not ids or client is None:
        return
    now = now or timezone.now()
    minute, new = minute_of(now), _is_new(member, now)
    try:
        pipe = client.pipeline(transaction=False)
        # issue 12: only the keys written get their EXPIRE (an EXPIRE of a key nobody wrote did nothing)
        masked = phone_mask(phone)
        parts = ["n", "ip"] + ["new"] * new + ["dev"] * bool(context.device_id) + ["ph"] * bool(masked)
        parts += ["ad"] * bool(address)
        for campaign_id in ids:
            keys = {part: counter_key(campaign_id, minute, part) for part in parts}
            pipe.incr(keys["n"])
            if new:
                pipe.incr(keys["new"])
            pipe.sadd(keys["ip"], f"{context.ip}|{member.pk}")
            if context.device_id:
                pipe.sadd(keys["dev"], f"{context.device_id}|{member.pk}")
            if masked:
                pipe.sadd(keys["ph"], f"{masked}|{member.pk}")
            if address:
                pipe.sadd(keys["ad"], f"{address}|{member.pk}")
            for key in keys.values():
                pipe.expire(key, KEY_TTL)
        pipe.execute()
    except RedisError:
        logger.warning("anomaly: participation not counted for campaigns %s", ids, exc_info=True)


def campaigns_of_coupon_template(template_id: int) -> list[int]:
    campaign = live_campaign_tools().get((CampaignToolKind.COUPON, int(template_id)))
    return [campaign] if campaign is not None else []


def campaigns_of_order(order: Any) -> list[int]:
    """The live campaigns whose tools gave this order a discount or a deal."""
    pricing: Mapping[str, Any] = order.pricing or {}
    rule_ids = {str(row.get("rule_id", "")) for row in pricing.get("applied", []) if row.get("rule_id")}
    if not rule_ids:
        return []
    tools = live_campaign_tools()
    if not tools:
        return []
    keys = rule_tool_keys(rule_ids, {kind for kind, _pk in tools}, coupon_templates_of(pricing))
    return sorted({tools[key] for key in keys.values() if key in tools})


@order_hook("placed")
def _on_placed(*, order: Order, refund: Refund | None = None, context: RequestContext | None = None) -> None:
    """A new order counts once for each live campaign whose tool gave it a discount or a deal."""
    if context is None:
        return
    campaign_ids = campaigns_of_order(order)
    if campaign_ids:
        address = order.address or {}
        participation_count(
            campaign_ids=campaign_ids,
            member=order.member,
            context=context,
            phone=str(address.get("phone") or ""),
            address=address_label(address),
        )
