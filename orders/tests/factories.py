"""factory_boy factories for the catalogue rows orders need (SKUs with a product and category)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from mall.models import Category, Product, Sku


class CategoryFactory(DjangoModelFactory[Category]):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"分类{n}")


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"面霜 {n} 号")
    min_price = 5900
    is_on_shelf = True


class SkuFactory(DjangoModelFactory[Sku]):
    """A sellable SKU: 59.00 yuan, 10 in stock, on the shelf."""

    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:06d}")
    specs = factory.LazyFunction(lambda: {"规格": "50ml"})
    price = 5900
    stock = 10
