"""The payments fixtures (orders built row by row, paid through the sandbox notice path) for tier tests."""

from orders.tests.payments.conftest import (  # noqa: F401
    finance,
    order_with_lines,
    pay_sandbox,
    shopper,
    shopper_client,
    sku_factory,
)
