"""The console's 组队瓜分 pages (F22): activities (created and edited through the audited services,
money typed in yuan), the teams with their members and counted orders, and a 组队瓜分数据 page with
participants, daily actives, rewards issued and used, cost, orders and GMV of participants.

Registered from ``marketing/admin.py``. Nothing here decides a rule: the form turns yuan into
fen and the services validate, save and audit.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import display

from mall.console.dashboard import chart_options
from mall.console.display import yuan
from mall.console.service_admin import ServiceRefusalMixin, ServiceValidatedForm
from marketing.console.social import CONSOLE_CSS, money_or_none, progress_bar, yuan_field, yuan_initial
from marketing.errors import TeamActivityInvalid
from marketing.models import Team, TeamActivity, TeamMember, TeamOrder, TeamStatus
from marketing.selectors.teams import FIGURE_DAYS, team_figures
from marketing.services.teams import (
    TeamActivityData,
    team_activity_create,
    team_activity_update,
    team_activity_validate,
)

PERMISSION = "marketing.view_team"
FIELDS = (
    "name",
    "team_size",
    "split_mode",
    "team_hours",
    "settle_days",
    "coupon_valid_days",
    "starts_at",
    "ends_at",
    "is_active",
)


class TeamActivityForm(ServiceValidatedForm):
    """The activity's rules, with the goal and the reward typed in yuan."""

    goal_yuan = yuan_field(_("团队目标消费(元)"), help_text=_("团队成员在组队时限内的实付合计（扣除退款）"))
    reward_yuan = yuan_field(_("瓜分奖励(元)"), help_text=_("达标后团队瓜分的券包总额，分到每人精确到分"))

    class Meta:
        model = TeamActivity
        fields = FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["goal_yuan"] = yuan_initial(self.instance.goal)
        self.initial["reward_yuan"] = yuan_initial(self.instance.reward_total)

    def activity_data(self) -> TeamActivityData:
        data = self.cleaned_data
        return TeamActivityData(
            name=data.get("name") or "",
            team_size=data.get("team_size") or 0,
            goal=self._money("goal_yuan"),
            reward_total=self._money("reward_yuan"),
            split_mode=data.get("split_mode") or "",
            team_hours=data.get("team_hours") or 0,
            settle_days=data.get("settle_days") or 0,
            coupon_valid_days=data.get("coupon_valid_days") or 0,
            starts_at=data.get("starts_at"),  # type: ignore[arg-type]
            ends_at=data.get("ends_at"),  # type: ignore[arg-type]
            is_active=bool(data.get("is_active")),
        )

    def _money(self, name: str) -> int:
        try:
            return money_or_none(self.cleaned_data.get(name)) or 0
        except forms.ValidationError as exc:
            self.add_error(name, exc)
            return 0

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        activity = self.activity_data()
        if self.errors:
            return data
        try:
            team_activity_validate(data=activity)
        except TeamActivityInvalid as exc:
            field = {"goal": "goal_yuan", "reward_total": "reward_yuan"}.get(exc.details.get("field", ""), "")
            self.add_error(field if field in self.fields else None, str(exc.message))
        return data


@admin.register(TeamActivity)
class TeamActivityAdmin(ServiceRefusalMixin, ModelAdmin):
    form = TeamActivityForm
    list_display = ("name", "team_size", "goal_display", "reward_display", "split_mode", "window", "teams", "won")
    list_filter = ("is_active", "split_mode")
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "team_size", "goal_yuan", "reward_yuan", "split_mode", "is_active")}),
        (_("活动时间"), {"fields": ("starts_at", "ends_at", "team_hours")}),
        (
            _("结算"),
            {
                "fields": ("settle_days", "coupon_valid_days"),
                "description": _(
                    "达标后等待售后期满再瓜分：期间的退款从团队消费中扣除，跌破目标则继续组队；瓜分后退款不影响已发的券。"
                ),
            },
        ),
    )

    class Media:
        css = {"all": (CONSOLE_CSS,)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[TeamActivity]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_teams=Count("teams", distinct=True),
                n_won=Count("teams", filter=Q(teams__status=TeamStatus.SETTLED), distinct=True),
            )
        )

    def save_model(self, request: HttpRequest, obj: TeamActivity, form: Any, change: bool) -> None:
        data = form.activity_data()
        if change:
            team_activity_update(actor=request.user, activity_id=obj.pk, data=data)
        else:
            obj.pk = team_activity_create(actor=request.user, data=data).pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # teams point at it; switch it off instead

    @display(description=_("目标消费"), ordering="goal")
    def goal_display(self, obj: TeamActivity) -> str:
        return yuan(obj.goal)

    @display(description=_("瓜分奖励"), ordering="reward_total")
    def reward_display(self, obj: TeamActivity) -> str:
        return yuan(obj.reward_total)

    @display(description=_("活动时间"), ordering="starts_at")
    def window(self, obj: TeamActivity) -> str:
        return f"{date_format(obj.starts_at, 'm-d H:i')} – {date_format(obj.ends_at, 'm-d H:i')}"

    @display(description=_("团队数"), ordering="n_teams")
    def teams(self, obj: Any) -> int:
        return int(obj.n_teams)

    @display(description=_("已瓜分"), ordering="n_won")
    def won(self, obj: Any) -> Any:
        return progress_bar(obj.n_won, obj.n_teams, f"{obj.n_won}/{obj.n_teams}", tone="good")


class TeamMemberInline(TabularInline):
    model = TeamMember
    fields = ("member", "is_leader", "joined_at", "share_display", "coupon_display")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[TeamMember]:
        return super().get_queryset(request).select_related("member", "coupon")

    @display(description=_("瓜分金额"))
    def share_display(self, obj: TeamMember) -> str:
        return yuan(obj.share)

    @display(description=_("奖励券"))
    def coupon_display(self, obj: TeamMember) -> str:
        if obj.coupon is None:
            return "-"
        return f"{yuan(obj.share)} {obj.coupon.get_status_display()}"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TeamOrderInline(TabularInline):
    model = TeamOrder
    fields = ("order", "member", "amount_display", "refunded_display", "paid_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("计入团队的订单")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TeamOrder]:
        return super().get_queryset(request).select_related("order", "member")

    @display(description=_("实付"))
    def amount_display(self, obj: TeamOrder) -> str:
        return yuan(obj.amount)

    @display(description=_("已退"))
    def refunded_display(self, obj: TeamOrder) -> str:
        return yuan(obj.refunded)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(ModelAdmin):
    """Teams as they are (read only): they move through shoppers' orders and the settlement job."""

    list_display = ("pk", "activity", "leader", "status", "members", "progress", "expires_at", "settle_at")
    list_filter = ("status", "activity")
    search_fields = ("leader__nickname", "share_token", "activity__name")
    list_select_related = ("activity", "leader")
    fields = (
        "activity",
        "leader",
        "status",
        "size",
        "members_count",
        "goal_display",
        "spent_display",
        "share_token",
        "opened_at",
        "expires_at",
        "reached_at",
        "settle_at",
        "settled_at",
        "failed_at",
    )
    readonly_fields = fields
    inlines = [TeamMemberInline, TeamOrderInline]

    class Media:
        css = {"all": (CONSOLE_CSS,)}

    @display(description=_("人数"), ordering="members_count")
    def members(self, obj: Team) -> str:
        return f"{obj.members_count}/{obj.size}"

    @display(description=_("团队消费"), ordering="spent")
    def progress(self, obj: Team) -> Any:
        tone = "good" if obj.status in (TeamStatus.REACHED, TeamStatus.SETTLED) else ""
        tone = "bad" if obj.status == TeamStatus.FAILED else tone
        return progress_bar(max(0, obj.spent), obj.goal, f"{yuan(max(0, obj.spent))} / {yuan(obj.goal)}", tone=tone)

    @display(description=_("目标消费"))
    def goal_display(self, obj: Team) -> str:
        return yuan(obj.goal)

    @display(description=_("团队消费"))
    def spent_display(self, obj: Team) -> str:
        return yuan(max(0, obj.spent))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@staff_member_required
def team_stats_view(request: HttpRequest) -> HttpResponse:
    """组队瓜分数据: what the game earned, for one activity (``?activity=``) or all."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    activities = list(TeamActivity.objects.order_by("-id").values_list("pk", "name")[:50])
    raw = request.GET.get("activity", "")
    chosen = int(raw) if raw.isdigit() and any(pk == int(raw) for pk, _name in activities) else None
    figures = team_figures(activity_id=chosen)
    chart = {
        "labels": [date_format(day, "m-d") for day, _count in figures.daily],
        "datasets": [
            {
                "label": gettext("每日活跃"),
                "data": [count for _day, count in figures.daily],
                "backgroundColor": "var(--color-primary-600)",
                "displayYAxis": True,
                "maxTicksXLimit": 10,
            }
        ],
    }
    cards = [
        ("participants", gettext("参与人数"), figures.participants, gettext("开团或加入团队的会员")),
        ("dau", gettext("日均活跃"), figures.daily_actives_avg, gettext("近 30 天平均每天开团、参团或下单的队员")),
        (
            "teams",
            gettext("团队"),
            f"{figures.teams}",
            gettext("待瓜分 %(r)s，已瓜分 %(s)s，未达标 %(f)s")
            % {"r": figures.teams_reached, "s": figures.teams_settled, "f": figures.teams_failed},
        ),
        (
            "issued",
            gettext("发放奖励券"),
            figures.rewards_issued,
            gettext("合计 %(amount)s") % {"amount": yuan(figures.rewards_issued_amount)},
        ),
        ("used", gettext("已使用奖励券"), figures.rewards_used, gettext("已在下单时使用的瓜分券")),
        ("cost", gettext("成本"), yuan(figures.cost), gettext("已使用瓜分券的面额")),
        ("orders", gettext("参与者订单"), figures.orders, gettext("队员在组队时限内的已支付订单")),
        ("gmv", gettext("参与者成交额"), yuan(figures.gmv), gettext("上述订单实付，扣除退款")),
    ]
    context = {
        **admin.site.each_context(request),
        "title": gettext("组队瓜分数据"),
        "cards": [{"key": k, "title": t, "value": v, "hint": h} for k, t, v, h in cards],
        "chart": json.dumps(chart, ensure_ascii=False),
        "options": chart_options("bar"),
        "days": FIGURE_DAYS,
        "activities": activities,
        "chosen": chosen,
        "activity_url": reverse("admin:marketing_teamactivity_changelist"),
    }
    return render(request, "marketing/team_stats.html", context)
