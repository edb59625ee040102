"""Our thin adapter around the 企业微信 group robot (群机器人) webhook: the only module that
posts to it.

``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`` with
``{"msgtype": "markdown", "markdown": {"content": …}}`` answers ``{"errcode": 0, "errmsg":
"ok"}``; any other errcode (93000 bad key, 45009 too many messages a minute, …) is a refusal:
the message did not go out. Callers get :class:`WeComRobotRefused` or
:class:`WeComRobotUnavailable`, never a requests exception, and learn from
:class:`WeComRobotUncertain` when the robot may have posted the message but did not answer
(a read timeout): such a message must not be sent again blindly.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from mall.errors import WeComRobotRefused, WeComRobotUnavailable

logger = logging.getLogger(__name__)

WEBHOOK_PREFIX = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="
HTTP_TIMEOUT_SECONDS = 5
# The robot refuses markdown longer than 4096 bytes.
MARKDOWN_MAX_BYTES = 4096


class WeComRobotUncertain(WeComRobotUnavailable):
    """The request went out but no answer came back: it may have been posted."""

    code = "wecom_robot_uncertain"


def webhook_valid(url: str) -> bool:
    """A group robot's webhook address as 企业微信 gives it (https, its host, a ``key``)."""
    if not url.startswith(WEBHOOK_PREFIX):
        return False
    return bool(parse_qs(urlsplit(url).query).get("key", [""])[0].strip())


def webhook_masked(url: str) -> str:
    """The address without most of its key (the key is the robot's only secret)."""
    key = parse_qs(urlsplit(url).query).get("key", [""])[0]
    return f"{WEBHOOK_PREFIX}{key[:4]}…{key[-4:]}" if len(key) > 8 else WEBHOOK_PREFIX + "…"


def _clip(content: str) -> str:
    raw = content.encode()
    if len(raw) <= MARKDOWN_MAX_BYTES:
        return content
    return raw[: MARKDOWN_MAX_BYTES - 3].decode(errors="ignore") + "…"


def wecom_markdown_send(*, webhook: str, content: str) -> None:
    """Post one markdown message to a group robot; returns only when 企业微信 said ok."""
    body: dict[str, Any] = {"msgtype": "markdown", "markdown": {"content": _clip(content)}}
    try:
        response = requests.post(webhook, json=body, timeout=HTTP_TIMEOUT_SECONDS)
    except requests.ConnectTimeout as exc:  # never connected: nothing was posted
        raise WeComRobotUnavailable(details={"error": "connect_timeout"}) from exc
    except requests.Timeout as exc:
        raise WeComRobotUncertain(details={"error": "read_timeout"}) from exc
    except requests.RequestException as exc:
        raise WeComRobotUnavailable(details={"error": type(exc).__name__}) from exc
    try:
        answer = response.json()
    except ValueError as exc:
        raise WeComRobotUnavailable(details={"status": response.status_code}) from exc
    errcode = int(answer.get("errcode", -1)) if isinstance(answer, dict) else -1
    if errcode != 0:
        errmsg = str(answer.get("errmsg", "")) if isinstance(answer, dict) else ""
        logger.warning("wecom robot refused: %s %s", errcode, errmsg)
        raise WeComRobotRefused(details={"errcode": errcode, "errmsg": errmsg[:200]})
