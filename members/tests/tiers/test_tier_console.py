"""The console's tier pages (F14–F16): thresholds in yuan saved through the service (audited),
the points mall's items, the expiry rule, the 会员服务 page with late priority orders, the order
desk putting priority orders first in 待发货 and the green channel first among after-sales."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation

from mall.models import AuditLog
from marketing.models import CouponChannel
from marketing.tests.factories import CouponTemplateFactory
from members.models import Member, PointsExpiryRule, PointsMallItem, TierRule
from members.services.tiers import tier_rules
from members.tests.factories import MemberFactory
from orders.models import Order, OrderStatus
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client() -> Client:
    owner = User.objects.create_superuser(username="owner", password="x", email="owner@example.com")
    client = Client()
    client.force_login(owner)
    return client


def _rule_post(rule: TierRule, **changes: str) -> dict[str, str]:
    data = {
        "min_spend": f"{rule.min_spend // 100}.00",
        "min_orders": str(rule.min_orders),
        "free_shipping_per_month": str(rule.free_shipping_per_month),
        "ship_within_hours": str(rule.ship_within_hours),
        "green_auto_approve_max": f"{rule.green_auto_approve_max // 100}.00",
        "points_price": str(rule.points_price),
    }
    for flag in ("priority_shipping", "after_sales_green", "exclusive_service"):
        if getattr(rule, flag):
            data[flag] = "on"
    data.update(changes)
    return data


def test_thresholds_are_typed_in_yuan_and_audited(owner_client: Client) -> None:
    with translation.override("zh-hans"):
        listing = owner_client.get("/admin/members/tierrule/")
    page = listing.content.decode()
    assert listing.status_code == 200
    assert "钻石会员" in page and "¥5,000.00" in page and "¥200.00 内自动同意" in page
    gold = tier_rules()["gold"]
    url = f"/admin/members/tierrule/{gold.pk}/change/"
    with translation.override("zh-hans"):
        form = owner_client.get(url).content.decode()
    assert 'value="2000.00"' in form
    response = owner_client.post(url, _rule_post(gold, min_spend="2500", points_price="8000"))
    assert response.status_code == 302, response.content.decode()[:2000]
    gold.refresh_from_db()
    assert (gold.min_spend, gold.points_price) == (250_000, 8000)
    entry = AuditLog.objects.get(action="tier_rule.update")
    assert entry.data["min_spend"] == [200_000, 250_000]
    # A 黄金 threshold above 钻石's is refused with a Chinese message, nothing saved.
    with translation.override("zh-hans"):
        refused = owner_client.post(url, _rule_post(gold, min_spend="9000"), follow=True)
    assert "高等级的门槛须高于低等级" in refused.content.decode()
    gold.refresh_from_db()
    assert gold.min_spend == 250_000


def test_points_mall_items_and_the_expiry_rule_save_through_services(owner_client: Client) -> None:
    template = CouponTemplateFactory.create(channel=CouponChannel.SYSTEM)
    response = owner_client.post(
        "/admin/members/pointsmallitem/add/",
        {
            "name": "10 元券",
            "kind": "coupon",
            "coupon_template": str(template.pk),
            "cash": "0",
            "points": "1000",
            "stock": "50",
            "per_member_limit": "2",
            "is_active": "on",
            "sort": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = PointsMallItem.objects.get()
    assert (item.points, item.stock, item.kind) == (1000, 50, "coupon")
    assert AuditLog.objects.filter(action="points_mall_item.create").count() == 1
    with translation.override("zh-hans"):
        listing = owner_client.get("/admin/members/pointsmallitem/").content.decode()
    assert "剩余库存" in listing
    # A goods item needs its SKU; the cash part is typed in yuan.
    with translation.override("zh-hans"):
        refused = owner_client.post(
            "/admin/members/pointsmallitem/add/",
            {"name": "保温杯", "kind": "goods", "points": "2000", "cash": "9.9", "stock": "5", "per_member_limit": "1"},
        )
    assert "商品类需选择兑换的商品 SKU" in refused.content.decode()
    sku = SkuFactory.create()
    saved_goods = owner_client.post(
        "/admin/members/pointsmallitem/add/",
        {
            "name": "保温杯",
            "kind": "goods",
            "sku": str(sku.pk),
            "points": "2000",
            "cash": "9.9",
            "stock": "5",
            "per_member_limit": "1",
            "sort": "1",
        },
    )
    assert saved_goods.status_code == 302, saved_goods.content.decode()[:2000]
    assert PointsMallItem.objects.get(name="保温杯").cash == 990

    rule_url = f"/admin/members/pointsexpiryrule/{PointsExpiryRule.load().pk}/change/"
    assert owner_client.get("/admin/members/pointsexpiryrule/").status_code == 302
    saved = owner_client.post(rule_url, {"enabled": "on", "keep_years": "2", "remind_days": "30"})
    assert saved.status_code == 302
    assert PointsExpiryRule.load().keep_years == 2
    assert AuditLog.objects.filter(action="points_expiry_rule.update").count() == 1


def _paid_order(member: Member, *, hours_ago: int) -> Order:
    sku = SkuFactory.create()
    order = Order.objects.create(
        no=f"P{member.pk:06d}{hours_ago:04d}",
        member=member,
        goods_amount=1000,
        payable_amount=1000,
        idempotency_key=f"k{member.pk}-{hours_ago}",
        expires_at=timezone.now(),
    )
    assert sku.pk
    paid_at = timezone.now() - timedelta(hours=hours_ago)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_at=paid_at)
    return Order.objects.get(pk=order.pk)


def test_priority_orders_come_first_in_to_ship_and_late_ones_are_listed(owner_client: Client) -> None:
    plain = _paid_order(MemberFactory.create(nickname="普通买家"), hours_ago=50)
    diamond = _paid_order(MemberFactory.create(nickname="钻石买家", tier="diamond"), hours_ago=20)  # 12 h target
    gold_on_time = _paid_order(MemberFactory.create(nickname="黄金买家", tier="gold"), hours_ago=2)
    with translation.override("zh-hans"):
        desk = owner_client.get("/admin/orders/order/?tab=to_ship").content.decode()
    positions = [desk.index(o.no) for o in (diamond, gold_on_time, plain)]
    assert positions == sorted(positions)
    assert "优先发货 · 已超时" in desk
    with translation.override("zh-hans"):
        page = owner_client.get("/console/members/tier-service/").content.decode()
    assert diamond.no in page
    assert gold_on_time.no not in page and plain.no not in page
    assert "钻石买家" in page and "黄金买家" in page  # 专属客服 shoppers
    assert 'data-testid="tier-count-diamond">1<' in page


def test_green_channel_requests_come_first_among_after_sales(owner_client: Client) -> None:
    from orders.models import AfterSale

    plain_member = MemberFactory.create(nickname="普通")
    gold_member = MemberFactory.create(nickname="黄金", tier="gold")
    rows = []
    for member, no in ((gold_member, "A-GOLD"), (plain_member, "A-PLAIN")):
        order = _paid_order(member, hours_ago=1)
        sku = SkuFactory.create()
        line = order.lines.create(
            sku=sku, product=sku.product, title="商品", unit_price=1000, qty=1, item_amount=1000, paid_amount=1000
        )
        rows.append(
            AfterSale.objects.create(
                no=no,
                order=order,
                line=line,
                member=member,
                kind="refund_only",
                qty=1,
                amount=1000,
                reason="quality",
                open_line=line.pk,
                status_changed_at=timezone.now(),
            )
        )
    with translation.override("zh-hans"):
        page = owner_client.get("/admin/orders/aftersale/").content.decode()
    assert page.index("A-GOLD") < page.index("A-PLAIN")  # the newer plain request still comes second
    assert "绿色通道" in page
