"""Building community posts, products and WeChat's content-security answers for the F23 tests.

WeChat's HTTPS API is replaced at the HTTP boundary (``responses``) with the documented v2
payloads of ``wxa/msg_sec_check`` and ``wxa/media_check_async``, refusals included, and its
``wxa_media_check`` push event is posted to our callback signed the way WeChat signs it.
"""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import responses
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from mall.models import Category, Product, Sku
from marketing.api.wechat_push import push_signature
from marketing.models import CommunityPost, CommunitySettings, CommunityTopic
from marketing.services.community import community_media_upload, community_post_create
from marketing.services.community_moderation import community_post_approve
from members.models import Member

MSG_SEC_CHECK_URL = "https://api.weixin.qq.com/wxa/msg_sec_check"
MEDIA_CHECK_URL = "https://api.weixin.qq.com/wxa/media_check_async"
PUSH_TOKEN = "community-push-token"


def staff_user() -> User:
    user, _created = User.objects.get_or_create(
        username="community-ops", defaults={"is_staff": True, "is_superuser": True, "email": "ops@example.com"}
    )
    return user


def make_product(title: str = "保湿面霜") -> Product:
    category, _created = Category.objects.get_or_create(name="社区测试")
    product = Product.objects.create(category=category, title=title, min_price=9900)
    Sku.objects.create(product=product, code=f"C-{uuid.uuid4().hex[:10]}", price=9900, stock=100)
    return product


def topic(slug: str = "skincare", name: str = "护肤心得") -> CommunityTopic:
    return CommunityTopic.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def png_bytes(color: str = "red", size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def mp4_upload(name: str = "clip.mp4") -> SimpleUploadedFile:
    # The first box of an MP4 file: size, "ftyp", the brand.
    return SimpleUploadedFile(
        name, b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + b"\x00" * 64, content_type="video/mp4"
    )


def make_post(author: Member, *, text: str = "这款面霜很滋润，推荐！", images: int = 0, **kwargs: Any) -> CommunityPost:
    media_ids = [community_media_upload(member=author, upload=png_upload()).pk for _i in range(images)]
    return community_post_create(member=author, text=text, media_ids=media_ids, **kwargs)


def published_post(author: Member, **kwargs: Any) -> CommunityPost:
    post = make_post(author, **kwargs)
    community_post_approve(post_id=post.pk, actor=staff_user())
    return CommunityPost.objects.get(pk=post.pk)


def community_rules(**fields: Any) -> CommunitySettings:
    rules = CommunitySettings.load()
    for key, value in fields.items():
        setattr(rules, key, value)
    rules.save()
    return rules


# --- WeChat at the HTTP boundary ----------------------------------------------------------


def stub_msg_sec_check(rsps: responses.RequestsMock, *, suggest: str = "pass", label: int = 100) -> Any:
    """The documented v2 answer: result + per-strategy detail + trace_id."""
    return rsps.add(
        responses.POST,
        MSG_SEC_CHECK_URL,
        json={
            "errcode": 0,
            "errmsg": "ok",
            "result": {"suggest": suggest, "label": label},
            "detail": [
                {"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90},
                {"strategy": "keyword", "errcode": 0, "suggest": "pass", "label": 100, "level": 20, "keyword": ""},
            ],
            "trace_id": f"60ae120f-{uuid.uuid4().hex[:8]}",
        },
    )


def stub_refusal(rsps: responses.RequestsMock, url: str, *, errcode: int, errmsg: str) -> Any:
    return rsps.add(responses.POST, url, json={"errcode": errcode, "errmsg": errmsg})


def stub_media_check(rsps: responses.RequestsMock, *trace_ids: str) -> list[Any]:
    """One answer per picture, in order: ``{errcode: 0, errmsg: "ok", trace_id}``."""
    return [
        rsps.add(responses.POST, MEDIA_CHECK_URL, json={"errcode": 0, "errmsg": "ok", "trace_id": trace_id})
        for trace_id in trace_ids
    ]


def media_check_event(trace_id: str, *, suggest: str = "pass", label: int = 100, errcode: int = 0) -> dict[str, Any]:
    """The ``wxa_media_check`` push event as WeChat documents it (JSON mode, version 2)."""
    return {
        "ToUserName": "gh_38cc49f9733b",
        "FromUserName": "oH1fu0FdHqpToe2T6gBj0WyB8iS1",
        "CreateTime": 1626959646,
        "MsgType": "event",
        "Event": "wxa_media_check",
        "appid": "wx-test-appid",
        "trace_id": trace_id,
        "version": 2,
        "detail": [{"strategy": "content_model", "errcode": errcode, "suggest": suggest, "label": label, "prob": 90}],
        "errcode": errcode,
        "errmsg": "ok" if errcode == 0 else "system error",
        "result": {"suggest": suggest, "label": label},
    }


def signed_query(*, token: str = PUSH_TOKEN, timestamp: str = "1626959646", nonce: str = "1504371212") -> str:
    signature = push_signature(token=token, timestamp=timestamp, nonce=nonce)
    return f"signature={signature}&timestamp={timestamp}&nonce={nonce}"


def push(event: dict[str, Any], *, query: str | None = None) -> Any:
    return APIClient().post(
        f"/api/v1/wechat/push?{query if query is not None else signed_query()}",
        data=json.dumps(event),
        content_type="application/json",
    )


# --- orders -------------------------------------------------------------------------------


def paid_order(member: Member, product: Product) -> Any:
    """An order of one unit of ``product`` paid in the sandbox (the lifecycle hooks run)."""
    from datetime import timedelta

    from django.utils import timezone

    from orders.models import Order, OrderLine
    from orders.services.payments import out_trade_no_new, payment_create, payment_sandbox_complete

    sku = product.skus.first()
    assert sku is not None
    order = Order.objects.create(
        no=out_trade_no_new()[1:],
        member=member,
        goods_amount=sku.price,
        shipping_fee=0,
        payable_amount=sku.price,
        idempotency_key=out_trade_no_new(),
        expires_at=timezone.now() + timedelta(minutes=15),
    )
    OrderLine.objects.create(
        order=order,
        sku=sku,
        product=product,
        title=product.title,
        unit_price=sku.price,
        qty=1,
        item_amount=sku.price,
        paid_amount=sku.price,
    )
    started = payment_create(order=order, member=member)
    payment_sandbox_complete(member=member, out_trade_no=started["out_trade_no"])
    return Order.objects.get(pk=order.pk)


def completed_order(member: Member, product: Product) -> Any:
    from orders.models import Order
    from orders.services.orders import order_complete, order_ship

    order = paid_order(member, product)
    order_ship(order_id=order.pk, carrier="顺丰", tracking_no="SF1", actor=staff_user())
    assert order_complete(order_id=order.pk, reason="test")
    return Order.objects.get(pk=order.pk)
