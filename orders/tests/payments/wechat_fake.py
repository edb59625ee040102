"""Plays WeChat Pay in tests: a platform RSA key signs notices and API answers, AES-GCM encrypts.

Payload shapes follow WeChat Pay v3's documentation (支付通知 / 退款结果通知 / JSAPI 下单 /
查询订单 / 申请退款), so the code under test sees what production sees.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import responses
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

API = "https://api.mch.weixin.qq.com"
MCHID = "1900000109"
APPID = "wx-test-appid"
APIV3_KEY = "0123456789abcdef0123456789ABCDEF"
CERT_SERIAL_NO = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092025000000000001"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verify(key: rsa.RSAPublicKey, message: str, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256())
    except Exception:
        return False
    return True


def sent_json(request: Any) -> dict[str, Any]:
    """The JSON body the SDK sent to WeChat (as captured by ``responses``)."""
    body = request.body
    return json.loads(body.decode() if isinstance(body, bytes) else body)


@dataclass
class SignedNotice:
    body: bytes
    headers: dict[str, str]


class FakeWeChat:
    """The platform side: its key pair signs; the merchant's key pair is the shop's."""

    def __init__(self, platform_key: rsa.RSAPrivateKey, merchant_key: rsa.RSAPrivateKey) -> None:
        self.platform_key = platform_key
        self.merchant_key = merchant_key
        self.apiv3_key = APIV3_KEY
        self.public_key_id = PUBLIC_KEY_ID

    # --- resources (decrypted payloads) -----------------------------------------------

    @staticmethod
    def transaction(
        *,
        out_trade_no: str,
        total: int,
        transaction_id: str | None = None,
        trade_state: str = "SUCCESS",
        appid: str = APPID,
        mchid: str = MCHID,
        currency: str = "CNY",
        openid: str = "o_test_openid_000001",
        success_time: str = "2026-03-01T10:00:05+08:00",
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "appid": appid,
            "mchid": mchid,
            "out_trade_no": out_trade_no,
            "transaction_id": transaction_id or f"4200{secrets.randbelow(10**24):024d}",
            "trade_type": "JSAPI",
            "trade_state": trade_state,
            "trade_state_desc": "支付成功" if trade_state == "SUCCESS" else trade_state,
            "bank_type": "OTHERS",
            "attach": "",
            "payer": {"openid": openid},
            "amount": {"total": total, "payer_total": total, "currency": currency, "payer_currency": currency},
        }
        if trade_state == "SUCCESS":
            data["success_time"] = success_time
        return data

    @staticmethod
    def refund_resource(
        *, out_trade_no: str, out_refund_no: str, refund: int, total: int, status: str = "SUCCESS", mchid: str = MCHID
    ) -> dict[str, Any]:
        return {
            "mchid": mchid,
            "transaction_id": f"4200{secrets.randbelow(10**24):024d}",
            "out_trade_no": out_trade_no,
            "refund_id": f"5030{secrets.randbelow(10**24):024d}",
            "out_refund_no": out_refund_no,
            "refund_status": status,
            "success_time": "2026-03-02T11:00:00+08:00",
            "user_received_account": "支付用户零钱",
            "amount": {"total": total, "refund": refund, "payer_total": total, "payer_refund": refund},
        }

    # --- notices ----------------------------------------------------------------------

    def encrypt(self, resource: dict[str, Any], *, associated_data: str = "transaction") -> dict[str, str]:
        nonce = secrets.token_hex(6)  # WeChat uses a 12-character nonce
        ciphertext = AESGCM(self.apiv3_key.encode()).encrypt(
            nonce.encode(), json.dumps(resource, ensure_ascii=False).encode(), associated_data.encode()
        )
        return {
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(ciphertext).decode(),
            "associated_data": associated_data,
            "nonce": nonce,
        }

    def envelope(
        self, resource: dict[str, Any], *, notice_id: str | None = None, event_type: str = "TRANSACTION.SUCCESS"
    ) -> dict[str, Any]:
        original_type = "refund" if event_type.startswith("REFUND.") else "transaction"
        return {
            "id": notice_id or str(uuid.uuid4()),
            "create_time": "2026-03-01T10:00:06+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功" if original_type == "transaction" else "退款成功",
            "resource": {"original_type": original_type, **self.encrypt(resource, associated_data=original_type)},
        }

    def sign_body(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        nonce: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        serial: str | None = None,
    ) -> SignedNotice:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(16)
        signature = rsa_sign(key or self.platform_key, f"{ts}\n{nonce}\n{body.decode()}\n")
        return SignedNotice(
            body=body,
            headers={
                "Wechatpay-Signature": signature,
                "Wechatpay-Timestamp": ts,
                "Wechatpay-Nonce": nonce,
                "Wechatpay-Serial": serial or self.public_key_id,
                "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            },
        )

    def notice(self, resource: dict[str, Any], **kwargs: Any) -> SignedNotice:
        sign_kwargs = {k: kwargs.pop(k) for k in ("timestamp", "nonce", "key", "serial") if k in kwargs}
        body = json.dumps(self.envelope(resource, **kwargs), ensure_ascii=False).encode()
        return self.sign_body(body, **sign_kwargs)

    # --- API answers through ``responses`` ------------------------------------------------

    def signed_answer(self, status: int, payload: dict[str, Any] | None) -> Any:
        """A ``responses`` callback whose answer carries WeChat's signature headers."""

        def callback(request: Any) -> tuple[int, dict[str, str], str]:
            text = json.dumps(payload) if payload is not None else ""
            signed = self.sign_body(text.encode())
            return status, signed.headers, text

        return callback

    def mock(
        self, rsps: responses.RequestsMock, method: str, path: str, payload: dict[str, Any] | None, status: int = 200
    ) -> None:
        url: str | re.Pattern[str] = API + path
        if "?" in path:
            url = re.compile(re.escape(API + path))
        rsps.add_callback(method, url, callback=self.signed_answer(status, payload), content_type="application/json")

    def verify_merchant_authorization(self, request: Any) -> bool:
        """The SDK signed the request with the merchant key: ``METHOD\\nPATH\\nTS\\nNONCE\\nBODY\\n``."""
        header = request.headers["Authorization"]
        fields = dict(re.findall(r'(\w+)="([^"]*)"', header))
        path = request.path_url
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        message = f"{request.method}\n{path}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
        return fields["mchid"] == MCHID and rsa_verify(self.merchant_key.public_key(), message, fields["signature"])
