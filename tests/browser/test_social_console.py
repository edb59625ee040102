"""拼团 in the console in a real browser: an operator sets up a group buy (product first, then a
price per SKU), sees its groups' live outcome in the list with progress bars, and ends an open
group early — its paid member is refunded through the (sandbox) payment provider."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from mall.models import Category, Product, ShopSettings, Sku
from mall.services.staff import staff_create
from marketing.models import GroupBuyCampaign, GroupBuyGroup, GroupOutcome
from marketing.services.deals import DealRequest
from members.tests.factories import AddressFactory, MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order, OrderStatus, Refund
from orders.services.orders import order_place
from orders.services.payments import payment_create, payment_sandbox_complete


def _paid_group_order(campaign: GroupBuyCampaign, sku: Sku, token: str | None = None) -> Order:
    member = MemberFactory.create()
    address = AddressFactory.create(member=member)
    order = order_place(
        context=SHOPPER_CONTEXT,
        member=member,
        items=[(sku.pk, 1)],
        address_id=address.pk,
        idempotency_key=uuid.uuid4().hex,
        deal=DealRequest(kind="group", ref=campaign.pk, params={"share_token": token} if token else {}),
    )
    started = payment_create(order=order, member=member)
    payment_sandbox_complete(member=member, out_trade_no=started["out_trade_no"])
    return Order.objects.get(pk=order.pk)


def test_operator_sets_up_a_group_buy_watches_it_and_ends_a_group_with_refunds(page_factory, owner, screenshot_dir):
    ShopSettings.load()
    product = Product.objects.create(category=Category.objects.create(name="美妆"), title="保湿面霜", min_price=5900)
    sku = Sku.objects.create(product=product, code="CREAM-50", specs={"规格": "50ml"}, price=5900, stock=50)
    operator = staff_create(username="xiaoyun", password="op-pass-1234", role="operator", actor=owner)
    page = page_factory(operator)

    page.goto("/admin/marketing/groupbuycampaign/add/")
    page.get_by_role("link", name="保湿面霜").click()
    page.wait_for_url(re.compile(r"\?product="))
    page.fill("#id_name", "面霜 2 人团")
    page.fill("#id_group_size", "2")
    page.fill(f"#id_price_{sku.pk}", "29.00")
    now = timezone.localtime()
    page.fill("#id_starts_at_0", now.strftime("%Y-%m-%d"))
    page.fill("#id_starts_at_1", "00:00:00")
    page.fill("#id_ends_at_0", (now + timedelta(days=7)).strftime("%Y-%m-%d"))
    page.fill("#id_ends_at_1", "23:59:00")
    page.screenshot(path=str(screenshot_dir / "group-buy-form.png"), full_page=True)
    with page.expect_navigation():
        page.locator("button[name=_save]").click()
    expect(page).to_have_url(re.compile(r"/admin/marketing/groupbuycampaign/$"))
    campaign = GroupBuyCampaign.objects.get()
    assert campaign.items.get().price == 2900

    formed = _paid_group_order(campaign, sku)
    _paid_group_order(campaign, sku, token=GroupBuyGroup.objects.get(pk=formed.deal_ref).share_token)
    waiting = _paid_group_order(campaign, sku)
    page.reload()
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("面霜 2 人团")
    expect(row).to_contain_text("¥29.00")
    expect(row.locator(".dy-progress")).to_have_count(1)
    expect(row).to_contain_text("1/1")  # one group decided, and it formed
    page.screenshot(path=str(screenshot_dir / "group-buy-campaigns.png"), full_page=True)

    page.goto("/admin/marketing/groupbuygroup/")
    open_row = page.locator("#result_list tbody tr", has_text="1/2")
    expect(open_row).to_have_count(1)
    open_row.locator("input.action-select").check()
    page.select_option("select[name=action]", "fail_early")
    with page.expect_navigation():
        page.locator("button[name=index], button[type=submit][title]").first.click()
    expect(page.locator("body")).to_contain_text("已付款的顾客自动退款")

    group = GroupBuyGroup.objects.get(pk=waiting.deal_ref)
    assert group.outcome == GroupOutcome.STAFF_FAILED
    assert Refund.objects.get(order=waiting).status == Refund.Status.SUCCEEDED
    assert Order.objects.get(pk=waiting.pk).status == OrderStatus.REFUNDED
    assert Order.objects.get(pk=formed.pk).ship_hold == ""


def test_a_bargain_that_cannot_reach_its_floor_is_refused_on_the_form(page_factory, owner, screenshot_dir):
    product = Product.objects.create(category=Category.objects.create(name="服饰"), title="商务衬衫", min_price=15900)
    Sku.objects.create(product=product, code="SHIRT-L", specs={"尺码": "L"}, price=15900, stock=20)
    page = page_factory(owner)

    page.goto("/admin/marketing/bargaincampaign/add/")
    page.fill("#id_name", "衬衫砍到 0 元")
    page.select_option("#id_sku", value=str(Sku.objects.get(code="SHIRT-L").pk))
    page.fill("#id_start_price", "159")
    page.fill("#id_cut_max", "5")  # 20 friends × 5 yuan = 100 < 159
    now = timezone.localtime()
    page.fill("#id_starts_at_0", now.strftime("%Y-%m-%d"))
    page.fill("#id_starts_at_1", "00:00:00")
    page.fill("#id_ends_at_0", (now + timedelta(days=7)).strftime("%Y-%m-%d"))
    page.fill("#id_ends_at_1", "23:59:00")
    with page.expect_navigation():
        page.locator("button[name=_save]").click()
    expect(page.locator("body")).to_contain_text("请提高每刀最多金额或最多帮砍人数")
    page.screenshot(path=str(screenshot_dir / "bargain-form-refused.png"), full_page=True)

    page.fill("#id_cut_max", "10")
    with page.expect_navigation():
        page.locator("button[name=_save]").click()
    expect(page).to_have_url(re.compile(r"/admin/marketing/bargaincampaign/$"))
    expect(page.locator("#result_list tbody tr").first).to_contain_text("¥159.00 → ¥0.00")
