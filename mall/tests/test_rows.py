"""``row_by_pk`` and ``row_by`` give what the ORM gives for one row, without compiling a query per call."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db.models import Q
from django.db.models.signals import post_init
from django.utils import timezone

from mall.models import Product, ShopSettings, Sku
from mall.rows import row_by, row_by_pk, rows_with_related
from mall.tests.factories import ProductFactory, SkuFactory
from members.models import Member
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _values(instance: Any) -> dict[str, tuple[type, Any]]:
    return {
        f.attname: (type(getattr(instance, f.attname)), getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
    }


def test_a_member_reads_the_same_as_through_the_orm(django_assert_num_queries: Any) -> None:
    inviter = MemberFactory.create()
    member = MemberFactory.create(
        inviter=inviter,
        birthday=dt.date(1990, 5, 17),
        is_blocked=True,
        last_login_at=timezone.now(),
        tier=Member.Tier.GOLD,
    )
    with django_assert_num_queries(1):
        fast = row_by_pk(Member, member.pk)
    assert fast is not None
    assert _values(fast) == _values(Member.objects.get(pk=member.pk))
    assert fast.last_login_at is not None and timezone.is_aware(fast.last_login_at)
    assert fast.is_blocked is True and fast._state.adding is False and fast._state.db == "default"


def test_the_instance_saves_as_an_update_and_a_missing_row_is_none() -> None:
    member = MemberFactory.create()
    fast = row_by_pk(Member, member.pk)
    assert fast is not None
    fast.nickname = "改名"
    fast.save(update_fields=["nickname"])
    assert Member.objects.get(pk=member.pk).nickname == "改名" and Member.objects.count() == 1
    assert row_by_pk(Member, member.pk + 1000) is None


def test_json_and_other_models_convert_like_the_orm() -> None:
    sku = SkuFactory.create(specs={"颜色": "红", "尺码": "M"})
    fast = row_by_pk(Sku, sku.pk)
    assert fast is not None and _values(fast) == _values(Sku.objects.get(pk=sku.pk))
    assert fast.specs == {"颜色": "红", "尺码": "M"}
    shop = ShopSettings.load()
    assert _values(row_by_pk(ShopSettings, shop.pk)) == _values(ShopSettings.objects.get(pk=shop.pk))


def test_rows_with_related_read_like_select_related(django_assert_num_queries: Any) -> None:
    product = ProductFactory.create(spec_names=["颜色"], is_on_shelf=False, main_image="products/a.png")
    wanted = [SkuFactory.create(product=product, specs={"颜色": "红"}, is_active=False) for _ in range(2)]
    gift = SkuFactory.create(code="GIFT-1")
    SkuFactory.create()  # neither asked for by pk nor by code
    asked = [wanted[1].pk, wanted[0].pk, wanted[1].pk, 10**9]
    with django_assert_num_queries(1):
        fast = rows_with_related(Sku, "product", {"pk": asked, "code": ["GIFT-1", "NO-SUCH"]})
        products = [sku.product for sku in fast]  # cached with the row: no query of its own
    orm = list(Sku.objects.select_related("product").filter(Q(pk__in=asked) | Q(code__in=["GIFT-1", "NO-SUCH"])))
    assert [sku.pk for sku in fast] == [sku.pk for sku in orm] == sorted([wanted[0].pk, wanted[1].pk, gift.pk])
    for mine, theirs in zip(fast, orm, strict=True):
        assert _values(mine) == _values(theirs)
        assert _values(mine.product) == _values(theirs.product)
        assert mine._state.adding is False and mine.product._state.db == "default"
    assert products[0].created_at is not None and timezone.is_aware(products[0].created_at)
    assert products[0].main_image.name == "products/a.png" and products[0].spec_names == ["颜色"]


def test_rows_with_related_asks_nothing_for_empty_lists(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert rows_with_related(Sku, "product", {"pk": [], "code": []}) == []
    with pytest.raises(TypeError):
        rows_with_related(Member, "inviter", {"pk": [1]})  # nullable: a LEFT JOIN, not written out


def test_rows_with_related_keep_init_signals_when_someone_listens() -> None:
    """Built without ``Model.__init__`` only while no ``post_init`` receiver could tell."""
    sku = SkuFactory.create()
    seen: list[Any] = []

    def receiver(sender: Any, instance: Any, **_kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(receiver, sender=Product)
    try:
        [fast] = rows_with_related(Sku, "product", {"pk": [sku.pk]})
    finally:
        post_init.disconnect(receiver, sender=Product)
    assert seen == [fast.product] and _values(fast.product) == _values(Product.objects.get(pk=sku.product_id))
    fast.stock = 3
    fast.save(update_fields=["stock"])
    assert Sku.objects.get(pk=sku.pk).stock == 3


def test_a_row_by_its_unique_key_reads_the_same_as_through_the_orm(django_assert_num_queries: Any) -> None:
    sku = SkuFactory.create(specs={"颜色": "红"})
    with django_assert_num_queries(1):
        fast = row_by(Sku, code=sku.code)
    assert fast is not None and _values(fast) == _values(Sku.objects.get(pk=sku.pk))
    assert row_by(Sku, product_id=sku.product_id, code=sku.code) is not None
    assert row_by(Sku, product_id=sku.product_id + 1000, code=sku.code) is None


def test_rows_insert_writes_what_bulk_create_writes_and_hands_back_the_ids(django_assert_num_queries: Any) -> None:
    from analytics.models import Event
    from mall.rows import rows_insert

    member = MemberFactory.create()
    props = {"no": "X1", "amount": 12, "nested": {"zh": "订单"}}
    fast = [Event(name="order_placed", member_id=member.pk, props=props), Event(name="other", props={})]
    with django_assert_num_queries(1):
        written = rows_insert(fast)
    assert written == fast
    slow = Event.objects.bulk_create([Event(name="order_placed", member_id=member.pk, props=props)])[0]
    for event in fast:
        assert event.pk is not None and not event._state.adding and event._state.db == "default"
        assert event.created_at is not None  # auto_now_add filled as the ORM fills it
    stored = Event.objects.get(pk=fast[0].pk)
    assert _values(stored) | {"id": None, "created_at": None} == _values(Event.objects.get(pk=slow.pk)) | {
        "id": None,
        "created_at": None,
    }
    assert stored.props == props and stored.created_at == fast[0].created_at
    assert Event.objects.get(pk=fast[1].pk).member_id is None
    assert rows_insert([]) == []


def test_row_create_goes_through_the_orm_when_a_save_receiver_listens() -> None:
    from django.db.models.signals import post_save

    from analytics.models import Event
    from mall.rows import row_create

    seen: list[int] = []

    def receiver(sender: Any, instance: Event, created: bool, **kwargs: Any) -> None:
        seen.append(instance.pk)

    assert row_create(Event, name="a", props={}).pk is not None and seen == []
    post_save.connect(receiver, sender=Event)
    try:
        event = row_create(Event, name="b", props={"k": 1})
    finally:
        post_save.disconnect(receiver, sender=Event)
    assert seen == [event.pk]


@time_machine.travel("2026-06-18 10:00:05 +0800", tick=False)
def test_rows_insert_sends_each_column_as_the_field_would_prepare_it() -> None:
    """Integers, text, booleans and foreign key ids go as they are (issue 12); everything else
    (enums, JSON, datetimes, a 0 id, odd types) through the field, as before."""
    from django.db import connection

    from analytics.models import Event
    from mall.rows import _insert_params, _insert_plan
    from marketing.models import PromotionUsage
    from orders.models import Order, OrderLine, OrderStatus

    member, sku = MemberFactory.create(), SkuFactory.create()
    order = Order(
        no="26061810000512345678",
        member=member,
        status=OrderStatus.PENDING_PAYMENT,
        goods_amount=1200,
        discount_amount=0,
        pricing={"applied": [{"rule_id": "coupon:1", "amount": 100}]},
        address={"phone": "13800000000"},
        remark="送到门口",
        idempotency_key="k" * 32,
        expires_at=timezone.now(),
        deal_ref=None,
    )
    line = OrderLine(
        order_id=7,
        sku=sku,
        product_id=sku.product_id,
        title="口红",
        specs={"色号": "01"},
        unit_price=1200,
        qty=True,
        item_amount=1200.0,
        is_gift=False,
    )
    rows: list[list[Any]] = [
        [order],
        [line, OrderLine(order_id=8, sku_id=sku.pk, product_id=sku.product_id, qty=1, unit_price=1, is_gift=1)],  # type: ignore[misc]
        [PromotionUsage(promotion_id=3, member_id=member.pk, order_id=9, units=2)],
        [Event(name="order_placed", member_id=None, props={})],
    ]
    for objs in rows:
        _sql, fields = _insert_plan(type(objs[0]), "default", 1)  # type: ignore[arg-type]
        expected = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
        sent = _insert_params(objs, "default")
        assert sent == expected
        assert [type(value) for value in sent] == [type(value) for value in expected]
    with pytest.raises(ValueError, match="does not accept 0"):  # a 0 id is refused as the field refuses it
        _insert_params(
            [OrderLine(order_id=0, sku_id=sku.pk, product_id=sku.product_id, qty=1, unit_price=1)], "default"
        )
