"""Catalogue writes (P01): categories, tags, products with their SKUs and images, stock, shelf state.

Every change runs in one transaction, writes an audit row with the acting staff user and
bumps the catalogue cache version (now, and again after commit so a read that raced the
commit cannot keep stale data). ``Product.min_price`` is kept equal to the lowest price of
the product's active SKUs here and nowhere else. Stock only moves through guarded
``UPDATE … WHERE stock >= n`` statements, so it cannot go below zero however requests race.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files import File
from django.db import transaction
from django.db.models import F, Min
from django.utils.translation import gettext as _

from mall.errors import (
    CategoryCycle,
    CategoryInUse,
    CategoryNameTaken,
    NotFound,
    ProductTagNameTaken,
    ProductWithoutSku,
    SkuCodeTaken,
    StockWouldGoNegative,
    ValidationFailed,
)
from mall.models import Category, Product, ProductImage, ProductTag, Sku
from mall.selectors.catalogue import catalogue_cache_bump
from mall.services.audit import audit_record

Actor = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True)
class SkuInput:
    """One SKU as the console or an import sends it.

    ``stock`` sets an absolute level (new SKUs, stock-take imports); ``stock_delta`` moves the
    level relative to whatever it is now (console edits), so units locked by orders placed
    meanwhile are not overwritten. ``id`` lets the console rename an existing SKU's code.
    """

    code: str
    price: int
    specs: Mapping[str, str] = field(default_factory=dict)
    stock: int | None = None
    stock_delta: int = 0
    is_active: bool = True
    id: int | None = None
    # Issue 15 (margin): the unit cost in fen (None = unknown). ``keep_cost_price`` leaves an
    # existing SKU's cost alone (callers that do not edit costs); False writes ``cost_price``.
    cost_price: int | None = None
    keep_cost_price: bool = True


@dataclass(frozen=True)
class ImageInput:
    """A gallery change: add (no id), replace or re-sort (id), or delete (id, delete=True)."""

    id: int | None = None
    image: File | str | None = None
    sort_order: int = 0
    delete: bool = False


PRODUCT_FIELDS = (
    "category_id",
    "title",
    "subtitle",
    "description",
    "main_image",
    "spec_names",
    "is_on_shelf",
    "is_consumable",
    "replenish_cycle_days",
    "free_shipping",
)


# --- text formats shared by the console and imports ----------------------------------

_SPEC_PAIR_SPLIT = re.compile(r"[;；\n]")
_SPEC_KV_SPLIT = re.compile(r"[=:：]")
_LIST_SPLIT = re.compile(r"[,，、]")


def specs_from_text(text: str) -> dict[str, str]:
    """``"颜色=红; 尺码=M"`` → ``{"颜色": "红", "尺码": "M"}`` (``:`` and full-width marks work too)."""
    specs: dict[str, str] = {}
    for pair in _SPEC_PAIR_SPLIT.split(text or ""):
        if not pair.strip():
            continue
        parts = _SPEC_KV_SPLIT.split(pair, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ValidationFailed(_("规格应写成“规格名=规格值”，多个用分号分隔：%(text)s") % {"text": pair.strip()})
        name = parts[0].strip()
        if name in specs:
            raise ValidationFailed(_("规格名重复：%(name)s") % {"name": name})
        specs[name] = parts[1].strip()
    return specs


def specs_to_text(specs: Mapping[str, Any]) -> str:
    return "; ".join(f"{name}={value}" for name, value in specs.items())


def names_from_text(text: str) -> list[str]:
    """``"颜色, 尺码"`` → ``["颜色", "尺码"]`` (also ，and 、)."""
    return [part.strip() for part in _LIST_SPLIT.split(text or "") if part.strip()]


# --- helpers --------------------------------------------------------------------------


def _bump_cache() -> None:
    catalogue_cache_bump()
    transaction.on_commit(catalogue_cache_bump)


def _recompute_min_price(product: Product) -> None:
    low = product.skus.filter(is_active=True).aggregate(low=Min("price"))["low"]
    product.min_price = low or 0
    Product.objects.filter(pk=product.pk).update(min_price=product.min_price)


def product_validate(
    *,
    title: str,
    spec_names: Sequence[str],
    skus: Sequence[SkuInput],
    is_on_shelf: bool,
    is_consumable: bool,
    replenish_cycle_days: int | None,
) -> None:
    """The product rules, without writing: the console calls it to show errors beside the form.

    Raises ``ValidationFailed`` (or ``ProductWithoutSku``) with ``details`` naming the field.
    """
    if not title.strip():
        raise ValidationFailed(_("请填写商品标题。"), details={"field": "title"})
    if len(set(spec_names)) != len(spec_names) or any(not str(n).strip() for n in spec_names):
        raise ValidationFailed(_("规格名不能为空或重复。"), details={"field": "spec_names"})
    if is_consumable and not replenish_cycle_days:
        raise ValidationFailed(_("消耗品需要填写复购周期（天）。"), details={"field": "replenish_cycle_days"})
    codes: set[str] = set()
    combos: set[tuple[str, ...]] = set()
    names = set(spec_names)
    for sku in skus:
        code = sku.code.strip()
        if not code:
            raise ValidationFailed(_("SKU 编码不能为空。"), details={"field": "skus"})
        if code in codes:
            raise ValidationFailed(
                _("SKU 编码重复：%(code)s") % {"code": code}, details={"field": "skus", "code": code}
            )
        codes.add(code)
        if set(sku.specs) != names or any(not str(v).strip() for v in sku.specs.values()):
            raise ValidationFailed(
                _("SKU %(code)s 的规格必须正好填写：%(names)s") % {"code": code, "names": "、".join(spec_names) or "-"},
                details={"field": "skus", "code": code},
            )
        if sku.price < 0:
            raise ValidationFailed(_("SKU %(code)s 的价格不能为负。") % {"code": code}, details={"field": "skus"})
        if sku.stock is not None and sku.stock < 0:
            raise ValidationFailed(_("SKU %(code)s 的库存不能为负。") % {"code": code}, details={"field": "skus"})
        if sku.is_active:
            combo = tuple(str(sku.specs[n]) for n in spec_names)
            if combo in combos:
                raise ValidationFailed(
                    _("规格组合重复：%(combo)s") % {"combo": " / ".join(combo)},
                    details={"field": "skus", "code": code},
                )
            combos.add(combo)
    if is_on_shelf and not any(s.is_active for s in skus):
        raise ProductWithoutSku(details={"field": "skus"})


def _check_codes_free(codes: Iterable[str], product_id: int | None) -> None:
    taken = Sku.objects.filter(code__in=list(codes))
    if product_id is not None:
        taken = taken.exclude(product_id=product_id)
    code = taken.values_list("code", flat=True).first()
    if code is not None:
        raise SkuCodeTaken(details={"field": "skus", "code": code})


def _check_category(category_id: int) -> None:
    if not Category.objects.filter(pk=category_id).exists():
        raise ValidationFailed(_("分类不存在。"), details={"field": "category", "category_id": category_id})


def _set_tags(product: Product, tag_ids: Iterable[int]) -> list[str]:
    tags = list(ProductTag.objects.filter(pk__in=list(tag_ids)))
    product.tags.set(tags)
    return sorted(t.name for t in tags)


def _sync_skus(product: Product, skus: Sequence[SkuInput], actor: Actor) -> dict[str, Any]:
    """Upserts SKUs by id or code, deactivates the ones left out, applies stock. Returns a summary."""
    existing = {s.pk: s for s in product.skus.select_for_update().order_by("pk")}
    by_code = {s.code: s for s in existing.values()}
    created, changed, kept = [], [], set()
    stock_moves: list[tuple[Sku, int]] = []
    for item in skus:
        code = item.code.strip()
        sku = existing.get(item.id) if item.id is not None else by_code.get(code)
        if sku is None:
            sku = Sku.objects.create(
                product=product,
                code=code,
                specs=dict(item.specs),
                price=item.price,
                cost_price=item.cost_price,
                stock=(item.stock or 0) + item.stock_delta,
                is_active=item.is_active,
            )
            created.append(code)
            kept.add(sku.pk)
            continue
        kept.add(sku.pk)
        updates: dict[str, Any] = {}
        if sku.code != code:
            updates["code"] = code
        if sku.specs != dict(item.specs):
            updates["specs"] = dict(item.specs)
        if sku.price != item.price:
            updates["price"] = item.price
        if sku.is_active != item.is_active:
            updates["is_active"] = item.is_active
        if not item.keep_cost_price and sku.cost_price != item.cost_price:
            updates["cost_price"] = item.cost_price
        if updates:
            Sku.objects.filter(pk=sku.pk).update(**updates)
            changed.append({"code": code, **{k: v for k, v in updates.items() if k != "specs"}})
        if item.stock is not None and item.stock != sku.stock:
            stock_moves.append((sku, item.stock - sku.stock))
        if item.stock_delta:
            stock_moves.append((sku, item.stock_delta))
    deactivated = [s.code for pk, s in existing.items() if pk not in kept and s.is_active]
    if deactivated:
        Sku.objects.filter(product=product, code__in=deactivated).update(is_active=False)
    for sku, delta in stock_moves:
        _stock_move(sku_id=sku.pk, delta=delta, actor=actor, reason=_("编辑商品"))
    return {"created": created, "changed": changed, "deactivated": deactivated}


def _save_images(product: Product, images: Sequence[ImageInput]) -> dict[str, int]:
    counts = {"added": 0, "changed": 0, "deleted": 0}
    current = {img.pk: img for img in product.images.all()}
    for item in images:
        if item.id is not None:
            img = current.get(item.id)
            if img is None:
                raise NotFound(_("图片不存在。"), details={"image_id": item.id})
            if item.delete:
                img.delete()
                counts["deleted"] += 1
                continue
            if item.image:
                img.image = item.image  # type: ignore[assignment]
            img.sort_order = item.sort_order
            img.save()
            counts["changed"] += 1
        elif item.image and not item.delete:
            ProductImage.objects.create(product=product, image=item.image, sort_order=item.sort_order)
            counts["added"] += 1
    return counts


def _stock_move(*, sku_id: int, delta: int, actor: Actor, reason: str) -> Sku:
    qs = Sku.objects.filter(pk=sku_id)
    if delta < 0:
        qs = qs.filter(stock__gte=-delta)
    if not qs.update(stock=F("stock") + delta):
        current = Sku.objects.filter(pk=sku_id).values_list("stock", flat=True).first()
        if current is None:
            raise NotFound(_("SKU 不存在。"), details={"sku_id": sku_id})
        raise StockWouldGoNegative(details={"sku_id": sku_id, "delta": delta, "stock": current})
    sku = Sku.objects.get(pk=sku_id)
    audit_record(
        actor=actor,
        action="sku.stock_adjust",
        target=sku,
        data={"code": sku.code, "delta": delta, "stock_after": sku.stock, "reason": reason},
    )
    return sku


# --- products -------------------------------------------------------------------------


@transaction.atomic
def product_create(
    *,
    actor: Actor,
    category_id: int,
    title: str,
    skus: Sequence[SkuInput],
    subtitle: str = "",
    description: str = "",
    spec_names: Sequence[str] = (),
    tag_ids: Iterable[int] = (),
    is_on_shelf: bool = True,
    is_consumable: bool = False,
    replenish_cycle_days: int | None = None,
    free_shipping: bool = False,
    main_image: File | str | None = None,
    images: Sequence[ImageInput] = (),
) -> Product:
    """Creates a product with its SKUs (and gallery), sets ``min_price``, audits."""
    spec_names = [str(n).strip() for n in spec_names]
    product_validate(
        title=title,
        spec_names=spec_names,
        skus=skus,
        is_on_shelf=is_on_shelf,
        is_consumable=is_consumable,
        replenish_cycle_days=replenish_cycle_days,
    )
    _check_category(category_id)
    _check_codes_free((s.code.strip() for s in skus), None)
    product = Product(
        category_id=category_id,
        title=title.strip(),
        subtitle=subtitle.strip(),
        description=description,
        spec_names=spec_names,
        is_on_shelf=is_on_shelf,
        is_consumable=is_consumable,
        replenish_cycle_days=replenish_cycle_days or None,
        free_shipping=free_shipping,
    )
    if main_image:
        product.main_image = main_image  # type: ignore[assignment]
    product.save()
    tags = _set_tags(product, tag_ids)
    summary = _sync_skus(product, skus, actor)
    gallery = _save_images(product, images)
    _recompute_min_price(product)
    audit_record(
        actor=actor,
        action="product.create",
        target=product,
        data={"title": product.title, "skus": summary["created"], "tags": tags, "images": gallery["added"]},
    )
    _bump_cache()
    return product


@transaction.atomic
def product_update(
    *,
    actor: Actor,
    product_id: int,
    fields: Mapping[str, Any] | None = None,
    tag_ids: Iterable[int] | None = None,
    skus: Sequence[SkuInput] | None = None,
    images: Sequence[ImageInput] = (),
) -> Product:
    """Changes the given product fields; ``skus`` (when given) is the full list: left-out SKUs are disabled.

    ``fields`` may hold any of ``PRODUCT_FIELDS``. Keeps ``min_price`` in step, audits what changed.
    """
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFound(details={"product_id": product_id})
    fields = dict(fields or {})
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationFailed(details={"unknown_fields": sorted(unknown)})
    if "spec_names" in fields:
        fields["spec_names"] = [str(n).strip() for n in fields["spec_names"]]
    if "category_id" in fields:
        _check_category(fields["category_id"])
    merged = {name: fields.get(name, getattr(product, name)) for name in PRODUCT_FIELDS}
    if skus is None:
        current_skus = [
            SkuInput(code=s.code, price=s.price, specs=s.specs, is_active=s.is_active, id=s.pk)
            for s in product.skus.order_by("pk")
        ]
    else:
        current_skus = list(skus)
        _check_codes_free((s.code.strip() for s in skus), product.pk)
    product_validate(
        title=str(merged["title"]),
        spec_names=list(merged["spec_names"] or []),
        skus=current_skus,
        is_on_shelf=bool(merged["is_on_shelf"]),
        is_consumable=bool(merged["is_consumable"]),
        replenish_cycle_days=merged["replenish_cycle_days"],
    )
    changed = []
    for name, value in fields.items():
        if name == "main_image":
            product.main_image = value or ""
            changed.append(name)
        elif getattr(product, name) != value:
            setattr(product, name, value.strip() if name in ("title", "subtitle") else value)
            changed.append(name)
    if changed:
        product.save()
    data: dict[str, Any] = {"fields": sorted(changed)}
    if tag_ids is not None:
        data["tags"] = _set_tags(product, tag_ids)
    if skus is not None:
        data["skus"] = _sync_skus(product, skus, actor)
    if images:
        data["images"] = _save_images(product, images)
    _recompute_min_price(product)
    audit_record(actor=actor, action="product.update", target=product, data=data)
    _bump_cache()
    return product


def _shelf_set(*, product_id: int, on: bool, actor: Actor) -> Product:
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFound(details={"product_id": product_id})
    if product.is_on_shelf == on:
        return product
    if on and not product.skus.filter(is_active=True).exists():
        raise ProductWithoutSku(details={"product_id": product_id})
    product.is_on_shelf = on
    product.save(update_fields=["is_on_shelf", "updated_at"])
    audit_record(actor=actor, action="product.shelf_on" if on else "product.shelf_off", target=product)
    _bump_cache()
    return product


@transaction.atomic
def product_shelf_on(*, product_id: int, actor: Actor) -> Product:
    """Puts a product on sale; refused without an active SKU. Idempotent (no audit when already on)."""
    return _shelf_set(product_id=product_id, on=True, actor=actor)


@transaction.atomic
def product_shelf_off(*, product_id: int, actor: Actor) -> Product:
    """Takes a product off sale (it stays visible by direct link as off-shelf). Idempotent."""
    return _shelf_set(product_id=product_id, on=False, actor=actor)


@transaction.atomic
def sku_stock_adjust(*, sku_id: int, delta: int, actor: Actor, reason: str) -> Sku:
    """Moves a SKU's stock by ``delta`` (a stock-take, a delivery, breakage), never below zero; audited."""
    if delta == 0:
        raise ValidationFailed(_("调整数量不能为 0。"), details={"field": "delta"})
    if not reason.strip():
        raise ValidationFailed(_("请填写调整原因。"), details={"field": "reason"})
    sku = _stock_move(sku_id=sku_id, delta=delta, actor=actor, reason=reason.strip())
    _bump_cache()
    return sku


# --- categories -----------------------------------------------------------------------


def _check_name_free(*, name: str, parent_id: int | None, exclude_id: int | None = None) -> None:
    qs = Category.objects.filter(name=name, parent_id=parent_id)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    if qs.exists():
        raise CategoryNameTaken(details={"name": name})


@transaction.atomic
def category_create(
    *,
    actor: Actor,
    name: str,
    parent_id: int | None = None,
    sort_order: int = 0,
    icon: File | str | None = None,
    is_active: bool = True,
) -> Category:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写分类名称。"), details={"field": "name"})
    if parent_id is not None and not Category.objects.filter(pk=parent_id).exists():
        raise ValidationFailed(_("上级分类不存在。"), details={"field": "parent"})
    _check_name_free(name=name, parent_id=parent_id)
    category = Category(name=name, parent_id=parent_id, sort_order=sort_order, is_active=is_active)
    if icon:
        category.icon = icon  # type: ignore[assignment]
    category.save()
    audit_record(actor=actor, action="category.create", target=category, data={"name": name, "parent": parent_id})
    _bump_cache()
    return category


@transaction.atomic
def category_move(*, actor: Actor, category_id: int, parent_id: int | None, sort_order: int | None = None) -> Category:
    """Re-parents a category; refuses to put it under itself or one of its descendants.

    Locks every category row in id order first (categories are few and moves are rare), so two
    moves racing to put A under B and B under A cannot both pass the cycle check.
    """
    parents = dict(Category.objects.select_for_update().order_by("pk").values_list("id", "parent_id"))
    if category_id not in parents:
        raise NotFound(details={"category_id": category_id})
    if parent_id is not None and parent_id not in parents:
        raise ValidationFailed(_("上级分类不存在。"), details={"field": "parent"})
    ancestor = parent_id
    while ancestor is not None:
        if ancestor == category_id:
            raise CategoryCycle(details={"category_id": category_id, "parent_id": parent_id})
        ancestor = parents.get(ancestor)
    category = Category.objects.get(pk=category_id)
    old_parent = category.parent_id
    if old_parent != parent_id:
        _check_name_free(name=category.name, parent_id=parent_id, exclude_id=category_id)
    category.parent_id = parent_id
    if sort_order is not None:
        category.sort_order = sort_order
    category.save()
    audit_record(actor=actor, action="category.move", target=category, data={"from": old_parent, "to": parent_id})
    _bump_cache()
    return category


@transaction.atomic
def category_update(
    *,
    actor: Actor,
    category_id: int,
    name: str | None = None,
    sort_order: int | None = None,
    icon: File | str | None = None,
    is_active: bool | None = None,
) -> Category:
    """Renames, re-sorts, changes the icon or (de)activates a category; moving is ``category_move``."""
    category = Category.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(details={"category_id": category_id})
    changed: dict[str, Any] = {}
    if name is not None and name.strip() != category.name:
        if not name.strip():
            raise ValidationFailed(_("请填写分类名称。"), details={"field": "name"})
        _check_name_free(name=name.strip(), parent_id=category.parent_id, exclude_id=category_id)
        changed["name"] = category.name = name.strip()
    if sort_order is not None and sort_order != category.sort_order:
        changed["sort_order"] = category.sort_order = sort_order
    if is_active is not None and is_active != category.is_active:
        changed["is_active"] = category.is_active = is_active
    if icon is not None:
        category.icon = icon or ""  # type: ignore[assignment]
        changed["icon"] = True
    if changed:
        category.save()
        audit_record(actor=actor, action="category.update", target=category, data=changed)
        _bump_cache()
    return category


@transaction.atomic
def category_delete(*, actor: Actor, category_id: int) -> None:
    """Deletes an empty category (no children, no products); otherwise disable it instead."""
    category = Category.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(details={"category_id": category_id})
    if category.children.exists() or category.products.exists():
        raise CategoryInUse(details={"category_id": category_id})
    audit_record(actor=actor, action="category.delete", target=category, data={"name": category.name})
    category.delete()
    _bump_cache()


# --- tags -----------------------------------------------------------------------------


@transaction.atomic
def product_tag_create(*, actor: Actor, name: str) -> ProductTag:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写标签名称。"), details={"field": "name"})
    if ProductTag.objects.filter(name=name).exists():
        raise ProductTagNameTaken(details={"name": name})
    tag = ProductTag.objects.create(name=name)
    audit_record(actor=actor, action="product_tag.create", target=tag, data={"name": name})
    _bump_cache()
    return tag


@transaction.atomic
def product_tag_rename(*, actor: Actor, tag_id: int, name: str) -> ProductTag:
    tag = ProductTag.objects.select_for_update().filter(pk=tag_id).first()
    if tag is None:
        raise NotFound(details={"tag_id": tag_id})
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写标签名称。"), details={"field": "name"})
    if name != tag.name:
        if ProductTag.objects.filter(name=name).exclude(pk=tag_id).exists():
            raise ProductTagNameTaken(details={"name": name})
        old, tag.name = tag.name, name
        tag.save(update_fields=["name"])
        audit_record(actor=actor, action="product_tag.rename", target=tag, data={"from": old, "to": name})
        _bump_cache()
    return tag


@transaction.atomic
def product_tag_delete(*, actor: Actor, tag_id: int) -> None:
    tag = ProductTag.objects.filter(pk=tag_id).first()
    if tag is None:
        raise NotFound(details={"tag_id": tag_id})
    audit_record(actor=actor, action="product_tag.delete", target=tag, data={"name": tag.name})
    tag.delete()
    _bump_cache()


def product_tag_ids_for_names(*, actor: Actor, names: Iterable[str]) -> list[int]:
    """Tag ids for names, creating missing tags (imports name tags rather than numbering them)."""
    ids = []
    for name in names:
        tag = ProductTag.objects.filter(name=name.strip()).first() or product_tag_create(actor=actor, name=name)
        ids.append(tag.pk)
    return ids
