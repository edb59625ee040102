"""Console pages for check-in (签到, F20): the rule (saved through the audited service), the
records (member, day, points, streak) and a 签到数据 page with participants, points issued and
a 30-day chart of daily check-ins."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from mall.console.dashboard import chart_options
from mall.console.service_admin import ServiceRefusalMixin, ServiceValidatedForm
from members.models import CheckIn, CheckInRule, Member
from members.selectors.checkin import checkin_figures
from members.services.checkin import MULTIPLIER_MAX, RULE_FIELDS, checkin_rule_update

CHART_DAYS = 30
PERMISSION = "members.view_checkin"


def _multiplier(tier: str) -> forms.DecimalField:
    label = dict(Member.Tier.choices)[tier]
    return forms.DecimalField(
        label=format_lazy("{} {}", label, _("积分倍数")),
        min_value=1,
        max_value=MULTIPLIER_MAX,
        decimal_places=2,
        initial=1,
        help_text=_("1 表示不加倍"),
    )


class CheckInRuleForm(ServiceValidatedForm):
    """Tier multipliers as one box per tier instead of raw JSON."""

    multiplier_normal = _multiplier(Member.Tier.NORMAL)
    multiplier_silver = _multiplier(Member.Tier.SILVER)
    multiplier_gold = _multiplier(Member.Tier.GOLD)
    multiplier_diamond = _multiplier(Member.Tier.DIAMOND)

    class Meta:
        model = CheckInRule
        fields = tuple(field for field in RULE_FIELDS if field != "tier_multipliers")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.tier_multipliers or {}
        for tier in Member.Tier.values:
            self.initial[f"multiplier_{tier}"] = current.get(tier, 1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.instance.tier_multipliers = {
            tier: float(data[f"multiplier_{tier}"])
            for tier in Member.Tier.values
            if data.get(f"multiplier_{tier}") is not None and float(data[f"multiplier_{tier}"]) != 1.0
        }
        return data


class CheckInRuleAdmin(ServiceRefusalMixin, ModelAdmin):
    """The shop's one check-in rule; the list goes straight to it."""

    form = CheckInRuleForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return (
            (None, {"fields": ("enabled", "base_points", ("streak_days", "streak_points"), "cycle")}),
            (_("补签"), {"fields": (("makeup_days", "makeup_cost"),)}),
            (
                _("会员等级倍数"),
                {
                    "fields": tuple(f"multiplier_{tier}" for tier in Member.Tier.values),
                    "description": _("每日签到积分按会员等级乘以倍数（向下取整）；连续签到奖励不乘倍数。"),
                },
            ),
        )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        row = CheckInRule.load()
        return redirect(reverse("admin:members_checkinrule_change", args=[row.pk]))

    def save_model(self, request: HttpRequest, obj: CheckInRule, form: Any, change: bool) -> None:
        checkin_rule_update(actor=request.user, rule=obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CheckInAdmin(ModelAdmin):
    """Every check-in, read only: who, which day, points, bonus and the streak reached."""

    list_display = ("member", "day", "points", "bonus_points", "streak", "makeup_display", "created_at")
    list_filter = ("is_makeup", "day")
    search_fields = ("member__nickname", "member__phone")
    list_select_related = ("member",)
    date_hierarchy = "day"

    @display(description=_("补签"), boolean=True)
    def makeup_display(self, obj: CheckIn) -> bool:
        return obj.is_makeup

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@staff_member_required
def checkin_stats_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    figures = checkin_figures(days=CHART_DAYS)
    chart = {
        "labels": [date_format(day, "m-d") for day, _count in figures.daily],
        "datasets": [
            {
                "label": gettext("每日活跃（签到人数）"),
                "data": [count for _day, count in figures.daily],
                "backgroundColor": "var(--color-primary-600)",
                "displayYAxis": True,
                "maxTicksXLimit": 10,
            }
        ],
    }
    cards = [
        ("today", gettext("今日签到"), figures.participants_today, gettext("今天签到的会员数")),
        ("participants", gettext("累计参与"), figures.participants_total, gettext("签到过的会员数")),
        ("dau", gettext("日均活跃"), figures.daily_actives_avg, gettext("近 30 天平均每天签到人数")),
        ("week", gettext("近 7 天参与"), figures.participants_7d, gettext("近 7 天至少签到一次的会员")),
        ("points_7d", gettext("近 7 天发放积分"), figures.points_issued_7d, gettext("含连续签到奖励")),
        ("points_total", gettext("累计发放积分"), figures.points_issued_total, gettext("签到累计发放")),
        ("makeups", gettext("近 7 天补签"), figures.makeups_7d, gettext("补签消耗会员积分")),
    ]
    context = {
        **admin.site.each_context(request),
        "title": gettext("签到数据"),
        "cards": [{"key": k, "title": t, "value": v, "hint": h} for k, t, v, h in cards],
        "chart": json.dumps(chart, ensure_ascii=False),
        "options": chart_options("bar"),
        "days": CHART_DAYS,
        "rule_url": reverse("admin:members_checkinrule_changelist"),
    }
    return render(request, "members/checkin_stats.html", context)


def register(site: Any) -> None:
    site.register(CheckInRule, CheckInRuleAdmin)
    site.register(CheckIn, CheckInAdmin)
