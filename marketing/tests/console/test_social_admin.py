"""Console pages of 拼团 and 砍价: created through the services (yuan typed, fen kept, audited),
refusals shown next to their fields in Chinese, live counts in the lists in a fixed number of
queries, and the merchant's manual actions limited to the roles that may take them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from mall.models import AuditLog, Sku
from mall.money import format_yuan
from mall.services.staff import staff_create, staff_roles_sync
from marketing.models import (
    BargainCampaign,
    BargainStatus,
    GroupBuyCampaign,
    GroupBuyGroup,
    GroupOutcome,
    GroupStatus,
)
from marketing.services.bargains import bargain_help, bargain_start
from marketing.tests.conftest import group_of, group_order, pay
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import OrderStatus, Refund

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/admin/marketing/groupbuycampaign/"
GROUPS = "/admin/marketing/groupbuygroup/"
BARGAINS = "/admin/marketing/bargaincampaign/"


@pytest.fixture
def staff_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _role_client(role: str) -> Client:
    staff_roles_sync()
    user = staff_create(username=f"{role}-1", password="Duoying-Pass-2026", role=role, actor=None)
    client = Client()
    client.force_login(user)
    return client


def _window(prefix: str, when: Any) -> dict[str, str]:
    local = timezone.localtime(when)
    return {f"{prefix}_0": local.strftime("%Y-%m-%d"), f"{prefix}_1": local.strftime("%H:%M:%S")}


def _campaign_post(sku: Sku, **fields: Any) -> dict[str, Any]:
    now = timezone.now()
    data = {
        "name": "面霜 3 人团",
        "group_size": "3",
        "duration_minutes": "1440",
        "max_qty_per_order": "1",
        "per_member_limit": "1",
        "show_open_groups": "on",
        "is_active": "on",
        f"price_{sku.pk}": "29",
        f"leader_{sku.pk}": "",
        **_window("starts_at", now),
        **_window("ends_at", now + timedelta(days=7)),
    }
    data.update(fields)
    return data


def test_a_group_buy_starts_with_its_product_then_one_price_per_sku(
    staff_client: Client, staff: User, cream: Sku
) -> None:
    choice = staff_client.get(f"{CAMPAIGNS}add/")
    assert "选择商品" in choice.content.decode() and cream.product.title in choice.content.decode()
    form_page = staff_client.get(f"{CAMPAIGNS}add/?product={cream.product_id}")
    assert f"price_{cream.pk}" in form_page.context["adminform"].form.fields

    response = staff_client.post(
        f"{CAMPAIGNS}add/?product={cream.product_id}", _campaign_post(cream, **{f"leader_{cream.pk}": "25.50"})
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    campaign = GroupBuyCampaign.objects.get()
    item = campaign.items.get()
    assert (campaign.product_id, campaign.group_size, item.price, item.leader_price) == (
        cream.product_id,
        3,
        2900,
        2550,
    )
    assert AuditLog.objects.get(action="group_buy.create").actor == staff

    edit = staff_client.get(f"{CAMPAIGNS}{campaign.pk}/change/")
    assert edit.context["adminform"].form.initial[f"price_{cream.pk}"] == "29.00"


def test_a_group_price_above_the_list_price_is_refused_next_to_it(staff_client: Client, cream: Sku) -> None:
    response = staff_client.post(
        f"{CAMPAIGNS}add/?product={cream.product_id}", _campaign_post(cream, **{f"price_{cream.pk}": "69"})
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "低于售价 ¥59.00" in str(errors[f"price_{cream.pk}"])
    six = staff_client.post(f"{CAMPAIGNS}add/?product={cream.product_id}", _campaign_post(cream, group_size="6"))
    assert "2–5" in str(six.context["adminform"].form.errors["group_size"])
    assert not GroupBuyCampaign.objects.exists()


def test_the_campaign_list_shows_live_outcomes_in_fixed_queries(
    staff_client: Client, make_group_campaign: Callable[..., Any], cream: Sku, django_assert_max_num_queries: Any
) -> None:
    campaign = make_group_campaign(cream, group_size=2, per_member_limit=None)
    formed = group_of(pay(group_order(MemberFactory.create(), campaign, cream)))
    pay(group_order(MemberFactory.create(), campaign, cream, token=formed.share_token))
    failing = group_of(pay(group_order(MemberFactory.create(), campaign, cream)))
    pay(group_order(MemberFactory.create(), campaign, cream))  # still open
    from marketing.services.group_buys import group_expire

    group_expire(group_id=failing.pk, now=failing.expires_at + timedelta(seconds=1))
    with django_assert_max_num_queries(12):
        page = staff_client.get(CAMPAIGNS)
    row = page.context["cl"].result_list[0]
    assert (row.n_open, row.n_formed, row.n_failed, row.n_members, row.n_refunds) == (1, 1, 1, 4, 1)
    html = page.content.decode()
    assert "dy-progress" in html and "1/2" in html


def test_an_operator_fails_a_group_early_and_its_members_are_refunded(
    make_group_campaign: Callable[..., Any], cream: Sku
) -> None:
    campaign = make_group_campaign(cream)
    leader_order = pay(group_order(MemberFactory.create(), campaign, cream))
    group = group_of(leader_order)
    operator = _role_client("operator")
    response = operator.post(GROUPS, {"action": "fail_early", "_selected_action": [group.pk]})
    assert response.status_code == 302
    assert GroupBuyGroup.objects.get(pk=group.pk).outcome == GroupOutcome.STAFF_FAILED
    assert Refund.objects.get(order=leader_order).status == Refund.Status.SUCCEEDED
    assert AuditLog.objects.filter(action="group_buy.group_fail", actor__username="operator-1").exists()

    service = _role_client("customer_service")
    assert service.get(GROUPS).status_code == 403


def test_completing_early_releases_the_paid_orders(
    staff_client: Client, make_group_campaign: Callable[..., Any], cream: Sku
) -> None:
    campaign = make_group_campaign(cream)
    order = pay(group_order(MemberFactory.create(), campaign, cream))
    group = group_of(order)
    staff_client.post(GROUPS, {"action": "complete_early", "_selected_action": [group.pk]})
    assert GroupBuyGroup.objects.get(pk=group.pk).status == GroupStatus.COMPLETED
    assert order.__class__.objects.get(pk=order.pk).ship_hold == ""
    again = staff_client.post(GROUPS, {"action": "complete_early", "_selected_action": [group.pk]}, follow=True)
    assert "只有拼团中的团" in again.content.decode()
    detail = staff_client.get(f"{GROUPS}{group.pk}/change/")
    assert detail.status_code == 200 and "团成员" in detail.content.decode()
    assert order.__class__.objects.get(pk=order.pk).status == OrderStatus.PAID


def _bargain_post(sku: Sku, **fields: Any) -> dict[str, Any]:
    now = timezone.now()
    data = {
        "name": "音箱砍到 0 元",
        "sku": sku.pk,
        "start_price": "199",
        "floor_price": "0",
        "helpers_min": "10",
        "helpers_max": "20",
        "cut_min": "1",
        "cut_max": "10",
        "duration_minutes": "1440",
        "per_member_limit": "1",
        "helps_per_helper_per_day": "3",
        "helps_per_ip": "3",
        "is_active": "on",
        **_window("starts_at", now),
        **_window("ends_at", now + timedelta(days=7)),
    }
    data.update(fields)
    return data


def test_a_bargain_that_cannot_reach_its_floor_is_refused_with_what_to_change(
    staff_client: Client, speaker: Sku
) -> None:
    response = staff_client.post(f"{BARGAINS}add/", _bargain_post(speaker, cut_max="5"))
    assert response.status_code == 200
    assert "请提高每刀最多金额或最多帮砍人数" in str(response.context["adminform"].form.errors["cut_max"])
    assert not BargainCampaign.objects.exists()

    created = staff_client.post(f"{BARGAINS}add/", _bargain_post(speaker))
    assert created.status_code == 302, created.context["adminform"].form.errors if created.context else ""
    campaign = BargainCampaign.objects.get()
    assert (campaign.start_price, campaign.floor_price, campaign.cut_min, campaign.cut_max) == (19900, 0, 100, 1000)


def test_ending_a_bargain_campaign_from_the_list(
    staff_client: Client,
    make_bargain_campaign: Callable[..., Any],
    speaker: Sku,
    member: Any,
    django_assert_max_num_queries: Any,
) -> None:
    campaign = make_bargain_campaign(speaker)
    bargain = bargain_start(context=SHOPPER_CONTEXT, member=member, campaign_id=campaign.pk).bargain
    with django_assert_max_num_queries(12):
        listed = staff_client.get(BARGAINS)
    assert "¥199.00 → ¥0.00" in listed.content.decode()
    staff_client.post(BARGAINS, {"action": "end_campaigns", "_selected_action": [campaign.pk]})
    assert bargain.__class__.objects.get(pk=bargain.pk).status == BargainStatus.EXPIRED
    assert AuditLog.objects.filter(action="bargain.end").exists()
    assert staff_client.get(f"/admin/marketing/bargain/{bargain.pk}/change/").status_code == 200


def test_a_bargain_record_shows_prices_and_cuts_in_yuan(
    staff_client: Client, make_bargain_campaign: Callable[..., Any], speaker: Sku, member: Any
) -> None:
    campaign = make_bargain_campaign(speaker)
    bargain = bargain_start(member=member, campaign_id=campaign.pk).bargain
    help_ = bargain_help(helper=MemberFactory.create(), share_token=bargain.share_token)
    page = staff_client.get(f"/admin/marketing/bargain/{bargain.pk}/change/").content.decode()
    assert "¥199.00" in page and f"¥{format_yuan(help_.cut)}" in page and f"¥{format_yuan(help_.price_after)}" in page
    assert "(分)" not in page and f">{help_.price_after}<" not in page
