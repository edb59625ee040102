"""Reads of the shopper's cart: one query for the whole cart, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.storage import FileSystemStorage

from mall.models import Product, Sku
from members.models import Member
from orders.errors import CartItemNotFound
from orders.models import CartItem

# Ids beyond a signed 64-bit integer cannot exist; refusing them early keeps every backend happy.
MAX_ID = 2**63 - 1

# One cart row or order line holds at most this many units (shops cap bulk buying).
MAX_QTY_PER_LINE = 99


# Image URLs by (storage base URL, file name): on the local file storage a URL is a function of
# those two alone, and working it out (``urljoin`` and URI quoting) was most of the cost of
# naming three images in a checkout preview (issue 12). Other storages (signed URLs) are asked.
_IMAGE_URLS_HELD = 4096
_image_urls: dict[tuple[str, str], str] = {}
# the storage of the products' main images (``FieldFile.storage`` is the field's)
_MAIN_IMAGE_STORAGE: Any = Product._meta.get_field("main_image").storage  # type: ignore[union-attr]


def product_image_url(product: Product) -> str:
    """The product's main image URL, or "" (snapshotted into order lines as it is now).

    The file name is taken as the row gave it when the field was not read yet: reading it wraps
    it in a ``FieldFile`` that points back at the product, a cycle only the garbage collector
    frees (issue 12: four per checkout preview). The URL is the storage's, as ``FieldFile.url``."""
    raw = product.__dict__.get("main_image")
    if not isinstance(raw, str):  # not loaded, or wrapped already
        image = product.main_image
        raw = image.name if image else ""
    if not raw:
        return ""
    field_storage = _MAIN_IMAGE_STORAGE
    storage = getattr(field_storage, "_wrapped", field_storage)  # default_storage is a lazy object
    if type(storage) is not FileSystemStorage:  # a subclass may sign or rewrite its URLs
        return str(field_storage.url(raw))
    key = (str(storage.base_url), raw)
    url = _image_urls.get(key)
    if url is None:
        if len(_image_urls) >= _IMAGE_URLS_HELD:
            _image_urls.clear()
        url = _image_urls[key] = str(storage.url(raw))
    return url


def sku_is_sellable(sku: Sku) -> bool:
    """Active SKU of a product on the shelf (stock is judged separately against a quantity)."""
    return sku.is_active and sku.product.is_on_shelf


@dataclass(frozen=True, kw_only=True)
class CartLineView:
    id: int
    sku_id: int
    product_id: int
    title: str
    image: str
    specs: dict[str, Any]
    price: int
    qty: int
    selected: bool
    stock: int
    available: bool


@dataclass(frozen=True, kw_only=True)
class CartView:
    items: list[CartLineView]
    selected_qty: int
    goods_amount: int


def cart_item_get_for_member(*, member: Member, item_id: int, for_update: bool = False) -> CartItem:
    """The shopper's own cart row (SKU and product loaded); someone else's is ``cart_item_not_found``.

    ``for_update`` locks the cart row only: the SKU row stays free for order placements
    (MariaDB has no ``FOR UPDATE OF``, so the join is not locked, it is read separately).
    """
    qs = CartItem.objects.filter(member=member, pk=item_id) if 0 < item_id <= MAX_ID else CartItem.objects.none()
    item = qs.select_for_update().first() if for_update else qs.select_related("sku__product").first()
    if item is None:
        raise CartItemNotFound(details={"id": item_id})
    if for_update:
        item.sku = Sku.objects.select_related("product").get(pk=item.sku_id)
    return item


def cart_line_view(item: CartItem) -> CartLineView:
    """One cart row as the page shows it (``item.sku.product`` must be loaded)."""
    sku = item.sku
    return CartLineView(
        id=item.pk,
        sku_id=sku.pk,
        product_id=sku.product_id,
        title=sku.product.title,
        image=product_image_url(sku.product),
        specs=sku.specs,
        price=sku.price,
        qty=item.qty,
        selected=item.selected,
        stock=max(sku.stock, 0),
        available=sku_is_sellable(sku) and sku.stock > 0,
    )


def cart_for_member(*, member: Member) -> CartView:
    """Everything the cart page shows, in one query (SKU and product joined).

    The summary counts selected rows that can be bought; unavailable rows stay listed so the
    shopper sees why they are greyed out.
    """
    rows = CartItem.objects.filter(member=member).select_related("sku__product").order_by("-id")
    lines = [cart_line_view(item) for item in rows]
    chosen = [line for line in lines if line.selected and line.available]
    return CartView(
        items=lines,
        selected_qty=sum(line.qty for line in chosen),
        goods_amount=sum(line.price * line.qty for line in chosen),
    )


def cart_selected_lines(*, member: Member) -> list[tuple[int, int]]:
    """``(sku_id, qty)`` of the selected cart rows: what checkout buys when no items are given."""
    return list(CartItem.objects.filter(member=member, selected=True).order_by("sku_id").values_list("sku_id", "qty"))
