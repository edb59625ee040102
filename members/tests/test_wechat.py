"""The WeChat adapter against WeChat's documented HTTP payloads (responses at the HTTP boundary)."""

from __future__ import annotations

import json

import pytest
import requests
import responses
from pytest_django.fixtures import Settings
from responses import matchers

from members import wechat
from members.errors import WeChatCodeInvalid, WeChatRateLimited, WeChatSubscribeRefused, WeChatUnavailable
from members.tests.wechat_stubs import (
    ACCESS_TOKEN,
    CODE2SESSION_URL,
    SUBSCRIBE_SEND_URL,
    TOKEN_URL,
    stub_code2session,
    stub_code2session_error,
    stub_subscribe_send,
)


def test_code_to_session_returns_the_session(wechat_api: responses.RequestsMock) -> None:
    call = wechat_api.add(
        responses.GET,
        CODE2SESSION_URL,
        json={"openid": "oABC", "session_key": "sk==", "unionid": "uXYZ"},
        match=[
            matchers.query_param_matcher(
                {
                    "appid": "wx-test-appid",
                    "secret": "test-secret",
                    "js_code": "the-code",
                    "grant_type": "authorization_code",
                    "access_token": ACCESS_TOKEN,
                }
            )
        ],
    )

    session = wechat.code_to_session(code="the-code")

    assert session == wechat.WeChatSession(openid="oABC", session_key="sk==", unionid="uXYZ")
    assert call.call_count == 1


def test_rejected_access_token_is_refetched_once(wechat_api: responses.RequestsMock) -> None:
    """WeChat answers 40001 when another process refreshed the token: wechatpy fetches a new one and retries."""
    stub_code2session_error(wechat_api, errcode=40001, errmsg="invalid credential, access_token is invalid")
    stub_code2session(wechat_api, openid="oRetry")

    session = wechat.code_to_session(code="c")

    assert session.openid == "oRetry"
    token_calls = [c for c in wechat_api.calls if str(c.request.url).startswith(TOKEN_URL)]
    assert len(token_calls) == 2


def test_code_to_session_without_unionid(wechat_api: responses.RequestsMock) -> None:
    stub_code2session(wechat_api, openid="oNoUnion", session_key="k")

    session = wechat.code_to_session(code="c")

    assert session.openid == "oNoUnion"
    assert session.unionid is None


def test_access_token_is_fetched_once_and_shared_through_the_cache(wechat_api: responses.RequestsMock) -> None:
    stub_code2session(wechat_api)

    wechat.code_to_session(code="a")
    wechat.code_to_session(code="b")

    token_calls = [c for c in wechat_api.calls if str(c.request.url).startswith(TOKEN_URL)]
    assert len(token_calls) == 1


@pytest.mark.parametrize(
    ("errcode", "errmsg", "error", "status"),
    [
        (40029, "invalid code", WeChatCodeInvalid, 400),
        (40163, "code been used", WeChatCodeInvalid, 400),
        (45011, "api minute-quota reach limit  mustslower  retry next minute", WeChatRateLimited, 429),
        (-1, "system error", WeChatUnavailable, 503),
        (40013, "invalid appid", WeChatUnavailable, 503),
    ],
)
def test_code_to_session_errors_become_application_errors(
    wechat_api: responses.RequestsMock, errcode: int, errmsg: str, error: type[Exception], status: int
) -> None:
    stub_code2session_error(wechat_api, errcode=errcode, errmsg=errmsg)

    with pytest.raises(error) as raised:
        wechat.code_to_session(code="bad")

    assert raised.value.status == status  # type: ignore[attr-defined]
    assert raised.value.details == {"errcode": errcode}  # type: ignore[attr-defined]


def test_http_error_from_wechat_is_unavailable(wechat_api: responses.RequestsMock) -> None:
    wechat_api.add(responses.GET, CODE2SESSION_URL, status=502, body="Bad Gateway")

    with pytest.raises(WeChatUnavailable):
        wechat.code_to_session(code="c")


def test_unreachable_wechat_is_unavailable(wechat_api: responses.RequestsMock) -> None:
    wechat_api.add(responses.GET, CODE2SESSION_URL, body=requests.ConnectionError("connection reset"))

    with pytest.raises(WeChatUnavailable):
        wechat.code_to_session(code="c")


def test_answer_without_openid_is_unavailable(wechat_api: responses.RequestsMock) -> None:
    wechat_api.add(responses.GET, CODE2SESSION_URL, json={"session_key": "k"})

    with pytest.raises(WeChatUnavailable):
        wechat.code_to_session(code="c")


def test_token_fetch_failure_is_unavailable() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, TOKEN_URL, json={"errcode": 40125, "errmsg": "invalid appsecret"})
        code_call = stub_code2session(rsps)

        with pytest.raises(WeChatUnavailable):
            wechat.code_to_session(code="c")

        assert code_call.call_count == 0


def test_unconfigured_app_is_unavailable_without_calling_wechat(settings: Settings) -> None:
    settings.WECHAT_APPID = ""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        with pytest.raises(WeChatUnavailable):
            wechat.code_to_session(code="c")
        assert len(rsps.calls) == 0


def test_subscribe_message_send_posts_the_documented_body(wechat_api: responses.RequestsMock) -> None:
    call = stub_subscribe_send(wechat_api)

    wechat.subscribe_message_send(
        openid="oABC",
        template_id="TPL-1",
        data={"thing1": "生日快乐", "amount2": "50"},
        page="pages/coupons/index",
    )

    assert call.call_count == 1
    request = call.calls[0].request
    assert request.url == f"{SUBSCRIBE_SEND_URL}?access_token={ACCESS_TOKEN}"
    assert json.loads(request.body) == {
        "touser": "oABC",
        "template_id": "TPL-1",
        "page": "pages/coupons/index",
        "data": {"thing1": {"value": "生日快乐"}, "amount2": {"value": "50"}},
    }


def test_subscribe_message_refused_by_the_shopper(wechat_api: responses.RequestsMock) -> None:
    stub_subscribe_send(wechat_api, errcode=43101, errmsg="user refuse to accept the msg")

    with pytest.raises(WeChatSubscribeRefused):
        wechat.subscribe_message_send(openid="oABC", template_id="TPL-1", data={"thing1": "x"})


def test_subscribe_message_rate_limited(wechat_api: responses.RequestsMock) -> None:
    stub_subscribe_send(wechat_api, errcode=45009, errmsg="reach max api daily quota limit")

    with pytest.raises(WeChatRateLimited):
        wechat.subscribe_message_send(openid="oABC", template_id="TPL-1", data={"thing1": "x"})
