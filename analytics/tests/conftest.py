"""Fixtures of analytics tests: the marketing catalogue and order fixtures, reused."""

from marketing.tests.conftest import (  # noqa: F401 - fixtures
    beauty,
    cookie,
    lipstick,
    lipstick_category,
    make_promotion,
    make_sku,
    make_template,
    shop,
    snacks,
    staff,
)
