"""Catalogue reads for the mini-program (P01, F40): the category tree, product lists, detail, home.

Each read fetches what its screen needs in a fixed number of queries, whatever the number of
rows. Detail, home and the tree are plain dicts kept briefly in the Django cache under one
*catalogue version*: every catalogue service bumps the version, so a merchant's change is
visible on the next request instead of after the time-out. Each cache entry stores the
version it was built under, so one ``get_many`` round trip returns both and says whether the
entry is still good (Redis in production; a local-memory cache per process otherwise, where
other processes see a change within the entry's short time-out).

Product cards and the product page also carry the product's offers (F11's limited discount
with its countdown window, from ``marketing.selectors.product_offers``). Those entries also
store the pricing-rules version and the moment the next offer starts or ends: an entry is
good only under both versions and before that moment (checked against the clock on read,
not left to the cache's time-out), so a promotion that starts, ends or is edited shows on
the next request. When only an entry's time is up, the first request rebuilds it and the
requests arriving meanwhile (a busy home screen: dozens) answer from it for at most
``STALE_GRACE_SECONDS`` instead of all rebuilding at once. The server time itself is never cached.

Each process also holds the offer-carrying entries it read (``HeldEntry``), good under the same
rule: a hit reads only the two versions, and the API renders the held page's JSON once.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from mall.errors import NotFound
from mall.models import Category, Product, ProductImage, Sku
from marketing.selectors.marketing_centre import CENTRE_TTL_SECONDS, marketing_centre_data
from marketing.selectors.product_offers import (
    OFFERS_VERSION_KEY,
    ProductOffers,
    product_offers_for,
    product_offers_version,
)
from members.selectors.early_access import (
    early_access_allows,
    early_access_next_change,
    early_access_product_ids,
    early_access_schedule,
)

T = TypeVar("T")
NO_OFFERS = ProductOffers(by_product={}, valid_until=None)

CACHE_VERSION_KEY = "catalogue:version"
DETAIL_TTL_SECONDS = 10
LIST_TTL_SECONDS = 10
HOME_TTL_SECONDS = 30
TREE_TTL_SECONDS = 60
# An entry whose time is up (not its versions) answers for at most this long more, and only
# while one request rebuilds it (REBUILD_HOLD: how long that request may take).
STALE_GRACE_SECONDS = 5
REBUILD_HOLD = 5
HOME_LIST_SIZE = 8
HOME_BANNER_COUNT = 3

ProductSort = Literal["sales", "price", "-price", "new"]
PRODUCT_SORTS: dict[str, tuple[str, ...]] = {
    "sales": ("-sales_count", "-id"),
    "price": ("min_price", "id"),
    "-price": ("-min_price", "-id"),
    "new": ("-created_at", "-id"),
}


# --- cache ----------------------------------------------------------------------------


def catalogue_cache_bump() -> None:
    """Makes every cached catalogue entry stale (called by the catalogue services)."""
    cache.set(CACHE_VERSION_KEY, time.time_ns(), timeout=None)


def _catalogue_version(found: dict[str, Any]) -> Any:
    version = found.get(CACHE_VERSION_KEY)
    if version is None:
        cache.add(CACHE_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(CACHE_VERSION_KEY)
    return version


def _cached(key: str, ttl: int, build: Callable[[], T]) -> T:
    found = cache.get_many([CACHE_VERSION_KEY, key])
    version = _catalogue_version(found)
    entry = found.get(key)
    if entry is not None and len(entry) == 2 and entry[0] == version:
        return entry[1]  # type: ignore[no-any-return]
    value = build()
    cache.set(key, (version, value), ttl)
    return value


class HeldEntry:
    """One cached payload as this process holds it: the versions and the moment it was built
    for, the value, and its JSON renderings (by language) filled in by the API on first use."""

    __slots__ = ("expires", "offers_version", "rendered", "value", "version")

    def __init__(self, version: Any, offers_version: Any, expires: float, value: Any) -> None:
        self.version = version
        self.offers_version = offers_version
        self.expires = expires
        self.value = value
        self.rendered: dict[str, bytes] = {}

    def current(self, versions: tuple[Any, Any], now: float) -> bool:
        return self.version == versions[0] and self.offers_version == versions[1] and now < self.expires


# This process's copies of the offer-carrying entries it last read or built, by cache key. A
# hit costs one small round trip (the two versions) instead of fetching and unpickling the whole
# payload, and the API renders it to JSON once (issue 12); it is good under exactly the rule of
# the shared entry (both versions and its moment), so a merchant's change shows just as soon.
HELD_MAX = 4096
_held: dict[str, HeldEntry] = {}


def cache_versions() -> tuple[Any, Any]:
    """The catalogue and pricing-rules versions every cached page is checked against (one round trip)."""
    found = cache.get_many([CACHE_VERSION_KEY, OFFERS_VERSION_KEY])
    return _catalogue_version(found), found.get(OFFERS_VERSION_KEY) or product_offers_version()


def _cached_with_offers(key: str, ttl: int, build: Callable[[datetime], tuple[T, datetime | None]]) -> T:
    """``_cached`` for payloads that show offers: ``build(now)`` returns the payload and the
    moment it stops being true (the next offer start or end), and the entry is also tied to
    the pricing-rules version."""
    return _held_entry(key, ttl, build).value  # type: ignore[no-any-return]


def _held_entry(
    key: str,
    ttl: int,
    build: Callable[[datetime], tuple[Any, datetime | None]],
    versions: tuple[Any, Any] | None = None,
) -> HeldEntry:
    """The entry of ``key``: this process's copy when still current, else the shared cache's
    (then held), else built now. ``versions`` from :func:`cache_versions` when the caller
    checks several entries under one read of them."""
    versions = versions or cache_versions()
    version, offers_version = versions
    now = timezone.now()
    held = _held.get(key)
    if held is not None and held.current(versions, now.timestamp()):
        return held
    found_entry = cache.get(key)
    entry: tuple[Any, Any, float, Any] | None = None
    if (
        found_entry is not None
        and len(found_entry) == 4
        and found_entry[0] == version
        and found_entry[1] == offers_version
    ):
        entry = found_entry  # built under the current versions
    if entry is not None and now.timestamp() < entry[2]:
        return _hold(key, HeldEntry(*entry))
    if (
        entry is not None
        and now.timestamp() < entry[2] + STALE_GRACE_SECONDS
        and not cache.add(f"{key}:rebuild", 1, REBUILD_HOLD)
    ):
        # Same versions, only its time is up, and another request is rebuilding it: this one
        # answers from the entry meanwhile instead of every request rebuilding at once (a
        # merchant's change moves a version, and then nobody is answered from the old entry).
        return HeldEntry(*entry)  # not held: its time is up
    value, valid_until = build(now)
    expires = now + timedelta(seconds=ttl)
    if valid_until is not None and valid_until < expires:
        expires = valid_until
    timeout = max(1, math.ceil((expires - now).total_seconds())) + STALE_GRACE_SECONDS
    cache.set(key, (version, offers_version, expires.timestamp(), value), timeout)
    cache.delete(f"{key}:rebuild")
    return _hold(key, HeldEntry(version, offers_version, expires.timestamp(), value))


def _hold(key: str, entry: HeldEntry) -> HeldEntry:
    if len(_held) >= HELD_MAX:
        _held.clear()
    _held[key] = entry
    return entry


def held_entries_clear() -> None:
    """Forget this process's copies (tests: a rolled-back database reuses ids and versions)."""
    _held.clear()


cached_with_offers = _cached_with_offers
"""The same cache rule for other storefront payloads that show offers (campaign pages, F26)."""


# --- small builders -------------------------------------------------------------------


def _url(file: FieldFile | None) -> str:
    return file.url if file else ""


def _product_image(product: Product) -> str:
    """The list picture: the main image, else the first gallery image (needs images prefetched)."""
    if product.main_image:
        return product.main_image.url
    images = list(product.images.all())
    return images[0].image.url if images else ""


def _images_prefetch() -> Prefetch:
    return Prefetch("images", queryset=ProductImage.objects.order_by("sort_order", "id"))


def product_card_data(product: Product, offers: ProductOffers | None = None) -> dict[str, Any]:
    """One product as lists and the home screen show it (needs tags and images prefetched)."""
    return {
        "id": product.id,
        "title": product.title,
        "subtitle": product.subtitle,
        "image": _product_image(product),
        "min_price": product.min_price,
        "sales_count": product.sales_count,
        "tags": [tag.name for tag in product.tags.all()],
        "is_on_shelf": product.is_on_shelf,
        "free_shipping": product.free_shipping,
        **(offers or NO_OFFERS).for_product(product.id),
    }


# --- categories -----------------------------------------------------------------------


def _build_tree() -> list[dict[str, Any]]:
    rows = list(Category.objects.filter(is_active=True).order_by("sort_order", "id"))
    nodes: dict[int, dict[str, Any]] = {
        c.id: {"id": c.id, "name": c.name, "icon": _url(c.icon), "children": []} for c in rows
    }
    roots: list[dict[str, Any]] = []
    for c in rows:
        if c.parent_id is None:
            roots.append(nodes[c.id])
        elif c.parent_id in nodes:  # children of a disabled category are hidden with it
            nodes[c.parent_id]["children"].append(nodes[c.id])
    return roots


def category_tree() -> list[dict[str, Any]]:
    """Active categories as a nested tree, in one query (or none when cached)."""
    return _cached("catalogue:tree", TREE_TTL_SECONDS, _build_tree)


def _build_parent_map() -> dict[int, int | None]:
    return dict(Category.objects.values_list("id", "parent_id"))


def category_descendant_ids(*, category_id: int) -> set[int]:
    """The category and everything below it; empty when it does not exist."""
    parents = _cached("catalogue:parents", TREE_TTL_SECONDS, _build_parent_map)
    if category_id not in parents:
        return set()
    children: dict[int | None, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found, stack = set(), [category_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    return found


# --- products -------------------------------------------------------------------------


def product_list(
    *, category_id: int | None = None, q: str = "", tag: str = "", sort: str = "sales"
) -> QuerySet[Product]:
    """On-shelf products filtered and sorted for the shop; tags and images come prefetched."""
    # 新品优先购: a product in an open early-access window is its segment's alone until launch.
    qs = Product.objects.filter(is_on_shelf=True).exclude(pk__in=early_access_product_ids())
    if category_id is not None:
        qs = qs.filter(category_id__in=category_descendant_ids(category_id=category_id))
    q = q.strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(subtitle__icontains=q))
    tag = tag.strip()
    if tag:
        qs = qs.filter(tags__id=int(tag)) if tag.isdigit() else qs.filter(tags__name=tag)
    return qs.order_by(*PRODUCT_SORTS[sort]).prefetch_related("tags", _images_prefetch())


def product_page_data(
    *,
    category_id: int | None = None,
    q: str = "",
    tag: str = "",
    sort: str = "sales",
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    """One page of ``product_list`` as ``{"count", "results"}``, cached briefly per filter and page.

    Raises ``NotFound`` for a page past the last one (page 1 of nothing is an empty page).
    """
    params = [category_id, q.strip(), tag.strip(), sort, page, page_size]
    digest = hashlib.sha256(json.dumps(params, ensure_ascii=False).encode()).hexdigest()[:32]

    def build(now: datetime) -> tuple[dict[str, Any], datetime | None]:
        products = product_list(category_id=category_id, q=q, tag=tag, sort=sort)
        count = products.count()
        start = (page - 1) * page_size
        rows = list(products[start : start + page_size]) if start < count else []
        offers = product_offers_for(product_ids=[p.id for p in rows], now=now)
        until = _sooner(offers.valid_until, early_access_next_change(now=now))
        return {"count": count, "results": [product_card_data(p, offers) for p in rows]}, until

    data = _cached_with_offers(f"catalogue:list:{digest}", LIST_TTL_SECONDS, build)
    if page > 1 and not data["results"]:
        raise NotFound(details={"page": page})
    return data


def _spec_matrix(spec_names: list[str], skus: list[Sku]) -> dict[str, Any]:
    """spec names × values → the SKU of each combination, so the picker needs no extra request."""
    values: dict[str, list[str]] = {name: [] for name in spec_names}
    combinations = []
    for sku in skus:
        combo = [str(sku.specs.get(name, "")) for name in spec_names]
        for name, value in zip(spec_names, combo, strict=True):
            if value not in values[name]:
                values[name].append(value)
        combinations.append({"values": combo, "sku_id": sku.id, "price": sku.price, "stock": sku.stock})
    return {
        "specs": [{"name": name, "values": values[name]} for name in spec_names],
        "combinations": combinations,
    }


def _build_detail(product_id: int, now: datetime) -> tuple[dict[str, Any] | None, datetime | None]:
    product = (
        Product.objects.select_related("category")
        .prefetch_related(
            "tags",
            _images_prefetch(),
            Prefetch("skus", queryset=Sku.objects.filter(is_active=True).order_by("id")),
        )
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        return None, None
    offers = product_offers_for(product_ids=[product.id], now=now)
    skus = list(product.skus.all())
    spec_names = [str(name) for name in product.spec_names or []]
    images = [_url(img.image) for img in product.images.all()]
    if product.main_image and _url(product.main_image) not in images:
        images.insert(0, _url(product.main_image))
    return {
        "id": product.id,
        "title": product.title,
        "subtitle": product.subtitle,
        "description": product.description,
        "image": images[0] if images else "",
        "images": images,
        "min_price": product.min_price,
        "spec_names": spec_names,
        "skus": [{"id": s.id, "code": s.code, "specs": s.specs, "price": s.price, "stock": s.stock} for s in skus],
        "spec_matrix": _spec_matrix(spec_names, skus),
        "tags": [tag.name for tag in product.tags.all()],
        "category": {"id": product.category_id, "name": product.category.name},
        "is_on_shelf": product.is_on_shelf,
        "free_shipping": product.free_shipping,
        "is_consumable": product.is_consumable,
        "replenish_cycle_days": product.replenish_cycle_days,
        "sales_count": product.sales_count,
        **offers.for_product(product.id),
    }, offers.valid_until


def _build_early_access(now: datetime) -> tuple[frozenset[int], datetime | None]:
    ids, next_change = early_access_schedule(now=now)
    return frozenset(ids), next_change


def _early_access_ids(versions: tuple[Any, Any] | None = None) -> frozenset[int]:
    """The products in an open 新品优先购 window, cached like the lists (to the next window change)."""
    return frozenset(_held_entry("catalogue:early_access", LIST_TTL_SECONDS, _build_early_access, versions).value)


def product_detail_entry(*, product_id: int, member_id: int | None = None) -> HeldEntry:
    """The product page's cached entry (without the server time): off-shelf products show as
    such; unknown ones are 404, and so is a product in an open 新品优先购 window for a shopper
    outside its segment. The page and the 新品优先购 set are checked under one read of the versions."""
    versions = cache_versions()
    entry = _held_entry(
        f"catalogue:product:{product_id}",
        DETAIL_TTL_SECONDS,
        lambda built_at: _build_detail(product_id, built_at),
        versions,
    )
    if entry.value is None:
        raise NotFound(details={"product_id": product_id})
    if product_id in _early_access_ids(versions) and not early_access_allows(
        product_id=product_id, member_id=member_id
    ):
        raise NotFound(details={"product_id": product_id})
    return entry


def product_detail_data(
    *, product_id: int, member_id: int | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The product page in one payload with the server time for its countdowns."""
    entry = product_detail_entry(product_id=product_id, member_id=member_id)
    return {**entry.value, "server_time": server_time_data(now=now)}


# --- home -----------------------------------------------------------------------------


def _sooner(first: datetime | None, second: datetime | None) -> datetime | None:
    return min((moment for moment in (first, second) if moment is not None), default=None)


def _build_home(now: datetime) -> tuple[dict[str, Any], datetime | None]:
    # Shared by every shopper: 新品优先购 products are nobody's here (their segment sees them on
    # its own page), and the entry expires when a window opens or launches.
    on_shelf = (
        Product.objects.filter(is_on_shelf=True)
        .exclude(pk__in=early_access_product_ids(now=now))
        .prefetch_related("tags", _images_prefetch())
    )
    hot = list(on_shelf.order_by(*PRODUCT_SORTS["sales"])[:HOME_LIST_SIZE])
    new = list(on_shelf.order_by(*PRODUCT_SORTS["new"])[:HOME_LIST_SIZE])
    offers = product_offers_for(product_ids=[p.id for p in (*hot, *new)], now=now)
    banners = []
    for product in hot[:HOME_BANNER_COUNT]:
        gallery = list(product.images.all())
        image = _url(gallery[0].image) if gallery else _url(product.main_image)
        banners.append({"product_id": product.id, "title": product.title, "image": image})
    categories = [{"id": c["id"], "name": c["name"], "icon": c["icon"]} for c in category_tree()]
    return {
        "banners": banners,
        "categories": categories,
        "hot": [product_card_data(p, offers) for p in hot],
        "new": [product_card_data(p, offers) for p in new],
    }, _sooner(offers.valid_until, early_access_next_change(now=now))


def server_time_data(*, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {"now": timezone.localtime(now).isoformat(), "timestamp_ms": int(now.timestamp() * 1000)}


def home_screen_payload(*, now: datetime | None = None) -> dict[str, Any]:
    """The home API's whole answer (F40 + F46): the first screen and the marketing centre cached
    as one entry under the catalogue and pricing-rules versions, so a hit is one cache round
    trip and no query; a price edit, a promotion change or an offer's start or end rebuilds it
    on the next request. The centre is rebuilt at least every ``CENTRE_TTL_SECONDS``, as alone."""

    clock = server_time_data(now=now)
    return {
        **home_screen_entry().value,
        "server_time": clock["now"],
        "server_time_ms": clock["timestamp_ms"],
    }


def _build_home_screen(built_at: datetime) -> tuple[dict[str, Any], datetime | None]:
    # marketing.selectors.pages reads this module's cache helpers, so it is imported here
    from marketing.selectors.pages import home_page_build

    home, valid_until = _build_home(built_at)
    page, page_until = home_page_build(built_at)  # F26: the merchant's published home page, or None
    until = built_at + timedelta(seconds=CENTRE_TTL_SECONDS)
    for moment in (valid_until, page_until):
        if moment is not None and moment < until:
            until = moment
    return {**home, "marketing_center": marketing_centre_data(now=built_at), "page": page}, until


def home_screen_entry() -> HeldEntry:
    """The home API's cached entry (without the server time): see :func:`home_screen_payload`."""
    return _held_entry("catalogue:home:screen", HOME_TTL_SECONDS, _build_home_screen)


def home_screen_data(*, now: datetime | None = None) -> dict[str, Any]:
    """The whole first screen in one request (F40); only the server time is never cached."""
    clock = server_time_data(now=now)
    return {
        **_cached_with_offers("catalogue:home", HOME_TTL_SECONDS, _build_home),
        "server_time": clock["now"],
        "server_time_ms": clock["timestamp_ms"],
    }
