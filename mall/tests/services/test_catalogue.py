"""Catalogue services: min_price upkeep, guarded stock, shelf rules, category tree rules, audit."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection

from mall.errors import (
    CategoryCycle,
    CategoryInUse,
    CategoryNameTaken,
    NotFound,
    ProductWithoutSku,
    SkuCodeTaken,
    StockWouldGoNegative,
    ValidationFailed,
)
from mall.models import AuditLog, Category, Product, Sku
from mall.services.catalogue import (
    SkuInput,
    category_create,
    category_delete,
    category_move,
    product_create,
    product_shelf_off,
    product_shelf_on,
    product_update,
    sku_stock_adjust,
    specs_from_text,
)
from mall.tests.conftest import MakeProduct
from mall.tests.factories import CategoryFactory, SkuFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


# --- products and min_price -----------------------------------------------------------


def test_product_create_sets_min_price_from_skus_and_audits_actor(make_product: MakeProduct, actor: User) -> None:
    product = make_product(prices=(8900, 5900, 12900))

    product.refresh_from_db()
    assert product.min_price == 5900
    assert product.skus.count() == 3
    row = AuditLog.objects.get(action="product.create", target_id=str(product.pk))
    assert row.actor == actor
    assert sorted(row.data["skus"]) == sorted(product.skus.values_list("code", flat=True))


def test_product_update_keeps_min_price_with_active_skus(make_product: MakeProduct, actor: User) -> None:
    product = make_product(prices=(5900, 8900))
    cheap, dear = product.skus.order_by("price")
    inputs = [
        SkuInput(id=cheap.pk, code=cheap.code, specs=cheap.specs, price=cheap.price, is_active=False),
        SkuInput(id=dear.pk, code=dear.code, specs=dear.specs, price=7900),
    ]

    product_update(actor=actor, product_id=product.pk, skus=inputs)

    product.refresh_from_db()
    assert product.min_price == 7900  # the cheap SKU is disabled, the other got cheaper
    cheap.refresh_from_db()
    assert cheap.is_active is False
    audit = AuditLog.objects.filter(action="product.update", target_id=str(product.pk)).get()
    assert audit.actor == actor
    changes = {c["code"]: c for c in audit.data["skus"]["changed"]}
    assert changes[dear.code]["price"] == 7900
    assert changes[cheap.code]["is_active"] is False


def test_product_update_disables_skus_left_out_and_adds_new_ones(make_product: MakeProduct, actor: User) -> None:
    product = make_product(prices=(5900, 6900))
    first, second = product.skus.order_by("pk")
    inputs = [
        SkuInput(id=second.pk, code=second.code, specs=second.specs, price=second.price),
        SkuInput(code="NEW-1", specs={"规格": "款9"}, price=4900, stock=7),
    ]

    product_update(actor=actor, product_id=product.pk, skus=inputs)

    first.refresh_from_db()
    assert first.is_active is False
    new = Sku.objects.get(code="NEW-1")
    assert (new.product_id, new.stock, new.price) == (product.pk, 7, 4900)
    product.refresh_from_db()
    assert product.min_price == 4900


def test_product_update_stock_delta_keeps_units_sold_meanwhile(make_product: MakeProduct, actor: User) -> None:
    product = make_product(stock=10)
    sku = product.skus.get()
    Sku.objects.filter(pk=sku.pk).update(stock=7)  # three sold while the merchant's page was open

    product_update(
        actor=actor,
        product_id=product.pk,
        skus=[SkuInput(id=sku.pk, code=sku.code, specs=sku.specs, price=sku.price, stock_delta=5)],
    )

    sku.refresh_from_db()
    assert sku.stock == 12
    assert AuditLog.objects.filter(action="sku.stock_adjust", target_id=str(sku.pk), actor=actor).count() == 1


def test_product_rules_refuse_bad_skus(make_product: MakeProduct, category: Category, actor: User) -> None:
    def create(**kwargs: Any) -> Product:
        defaults: dict[str, Any] = {"actor": actor, "category_id": category.pk, "title": "口红", "spec_names": ["色号"]}
        return product_create(**{**defaults, **kwargs})

    with pytest.raises(ValidationFailed) as wrong_specs:
        create(skus=[SkuInput(code="A", specs={"颜色": "红"}, price=100)])
    assert wrong_specs.value.details["field"] == "skus"
    with pytest.raises(ValidationFailed):
        create(
            skus=[SkuInput(code="A", specs={"色号": "红"}, price=1), SkuInput(code="A", specs={"色号": "蓝"}, price=1)]
        )
    with pytest.raises(ValidationFailed):
        create(
            skus=[SkuInput(code="A", specs={"色号": "红"}, price=1), SkuInput(code="B", specs={"色号": "红"}, price=1)]
        )
    with pytest.raises(ValidationFailed) as cycle:
        create(skus=[SkuInput(code="A", specs={"色号": "红"}, price=1)], is_consumable=True)
    assert cycle.value.details["field"] == "replenish_cycle_days"
    with pytest.raises(ProductWithoutSku):
        create(skus=[])
    assert not Product.objects.exists()


def test_sku_code_of_another_product_is_refused(make_product: MakeProduct, actor: User) -> None:
    first = make_product()
    second = make_product()
    taken = first.skus.get().code
    sku = second.skus.get()

    with pytest.raises(SkuCodeTaken):
        product_update(
            actor=actor,
            product_id=second.pk,
            skus=[SkuInput(id=sku.pk, code=taken, specs=sku.specs, price=sku.price)],
        )
    sku.refresh_from_db()
    assert sku.code != taken


def test_product_update_unknown_product_is_not_found(actor: User) -> None:
    with pytest.raises(NotFound):
        product_update(actor=actor, product_id=987654, fields={"title": "x"})


# --- stock ------------------------------------------------------------------------------


def test_sku_stock_adjust_moves_stock_and_audits(actor: User) -> None:
    sku = SkuFactory.create(stock=10)

    after = sku_stock_adjust(sku_id=sku.pk, delta=-4, actor=actor, reason="盘点")

    assert after.stock == 6
    row = AuditLog.objects.get(action="sku.stock_adjust")
    assert row.actor == actor
    assert row.data == {"code": sku.code, "delta": -4, "stock_after": 6, "reason": "盘点"}


def test_sku_stock_adjust_never_goes_below_zero(actor: User) -> None:
    sku = SkuFactory.create(stock=3)

    with pytest.raises(StockWouldGoNegative) as refused:
        sku_stock_adjust(sku_id=sku.pk, delta=-4, actor=actor, reason="破损")

    assert refused.value.details["stock"] == 3
    sku.refresh_from_db()
    assert sku.stock == 3
    assert not AuditLog.objects.filter(action="sku.stock_adjust").exists()


def test_sku_stock_adjust_refuses_zero_unknown_and_reasonless(actor: User) -> None:
    sku = SkuFactory.create(stock=3)
    with pytest.raises(ValidationFailed):
        sku_stock_adjust(sku_id=sku.pk, delta=0, actor=actor, reason="x")
    with pytest.raises(ValidationFailed):
        sku_stock_adjust(sku_id=sku.pk, delta=1, actor=actor, reason="  ")
    with pytest.raises(NotFound):
        sku_stock_adjust(sku_id=sku.pk + 1000, delta=1, actor=actor, reason="到货")


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_stock_decrements_cannot_oversell() -> None:
    """Eight threads each take 3 of 10 units: exactly three succeed and stock ends at 1."""
    sku = SkuFactory.create(stock=10)
    staff = StaffUserFactory.create(username="stocker")
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def take() -> None:
        try:
            barrier.wait()
            sku_stock_adjust(sku_id=sku.pk, delta=-3, actor=staff, reason="出库")
            result = "ok"
        except StockWouldGoNegative:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sku.refresh_from_db()
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 5
    assert sku.stock == 1
    assert AuditLog.objects.filter(action="sku.stock_adjust").count() == 3


# --- shelf ----------------------------------------------------------------------------


def test_shelf_off_and_on_are_audited_and_idempotent(make_product: MakeProduct, actor: User) -> None:
    product = make_product()

    product_shelf_off(product_id=product.pk, actor=actor)
    product_shelf_off(product_id=product.pk, actor=actor)
    product_shelf_on(product_id=product.pk, actor=actor)

    product.refresh_from_db()
    assert product.is_on_shelf is True
    actions = list(
        AuditLog.objects.filter(target_id=str(product.pk), action__startswith="product.shelf")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["product.shelf_off", "product.shelf_on"]


def test_shelf_on_needs_an_active_sku(make_product: MakeProduct, actor: User) -> None:
    product = make_product(is_on_shelf=False)
    product.skus.update(is_active=False)

    with pytest.raises(ProductWithoutSku):
        product_shelf_on(product_id=product.pk, actor=actor)
    product.refresh_from_db()
    assert product.is_on_shelf is False


# --- categories -------------------------------------------------------------------------


def test_category_move_refuses_cycles(actor: User) -> None:
    root = category_create(actor=actor, name="美妆")
    child = category_create(actor=actor, name="护肤", parent_id=root.pk)
    grandchild = category_create(actor=actor, name="精华", parent_id=child.pk)

    with pytest.raises(CategoryCycle):
        category_move(actor=actor, category_id=root.pk, parent_id=grandchild.pk)
    with pytest.raises(CategoryCycle):
        category_move(actor=actor, category_id=child.pk, parent_id=child.pk)

    root.refresh_from_db()
    assert root.parent_id is None
    assert not AuditLog.objects.filter(action="category.move").exists()


def test_category_move_reparents_and_audits(actor: User) -> None:
    beauty = category_create(actor=actor, name="美妆")
    snacks = category_create(actor=actor, name="零食")
    masks = category_create(actor=actor, name="面膜", parent_id=beauty.pk)

    category_move(actor=actor, category_id=masks.pk, parent_id=snacks.pk)

    masks.refresh_from_db()
    assert masks.parent_id == snacks.pk
    row = AuditLog.objects.get(action="category.move")
    assert (row.actor, row.data) == (actor, {"from": beauty.pk, "to": snacks.pk})


def test_category_names_are_unique_per_parent_even_at_top_level(actor: User) -> None:
    top = category_create(actor=actor, name="零食")
    category_create(actor=actor, name="坚果", parent_id=top.pk)

    with pytest.raises(CategoryNameTaken):
        category_create(actor=actor, name="零食")
    with pytest.raises(CategoryNameTaken):
        category_create(actor=actor, name="坚果", parent_id=top.pk)
    assert category_create(actor=actor, name="坚果").parent_id is None  # same name elsewhere is fine


def test_category_delete_refuses_categories_in_use(make_product: MakeProduct, actor: User) -> None:
    used = make_product().category
    parent = CategoryFactory.create()
    CategoryFactory.create(parent=parent)
    empty = CategoryFactory.create()

    with pytest.raises(CategoryInUse):
        category_delete(actor=actor, category_id=used.pk)
    with pytest.raises(CategoryInUse):
        category_delete(actor=actor, category_id=parent.pk)
    category_delete(actor=actor, category_id=empty.pk)

    assert not Category.objects.filter(pk=empty.pk).exists()
    assert AuditLog.objects.filter(action="category.delete", target_id=str(empty.pk)).exists()


# --- text formats ----------------------------------------------------------------------


def test_specs_text_accepts_half_and_full_width_marks() -> None:
    assert specs_from_text("颜色=红; 尺码：M；容量:50ml") == {"颜色": "红", "尺码": "M", "容量": "50ml"}
    assert specs_from_text("") == {}
    with pytest.raises(ValidationFailed):
        specs_from_text("颜色红")
    with pytest.raises(ValidationFailed):
        specs_from_text("颜色=红; 颜色=蓝")
