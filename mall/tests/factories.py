"""factory_boy factories for the catalogue. Rows made here bypass the services (fast set-up);
tests that need the services' upkeep (min_price, audit) create through ``make_product``."""

from __future__ import annotations

import factory
from django.contrib.auth.models import User
from factory.django import DjangoModelFactory

from mall.models import Category, Product, ProductTag, Sku


class CategoryFactory(DjangoModelFactory[Category]):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"类目{n}")


class ProductTagFactory(DjangoModelFactory[ProductTag]):
    class Meta:
        model = ProductTag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"标签{n}")


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"测试商品 {n}")
    subtitle = "好用不贵"
    min_price = 5900
    is_on_shelf = True


class SkuFactory(DjangoModelFactory[Sku]):
    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"T-{n:06d}")
    specs = factory.LazyFunction(dict)
    price = 5900
    stock = 10


class StaffUserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    is_superuser = True
    password = factory.django.Password("pass-1234")
