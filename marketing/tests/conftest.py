"""Fixtures for marketing's Django-side tests, built through the real services where it matters.

Catalogue: a 美妆 category with a 口红 sub-category and a 零食 category, SKUs priced in fen.
Orders go through ``order_place`` / the sandbox payment / ``order_ship`` / ``order_complete``
(the orders fixtures are reused), so every scenario is one the shop can reach.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import Category, Product, ShopSettings, Sku
from marketing.models import CouponChannel, CouponTemplate, DistributionProgram, InviteProgram, Promoter, Promotion
from marketing.services.coupons import CouponTemplateData, coupon_template_create
from marketing.services.distribution import (
    DistributionProgramData,
    distribution_program_update,
    promoter_apply,
    promoter_approve,
)
from marketing.services.invites import InviteProgramData, invite_program_update, invite_rewards_issue_due
from marketing.services.promotions import PromotionData, promotion_create
from members.models import Member, PointsEntry
from members.services.auth import member_login_dev
from members.services.points import points_grant
from members.tests.factories import AddressFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order
from orders.services.orders import order_complete, order_place, order_ship
from orders.services.payments import payment_create, payment_sandbox_complete


@pytest.fixture
def shop(db: Any) -> ShopSettings:
    """8.00 yuan shipping, free from 99.00 yuan."""
    shop = ShopSettings.load()
    shop.shipping_flat_fee, shop.free_shipping_threshold = 800, 9900
    shop.save()
    return shop


@pytest.fixture
def staff(db: Any) -> User:
    return User.objects.create_superuser(username="yunying", password="x", email="ops@example.com")


@pytest.fixture
def beauty(db: Any) -> Category:
    return Category.objects.create(name="美妆")


@pytest.fixture
def lipstick_category(beauty: Category) -> Category:
    return Category.objects.create(name="口红", parent=beauty)


@pytest.fixture
def snacks(db: Any) -> Category:
    return Category.objects.create(name="零食")


@pytest.fixture
def make_sku(db: Any) -> Callable[..., Sku]:
    """``make_sku(code, price, category)`` → an on-shelf SKU with 100 in stock."""

    def make(code: str, price: int, category: Category, stock: int = 100) -> Sku:
        product = Product.objects.create(category=category, title=f"商品 {code}", min_price=price)
        return Sku.objects.create(product=product, code=code, price=price, stock=stock)

    return make


@pytest.fixture
def lipstick(make_sku: Callable[..., Sku], lipstick_category: Category) -> Sku:
    return make_sku("LIP-01", 10000, lipstick_category)


@pytest.fixture
def cookie(make_sku: Callable[..., Sku], snacks: Category) -> Sku:
    return make_sku("COOKIE", 3000, snacks)


def template_data(**overrides: Any) -> CouponTemplateData:
    fields: dict[str, Any] = {"name": "店铺券", "kind": "amount_off", "threshold": 0, "off": 2000, "valid_days": 7}
    fields.update(overrides)
    return CouponTemplateData(**fields)


@pytest.fixture
def make_template(staff: User) -> Callable[..., CouponTemplate]:
    """``make_template(**CouponTemplateData fields)`` through the service (default: 立减 20, shop)."""

    def make(**overrides: Any) -> CouponTemplate:
        return coupon_template_create(actor=staff, data=template_data(**overrides))

    return make


def promotion_data(**overrides: Any) -> PromotionData:
    now = timezone.now()
    fields: dict[str, Any] = {
        "type": "full_reduction",
        "name": "满100减15",
        "starts_at": now - timedelta(days=1),
        "ends_at": now + timedelta(days=30),
        "rules": {"tiers": [{"threshold": "100.00", "off": "15.00"}]},
    }
    fields.update(overrides)
    return PromotionData(**fields)


@pytest.fixture
def make_promotion(staff: User) -> Callable[..., Promotion]:
    def make(**overrides: Any) -> Promotion:
        return promotion_create(actor=staff, data=promotion_data(**overrides))

    return make


@pytest.fixture
def pack_templates(staff: User) -> list[CouponTemplate]:
    """F01's pack as the merchant would set it up (the migration's rows may be gone in flushed DBs)."""
    CouponTemplate.objects.filter(channel=CouponChannel.NEW_USER_PACK).delete()
    pack = [
        ("新人券 满50减20", "amount_off", 5000, 2000),
        ("新人券 满100减30", "amount_off", 10000, 3000),
        ("新人券 无门槛10元", "no_threshold", 0, 1000),
    ]
    return [
        coupon_template_create(
            actor=staff,
            data=template_data(name=name, kind=kind, threshold=threshold, off=off, channel=CouponChannel.NEW_USER_PACK),
        )
        for name, kind, threshold, off in pack
    ]


def grant_points(member: Member, points: int) -> None:
    points_grant(member_id=member.pk, delta=points, reason=PointsEntry.Reason.GRANT, ref=uuid.uuid4().hex)


def place(member: Member, items: list[tuple[Sku, int]], **kwargs: Any) -> Order:
    address = AddressFactory.create(member=member)
    return order_place(
        context=SHOPPER_CONTEXT,
        member=member,
        items=[(sku.pk, qty) for sku, qty in items],
        address_id=address.pk,
        idempotency_key=uuid.uuid4().hex,
        **kwargs,
    )


def pay(order: Order) -> Order:
    started = payment_create(order=order, member=order.member)
    payment_sandbox_complete(member=order.member, out_trade_no=started["out_trade_no"])
    return Order.objects.get(pk=order.pk)


def complete(order: Order, staff: User) -> Order:
    """Pay (unless paid), ship and complete an order through the real services."""
    if Order.objects.get(pk=order.pk).paid_at is None:
        pay(order)
    order_ship(order_id=order.pk, carrier="顺丰", tracking_no="SF1", actor=staff)
    assert order_complete(order_id=order.pk, reason="test")
    return Order.objects.get(pk=order.pk)


def balance(member: Member) -> int:
    return sum(PointsEntry.objects.filter(member=member).values_list("delta", flat=True))


# --- invite rewards (F04) and distribution (F06) ---------------------------------------------------


def reward_template_data(**overrides: Any) -> CouponTemplateData:
    """The default invite reward: 20 yuan, no threshold, handed out by the programme only."""
    fields: dict[str, Any] = {
        "name": "邀请有礼 无门槛20元",
        "kind": "no_threshold",
        "channel": CouponChannel.SYSTEM,
        "off": 2000,
        "valid_days": 30,
        "per_user_limit": 10,
    }
    fields.update(overrides)
    return template_data(**fields)


@pytest.fixture
def reward_template(staff: User) -> CouponTemplate:
    return coupon_template_create(actor=staff, data=reward_template_data())


@pytest.fixture
def invite_program(staff: User, reward_template: CouponTemplate) -> Callable[..., InviteProgram]:
    """``invite_program(**InviteProgramData fields)``: F04's defaults (3 invitees, 20 yuan, 10%) set
    through the service; call it again to change them."""

    def configure(**overrides: Any) -> InviteProgram:
        fields: dict[str, Any] = {"threshold": 3, "reward_template_id": reward_template.pk, "reward_limit": 1}
        fields.update(overrides)
        return invite_program_update(actor=staff, data=InviteProgramData(**fields))

    configure()
    return configure


def issue_invite_rewards() -> int:
    """What the after-commit task does for every reward decided so far (tests run no worker)."""
    return invite_rewards_issue_due(grace=timedelta(0))


def signup(invite_code: str | None = None, nickname: str = "") -> Member:
    """A first login through the real sign-in service (dev login: no WeChat round trip)."""
    return member_login_dev(
        context=SHOPPER_CONTEXT, openid=f"dev_{uuid.uuid4().hex[:16]}", nickname=nickname, invite_code=invite_code
    ).member


@pytest.fixture
def distribution(staff: User) -> Callable[..., DistributionProgram]:
    """``distribution(**DistributionProgramData fields)``: F06's defaults through the service."""

    def configure(**overrides: Any) -> DistributionProgram:
        return distribution_program_update(actor=staff, data=DistributionProgramData(**overrides))

    configure()
    return configure


def make_promoter(member: Member, staff: User) -> Promoter:
    """An approved promoter, through application and review."""
    promoter = promoter_apply(member=member, real_name="李推广", phone="13900139000", reason="朋友多")
    return promoter_approve(actor=staff, promoter_id=promoter.pk)


# --- group buy (F03) and bargain (F05) ---------------------------------------------------


@pytest.fixture
def cream(make_sku: Callable[..., Sku], beauty: Category) -> Sku:
    """The brief's group-buy product: list price 59.00 yuan."""
    return make_sku("CREAM-50", 5900, beauty)


def group_campaign_data(sku: Sku, **overrides: Any) -> Any:
    from marketing.services.group_buys import GroupBuyCampaignData, GroupBuyItemData

    now = timezone.now()
    fields: dict[str, Any] = {
        "name": "面霜 3 人团",
        "product_id": sku.product_id,
        "items": (GroupBuyItemData(sku_id=sku.pk, price=2900),),
        "group_size": 3,
        "duration_minutes": 24 * 60,
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=7),
    }
    fields.update(overrides)
    return GroupBuyCampaignData(**fields)


@pytest.fixture
def make_group_campaign(staff: User, shop: ShopSettings) -> Callable[..., Any]:
    """``make_group_campaign(sku, **GroupBuyCampaignData fields)`` through the service (3 人团 29.00, 24 h)."""
    from marketing.services.group_buys import group_buy_campaign_create

    def make(sku: Sku, **overrides: Any) -> Any:
        return group_buy_campaign_create(actor=staff, data=group_campaign_data(sku, **overrides))

    return make


def group_order(member: Member, campaign: Any, sku: Sku, token: str | None = None, qty: int = 1) -> Order:
    """Open a group (no token) or join one with its share token, through ``order_place``."""
    from marketing.services.deals import DealRequest

    params = {"share_token": token} if token else {}
    return place(member, [(sku, qty)], deal=DealRequest(kind="group", ref=campaign.pk, params=params))


def bargain_campaign_data(sku: Sku, **overrides: Any) -> Any:
    from marketing.services.bargains import BargainCampaignData

    now = timezone.now()
    fields: dict[str, Any] = {
        "name": "199 元砍到 0 元",
        "sku_id": sku.pk,
        "start_price": sku.price,
        "floor_price": 0,
        "helpers_min": 10,
        "helpers_max": 20,
        "cut_min": 100,
        "cut_max": 1000,
        "duration_minutes": 24 * 60,
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=7),
        "helps_per_helper_per_day": 3,
    }
    fields.update(overrides)
    return BargainCampaignData(**fields)


@pytest.fixture
def speaker(make_sku: Callable[..., Sku], snacks: Category) -> Sku:
    """The brief's bargain product: 199.00 yuan."""
    return make_sku("SPEAKER", 19900, snacks)


@pytest.fixture
def make_bargain_campaign(staff: User, shop: ShopSettings) -> Callable[..., Any]:
    """``make_bargain_campaign(sku, **BargainCampaignData fields)`` (199 → 0, 10–20 helpers, 1–10 yuan)."""
    from marketing.services.bargains import bargain_campaign_create

    def make(sku: Sku, **overrides: Any) -> Any:
        return bargain_campaign_create(actor=staff, data=bargain_campaign_data(sku, **overrides))

    return make


def bargain_order(member: Member, bargain: Any, sku: Sku) -> Order:
    from marketing.services.deals import DealRequest

    return place(member, [(sku, 1)], deal=DealRequest(kind="bargain", ref=bargain.pk))


def group_of(order: Order) -> Any:
    """The group an order opened or joined."""
    from marketing.models import GroupBuyGroup

    return GroupBuyGroup.objects.get(pk=order.deal_ref or 0)


def deadline_of(group: Any) -> datetime:
    """An open group's deadline (set when the leader paid)."""
    assert group.expires_at is not None
    return group.expires_at
