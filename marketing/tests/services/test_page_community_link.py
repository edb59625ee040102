"""F23: a page's nav icon may open the 种草社区 feed (link word ``community``), so the home page
designer can put the community on the home screen; words the mini-program can't open stay refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from marketing.errors import PageInvalid
from marketing.pages import resolvers
from marketing.services.pages import PageData, page_create, page_save

pytestmark = pytest.mark.django_db


def test_a_nav_icon_links_the_community_feed(staff: User) -> None:
    page = page_create(actor=staff, data=PageData(title="首页", slug="home-nav"))
    nav = {"type": "nav_icons", "settings": {"items": "种草社区 | | community\n领券 | | coupons"}}
    version = page_save(actor=staff, page_id=page.pk, blocks=[nav])
    resolved = resolvers.resolve_nav_icons([version.blocks[0]["settings"]], timezone.now())
    targets = [item["target"] for item in resolved.data[0]["items"]]
    assert targets == [{"type": "community"}, {"type": "coupons"}]


def test_an_unknown_link_word_is_still_refused(staff: User) -> None:
    page = page_create(actor=staff, data=PageData(title="首页", slug="home-bad"))
    nav = {"type": "nav_icons", "settings": {"items": "社区 | | communities"}}
    with pytest.raises(PageInvalid) as refused:
        page_save(actor=staff, page_id=page.pk, blocks=[nav])
    assert "communities" in refused.value.details["errors"]["0.items"]
