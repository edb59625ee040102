"""Saving, exporting and importing segments (F34); counting is ``members.selectors.segments``."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from mall.services.audit import audit_record
from members.models import Segment
from members.people_errors import SegmentNameTaken, SegmentRulesInvalid
from members.selectors.segments import segment_count

Actor = AbstractBaseUser | AnonymousUser | None
EXPORT_VERSION = 1


@transaction.atomic
def segment_save(
    *, actor: Actor, name: str, rules: dict[str, Any], description: str = "", segment_id: int | None = None
) -> Segment:
    """Create or update a segment; the rules must compile, and the count is refreshed."""
    name = (name or "").strip()[:40]
    if not name:
        raise SegmentRulesInvalid(details={"reason": "name"})
    count = segment_count(rules)  # compiles (raises for a bad tree) and counts
    if Segment.objects.filter(name=name).exclude(pk=segment_id or 0).exists():
        raise SegmentNameTaken(details={"name": name})
    if segment_id is None:
        user = actor if isinstance(actor, User) else None
        segment = Segment.objects.create(name=name, rules=rules, description=description[:200], created_by=user)
    else:
        segment = Segment.objects.select_for_update().get(pk=segment_id)
        segment.name, segment.rules, segment.description = name, rules, description[:200]
    segment.member_count, segment.counted_at = count, timezone.now()
    segment.save()
    audit_record(actor=actor, action="segment.save", target=segment, data={"rules": rules, "count": count})
    return segment


def segment_export(*, segment: Segment) -> str:
    return json.dumps(
        {"version": EXPORT_VERSION, "name": segment.name, "description": segment.description, "rules": segment.rules},
        ensure_ascii=False,
        indent=2,
    )


def segment_import(*, actor: Actor, text: str) -> Segment:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SegmentRulesInvalid(details={"reason": "json"}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
        raise SegmentRulesInvalid(details={"reason": "json"})
    return segment_save(
        actor=actor, name=str(data.get("name", "")), rules=data["rules"], description=str(data.get("description", ""))
    )
