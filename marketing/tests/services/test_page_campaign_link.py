"""Issue 17: a page block may link a campaign (``campaign:<id>``), opened in the mini-program as
the campaign's own page (state, window and its page); a campaign that does not exist is refused on
save with the link named, like every other link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from marketing.errors import PageInvalid
from marketing.pages import resolvers
from marketing.pages.blocks import LINK_HELP, check_link
from marketing.services.campaigns import CampaignData, campaign_create
from marketing.services.pages import PageData, page_create, page_save

pytestmark = pytest.mark.django_db


def _campaign(staff: User) -> int:
    now = timezone.now()
    data = CampaignData(name="双 12 年终大促", starts_at=now, ends_at=now + timedelta(days=3))
    return campaign_create(actor=staff, data=data).pk


def test_a_banner_and_a_nav_icon_link_a_campaign(staff: User) -> None:
    campaign_id = _campaign(staff)
    page = page_create(actor=staff, data=PageData(title="首页", slug="home-campaign"))
    link = f"campaign:{campaign_id}"
    banner = {"type": "banner", "settings": {"image": "https://cdn.example.com/b.jpg", "link": link}}
    nav = {"type": "nav_icons", "settings": {"items": f"年终大促 | | {link}\n领券 | | coupons"}}
    version = page_save(actor=staff, page_id=page.pk, blocks=[banner, nav])

    now = timezone.now()
    banners = resolvers.resolve_banner([version.blocks[0]["settings"]], now).data
    assert banners[0]["target"] == {"type": "campaign", "id": campaign_id}
    icons = resolvers.resolve_nav_icons([version.blocks[1]["settings"]], now).data[0]["items"]
    assert [item["target"] for item in icons] == [{"type": "campaign", "id": campaign_id}, {"type": "coupons"}]
    assert "campaign:活动编号" in str(LINK_HELP)


@pytest.mark.parametrize("link", ["campaign:999999", "campaign:", "campaign:abc", "campaign:-1"])
def test_a_campaign_link_must_name_an_existing_campaign(staff: User, link: str) -> None:
    _campaign(staff)
    assert check_link(link) == f"跳转“{link}”无效。"
    page = page_create(actor=staff, data=PageData(title="首页", slug=f"home-bad-{abs(hash(link)) % 1000}"))
    banner = {"type": "banner", "settings": {"image": "https://cdn.example.com/b.jpg", "link": link}}
    with pytest.raises(PageInvalid) as refused:
        page_save(actor=staff, page_id=page.pk, blocks=[banner])
    assert link in refused.value.details["errors"]["0.link"]
