"""The console sidebar, grouped the way a merchant works (goods, orders, marketing, shoppers…).

unfold calls ``sidebar_navigation(request)`` (settings.UNFOLD["SIDEBAR"]["navigation"]).
It is built from the admin registry on each request rather than from fixed URL names, so
a model another app registers later shows up by itself, a model that is not registered
never breaks the page with a missing URL, and each staff member only sees what their
role may open.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.console.titles import LAYERS_TITLE


@dataclass(frozen=True)
class SidebarGroup:
    key: str
    title: Any
    apps: tuple[str, ...]
    # Preferred order of models (lower-case model names); others follow alphabetically.
    order: tuple[str, ...] = ()
    collapsible: bool = False


# Menu headings carry the "sidebar" context: plural in English, while model names stay singular.
# Marketing is split the way a merchant thinks of it (PRODUCT.md's stages), not by app.
GROUPS: tuple[SidebarGroup, ...] = (
    SidebarGroup(
        "catalogue",
        pgettext_lazy("sidebar", "商品"),
        ("mall",),
        ("product", "sku", "category", "producttag", "productimage"),
    ),
    SidebarGroup(
        "orders",
        pgettext_lazy("sidebar", "订单"),
        ("orders",),
        ("order", "aftersale", "refund", "payment", "paymentnotice", "cartitem"),
    ),
    SidebarGroup(
        "studio",
        pgettext_lazy("sidebar", "活动管理"),
        (),
        ("campaign",),
    ),
    SidebarGroup(
        "acquire",
        pgettext_lazy("sidebar", "引流拉新"),
        (),
        ("flashslot", "flashpurchase", "flashreservation", "flashsettings"),
    ),
    SidebarGroup(
        "convert",
        pgettext_lazy("sidebar", "转化"),
        ("marketing",),
        ("promotion", "coupontemplate", "coupon", "campaignpage", "coupongrant", "limitedrelease", "pricingpolicy"),
    ),
    SidebarGroup(
        "spread",
        pgettext_lazy("sidebar", "裂变"),
        (),
        (
            "groupbuycampaign",
            "groupbuygroup",
            "bargaincampaign",
            "bargain",
            "teamactivity",
            "team",
            "inviteprogram",
            "invite",
            "invitereward",
            "distributionprogram",
            "promoter",
            "commission",
            "withdrawal",
            "productcommission",
            "wheel",
            "wheeldraw",
            "wheelchance",
        ),
    ),
    # Content marketing (issue 19): 种草社区 (F23, the review queue first), live selling (F24).
    SidebarGroup(
        "content",
        pgettext_lazy("sidebar", "内容"),
        (),
        (
            "communitypost",
            "communitycomment",
            "communityreport",
            "communitytopic",
            "communityaward",
            "communitysettings",
            "liveroom",
        ),
    ),
    SidebarGroup(
        "members",
        pgettext_lazy("sidebar", "会员"),
        ("members",),
        (
            "member",
            "memberimport",
            "tag",
            "tagrule",
            "segment",
            "segmentcampaign",
            "campaignmember",
            "earlyaccess",
            "tagbulkjob",
            "tierrate",
            "tierrule",
            "tierevaluation",
            "growthentry",
            "pointsentry",
            "pointsmallitem",
            "pointsexpiryrule",
            "checkinrule",
            "checkin",
            "address",
            "message",
            "subscribetemplate",
            "journey",
            "blockentry",
            "guardsettings",
        ),
    ),
    SidebarGroup("analytics", pgettext_lazy("sidebar", "数据"), ("analytics",)),
    SidebarGroup("system", pgettext_lazy("sidebar", "系统"), ("auth",), ("shopsettings", "auditlog", "user", "group")),
    # beat's own models: only with CONSOLE_DEVELOPER_TOOLS (mall.admin unregisters them otherwise)
    SidebarGroup("schedules", pgettext_lazy("sidebar", "开发者：定时任务"), ("django_celery_beat",), collapsible=True),
)

# Models placed by what they do rather than by their app (a group lists them in ``order``).
PLACED_BY_MODEL: dict[tuple[str, str], str] = {
    ("marketing", name): group.key for group in GROUPS if not group.apps for name in group.order
} | {("marketing", "tierrate"): "members", ("marketing", "journey"): "members"}

# Models of the mall app that belong under 系统 rather than 商品.
SYSTEM_MODELS = {("mall", "shopsettings"), ("mall", "auditlog")}

ICONS: dict[str, str] = {
    "mall.product": "inventory_2",
    "mall.sku": "style",
    "mall.category": "category",
    "mall.producttag": "sell",
    "mall.productimage": "image",
    "mall.shopsettings": "storefront",
    "mall.auditlog": "history",
    "orders.order": "receipt_long",
    "orders.aftersale": "assignment_return",
    "orders.refund": "currency_exchange",
    "orders.payment": "payments",
    "orders.paymentnotice": "notifications",
    "orders.cartitem": "shopping_cart",
    "members.member": "group",
    "members.memberimport": "move_to_inbox",
    "marketing.coupongrant": "forward_to_inbox",
    "members.tag": "label",
    "members.tagrule": "rule_settings",
    "members.tagbulkjob": "pending_actions",
    "members.segment": "groups_3",
    "members.segmentcampaign": "campaign",
    "members.campaignmember": "support_agent",
    "members.earlyaccess": "new_releases",
    "members.address": "home_pin",
    "members.pointsentry": "stars",
    "members.message": "mail",
    "members.subscribetemplate": "notifications_active",
    "members.blockentry": "block",
    "members.guardsettings": "shield",
    "members.tierrule": "military_tech",
    "members.tierevaluation": "event_repeat",
    "members.growthentry": "trending_up",
    "members.pointsmallitem": "redeem",
    "members.pointsexpiryrule": "hourglass_bottom",
    "members.checkinrule": "event_available",
    "members.checkin": "calendar_month",
    "auth.user": "badge",
    "auth.group": "admin_panel_settings",
    "analytics.event": "insights",
    "marketing.campaignpage": "web",
    "marketing.promotion": "sell",
    "marketing.coupontemplate": "confirmation_number",
    "marketing.coupon": "local_activity",
    "marketing.pricingpolicy": "rule",
    "marketing.tierrate": "workspace_premium",
    "marketing.journey": "route",
    "marketing.inviteprogram": "group_add",
    "marketing.invite": "person_add",
    "marketing.invitereward": "redeem",
    "marketing.distributionprogram": "share",
    "marketing.productcommission": "percent",
    "marketing.promoter": "campaign",
    "marketing.commission": "account_balance_wallet",
    "marketing.withdrawal": "payments",
    "marketing.groupbuycampaign": "groups",
    "marketing.groupbuygroup": "diversity_3",
    "marketing.bargaincampaign": "content_cut",
    "marketing.bargain": "price_change",
    "marketing.campaign": "celebration",
    "marketing.teamactivity": "group_work",
    "marketing.team": "diversity_2",
    "marketing.flashslot": "bolt",
    "marketing.limitedrelease": "local_fire_department",
    "marketing.flashsettings": "schedule",
    "marketing.flashpurchase": "receipt",
    "marketing.flashreservation": "notifications_active",
    "marketing.wheel": "casino",
    "marketing.wheeldraw": "emoji_events",
    "marketing.wheelchance": "confirmation_number",
    "marketing.communitypost": "photo_library",
    "marketing.communitycomment": "forum",
    "marketing.communityreport": "report",
    "marketing.communitytopic": "tag",
    "marketing.communityaward": "military_tech",
    "marketing.communitysettings": "tune",
    "marketing.liveroom": "live_tv",
}
# Console pages that are not a model's changelist: (group, title, icon, URL name, permission).
EXTRA_PAGES: tuple[tuple[str, Any, str, str, str], ...] = (
    ("studio", _("活动模板"), "content_copy", "console:marketing_campaign_templates", "marketing.view_campaign"),
    ("studio", _("异常告警"), "warning", "console:marketing_campaign_anomalies", "marketing.view_campaign"),
    ("studio", _("活动日历"), "calendar_month", "console:marketing_campaign_calendar", "marketing.view_campaign"),
    ("acquire", _("秒杀日历"), "calendar_month", "console:marketing_flash_calendar", "marketing.view_flashslot"),
    ("convert", _("价格试算"), "calculate", "console:marketing_price_check", "marketing.view_promotion"),
    ("convert", _("效果模拟"), "science", "console:marketing_whatif", "marketing.view_promotion"),
    ("content", _("专题页"), "auto_stories", "console:marketing_topics", "marketing.view_campaignpage"),
    ("content", _("社区数据"), "bar_chart", "console:marketing_community_stats", "marketing.view_communitypost"),
    ("spread", _("裂变数据"), "monitoring", "console:marketing_growth_stats", "marketing.view_commission"),
    ("spread", _("组队瓜分数据"), "leaderboard", "console:marketing_team_stats", "marketing.view_team"),
    ("spread", _("大转盘数据"), "casino", "console:marketing_wheel_stats", "marketing.view_wheeldraw"),
    ("analytics", _("行为分析"), "insights", "console:analytics_behaviour", "analytics.view_pageday"),
    ("members", LAYERS_TITLE, "stacked_bar_chart", "console:members_layers", "members.view_segment"),
    ("analytics", _("营销效果"), "query_stats", "console:analytics_roi", "analytics.view_ordertouch"),
    ("analytics", _("智能建议"), "lightbulb", "console:analytics_suggestions", "analytics.view_suggestion"),
    ("analytics", _("对照组效果"), "science", "console:analytics_uplift", "marketing.view_journey"),
    ("members", _("订阅消息效果"), "insights", "console:members_subscribe_stats", "members.view_message"),
    ("members", _("签到数据"), "bar_chart", "console:members_checkin_stats", "members.view_checkin"),
    ("members", _("会员服务"), "support_agent", "console:members_tier_service", "members.view_member"),
    ("members", _("旅程效果"), "monitoring", "console:marketing_journey_report", "marketing.view_journey"),
    ("system", _("新增员工"), "person_add", "console:staff_create", "auth.add_user"),
    ("system", _("计划任务"), "schedule", "console:scheduled_jobs", "django_celery_beat.view_periodictask"),
    # P06: one's own background imports and exports (every staff member; each job's own permission
    # governs starting it and taking its file).
    ("system", _("表格任务"), "cloud_sync", "console:sheet_jobs", ""),
    # P05: one's own second factor and sessions (every staff member), the owner's login locks.
    ("system", _("账号安全"), "security", "console:security", ""),
    # F31: who is on duty and which alerts they were sent
    ("system", _("值班"), "support_agent", "console:duty_roster", "mall.view_dutyshift"),
    ("system", _("登录锁定"), "lock_person", "console:login_locks", "axes.delete_accessattempt"),
)

APP_ICONS: dict[str, str] = {"marketing": "campaign", "analytics": "monitoring", "django_celery_beat": "schedule"}


def _item(model: type[Model]) -> dict[str, Any] | None:
    opts = model._meta
    try:
        link = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    except NoReverseMatch:
        return None
    return {
        "title": capfirst(opts.verbose_name_plural),
        "icon": ICONS.get(opts.label_lower, APP_ICONS.get(opts.app_label, "chevron_right")),
        "link": link,
    }


def _extra_items(request: HttpRequest, group_key: str) -> list[dict[str, Any]]:
    items = []
    for key, title, icon, url_name, perm in EXTRA_PAGES:
        if key != group_key or (perm and not request.user.has_perm(perm)):
            continue
        try:
            items.append({"title": title, "icon": icon, "link": reverse(url_name)})
        except NoReverseMatch:
            continue
    return items


def _group_for(model: type[Model]) -> str | None:
    opts = model._meta
    if (opts.app_label, opts.model_name) in SYSTEM_MODELS:
        return "system"
    placed = PLACED_BY_MODEL.get((opts.app_label, opts.model_name or ""))
    if placed is not None:
        return placed
    for group in GROUPS:
        if opts.app_label in group.apps:
            return group.key
    return "system"


def _sort_key(group: SidebarGroup, model: type[Model]) -> tuple[int, str]:
    name = model._meta.model_name or ""
    position = group.order.index(name) if name in group.order else len(group.order)
    return position, str(model._meta.verbose_name_plural)


def sidebar_navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """Sidebar groups with the models this staff member may view; empty groups are left out."""
    visible: dict[str, list[type[Model]]] = {group.key: [] for group in GROUPS}
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue
        key = _group_for(model)
        if key is not None:
            visible[key].append(model)

    navigation: list[dict[str, Any]] = [
        {
            "title": pgettext_lazy("sidebar", "概览"),
            "separator": False,
            "items": [{"title": _("首页"), "icon": "dashboard", "link": reverse("admin:index")}],
        }
    ]
    for group in GROUPS:
        models = sorted(visible[group.key], key=partial(_sort_key, group))
        items = [item for item in (_item(model) for model in models) if item is not None]
        items += _extra_items(request, group.key)
        if items:
            navigation.append(
                {"title": group.title, "separator": True, "collapsible": group.collapsible, "items": items}
            )
    return navigation
