"""Product image URLs held per storage base URL and name (issue 12): the storage's own answer."""

from __future__ import annotations

from django.test import override_settings

from mall.models import Product
from orders.selectors.cart import product_image_url


def test_the_held_url_is_the_storage_s_and_follows_media_url() -> None:
    product = Product(title="x", main_image="products/口红 01.png")
    assert product_image_url(product) == product.main_image.url
    assert product_image_url(product) == product.main_image.url  # held: the same answer
    with override_settings(MEDIA_URL="https://cdn.example.com/media/"):
        moved = Product(title="x", main_image="products/口红 01.png")
        assert product_image_url(moved) == moved.main_image.url
        assert product_image_url(moved).startswith("https://cdn.example.com/media/")
    assert product_image_url(Product(title="x")) == ""
