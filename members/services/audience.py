"""Who may take part in a tool (F34 targeting): a small reusable check.

An audience is a dict stored on the tool (``CouponTemplate.audience``, ``FlashSlot.audience``):
``{}`` is everyone; ``{"tiers": ["gold", …]}``, ``{"tag": id}`` and ``{"segment": id}`` limit it
(all given keys must hold). Tools call :func:`audience_check` where they already check
eligibility; the segment is evaluated for one shopper with the segment's own SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from mall.services.audit import audit_record
from members.models import Member, MemberTag, Segment, Tag
from members.people_errors import AudienceNotAllowed, SegmentRulesInvalid
from members.selectors.segments import segment_members

KEYS = ("tiers", "tag", "segment")
Actor = AbstractBaseUser | AnonymousUser | None


def audience_clean(audience: Mapping[str, Any] | None) -> dict[str, Any]:
    """The audience with only known keys and valid values; :class:`SegmentRulesInvalid` otherwise."""
    if not audience:
        return {}
    if not isinstance(audience, Mapping) or set(audience) - set(KEYS):
        raise SegmentRulesInvalid(details={"audience": audience})
    cleaned: dict[str, Any] = {}
    tiers = audience.get("tiers")
    if tiers:
        if not isinstance(tiers, list) or set(tiers) - set(Member.Tier.values):
            raise SegmentRulesInvalid(details={"tiers": tiers})
        cleaned["tiers"] = list(tiers)
    for key, model in (("tag", Tag), ("segment", Segment)):
        value = audience.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not model.objects.filter(pk=value).exists():
            raise SegmentRulesInvalid(details={key: value})
        cleaned[key] = value
    return cleaned


def audience_allows(*, member: Member, audience: Mapping[str, Any] | None) -> bool:
    if not audience:
        return True
    tiers = audience.get("tiers")
    if tiers and member.tier not in tiers:
        return False
    tag_id = audience.get("tag")
    if tag_id and not MemberTag.objects.filter(member_id=member.pk, tag_id=tag_id).exists():
        return False
    segment_id = audience.get("segment")
    if segment_id:
        rules = Segment.objects.filter(pk=segment_id).values_list("rules", flat=True).first()
        if rules is None or not segment_members(rules).filter(pk=member.pk).exists():
            return False
    return True


def audience_check(
    *, member: Member, audience: Mapping[str, Any] | None, details: dict[str, Any] | None = None
) -> None:
    if not audience_allows(member=member, audience=audience):
        raise AudienceNotAllowed(details=details or {})


def audience_text(audience: Mapping[str, Any] | None) -> str:
    """The audience in words for the console (empty: 所有会员)."""
    if not audience:
        return _("所有会员")
    parts: list[str] = []
    tiers = audience.get("tiers")
    if tiers:
        labels = dict(Member.Tier.choices)
        parts.append("、".join(str(labels.get(t, t)) for t in tiers))
    if audience.get("tag"):
        name = Tag.objects.filter(pk=audience["tag"]).values_list("name", flat=True).first() or "-"
        parts.append(_("标签「%(name)s」") % {"name": name})
    if audience.get("segment"):
        name = Segment.objects.filter(pk=audience["segment"]).values_list("name", flat=True).first() or "-"
        parts.append(_("人群「%(name)s」") % {"name": name})
    return _(" 且 ").join(parts)


@transaction.atomic
def audience_set(*, actor: Actor, target: Model, audience: Mapping[str, Any] | None) -> dict[str, Any]:
    """Limit a tool (any model with an ``audience`` JSON field) to a segment, tag or tiers; audited."""
    cleaned = audience_clean(audience)
    type(target)._default_manager.filter(pk=target.pk).update(audience=cleaned)
    target.audience = cleaned  # type: ignore[attr-defined]
    audit_record(actor=actor, action="audience.set", target=target, data={"audience": cleaned})
    return cleaned
