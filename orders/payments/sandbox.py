"""The embedded payment provider: no credentials, pays and refunds on the spot.

The shopper "pays" by calling ``POST payments/sandbox/{out_trade_no}/complete``, which builds a
notice with :meth:`SandboxProvider.success_notice` and hands it to the same service as a verified
WeChat notice. Production settings refuse this provider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.errors import PaymentNoticeRejected
from orders.payments.base import REFUND_SUCCESS, TRADE_NOTPAY, RefundResult, VerifiedNotice

if TYPE_CHECKING:
    from django.http import HttpRequest

    from orders.models import Order, Payment, Refund


class SandboxProvider:
    name = "sandbox"
    refunds_immediately = True

    def create_payment(self, *, order: Order, payment: Payment) -> dict[str, Any]:
        url = reverse("payment-sandbox-complete", kwargs={"out_trade_no": payment.out_trade_no})
        return {"sandbox_pay_url": url}

    def parse_notice(self, request: HttpRequest) -> VerifiedNotice:
        """The sandbox sends no callbacks, so anything arriving as one is refused."""
        raise PaymentNoticeRejected(_("沙箱支付没有回调通知。"))

    def success_notice(self, *, out_trade_no: str, amount: int) -> VerifiedNotice:
        """What the sandbox 'says' when the shopper completes a payment (one per out_trade_no)."""
        return VerifiedNotice(
            provider=self.name,
            notice_id=f"sandbox-{out_trade_no}",
            event_type="TRANSACTION.SUCCESS",
            kind="transaction",
            out_trade_no=out_trade_no,
            transaction_id=f"SANDBOX{out_trade_no}",
            trade_state="SUCCESS",
            amount=amount,
            currency="CNY",
            paid_at=timezone.now(),
        )

    def query(self, *, out_trade_no: str) -> VerifiedNotice:
        """The sandbox only knows a payment as paid once the complete endpoint said so."""
        return VerifiedNotice(
            provider=self.name,
            notice_id=f"sandbox-query-{out_trade_no}",
            event_type="QUERY",
            kind="transaction",
            out_trade_no=out_trade_no,
            trade_state=TRADE_NOTPAY,
        )

    def close(self, *, out_trade_no: str) -> None:
        """Nothing to close: the sandbox holds no open trades."""

    def refund(self, *, refund: Refund, payment: Payment) -> RefundResult:
        return RefundResult(
            status=REFUND_SUCCESS, provider_refund_id=f"SANDBOXR{refund.out_refund_no}", succeeded_at=timezone.now()
        )

    def query_refund(self, *, out_refund_no: str) -> RefundResult:
        return RefundResult(status=REFUND_SUCCESS, provider_refund_id=f"SANDBOXR{out_refund_no}")
