"""Manual tags (F33): bulk from the member list (every shopper matching the filters, after a
confirmation page), from a sheet with per-row errors, and as a background job with progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mall.models import AuditLog
from members.models import Member, MemberTag, Tag, TagBulkJob
from members.people_errors import TagImportInvalid, TagNameTaken, TagNotManual
from members.people_tasks import tag_bulk_job_task
from members.services.tags import (
    BULK_BACKGROUND_AT,
    tag_bulk_job_run,
    tag_create,
    tag_import_rows,
    tag_members_bulk,
    tags_recompute,
)
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _many_members(n: int) -> list[int]:
    now = timezone.now()
    Member.objects.bulk_create(
        [Member(openid=f"o_bulk_{i:06d}", invite_code=f"B{i:07d}", created_at=now) for i in range(n)],
        batch_size=2000,
    )
    return sorted(Member.objects.filter(openid__startswith="o_bulk_").values_list("pk", flat=True))


def test_create_and_refuse_a_taken_name_or_an_automatic_tag():
    tag = tag_create(actor=None, name="直播粉丝")
    assert tag.kind == Tag.Kind.MANUAL
    with pytest.raises(TagNameTaken):
        tag_create(actor=None, name="直播粉丝")
    tags_recompute()
    auto = Tag.objects.get(name="高消费")
    with pytest.raises(TagNotManual):
        tag_members_bulk(actor=None, tag_id=auto.pk, op="add", member_ids=[MemberFactory.create().pk])


def test_small_bulk_runs_now_and_is_idempotent():
    tag = tag_create(actor=None, name="老客")
    members = MemberFactory.create_batch(5)
    ids = [m.pk for m in members]
    outcome = tag_members_bulk(actor=None, tag_id=tag.pk, op="add", member_ids=ids + ids)
    assert outcome.job is None and outcome.count == 5
    tag_members_bulk(actor=None, tag_id=tag.pk, op="add", member_ids=ids)
    assert MemberTag.objects.filter(tag=tag).count() == 5
    tag_members_bulk(actor=None, tag_id=tag.pk, op="remove", member_ids=ids[:2])
    assert set(MemberTag.objects.filter(tag=tag).values_list("member_id", flat=True)) == set(ids[2:])
    assert AuditLog.objects.filter(action="tag.bulk_add").count() == 2


def test_ten_thousand_shoppers_become_a_background_job_with_progress(django_capture_on_commit_callbacks):
    tag = tag_create(actor=None, name="大促名单")
    ids = _many_members(BULK_BACKGROUND_AT)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = tag_members_bulk(actor=None, tag_id=tag.pk, op="add", member_ids=ids)
    assert outcome.job is not None and len(callbacks) == 1
    job = TagBulkJob.objects.get(pk=outcome.job.pk)
    assert (job.status, job.total, job.done, job.percent) == ("pending", 10_000, 0, 0)
    assert MemberTag.objects.filter(tag=tag).count() == 0  # nothing in the request path
    # A worker dying after three chunks leaves progress; the next run resumes from there.
    TagBulkJob.objects.filter(pk=job.pk).update(done=3_000)
    tag_members_bulk(actor=None, tag_id=tag.pk, op="add", member_ids=ids[:3_000])
    assert tag_bulk_job_task.run(job_id=job.pk) == 10_000
    job.refresh_from_db()
    assert (job.status, job.done, job.percent) == ("done", 10_000, 100)
    assert MemberTag.objects.filter(tag=tag).count() == 10_000
    assert tag_bulk_job_run(job_id=job.pk).done == 10_000  # type: ignore[union-attr]  # a second run: nothing


def test_import_lists_every_bad_row_and_changes_nothing():
    tag = tag_create(actor=None, name="线下会员")
    a = MemberFactory.create(phone="13800000001")
    b = MemberFactory.create()
    MemberFactory.create(phone="13800000009")
    MemberFactory.create(phone="13800000009")
    rows = [(2, "13800000001"), (3, str(b.pk)), (4, "13900000000"), (5, "99999999"), (6, "abc"), (7, "13800000009")]
    with pytest.raises(TagImportInvalid) as refused:
        tag_import_rows(actor=None, tag_id=tag.pk, op="add", values=rows)
    assert [row["row"] for row in refused.value.details["rows"]] == [4, 5, 6, 7]
    assert not MemberTag.objects.filter(tag=tag).exists()
    outcome = tag_import_rows(actor=None, tag_id=tag.pk, op="add", values=rows[:2])
    assert outcome.count == 2
    assert set(MemberTag.objects.filter(tag=tag).values_list("member_id", flat=True)) == {a.pk, b.pk}


def test_import_page_shows_row_errors(admin_client: Client):
    tag = tag_create(actor=None, name="社群")
    member = MemberFactory.create(phone="13800000002")
    sheet = SimpleUploadedFile("list.csv", "手机号\n13800000002\n13800000003\n".encode(), "text/csv")
    response = admin_client.post(reverse("admin:members_tag_import"), {"tag": tag.pk, "op": "add", "sheet": sheet})
    body = response.content.decode()
    assert response.status_code == 200
    assert "没有这个手机号的会员" in body and "13800000003" in body
    sheet = SimpleUploadedFile("list.csv", "手机号\n13800000002\n".encode(), "text/csv")
    response = admin_client.post(reverse("admin:members_tag_import"), {"tag": tag.pk, "op": "add", "sheet": sheet})
    assert response.status_code == 302
    assert MemberTag.objects.filter(tag=tag, member=member).exists()


def test_member_list_action_tags_all_matching_the_filters_after_confirmation(admin_client: Client):
    tag = tag_create(actor=None, name="金卡活动")
    gold = MemberFactory.create_batch(60, tier=Member.Tier.GOLD)  # more than one page (50)
    MemberFactory.create_batch(3, tier=Member.Tier.NORMAL)
    url = reverse("admin:members_member_changelist") + "?tier__exact=gold"
    post: dict[str, Any] = {
        "action": "tag_members_add",
        "select_across": "1",
        "index": "0",
        "_selected_action": [str(gold[0].pk)],
    }
    confirm = admin_client.post(url, post)
    assert confirm.status_code == 200
    assert "将对 60 位会员执行此操作" in confirm.content.decode()
    assert not MemberTag.objects.exists()
    done = admin_client.post(url, {**post, "apply": "1", "tag": str(tag.pk)})
    assert done.status_code == 302
    assert set(MemberTag.objects.filter(tag=tag).values_list("member_id", flat=True)) == {m.pk for m in gold}
    # The list filters by tag.
    listed = admin_client.get(reverse("admin:members_member_changelist") + f"?tag={tag.pk}")
    assert "60" in listed.content.decode()


def test_rules_page_shows_each_rule_in_words(admin_client: Client):
    tags_recompute(now=timezone.now() - dt.timedelta(seconds=1))
    response = admin_client.get(reverse("admin:members_tagrule_changelist"))
    body = response.content.decode()
    assert "近 365 天实付金额 ≥ ¥2000.00" in body
    assert "注册不满 30 天" in body
    from members.models import TagRule

    rule = TagRule.objects.get(key="high_spend")
    change = reverse("admin:members_tagrule_change", args=[rule.pk])
    assert admin_client.get(change).status_code == 200
    response = admin_client.post(change, {"is_enabled": "on", "param_days": "60", "param_min_spend": "888.5"})
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.params == {"days": 60, "min_spend": 88_850}
