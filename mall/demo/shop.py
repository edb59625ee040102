"""Builders of the demo shop: catalogue, staff accounts, shoppers and 90 days of order history.

Everything is deterministic for a given seed (its own ``random.Random`` per part) and
idempotent: each part first looks for what it would create and leaves existing rows alone,
returning how many rows it created, so a second run creates nothing.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from mall.demo.catalogue_data import CATALOGUE, DEMO_TAGS, TAG_NEW, TAG_TRAFFIC, DemoProduct, all_products
from mall.demo.images import render_card
from mall.models import Category, Product, ProductTag, Sku
from mall.money import allocate, parse_yuan
from mall.services.catalogue import (
    ImageInput,
    SkuInput,
    category_create,
    product_create,
    product_tag_create,
)
from members.models import Address, Member, PointsEntry
from orders.models import Order, OrderLine, OrderStatus, Payment
from orders.services.numbers import order_no_at

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHOPPER_OPENID_PREFIX = "dev-demo-"
# (username, password, group, superuser). Passwords are for a local demo only: they are
# refused wherever STAFF_DEMO_PASSWORDS_ALLOWED is off (see mall.console.passwords).
STAFF = (
    ("owner", "duoying-owner", "owner", True),
    ("operator", "duoying-operator", "operator", False),
    ("service", "duoying-service", "customer_service", False),
    ("finance", "duoying-finance", "finance", False),
)
FULL_REDUCTION_TIERS = ((29900, 5000), (19900, 3000), (9900, 1000))  # F07's 满299减50, 满199减30, 满99减10
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "子涵梓萱欣怡雨桐一诺思彤佳怡浩宇宇轩俊杰子墨梓豪晨曦嘉懿明轩雅琪婉清诗涵若曦文博天佑心怡可馨"
CITIES = (
    ("上海市", "上海市", "浦东新区"),
    ("北京市", "北京市", "朝阳区"),
    ("广东省", "深圳市", "南山区"),
    ("广东省", "广州市", "天河区"),
    ("浙江省", "杭州市", "西湖区"),
    ("江苏省", "南京市", "鼓楼区"),
    ("四川省", "成都市", "武侯区"),
    ("湖北省", "武汉市", "洪山区"),
)
# Shoppers mostly buy in the evening (20–22h peak, F39's example) and at lunchtime.
HOUR_WEIGHTS = (1, 1, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 8, 7, 5, 5, 5, 6, 7, 8, 12, 13, 10, 4)


def sku_code(product_index: int, sku_index: int) -> str:
    return f"DY{product_index:03d}-{sku_index:02d}"


@contextmanager
def backdating(*model_classes: type[models.Model]) -> Iterator[None]:
    """Lets ``bulk_create`` keep explicit ``auto_now_add`` timestamps (for back-dated history only).

    Django overwrites ``auto_now_add`` fields with "now" on insert; history 90 days long
    needs its real dates, so the flag is switched off while the demo rows are inserted.
    """
    switched = []
    for model in model_classes:
        for model_field in model._meta.concrete_fields:
            if getattr(model_field, "auto_now_add", False):
                model_field.auto_now_add = False  # type: ignore[attr-defined]
                switched.append(model_field)
    try:
        yield
    finally:
        for model_field in switched:
            model_field.auto_now_add = True  # type: ignore[attr-defined]


# --- catalogue ------------------------------------------------------------------------


def _sku_inputs(index: int, product: DemoProduct, rng: random.Random) -> list[SkuInput]:
    names = [name for name, _values in product.specs]
    value_lists = [values for _name, values in product.specs]
    combos: list[tuple[str, ...]] = [()]
    for values in value_lists:
        combos = [(*combo, value) for combo in combos for value in values]
    skus = []
    for n, combo in enumerate(combos, 1):
        price = product.price[combo[0]] if isinstance(product.price, dict) else product.price
        # A few SKUs run low or out, so the shop shows 仅剩 / 补货中.
        stock = rng.choice((0, 3)) if rng.random() < 0.06 else rng.randrange(30, 600, 10)
        skus.append(
            SkuInput(
                code=sku_code(index, n),
                specs=dict(zip(names, combo, strict=True)),
                price=parse_yuan(price),
                stock=stock,
            )
        )
    return skus


def _category(name: str, parent_id: int | None, sort_order: int, counts: dict[str, int]) -> int:
    existing = Category.objects.filter(name=name, parent_id=parent_id).first()
    if existing is None:
        existing = category_create(actor=None, name=name, parent_id=parent_id, sort_order=sort_order)
        counts["categories"] += 1
    return existing.pk


def build_catalogue(*, seed: int) -> dict[str, int]:
    """Categories, tags and products with SKUs and pictures, created through the catalogue services."""
    rng = random.Random(seed)  # noqa: S311 - demo data must be reproducible, not secret
    counts = {"categories": 0, "tags": 0, "products": 0}
    tags = {}
    for name in DEMO_TAGS:
        tag = ProductTag.objects.filter(name=name).first()
        if tag is None:
            tag = product_tag_create(actor=None, name=name)
            counts["tags"] += 1
        tags[name] = tag.pk
    categories: dict[tuple[str, str | None], int] = {}
    for top_order, top in enumerate(CATALOGUE):
        top_id = _category(top.name, None, top_order, counts)
        categories[(top.name, None)] = top_id
        for sub_order, sub in enumerate(top.children):
            categories[(sub, top.name)] = _category(sub, top_id, sub_order, counts)
    now = timezone.now()
    existing_codes = set(Sku.objects.filter(code__startswith="DY").values_list("code", flat=True))
    for index, (top, sub, item) in enumerate(all_products(), 1):
        skus = _sku_inputs(index, item, rng)
        age_days = rng.randint(0, 12) if TAG_NEW in item.tags else rng.randint(20, 150)
        if skus[0].code in existing_codes:
            continue
        latin = f"DY{index:03d}"
        main = render_card(title=item.title, latin=latin, colour=top.colour)
        red, green, blue = (min(255, c + 40) for c in top.colour)
        detail_colour = (red, green, blue)
        gallery = render_card(title=item.title, latin=latin, colour=detail_colour, caption=item.subtitle[:12])
        product = product_create(
            actor=None,
            category_id=categories[(sub, top.name)],
            title=item.title,
            subtitle=item.subtitle,
            description=f"{item.title}。{item.subtitle}。正品保障，七天无理由退换。",
            spec_names=[name for name, _values in item.specs],
            skus=skus,
            tag_ids=[tags[name] for name in item.tags],
            is_consumable=item.cycle is not None,
            replenish_cycle_days=item.cycle,
            free_shipping=TAG_NEW in item.tags,  # 新品包邮: the product page and cards show the badge
            main_image=ContentFile(main, name=f"{latin}-main.png"),
            images=[ImageInput(image=ContentFile(gallery, name=f"{latin}-detail.png"), sort_order=1)],
        )
        Product.objects.filter(pk=product.pk).update(created_at=now - timedelta(days=age_days, hours=index))
        counts["products"] += 1
    return counts


# --- staff ----------------------------------------------------------------------------


@dataclass
class StaffLogin:
    username: str
    password: str
    group: str
    created: bool
    otp_key: str = ""  # base32 key of the demo authenticator, when the role needs one


def demo_otp_key(username: str) -> bytes:
    """The demo account's fixed TOTP key (20 bytes): published like its password, demo only."""
    return hashlib.sha1(f"duoying-demo-authenticator:{username}".encode()).digest()  # noqa: S324 - a demo key, not a hash of a secret


def _demo_authenticator(user: User) -> str:
    """In the embedded demo, owner and finance (2FA required) get an authenticator with a printed
    key, so ``make run`` stays usable: add the key to an app, or ``manage.py demo_otp_code``."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mall.services.staff_security import staff_requires_2fa

    if not settings.STAFF_DEMO_PASSWORDS_ALLOWED or not staff_requires_2fa(user):
        return ""
    key = demo_otp_key(user.username)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="演示身份验证器", key=key.hex(), confirmed=True)
    return base64.b32encode(key).decode("ascii")


@transaction.atomic
def build_staff() -> list[StaffLogin]:
    """One console account per role; existing accounts keep their password."""
    logins = []
    for username, password, group_name, superuser in STAFF:
        user = User.objects.filter(username=username).first()
        created = user is None
        if user is None:
            user = User(username=username, is_staff=True, is_superuser=superuser)
            user.set_password(password)
            user.save()
        group, _ = Group.objects.get_or_create(name=group_name)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        logins.append(StaffLogin(username, password, group_name, created, _demo_authenticator(user)))
    return logins


# --- shoppers and order history --------------------------------------------------------


@dataclass
class _Line:
    sku: Sku
    qty: int


@dataclass
class _Order:
    shopper: int
    created_at: datetime
    status: str
    lines: list[_Line] = field(default_factory=list)


def _random_moment(rng: random.Random, now: datetime, days: int) -> datetime:
    """A time in the last ``days`` days, at an hour drawn from the shop's daily rhythm (Shanghai)."""
    local_now = timezone.localtime(now, SHANGHAI)
    day = (local_now - timedelta(days=rng.randrange(days))).date()
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    moment = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=SHANGHAI)
    return min(moment, local_now - timedelta(minutes=rng.randint(5, 90)))


def _status_for(rng: random.Random, age: timedelta) -> str:
    if rng.random() < 0.08:
        return OrderStatus.CANCELLED
    if age < timedelta(days=2):
        return OrderStatus.PAID
    if age < timedelta(days=7):
        return OrderStatus.SHIPPED
    return OrderStatus.COMPLETED


def _full_reduction(goods: int) -> tuple[int, str]:
    for threshold, cut in FULL_REDUCTION_TIERS:
        if goods >= threshold:
            return cut, f"满{threshold // 100}减{cut // 100}"
    return 0, ""


@transaction.atomic
def build_shoppers_and_history(*, seed: int, shoppers: int, days: int) -> dict[str, int]:
    """Shoppers (dev openids) with addresses, and their orders over the last ``days`` days.

    Back-dated history is written with ``bulk_create`` rather than the order services on
    purpose: the services stamp "now" on every step (placing, paying, shipping) and would
    lock stock and send notices; history needs its real past dates and no side effects. The
    amounts follow the same rules: lines' paid amounts add up to the order's payable amount.
    """
    counts = {"shoppers": 0, "orders": 0, "order_lines": 0, "payments": 0, "points_entries": 0}
    if Member.objects.filter(openid__startswith=SHOPPER_OPENID_PREFIX).exists():
        return counts
    rng = random.Random(seed + 1)  # noqa: S311 - demo data must be reproducible, not secret
    now = timezone.now()
    skus = list(Sku.objects.filter(is_active=True, code__startswith="DY").select_related("product").order_by("id"))
    if not skus:
        return counts
    tag_names = defaultdict(set)
    for product_id, tag in Product.tags.through.objects.values_list("product_id", "producttag__name"):
        tag_names[product_id].add(tag)
    weights = [4 if TAG_TRAFFIC in tag_names[s.product_id] else 1 for s in skus]

    plans: list[_Order] = []
    for shopper in range(shoppers):
        activity = rng.choices((0, 1, 2, 4, 8, 14), weights=(8, 25, 25, 22, 14, 6))[0]
        for _ in range(max(0, round(activity * days / 90 + rng.uniform(-0.4, 0.4)))):
            created = _random_moment(rng, now, days)
            plan = _Order(shopper, created, _status_for(rng, now - created))
            chosen: dict[int, _Line] = {}
            for _ in range(rng.choices((1, 2, 3), weights=(6, 3, 1))[0]):
                sku = rng.choices(skus, weights=weights)[0]
                line = chosen.setdefault(sku.pk, _Line(sku, 0))
                line.qty += rng.choices((1, 2, 3), weights=(7, 2, 1))[0]
            plan.lines = list(chosen.values())
            plans.append(plan)
    plans.sort(key=lambda p: p.created_at)

    # Shoppers: signed up before their first order (or at some point in the window).
    first_order: dict[int, datetime] = {}
    spend: dict[int, int] = defaultdict(int)
    for plan in plans:
        first_order.setdefault(plan.shopper, plan.created_at)
        if plan.status != OrderStatus.CANCELLED:
            spend[plan.shopper] += sum(line.sku.price * line.qty for line in plan.lines)
    ranked = sorted(range(shoppers), key=lambda s: -spend[s])
    tiers = {}
    for rank, shopper in enumerate(ranked):
        share = rank / max(1, shoppers)
        tiers[shopper] = (
            Member.Tier.DIAMOND
            if share < 0.05
            else Member.Tier.GOLD
            if share < 0.15
            else Member.Tier.SILVER
            if share < 0.35
            else Member.Tier.NORMAL
        )
    members = []
    for shopper in range(shoppers):
        joined = first_order.get(shopper, _random_moment(rng, now, days)) - timedelta(days=rng.randint(0, 60))
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
        members.append(
            Member(
                openid=f"{SHOPPER_OPENID_PREFIX}{shopper + 1:04d}",
                nickname=name,
                phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                birthday=(now - timedelta(days=rng.randint(20 * 365, 50 * 365))).date(),
                tier=tiers[shopper],
                invite_code=f"DM{shopper + 1:04d}{rng.getrandbits(16):04X}",
                is_dev=True,
                created_at=joined,
                last_login_at=now - timedelta(hours=rng.randint(1, 24 * days)),
            )
        )
    with backdating(Member, Address, Order, Payment, PointsEntry):
        Member.objects.bulk_create(members, batch_size=500)
        member_ids = dict(Member.objects.filter(openid__startswith=SHOPPER_OPENID_PREFIX).values_list("openid", "id"))
        ids = [member_ids[m.openid] for m in members]
        addresses = []
        for shopper, member in enumerate(members):
            province, city, district = rng.choice(CITIES)
            addresses.append(
                Address(
                    member_id=ids[shopper],
                    receiver=member.nickname,
                    phone=member.phone,
                    province=province,
                    city=city,
                    district=district,
                    detail=f"{rng.choice('幸福和平建设人民中山解放')}路{rng.randint(1, 999)}号{rng.randint(1, 30)}栋",
                    is_default=True,
                    created_at=member.created_at,
                )
            )
        Address.objects.bulk_create(addresses, batch_size=500)
        snapshots = {a.member_id: a.snapshot() for a in addresses}

        orders, lines_by_no = [], {}
        sold: dict[int, int] = defaultdict(int)
        for seq, plan in enumerate(plans, 1):
            order, lines = _order_rows(plan, seq, ids[plan.shopper], snapshots[ids[plan.shopper]], rng, now)
            orders.append(order)
            lines_by_no[order.no] = lines
            if plan.status != OrderStatus.CANCELLED:
                for line in plan.lines:
                    sold[line.sku.pk] += line.qty
        Order.objects.bulk_create(orders, batch_size=500)
        order_ids = dict(Order.objects.filter(no__in=[o.no for o in orders]).values_list("no", "id"))
        order_lines: list[OrderLine] = []
        for no, rows in lines_by_no.items():
            for order_line in rows:
                order_line.order_id = order_ids[no]
                order_lines.append(order_line)
        OrderLine.objects.bulk_create(order_lines, batch_size=1000)
        payments, points = [], []
        for order in orders:
            if order.paid_at is None:
                continue
            payments.append(
                Payment(
                    order_id=order_ids[order.no],
                    provider="sandbox",
                    out_trade_no=order.no,
                    transaction_id=f"SEED{order.no}",
                    amount=order.payable_amount,
                    status=Payment.Status.SUCCEEDED,
                    created_at=order.created_at,
                    paid_at=order.paid_at,
                )
            )
            if order.status == OrderStatus.COMPLETED and order.payable_amount >= 100:
                points.append(
                    PointsEntry(
                        member_id=order.member_id,
                        delta=order.payable_amount // 100,  # F15: one point per yuan paid
                        reason=PointsEntry.Reason.ORDER_EARN,
                        ref=order.no,
                        note="订单完成",
                        created_at=order.completed_at or now,
                    )
                )
        Payment.objects.bulk_create(payments, batch_size=500)
        PointsEntry.objects.bulk_create(points, batch_size=500)

    _add_sales(sold)
    counts.update(
        shoppers=len(members),
        orders=len(orders),
        order_lines=len(order_lines),
        payments=len(payments),
        points_entries=len(points),
    )
    return counts


def _order_rows(
    plan: _Order, seq: int, member_id: int, address: dict[str, str], rng: random.Random, now: datetime
) -> tuple[Order, list[OrderLine]]:
    created = plan.created_at
    no = order_no_at(at=created, serial=seq)
    amounts = [line.sku.price * line.qty for line in plan.lines]
    goods = sum(amounts)
    discount, rule = _full_reduction(goods)
    shares = allocate(discount, amounts)
    lines = [
        OrderLine(
            sku_id=line.sku.pk,
            product_id=line.sku.product_id,
            title=line.sku.product.title,
            specs=line.sku.specs,
            image=line.sku.product.main_image.url if line.sku.product.main_image else "",
            unit_price=line.sku.price,
            qty=line.qty,
            item_amount=amount,
            discount_amount=share,
            paid_amount=amount - share,
            allocations=[{"rule": rule, "amount": share}] if share else [],
        )
        for line, amount, share in zip(plan.lines, amounts, shares, strict=True)
    ]
    fields: dict[str, Any] = {
        "no": no,
        "member_id": member_id,
        "status": plan.status,
        "goods_amount": goods,
        "discount_amount": discount,
        "shipping_fee": 0,  # demo orders ship free, so the lines' paid amounts add up to payable
        "payable_amount": goods - discount,
        "pricing": {"source": "seed_demo", "applied": [{"rule": rule, "amount": discount}] if discount else []},
        "address": address,
        "idempotency_key": f"seed-{no}",
        "created_at": created,
        "expires_at": created + timedelta(minutes=15),
    }
    if plan.status == OrderStatus.CANCELLED:
        fields.update(cancelled_at=created + timedelta(minutes=15), cancel_reason="超时未支付")
    else:
        paid = created + timedelta(seconds=rng.randint(20, 600))
        fields["paid_at"] = paid
        if plan.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED):
            shipped = paid + timedelta(hours=rng.randint(4, 30))
            fields.update(
                shipped_at=shipped,
                carrier=rng.choice(("顺丰速运", "中通快递", "圆通速递", "京东物流")),
                tracking_no=f"SF{rng.randrange(10**12):012d}",
            )
            if plan.status == OrderStatus.COMPLETED:
                delivered = shipped + timedelta(days=rng.randint(1, 3))
                fields.update(
                    delivered_at=delivered, completed_at=min(now, delivered + timedelta(days=rng.randint(1, 7)))
                )
    return Order(**fields), lines


def _add_sales(sold: dict[int, int]) -> None:
    """Sales counts follow the history (paid units), on SKUs and their products."""
    skus = list(Sku.objects.filter(pk__in=list(sold)).order_by("pk"))
    per_product: dict[int, int] = defaultdict(int)
    for sku in skus:
        sku.sales_count += sold[sku.pk]
        per_product[sku.product_id] += sold[sku.pk]
    Sku.objects.bulk_update(skus, ["sales_count"], batch_size=500)
    products = list(Product.objects.filter(pk__in=list(per_product)).order_by("pk"))
    for product in products:
        product.sales_count += per_product[product.pk]
    Product.objects.bulk_update(products, ["sales_count"], batch_size=500)
