"""WeChat's HTTPS API replaced at the HTTP boundary (``responses``), with its documented payloads.

Shapes follow the official docs: ``cgi-bin/token`` → ``{"access_token", "expires_in"}``;
``sns/jscode2session`` → ``{"openid", "session_key", "unionid"?}`` or ``{"errcode", "errmsg"}``;
``cgi-bin/message/subscribe/send`` → ``{"errcode": 0, "errmsg": "ok"}``.
"""

from __future__ import annotations

from typing import Any

import responses

TOKEN_URL = "https://api.weixin.qq.com/cgi-bin/token"
CODE2SESSION_URL = "https://api.weixin.qq.com/sns/jscode2session"
SUBSCRIBE_SEND_URL = "https://api.weixin.qq.com/cgi-bin/message/subscribe/send"
ACCESS_TOKEN = "ACCESS_TOKEN_FOR_TESTS"


def stub_access_token(rsps: responses.RequestsMock, *, token: str = ACCESS_TOKEN) -> Any:
    return rsps.add(responses.GET, TOKEN_URL, json={"access_token": token, "expires_in": 7200})


def stub_code2session(
    rsps: responses.RequestsMock,
    *,
    openid: str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    session_key: str = "tiihtNczf5v6AKRyjwEUhQ==",
    unionid: str | None = None,
) -> Any:
    body: dict[str, Any] = {"openid": openid, "session_key": session_key}
    if unionid is not None:
        body["unionid"] = unionid
    return rsps.add(responses.GET, CODE2SESSION_URL, json=body)


def stub_code2session_error(rsps: responses.RequestsMock, *, errcode: int, errmsg: str) -> Any:
    return rsps.add(responses.GET, CODE2SESSION_URL, json={"errcode": errcode, "errmsg": errmsg})


def stub_subscribe_send(rsps: responses.RequestsMock, *, errcode: int = 0, errmsg: str = "ok") -> Any:
    return rsps.add(responses.POST, SUBSCRIBE_SEND_URL, json={"errcode": errcode, "errmsg": errmsg})


PHONE_NUMBER_URL = "https://api.weixin.qq.com/wxa/business/getuserphonenumber"


def stub_phone_number(
    rsps: responses.RequestsMock,
    *,
    phone: str = "13800138000",
    country_code: str = "86",
    appid: str = "wx-test-appid",
    timestamp: int = 1765000000,
) -> Any:
    """``wxa/business/getuserphonenumber`` as documented: the number with its watermark."""
    plus = f"+{country_code} " if country_code != "86" else ""
    return rsps.add(
        responses.POST,
        PHONE_NUMBER_URL,
        json={
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": f"{plus}{phone}",
                "purePhoneNumber": phone,
                "countryCode": country_code,
                "watermark": {"timestamp": timestamp, "appid": appid},
            },
        },
    )


def stub_phone_number_error(rsps: responses.RequestsMock, *, errcode: int, errmsg: str) -> Any:
    return rsps.add(responses.POST, PHONE_NUMBER_URL, json={"errcode": errcode, "errmsg": errmsg})
