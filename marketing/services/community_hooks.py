"""The 种草社区 listens to the order lifecycle (imported by ``MarketingConfig.ready``): when an
order completes, the shopper is invited once to post about what they bought.

The order core calls this inside the transaction that completed the order; the message is a
marketing message (``community_invite``), so the global holdout gets none.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from marketing.models import CommunityPost, PostStatus
from members.services.messages import message_send
from orders.models import Order
from orders.services.hooks import order_hook

INVITE_MESSAGE_KIND = "community_invite"
COMPOSE_PAGE = "/package-community/compose/index"


@order_hook("completed")
def community_invite_on_completed(*, order: Order, refund: Any = None) -> None:
    """One message per completed order naming its first product the shopper has not posted about."""
    product_ids = list(dict.fromkeys(order.lines.values_list("product_id", flat=True)))
    if not product_ids:
        return
    posted = set(
        CommunityPost.objects.filter(author_id=order.member_id, products__in=product_ids)
        .exclude(status=PostStatus.DELETED)
        .values_list("products", flat=True)
    )
    open_ids = [pid for pid in product_ids if pid not in posted]
    if not open_ids:
        return
    title = order.lines.filter(product_id=open_ids[0]).values_list("title", flat=True).first() or ""
    message_send(
        member_id=order.member_id,
        kind=INVITE_MESSAGE_KIND,
        title=_("晒单赢积分"),
        body=_("「%(title)s」用得怎么样？发一篇种草笔记，优质内容可得积分奖励。") % {"title": title[:40]},
        link=f"{COMPOSE_PAGE}?product_id={open_ids[0]}",
    )
