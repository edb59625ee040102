"""Payment providers. ``get_provider()`` is the configured one (settings.PAYMENT_PROVIDER);
``get_provider(name)`` is the one a stored payment was made with, for queries and refunds.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from orders.payments.base import PaymentProvider, RefundResult, VerifiedNotice
from orders.payments.sandbox import SandboxProvider
from orders.payments.wechat import WeChatPayConfig, WeChatPayProvider

__all__ = ["PaymentProvider", "RefundResult", "VerifiedNotice", "get_provider"]


def get_provider(name: str | None = None) -> PaymentProvider:
    name = name or settings.PAYMENT_PROVIDER
    if name == SandboxProvider.name:
        return SandboxProvider()
    if name == WeChatPayProvider.name:
        return _wechat_provider(WeChatPayConfig.from_settings())
    raise ImproperlyConfigured(f"unknown PAYMENT_PROVIDER {name!r}")


@lru_cache(maxsize=4)
def _wechat_provider(config: WeChatPayConfig) -> WeChatPayProvider:
    """One provider (keys parsed once) per distinct configuration."""
    return WeChatPayProvider(config)
