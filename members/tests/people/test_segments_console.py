"""The segment builder page: live count and sample from the preview endpoint, save, export/import."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Member, Segment
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

GOLD = {"op": "all", "conditions": [{"field": "tier", "operator": "in", "value": ["gold"]}]}


def test_preview_counts_and_samples(admin_client: Client):
    MemberFactory.create_batch(3, tier=Member.Tier.GOLD, phone="13800001234")
    MemberFactory.create(tier=Member.Tier.NORMAL)
    url = reverse("admin:members_segment_preview")
    response = admin_client.post(url, json.dumps(GOLD), content_type="application/json")
    data = response.json()
    assert response.status_code == 200 and data["count"] == 3
    assert {row["tier"] for row in data["sample"]} == {"黄金会员"}
    assert data["sample"][0]["phone"] == "138****1234"
    bad = admin_client.post(url, json.dumps({"op": "xor"}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "segment_rules_invalid"
    garbage = admin_client.post(url, "{", content_type="application/json")
    assert garbage.status_code == 400


def test_builder_page_saves_a_segment_and_exports_and_imports_it(admin_client: Client):
    MemberFactory.create_batch(2, tier=Member.Tier.GOLD)
    add = reverse("admin:members_segment_add")
    page = admin_client.get(add)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="segment-builder"' in body and "segment_builder.js" in body
    assert "days_since_last_order" in body  # the builder's fields
    response = admin_client.post(add, {"name": "金卡会员", "description": "", "rules": json.dumps(GOLD)})
    assert response.status_code == 302
    segment = Segment.objects.get(name="金卡会员")
    assert segment.rules == GOLD and segment.member_count == 2
    exported = admin_client.get(reverse("admin:members_segment_export", args=[segment.pk]))
    text = exported.content.decode()
    assert json.loads(text)["rules"] == GOLD
    segment.delete()
    imported = admin_client.post(reverse("admin:members_segment_import"), {"text": text})
    assert imported.status_code == 302
    assert Segment.objects.get(name="金卡会员").member_count == 2
    bad = admin_client.post(reverse("admin:members_segment_import"), {"text": '{"name": "x", "rules": {"op": 1}}'})
    assert bad.status_code == 200 and "人群规则无效" in bad.content.decode()
