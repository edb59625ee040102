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


def test_naming_the_image_of_a_product_read_from_its_row_leaves_the_field_unwrapped() -> None:
    """Reading ``main_image`` wraps the name in a FieldFile pointing back at the product, a
    cycle only the garbage collector frees: the URL comes from the name as the row gave it."""
    product = Product(title="x", main_image="products/口红 02.png")
    url = product_image_url(product)
    assert product.__dict__["main_image"] == "products/口红 02.png"  # still the plain name
    assert url == product.main_image.url  # the storage's answer, as through the field
    assert product_image_url(product) == url  # and the same once the field was read
