"""Our thin adapter around wechatpy: the only module that talks to WeChat's mini-program APIs.

Callers get small dataclasses back and ApplicationError subclasses on failure, never a
wechatpy or requests exception, so a WeChat hiccup becomes a 4xx/503 instead of a 500.

The access token lives in the Django cache (Redis in production), shared by every worker:
fetching a new token invalidates the previous one after a grace period, so per-process
tokens would make workers log each other out. wechatpy's ``wxa.code_to_session`` attaches
an access token to its request, so the first login after the token expired also fetches one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from wechatpy.client import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from members.errors import WeChatCodeInvalid, WeChatRateLimited, WeChatSubscribeRefused, WeChatUnavailable

logger = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 5
# Refresh the access token a little before WeChat expires it.
TOKEN_EXPIRY_MARGIN_SECONDS = 300

CODE_INVALID_ERRCODES = frozenset({40029, 40163})  # invalid code, code already used
RATE_LIMIT_ERRCODES = frozenset({45009, 45011})  # daily quota, per-minute quota
SUBSCRIBE_REFUSED_ERRCODES = frozenset({43101})  # shopper did not accept (or used up) the subscription


@dataclass(frozen=True)
class WeChatSession:
    """What code2Session tells us. ``session_key`` stays on the server."""

    openid: str
    session_key: str
    unionid: str | None = None


class DjangoCacheStorage(SessionStorage):
    """wechatpy session storage on the Django cache, so every process shares one access token."""

    prefix = "wechat:"

    def get(self, key: str, default: Any = None) -> Any:
        return cache.get(self.prefix + key, default)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is None:
            return
        timeout = None if ttl is None else max(int(ttl) - TOKEN_EXPIRY_MARGIN_SECONDS, 60)
        cache.set(self.prefix + key, value, timeout)

    def delete(self, key: str) -> None:
        cache.delete(self.prefix + key)


def _client() -> WeChatClient:
    if not settings.WECHAT_APPID or not settings.WECHAT_SECRET:
        logger.error("WeChat call attempted without WECHAT_APPID/WECHAT_SECRET")
        raise WeChatUnavailable()
    return WeChatClient(
        settings.WECHAT_APPID,
        settings.WECHAT_SECRET,
        session=DjangoCacheStorage(),
        timeout=HTTP_TIMEOUT_SECONDS,
    )


@contextmanager
def _wechat_errors(operation: str) -> Iterator[None]:
    """Translates wechatpy/requests failures into our error vocabulary."""
    try:
        yield
    except WeChatClientException as exc:
        errcode = exc.errcode
        if errcode in CODE_INVALID_ERRCODES:
            raise WeChatCodeInvalid(details={"errcode": errcode}) from exc
        if errcode in RATE_LIMIT_ERRCODES:
            logger.warning("WeChat %s rate limited: %s", operation, exc)
            raise WeChatRateLimited(details={"errcode": errcode}) from exc
        if errcode in SUBSCRIBE_REFUSED_ERRCODES:
            raise WeChatSubscribeRefused(details={"errcode": errcode}) from exc
        # -1 (busy), HTTP errors (errcode None), bad appid/secret and anything new.
        logger.error("WeChat %s failed: %s", operation, exc)
        raise WeChatUnavailable(details={"errcode": errcode}) from exc
    except (requests.RequestException, ValueError, KeyError) as exc:
        logger.error("WeChat %s unreachable: %s", operation, exc)
        raise WeChatUnavailable() from exc


def code_to_session(*, code: str) -> WeChatSession:
    """Exchanges a ``wx.login`` code for the shopper's openid/unionid and session key."""
    with _wechat_errors("code2session"):
        result = _client().wxa.code_to_session(code)
    if not isinstance(result, dict) or not result.get("openid") or not result.get("session_key"):
        logger.error("WeChat code2session answered without openid/session_key")
        raise WeChatUnavailable()
    return WeChatSession(
        openid=str(result["openid"]),
        session_key=str(result["session_key"]),
        unionid=str(result["unionid"]) if result.get("unionid") else None,
    )


@dataclass(frozen=True)
class WeChatPhone:
    """What ``wxa/business/getuserphonenumber`` tells us about the number the shopper chose to share."""

    phone_number: str  # with the country code for numbers outside the mainland, e.g. "+1 2025550123"
    pure_phone_number: str  # without it
    country_code: str
    appid: str  # the watermark: the mini-program the number was issued for


PHONE_NUMBER_PATH = "wxa/business/getuserphonenumber"
WXA_API_BASE = "https://api.weixin.qq.com/"


def phone_number_from_code(*, code: str) -> WeChatPhone:
    """Exchanges a ``getPhoneNumber`` button's code for the shopper's phone number (access token attached).

    40029 (invalid code) → WeChatCodeInvalid; 45011 → WeChatRateLimited; -1 (busy) and the rest →
    WeChatUnavailable. A reply without ``phone_info`` is treated as WeChat being unavailable.
    """
    with _wechat_errors("getuserphonenumber"):
        result = _client().post(PHONE_NUMBER_PATH, data={"code": code}, api_base_url=WXA_API_BASE)
    info = result.get("phone_info") if isinstance(result, dict) else None
    if not isinstance(info, dict) or not info.get("purePhoneNumber"):
        logger.error("WeChat getuserphonenumber answered without phone_info")
        raise WeChatUnavailable()
    raw_watermark = info.get("watermark")
    watermark: dict[str, Any] = raw_watermark if isinstance(raw_watermark, dict) else {}
    return WeChatPhone(
        phone_number=str(info.get("phoneNumber") or ""),
        pure_phone_number=str(info["purePhoneNumber"]),
        country_code=str(info.get("countryCode") or ""),
        appid=str(watermark.get("appid") or ""),
    )


def subscribe_message_send(*, openid: str, template_id: str, data: Mapping[str, str], page: str | None = None) -> None:
    """Sends a one-time subscribe message. ``data`` maps template keys (``thing1``) to plain values."""
    payload = {key: {"value": str(value)} for key, value in data.items()}
    with _wechat_errors("subscribeMessage.send"):
        _client().wxa.send_subscribe_message(openid, template_id, payload, page=page)


# --- content security (内容安全, used by the 种草社区 F23) -------------------------------------

MSG_SEC_CHECK_PATH = "wxa/msg_sec_check"
MEDIA_CHECK_ASYNC_PATH = "wxa/media_check_async"
SECURITY_SCENE_FORUM = 3  # WeChat's scene 3: 论坛 (forum posts and comments)
MEDIA_TYPE_IMAGE = 2  # media_check_async: 1 audio, 2 image
SUGGESTIONS = frozenset({"pass", "review", "risky"})


@dataclass(frozen=True)
class SecurityVerdict:
    """WeChat's ``result`` of a v2 check: ``suggest`` is pass / review / risky, ``label`` its category
    (100 normal, 20001 时政, 20002 色情 …)."""

    suggest: str
    label: int | None
    trace_id: str


def msg_sec_check(*, openid: str, content: str) -> SecurityVerdict:
    """Checks text with ``wxa/msg_sec_check`` (version 2, forum scene) on behalf of ``openid``.

    The shopper must have opened the mini-program within two hours (else 61010 →
    WeChatUnavailable); errcode ≠ 0 raises like every other call here.
    """
    body = {"content": content, "version": 2, "scene": SECURITY_SCENE_FORUM, "openid": openid}
    with _wechat_errors("msg_sec_check"):
        result = _client().post(MSG_SEC_CHECK_PATH, data=body, api_base_url=WXA_API_BASE)
    verdict = result.get("result") if isinstance(result, dict) else None
    suggest = verdict.get("suggest") if isinstance(verdict, dict) else None
    if suggest not in SUGGESTIONS:
        logger.error("WeChat msg_sec_check answered without result.suggest")
        raise WeChatUnavailable()
    assert isinstance(verdict, dict)  # noqa: S101 - narrowed by the suggest check above
    label = verdict.get("label")
    return SecurityVerdict(
        suggest=str(suggest),
        label=int(label) if isinstance(label, int) else None,
        trace_id=str(result.get("trace_id") or ""),
    )


def media_check_async(*, openid: str, media_url: str) -> str:
    """Asks WeChat to check a picture at a public URL; the verdict arrives later as the
    ``wxa_media_check`` push event naming the returned ``trace_id``."""
    body = {
        "media_url": media_url,
        "media_type": MEDIA_TYPE_IMAGE,
        "version": 2,
        "scene": SECURITY_SCENE_FORUM,
        "openid": openid,
    }
    with _wechat_errors("media_check_async"):
        result = _client().post(MEDIA_CHECK_ASYNC_PATH, data=body, api_base_url=WXA_API_BASE)
    trace_id = result.get("trace_id") if isinstance(result, dict) else None
    if not trace_id:
        logger.error("WeChat media_check_async answered without trace_id")
        raise WeChatUnavailable()
    return str(trace_id)
