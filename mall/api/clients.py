"""Who is calling: the client's IP address and the device id the mini-program sends.

``X-Forwarded-For`` is only believed when ``TRUSTED_PROXY_COUNT`` says how many proxies of our
own sit in front of Django (nginx, a load balancer): each appends the address it saw, so the
client is the entry that many places from the right. Without trusted proxies the header is
whatever the caller typed, and REMOTE_ADDR is the only honest address. Throttles, block lists
and risk signals all use :func:`client_ip`, so they agree on who the caller is.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

from django.conf import settings

DEVICE_HEADER = "HTTP_X_DEVICE_ID"
CAPTCHA_HEADER = "HTTP_X_CAPTCHA_PASS"
_DEVICE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")


# Where the request's answer is kept: throttles, the guard and the risk signals each ask.
_META_KEY = "duoying.client_ip"


@lru_cache(maxsize=4096)
def _valid_ip(value: str) -> str:
    """Normalised text of an address; an IPv4 address seen through a dual-stack socket
    (``::ffff:1.2.3.4``) is given as IPv4, so a block of ``1.2.3.4`` catches it."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return ""
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def client_ip(request: Any) -> str:
    """The caller's address as a normalised string ("" only if even REMOTE_ADDR is unusable);
    worked out once per request (the throttles, the guard and the risk signals all ask)."""
    meta = request.META
    known = meta.get(_META_KEY)
    if known is None:
        known = meta[_META_KEY] = _client_ip(meta)
    return str(known)


def _client_ip(meta: Any) -> str:
    remote = _valid_ip(str(meta.get("REMOTE_ADDR") or ""))
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    return _valid_ip(hops[-min(proxies, len(hops))]) or remote


def client_device_id(request: Any) -> str:
    """``X-Device-Id`` when it looks like an id (letters, digits, ``._:-``, at most 64), else ""."""
    value = str(request.META.get(DEVICE_HEADER) or "").strip()
    return value if _DEVICE_ID.match(value) else ""


def client_captcha_pass(request: Any) -> str:
    """``X-Captcha-Pass`` as sent (its signature is checked by the captcha service)."""
    return str(request.META.get(CAPTCHA_HEADER) or "").strip()[:512]
