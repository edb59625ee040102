"""What every payment provider offers, and the verified facts it hands to the services.

Providers are the HTTP boundary: they sign, verify, encrypt and decrypt, and never touch
the database. Services decide what a verified fact means for an order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.http import HttpRequest

    from orders.models import Order, Payment, Refund

TRADE_SUCCESS = "SUCCESS"
TRADE_NOTPAY = "NOTPAY"
TRADE_USERPAYING = "USERPAYING"
# Trade states after which the out_trade_no can never be paid any more.
TRADE_FINAL_UNPAID = frozenset({"CLOSED", "REVOKED", "PAYERROR"})

REFUND_SUCCESS = "SUCCESS"
REFUND_PROCESSING = "PROCESSING"
REFUND_FAILED_STATES = frozenset({"CLOSED", "ABNORMAL"})


@dataclass(frozen=True)
class VerifiedNotice:
    """A statement the provider has proven to be its own (signed notice or signed query answer).

    ``kind`` is "transaction" (a payment) or "refund". Amounts are integer fen.
    """

    provider: str
    notice_id: str
    event_type: str
    kind: str
    out_trade_no: str
    transaction_id: str = ""
    trade_state: str = ""
    amount: int = 0
    currency: str = "CNY"
    paid_at: datetime | None = None
    out_refund_no: str = ""
    refund_id: str = ""
    refund_status: str = ""
    refund_amount: int = 0
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class RefundResult:
    """The provider's answer to a refund request or refund query."""

    status: str
    provider_refund_id: str = ""
    succeeded_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class PaymentProvider(Protocol):
    """A payment channel (WeChat Pay, or the embedded sandbox)."""

    name: str
    # True when refunds settle inside ``refund`` itself (no notice will follow).
    refunds_immediately: bool

    def create_payment(self, *, order: Order, payment: Payment) -> dict[str, Any]:
        """Open the payment at the provider; return the params the mini-program needs."""
        ...

    def parse_notice(self, request: HttpRequest) -> VerifiedNotice:
        """Verify and decode a provider callback; raise NoticeRejected on any doubt."""
        ...

    def query(self, *, out_trade_no: str) -> VerifiedNotice:
        """Ask the provider for the current state of a payment."""
        ...

    def close(self, *, out_trade_no: str) -> None:
        """Make an unpaid out_trade_no unpayable (the order was cancelled)."""
        ...

    def refund(self, *, refund: Refund, payment: Payment) -> RefundResult:
        """Ask the provider to return ``refund.amount`` of ``payment``."""
        ...

    def query_refund(self, *, out_refund_no: str) -> RefundResult:
        """Ask the provider for the current state of a refund."""
        ...
