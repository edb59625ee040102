"""The console sidebar: marketing grouped the way a merchant thinks, every tool one click away."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import translation

from mall.console.navigation import sidebar_navigation


def _sidebar(user: Any) -> dict[str, list[str]]:
    request = RequestFactory().get("/admin/")
    request.user = user
    with translation.override("zh-hans"):
        groups = sidebar_navigation(request)
        return {str(group["title"]): [str(item["title"]) for item in group["items"]] for group in groups}


@pytest.mark.django_db
def test_marketing_is_grouped_by_what_each_tool_is_for(owner: Any) -> None:
    sidebar = _sidebar(owner)

    titles = list(sidebar)
    assert titles[:9] == ["概览", "商品", "订单", "活动管理", "引流拉新", "转化", "裂变", "内容", "会员"]
    assert "直播间" in sidebar["内容"]  # content marketing (issue 19): live selling
    assert sidebar["活动管理"] == ["营销活动", "活动模板", "异常告警"]
    assert "营销" not in titles
    assert sidebar["引流拉新"][0] == "秒杀场次" and "秒杀日历" in sidebar["引流拉新"]
    assert sidebar["转化"][:3] == ["促销活动", "优惠券模板", "优惠券"] and "价格试算" in sidebar["转化"]
    assert {"拼团活动", "砍价活动", "推广员", "佣金明细", "佣金提现", "裂变数据"} <= set(sidebar["裂变"])
    assert "会员折扣" in sidebar["会员"]
    # beat's own models stay out of a merchant's sidebar; its jobs are one page
    assert "计划任务" in sidebar["系统"]
    assert not any("定时任务" in title for title in titles)
    # no English leftovers anywhere in a merchant's sidebar
    for group, items in sidebar.items():
        for title in [group, *items]:
            assert not any("a" <= ch.lower() <= "z" for ch in title), title


@pytest.mark.django_db
def test_a_role_sees_only_the_groups_it_may_open(staff_factory: Any) -> None:
    finance = staff_factory("finance")
    sidebar = _sidebar(finance)
    assert "引流拉新" not in sidebar
    assert "佣金提现" in sidebar["裂变"]
