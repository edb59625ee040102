"""WeChat Pay API v3 (JSAPI inside the mini-program) through the ``wechatpayv3`` SDK.

Outgoing calls (prepay, query, close, refund) go through the SDK, which signs requests with the
merchant key and verifies every answer with the platform public key. The SDK runs in
public-key mode (``public_key`` + ``public_key_id``): its certificate mode downloads platform
certificates from inside the constructor, which we never want at import or request time.

Incoming notices are verified here with ``cryptography`` rather than the SDK's ``callback``
helper, because we need more than it checks: a freshness window against replays, the serial of
the configured key, and typed refusals that the endpoint turns into WeChat's ``FAIL`` answer.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.errors import (
    PaymentNoticeMismatch,
    PaymentNoticeRejected,
    PaymentNoticeSignatureInvalid,
    PaymentNoticeStale,
    PaymentProviderUnavailable,
)
from orders.payments.base import TRADE_NOTPAY, RefundResult, VerifiedNotice

if TYPE_CHECKING:
    from django.http import HttpRequest

    from orders.models import Order, Payment, Refund

logger = logging.getLogger(__name__)

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
# WeChat retries for hours, but each delivery is freshly signed: anything older is a replay.
MAX_NOTICE_AGE = timedelta(minutes=5)
DESCRIPTION_MAX = 127


@dataclass(frozen=True)
class WeChatPayConfig:
    """Merchant credentials; keys are PEM text (settings hold the paths to the files)."""

    mchid: str
    appid: str
    apiv3_key: str
    cert_serial_no: str
    private_key_pem: str
    public_key_pem: str
    public_key_id: str
    notify_url: str

    @classmethod
    def from_settings(cls) -> WeChatPayConfig:
        missing = [
            name
            for name in (
                "WECHAT_APPID",
                "WECHAT_PAY_MCHID",
                "WECHAT_PAY_APIV3_KEY",
                "WECHAT_PAY_CERT_SERIAL_NO",
                "WECHAT_PAY_PRIVATE_KEY_PATH",
                "WECHAT_PAY_PUBLIC_KEY_PATH",
                "WECHAT_PAY_PUBLIC_KEY_ID",
            )
            if not getattr(settings, name, "")
        ]
        if missing:
            raise ImproperlyConfigured(f"WeChat Pay needs settings: {', '.join(missing)}")
        return cls(
            mchid=settings.WECHAT_PAY_MCHID,
            appid=settings.WECHAT_APPID,
            apiv3_key=settings.WECHAT_PAY_APIV3_KEY,
            cert_serial_no=settings.WECHAT_PAY_CERT_SERIAL_NO,
            private_key_pem=Path(settings.WECHAT_PAY_PRIVATE_KEY_PATH).read_text(encoding="utf-8"),
            public_key_pem=Path(settings.WECHAT_PAY_PUBLIC_KEY_PATH).read_text(encoding="utf-8"),
            public_key_id=settings.WECHAT_PAY_PUBLIC_KEY_ID,
            notify_url=settings.WECHAT_PAY_NOTIFY_URL,
        )


class WeChatPayProvider:
    name = "wechat"
    refunds_immediately = False

    def __init__(self, config: WeChatPayConfig) -> None:
        if len(config.apiv3_key.encode()) != 32:
            raise ImproperlyConfigured("WECHAT_PAY_APIV3_KEY must be 32 bytes")
        self.config = config
        private_key = serialization.load_pem_private_key(config.private_key_pem.encode(), password=None)
        public_key = serialization.load_pem_public_key(config.public_key_pem.encode())
        if not isinstance(private_key, rsa.RSAPrivateKey) or not isinstance(public_key, rsa.RSAPublicKey):
            raise ImproperlyConfigured("WeChat Pay keys must be RSA keys")
        self._private_key = private_key
        self._platform_key = public_key

    @cached_property
    def client(self) -> Any:
        """The SDK client, in public-key mode so that building it makes no network call."""
        from wechatpayv3 import WeChatPay, WeChatPayType

        # The SDK wants PKCS#8 / SubjectPublicKeyInfo PEM; normalise whatever the files held.
        private_pem = self._private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        public_pem = self._platform_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        return WeChatPay(
            wechatpay_type=WeChatPayType.MINIPROG,
            mchid=self.config.mchid,
            private_key=private_pem,
            cert_serial_no=self.config.cert_serial_no,
            appid=self.config.appid,
            apiv3_key=self.config.apiv3_key,
            notify_url=self.config.notify_url,
            public_key=public_pem,
            public_key_id=self.config.public_key_id,
            timeout=(5, 15),
        )

    # --- outgoing ------------------------------------------------------------------------

    def create_payment(self, *, order: Order, payment: Payment) -> dict[str, Any]:
        """JSAPI prepay, then the signed parameters for ``wx.requestPayment``."""
        status, data = self._call(
            self.client.pay,
            description=_order_description(order),
            out_trade_no=payment.out_trade_no,
            amount={"total": payment.amount, "currency": "CNY"},
            payer={"openid": order.member.openid},
            time_expire=timezone.localtime(order.expires_at).isoformat(timespec="seconds"),
        )
        prepay_id = data.get("prepay_id") if status == 200 else None
        if not prepay_id:
            logger.warning("wechat prepay refused for %s: %s %s", payment.out_trade_no, status, data)
            raise PaymentProviderUnavailable(details={"provider_status": status, "provider_code": data.get("code")})
        return self.request_payment_params(prepay_id=prepay_id)

    def request_payment_params(self, *, prepay_id: str) -> dict[str, str]:
        """Sign ``appId\\ntimeStamp\\nonceStr\\npackage\\n`` with the merchant key (RSA-SHA256)."""
        time_stamp = str(int(time.time()))
        nonce_str = secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        pay_sign = self.client.sign([self.config.appid, time_stamp, nonce_str, package])
        return {
            "timeStamp": time_stamp,
            "nonceStr": nonce_str,
            "package": package,
            "signType": "RSA",
            "paySign": pay_sign,
        }

    def query(self, *, out_trade_no: str) -> VerifiedNotice:
        status, data = self._call(self.client.query, out_trade_no=out_trade_no)
        if status == 404:
            # ORDER_NOT_EXIST: the shopper never got as far as a prepay; it is simply unpaid.
            return VerifiedNotice(
                provider=self.name,
                notice_id=f"query:{out_trade_no}",
                event_type="QUERY",
                kind="transaction",
                out_trade_no=out_trade_no,
                trade_state=TRADE_NOTPAY,
            )
        if status != 200:
            raise PaymentProviderUnavailable(details={"provider_status": status, "provider_code": data.get("code")})
        notice_id = f"query:{out_trade_no}:{data.get('transaction_id') or data.get('trade_state')}"
        return self._transaction_notice(data, notice_id=notice_id, event_type="QUERY")

    def close(self, *, out_trade_no: str) -> None:
        status, data = self._call(self.client.close, out_trade_no=out_trade_no)
        if status not in (200, 204):
            raise PaymentProviderUnavailable(details={"provider_status": status, "provider_code": data.get("code")})

    def refund(self, *, refund: Refund, payment: Payment) -> RefundResult:
        status, data = self._call(
            self.client.refund,
            out_refund_no=refund.out_refund_no,
            amount={"refund": refund.amount, "total": payment.amount, "currency": "CNY"},
            transaction_id=payment.transaction_id or None,
            out_trade_no=payment.out_trade_no,
            reason=refund.reason[:80] or None,
        )
        if status != 200:
            logger.warning("wechat refund refused for %s: %s %s", refund.out_refund_no, status, data)
            raise PaymentProviderUnavailable(details={"provider_status": status, "provider_code": data.get("code")})
        return _refund_result(data)

    def query_refund(self, *, out_refund_no: str) -> RefundResult:
        status, data = self._call(self.client.query_refund, out_refund_no=out_refund_no)
        if status != 200:
            raise PaymentProviderUnavailable(details={"provider_status": status, "provider_code": data.get("code")})
        return _refund_result(data)

    def _call(self, method: Callable[..., Any], **kwargs: Any) -> tuple[int, dict[str, Any]]:
        """Run one SDK call; transport and answer-signature failures become a 503 for our caller."""
        try:
            status, message = method(**kwargs)
        except Exception as exc:  # the SDK raises bare Exception for network and signature errors
            logger.warning("wechat pay call %s failed: %s", getattr(method, "__name__", method), exc)
            raise PaymentProviderUnavailable(details={"error": str(exc)}) from exc
        if isinstance(message, bytes):
            message = message.decode("utf-8", errors="replace")
        try:
            data = json.loads(message) if message else {}
        except ValueError:
            data = {}
        return int(status), data if isinstance(data, dict) else {}

    # --- incoming ------------------------------------------------------------------------

    def parse_notice(self, request: HttpRequest) -> VerifiedNotice:
        """Verify signature, serial and freshness, decrypt the resource, check appid/mchid."""
        body = request.body
        self.verify_signature(
            timestamp=request.headers.get("Wechatpay-Timestamp", ""),
            nonce=request.headers.get("Wechatpay-Nonce", ""),
            body=body,
            signature=request.headers.get("Wechatpay-Signature", ""),
            serial=request.headers.get("Wechatpay-Serial", ""),
            signature_type=request.headers.get("Wechatpay-Signature-Type", SIGNATURE_TYPE),
        )
        envelope = _json_object(body)
        if envelope.get("resource_type") != "encrypt-resource":
            raise PaymentNoticeRejected(_("通知类型不支持。"))
        resource = envelope.get("resource")
        if not isinstance(resource, dict):
            raise PaymentNoticeRejected(_("通知缺少资源数据。"))
        data = _json_object(self.decrypt_resource(resource))
        notice_id = _text(envelope, "id")
        event_type = _text(envelope, "event_type")
        original_type = resource.get("original_type")
        if event_type.startswith("TRANSACTION.") and original_type == "transaction":
            return self._transaction_notice(data, notice_id=notice_id, event_type=event_type)
        if event_type.startswith("REFUND.") and original_type == "refund":
            return self._refund_notice(data, notice_id=notice_id, event_type=event_type)
        raise PaymentNoticeRejected(_("通知类型不支持。"), details={"event_type": event_type})

    def verify_signature(
        self, *, timestamp: str, nonce: str, body: bytes, signature: str, serial: str, signature_type: str
    ) -> None:
        if signature_type != SIGNATURE_TYPE or serial != self.config.public_key_id:
            raise PaymentNoticeSignatureInvalid(details={"serial": serial})
        if not (timestamp.isdigit() and nonce and signature):
            raise PaymentNoticeSignatureInvalid()
        try:
            raw_signature = base64.b64decode(signature, validate=True)
            self._platform_key.verify(
                raw_signature,
                timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n",
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, binascii.Error, ValueError) as exc:
            raise PaymentNoticeSignatureInvalid() from exc
        age = abs(timezone.now().timestamp() - int(timestamp))
        if age > MAX_NOTICE_AGE.total_seconds():
            raise PaymentNoticeStale(details={"timestamp": timestamp})

    def decrypt_resource(self, resource: dict[str, Any]) -> bytes:
        """AEAD_AES_256_GCM with the APIv3 key; a wrong tag means forged or misconfigured."""
        if resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise PaymentNoticeRejected(_("通知加密算法不支持。"))
        try:
            return AESGCM(self.config.apiv3_key.encode()).decrypt(
                _text(resource, "nonce").encode(),
                base64.b64decode(_text(resource, "ciphertext"), validate=True),
                str(resource.get("associated_data") or "").encode(),
            )
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise PaymentNoticeRejected(_("通知解密失败。")) from exc

    def _transaction_notice(self, data: dict[str, Any], *, notice_id: str, event_type: str) -> VerifiedNotice:
        if data.get("appid") != self.config.appid:
            raise PaymentNoticeMismatch(_("通知的 appid 与本商城不符。"), details={"field": "appid"})
        if data.get("mchid") != self.config.mchid:
            raise PaymentNoticeMismatch(_("通知的商户号与本商城不符。"), details={"field": "mchid"})
        amount = _object(data, "amount")
        total = amount.get("total", 0)
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise PaymentNoticeRejected(_("通知金额格式有误。"))
        return VerifiedNotice(
            provider=self.name,
            notice_id=notice_id,
            event_type=event_type,
            kind="transaction",
            out_trade_no=_text(data, "out_trade_no"),
            transaction_id=str(data.get("transaction_id") or ""),
            trade_state=_text(data, "trade_state"),
            amount=total,
            currency=str(amount.get("currency") or ""),
            paid_at=_parse_time(data.get("success_time")),
            raw=data,
        )

    def _refund_notice(self, data: dict[str, Any], *, notice_id: str, event_type: str) -> VerifiedNotice:
        if data.get("mchid") != self.config.mchid:
            raise PaymentNoticeMismatch(_("通知的商户号与本商城不符。"), details={"field": "mchid"})
        amount = _object(data, "amount")
        refund_amount = amount.get("refund", 0)
        if not isinstance(refund_amount, int) or isinstance(refund_amount, bool) or refund_amount < 0:
            raise PaymentNoticeRejected(_("通知金额格式有误。"))
        return VerifiedNotice(
            provider=self.name,
            notice_id=notice_id,
            event_type=event_type,
            kind="refund",
            out_trade_no=str(data.get("out_trade_no") or ""),
            transaction_id=str(data.get("transaction_id") or ""),
            out_refund_no=_text(data, "out_refund_no"),
            refund_id=str(data.get("refund_id") or ""),
            refund_status=_text(data, "refund_status"),
            refund_amount=refund_amount,
            amount=int(amount.get("total") or 0),
            paid_at=_parse_time(data.get("success_time")),
            raw=data,
        )


def _order_description(order: Order) -> str:
    titles = [line.title for line in order.lines.all()]
    text = titles[0] if titles else order.no
    if len(titles) > 1:
        text = _("%(title)s 等%(count)d件") % {"title": text, "count": len(titles)}
    return text[:DESCRIPTION_MAX]


def _refund_result(data: dict[str, Any]) -> RefundResult:
    return RefundResult(
        status=str(data.get("status") or ""),
        provider_refund_id=str(data.get("refund_id") or ""),
        succeeded_at=_parse_time(data.get("success_time")),
        raw=data,
    )


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise PaymentNoticeRejected(_("通知内容不是合法的 JSON。")) from exc
    if not isinstance(data, dict):
        raise PaymentNoticeRejected(_("通知内容不是合法的 JSON。"))
    return data


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PaymentNoticeRejected(_("通知缺少字段 %(field)s。") % {"field": key}, details={"field": key})
    return value


def _parse_time(value: Any) -> datetime | None:
    """RFC 3339 with offset, e.g. 2018-06-08T10:34:56+08:00."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else None
