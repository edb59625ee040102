"""Console pages of live selling (内容 › 直播, F24).

The rooms list is the admin changelist of :class:`LiveRoom` (status, WeChat's own status, the
window, followers) with two buttons: 同步直播间 (the same idempotent sync the beat runs) and 创建
直播间. A room opens on one page that manages everything bound to it — its goods on WeChat's
shelf, 整点秒杀 slots, 评论抽奖 (create, draw, the verification data), 粉丝专属价 — and shows
the room's orders and GMV from the attribution rows. Every change goes through the audited
services; WeChat's refusals are shown in the merchant's words.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.widgets import (
    UnfoldAdminImageFieldWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from mall.console.display import yuan
from mall.console.pickers import ProductChoiceField, SkuChoiceField, sku_choices_queryset
from mall.errors import ApplicationError
from mall.money import format_yuan
from marketing.console.social import money_or_none, yuan_field
from marketing.errors import LiveInvalid
from marketing.models import (
    CouponChannel,
    CouponTemplate,
    FlashSlot,
    FlashSlotKind,
    LiveLottery,
    LiveRoom,
    LotteryPrizeKind,
    LotteryStatus,
)
from marketing.models.live import LiveRoomStatus
from marketing.selectors.distribution import mask_nickname
from marketing.selectors.live import live_room_report, lottery_prize_text
from marketing.selectors.live_console import LiveRoomConsole, live_room_console, live_room_for_console
from marketing.services.live import (
    RoomForm,
    live_flash_bind,
    live_flash_unbind,
    live_room_create,
    live_room_goods_add,
    live_room_visibility_set,
    live_rooms_sync,
)
from marketing.services.live_fans import live_fan_price_save, live_share_path
from marketing.services.live_lottery import (
    LotteryForm,
    entry_score,
    live_lottery_cancel,
    live_lottery_create,
    live_lottery_draw,
    live_lottery_prizes_issue,
)

VIEW = "marketing.view_liveroom"
CHANGE = "marketing.change_liveroom"
ROOM_URL = "console:marketing_live_room"
STATUS_BADGES = {"预告": "info", "直播中": "success", "回放": "warning", "已结束": "danger", "微信已删除": "danger"}


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _context(request: HttpRequest, title: Any, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, **extra}


def _add_errors(form: forms.BaseForm, exc: ApplicationError, aliases: dict[str, str] | None = None) -> None:
    errors = exc.details.get("errors") or {exc.details.get("field", ""): str(exc.message)}
    for key, message in errors.items():
        name = (aliases or {}).get(key, key)
        form.add_error(name if name in form.fields else None, message)


def _span(start_at: Any, end_at: Any) -> str:
    start, end = timezone.localtime(start_at), timezone.localtime(end_at)
    return f"{start:%m-%d %H:%M} – {end:%H:%M}"


def _window(room: LiveRoom) -> str:
    start, end = timezone.localtime(room.start_time), timezone.localtime(room.end_time)
    return (
        f"{start:%Y-%m-%d %H:%M} – {end:%H:%M}"
        if start.date() == end.date()
        else f"{start:%m-%d %H:%M} – {end:%m-%d %H:%M}"
    )


# --- the rooms list ---------------------------------------------------------------------------------


class LiveRoomAdmin(ModelAdmin):
    """WeChat's rooms as mirrored here; a room's deals are managed on its own page."""

    list_display = (
        "name",
        "status_display",
        "wx_status_display",
        "window_display",
        "anchor_name",
        "followers",
        "manage",
    )
    list_filter = ("status", "is_hidden")
    search_fields = ("name", "anchor_name", "wx_room_id")
    actions_list = ["sync_rooms", "create_room"]
    ordering = ("-start_time", "-id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[LiveRoom]:
        return super().get_queryset(request).annotate(n_followers=Count("follows", distinct=True))

    @display(description=_("状态"), label=STATUS_BADGES)
    def status_display(self, obj: LiveRoom) -> str:
        """A room WeChat no longer lists says so: shoppers don't see it any more."""
        if obj.gone_at is not None:
            return gettext("微信已删除")
        return str(obj.get_status_display())

    @display(description=_("微信直播状态"))
    def wx_status_display(self, obj: LiveRoom) -> str:
        return obj.wx_status_label

    @display(description=_("直播时间"), ordering="start_time")
    def window_display(self, obj: LiveRoom) -> str:
        return _window(obj)

    @display(description=_("关注人数"))
    def followers(self, obj: LiveRoom) -> int:
        return int(getattr(obj, "n_followers", 0))

    @display(description=_("管理"))
    def manage(self, obj: LiveRoom) -> str:
        return format_html('<a class="text-primary-600" href="{}">{}</a>', reverse(ROOM_URL, args=[obj.pk]), _("进入"))

    @action(description=_("同步直播间"), icon="sync", url_path="sync", permissions=["change"])
    def sync_rooms(self, request: HttpRequest) -> HttpResponse:
        try:
            result = live_rooms_sync(actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                gettext("已同步 %(rooms)d 个直播间（新增 %(created)d 个）。")
                % {"rooms": result.rooms, "created": result.created},
            )
            if result.gone:
                messages.warning(
                    request,
                    gettext("%(gone)d 个直播间已在微信删除，小程序中不再显示。") % {"gone": result.gone},
                )
        return redirect(reverse("admin:marketing_liveroom_changelist"))

    @action(description=_("创建直播间"), icon="add", url_path="create", permissions=["change"])
    def create_room(self, request: HttpRequest) -> HttpResponse:
        return redirect(reverse("console:marketing_live_new"))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        return redirect(reverse(ROOM_URL, args=[int(object_id)]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rooms are created at WeChat (创建直播间) or synced from it

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_sync_rooms_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CHANGE)

    def has_create_room_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CHANGE)


def register(site: Any) -> None:
    site.register(LiveRoom, LiveRoomAdmin)


# --- forms ------------------------------------------------------------------------------------------


class RoomCreateForm(forms.Form):
    name = forms.CharField(
        label=_("直播间名称"), max_length=17, help_text=_("3 到 17 个字"), widget=UnfoldAdminTextInputWidget
    )
    start_time = forms.SplitDateTimeField(label=_("开播时间"), widget=UnfoldAdminSplitDateTimeWidget)
    end_time = forms.SplitDateTimeField(label=_("结束时间"), widget=UnfoldAdminSplitDateTimeWidget)
    anchor_name = forms.CharField(label=_("主播昵称"), max_length=15, widget=UnfoldAdminTextInputWidget)
    anchor_wechat = forms.CharField(
        label=_("主播微信号"), max_length=60, help_text=_("须已实名认证"), widget=UnfoldAdminTextInputWidget
    )
    cover = forms.ImageField(
        label=_("封面图"), help_text=_("建议 1080×1920，不超过 2M"), widget=UnfoldAdminImageFieldWidget
    )
    share = forms.ImageField(
        label=_("分享图"), help_text=_("建议 800×640，不超过 1M"), widget=UnfoldAdminImageFieldWidget
    )


class GoodsForm(forms.Form):
    product = ProductChoiceField(label=_("商品"))
    cover = forms.ImageField(
        label=_("直播商品封面"), required=False, help_text=_("留空则用商品主图"), widget=UnfoldAdminImageFieldWidget
    )


class FlashBindForm(forms.Form):
    slot = forms.ModelChoiceField(
        label=_("整点秒杀场次"), queryset=FlashSlot.objects.none(), widget=UnfoldAdminSelectWidget
    )

    def __init__(self, *args: Any, room: LiveRoom, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        field.queryset = (  # type: ignore[attr-defined]
            FlashSlot.objects.filter(
                kind=FlashSlotKind.SLOT,
                starts_at__gte=room.start_time,
                starts_at__lt=room.end_time,
                live_binding__isnull=True,
            ).order_by("starts_at")
        )
        field.help_text = _("只列出直播时段内开始、尚未绑定的整点秒杀场次")


class LotteryCreateForm(forms.Form):
    title = forms.CharField(label=_("抽奖名称"), max_length=60, widget=UnfoldAdminTextInputWidget)
    keyword = forms.CharField(
        label=_("口令"), max_length=20, help_text=_("观众在直播间发送此口令参与"), widget=UnfoldAdminTextInputWidget
    )
    opens_at = forms.SplitDateTimeField(label=_("开始参与"), widget=UnfoldAdminSplitDateTimeWidget)
    closes_at = forms.SplitDateTimeField(label=_("截止参与"), widget=UnfoldAdminSplitDateTimeWidget)
    winners_count = forms.IntegerField(
        label=_("中奖人数"), min_value=1, max_value=1000, widget=UnfoldAdminIntegerFieldWidget
    )
    prize_kind = forms.ChoiceField(
        label=_("奖品类型"), choices=LotteryPrizeKind.choices, widget=UnfoldAdminSelectWidget
    )
    coupon_template = forms.ModelChoiceField(
        label=_("优惠券"),
        required=False,
        queryset=CouponTemplate.objects.none(),
        help_text=_("只列出发放方式为「活动发放」的优惠券"),
        widget=UnfoldAdminSelectWidget,
    )
    points = forms.IntegerField(label=_("积分数"), min_value=0, required=False, widget=UnfoldAdminIntegerFieldWidget)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coupon_template"].queryset = CouponTemplate.objects.filter(  # type: ignore[attr-defined]
            is_active=True, channel=CouponChannel.SYSTEM
        )

    def lottery_form(self) -> LotteryForm:
        data = self.cleaned_data
        template = data.get("coupon_template")
        return LotteryForm(
            title=data["title"],
            keyword=data["keyword"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            winners_count=data["winners_count"],
            prize_kind=data["prize_kind"],
            coupon_template_id=template.pk if template is not None else None,
            points=data.get("points") or 0,
        )


class FanPriceForm(forms.Form):
    sku = SkuChoiceField(label=_("SKU"), queryset=sku_choices_queryset(on_shelf_only=True))
    price_yuan = yuan_field(_("粉丝价（元）"))
    quota = forms.IntegerField(
        label=_("限量"),
        min_value=1,
        required=False,
        help_text=_("留空表示不限量"),
        widget=UnfoldAdminIntegerFieldWidget,
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True, widget=UnfoldBooleanSwitchWidget)


# --- create ------------------------------------------------------------------------------------------


@staff_member_required
def live_room_new_view(request: HttpRequest) -> HttpResponse:
    """创建直播间: at WeChat first (images uploaded as media), then mirrored here."""
    _require(request, CHANGE)
    form = RoomCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            room = live_room_create(
                actor=request.user,
                form=RoomForm(
                    name=data["name"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    anchor_name=data["anchor_name"],
                    anchor_wechat=data["anchor_wechat"],
                    cover=data["cover"],
                    share=data["share"],
                ),
            )
        except LiveInvalid as exc:
            _add_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, gettext("直播间已创建，微信直播间号 %(id)d。") % {"id": room.wx_room_id})
            return redirect(reverse(ROOM_URL, args=[room.pk]))
    return render(request, "marketing/live_room_new.html", _context(request, gettext("创建直播间"), form=form))


# --- one room ---------------------------------------------------------------------------------------


def _run(request: HttpRequest, room: LiveRoom, op: str, bound: dict[str, forms.Form]) -> bool:
    """Do what the POST asks; True when the page should reload (done, or refused with a message)."""
    user = request.user
    target = int(request.POST.get("target") or 0)
    _require(request, CHANGE)
    if op == "add_goods":
        goods_form = GoodsForm(request.POST, request.FILES, prefix="goods")
        bound["goods"] = goods_form
        if not goods_form.is_valid():
            return False
        try:
            live_room_goods_add(
                actor=user,
                room_id=room.pk,
                product_id=goods_form.cleaned_data["product"].pk,
                cover=goods_form.cleaned_data.get("cover"),
            )
        except LiveInvalid as exc:
            _add_errors(goods_form, exc)
            return False
        messages.success(request, gettext("商品已上架到直播间。"))
        return True
    if op == "bind_flash":
        flash_form = FlashBindForm(request.POST, prefix="flash", room=room)
        bound["flash"] = flash_form
        if not flash_form.is_valid():
            return False
        try:
            live_flash_bind(actor=user, room_id=room.pk, slot_id=flash_form.cleaned_data["slot"].pk)
        except LiveInvalid as exc:
            _add_errors(flash_form, exc)
            return False
        messages.success(request, gettext("整点秒杀已绑定。"))
        return True
    if op == "add_lottery":
        lottery_form = LotteryCreateForm(request.POST, prefix="lottery")
        bound["lottery"] = lottery_form
        if not lottery_form.is_valid():
            return False
        try:
            live_lottery_create(actor=user, room_id=room.pk, form=lottery_form.lottery_form())
        except LiveInvalid as exc:
            _add_errors(lottery_form, exc)
            return False
        messages.success(request, gettext("抽奖已创建，种子哈希已公布。"))
        return True
    if op == "save_fan":
        fan_form = FanPriceForm(request.POST, prefix="fan")
        bound["fan"] = fan_form
        if not fan_form.is_valid():
            return False
        price = money_or_none(fan_form.cleaned_data.get("price_yuan"))
        try:
            live_fan_price_save(
                actor=user,
                room_id=room.pk,
                sku_id=fan_form.cleaned_data["sku"].pk,
                price=price or 0,
                quota=fan_form.cleaned_data.get("quota"),
                is_active=bool(fan_form.cleaned_data.get("is_active")),
            )
        except LiveInvalid as exc:
            _add_errors(fan_form, exc, aliases={"price": "price_yuan"})
            return False
        messages.success(request, gettext("粉丝专属价已保存。"))
        return True
    if op in ("draw", "issue", "cancel_lottery") and not LiveLottery.objects.filter(pk=target, room=room).exists():
        raise Http404
    if op == "draw":
        result = live_lottery_draw(actor=user, lottery_id=target)
        text = gettext("已开奖：%(n)d 人中奖，奖品已发放 %(issued)d 份。") % {
            "n": result.winners,
            "issued": result.issued,
        }
        if result.pending:
            text += gettext("另有 %(n)d 份未能发放（如优惠券已领完），可稍后点「补发奖品」。") % {"n": result.pending}
        messages.success(request, text)
        return True
    simple = {
        "unbind_flash": (lambda: live_flash_unbind(actor=user, room_id=room.pk, slot_id=target), _("已解除绑定。")),
        "issue": (lambda: live_lottery_prizes_issue(actor=user, lottery_id=target), _("已补发未发放的奖品。")),
        "cancel_lottery": (lambda: live_lottery_cancel(actor=user, lottery_id=target), _("抽奖已取消。")),
        "hide": (lambda: live_room_visibility_set(actor=user, room_id=room.pk, hidden=True), _("已在小程序中隐藏。")),
        "show": (lambda: live_room_visibility_set(actor=user, room_id=room.pk, hidden=False), _("已在小程序中显示。")),
    }
    if op not in simple:
        raise Http404
    service, done = simple[op]
    service()
    messages.success(request, done)
    return True


def _lottery_rows(console: LiveRoomConsole) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "lottery": lottery,
            "window": _span(lottery.opens_at, lottery.closes_at),
            "prize": lottery_prize_text(lottery),
            "can_draw": lottery.status == LotteryStatus.OPEN and now >= lottery.closes_at,
            "can_cancel": lottery.status == LotteryStatus.OPEN,
            "pending": getattr(lottery, "n_pending", 0),
            "entries": getattr(lottery, "n_entries", 0),
            "winners": [
                {
                    "rank": entry.rank,
                    "entry_id": entry.pk,
                    "nickname": mask_nickname(entry.member.nickname),
                    "score": entry_score(seed=lottery.seed, entry_id=entry.pk),
                    "issued": entry.prize_issued_at is not None,
                }
                for entry in console.winners.get(lottery.pk, [])
            ],
        }
        for lottery in console.lotteries
    ]


def _fan_rows(console: LiveRoomConsole) -> list[dict[str, Any]]:
    return [
        {
            "fan": fan,
            "title": fan.sku.product.title,
            "specs": " ".join(str(v) for v in (fan.sku.specs or {}).values()),
            "price": yuan(fan.sku.price),
            "fan_price": yuan(fan.price),
            "quota": gettext("不限") if fan.quota is None else fan.quota,
        }
        for fan in console.fans
    ]


@staff_member_required
def live_room_view(request: HttpRequest, room_id: int) -> HttpResponse:
    """One room: goods, 整点秒杀, 评论抽奖 (draw + verification), 粉丝专属价, orders and GMV."""
    _require(request, VIEW)
    room = live_room_for_console(room_id=room_id)
    if room is None:
        raise Http404
    bound: dict[str, forms.Form] = {}
    if request.method == "POST":
        try:
            changed = _run(request, room, request.POST.get("op", ""), bound)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            changed = True
        if changed:
            return redirect(reverse(ROOM_URL, args=[room.pk]))
    console = live_room_console(room=room)
    report = live_room_report(room_id=room.pk)
    flash_rows = [
        {
            "slot": binding.slot,
            "time": _span(binding.slot.starts_at, binding.slot.ends_at),
            "items": "；".join(
                f"{item.sku.product.title} ¥{format_yuan(item.flash_price)} × {item.quota}"
                for item in binding.slot.items.all()
            ),
            "url": reverse("console:marketing_flash_slot", args=[binding.slot_id]),
        }
        for binding in console.bindings
    ]
    context = _context(
        request,
        room.name,
        room=room,
        window=_window(room),
        can_change=request.user.has_perm(CHANGE),
        goods=[
            {"name": g.name, "product": g.product, "price": yuan(g.price), "wx_goods_id": g.wx_goods_id}
            for g in console.goods
        ],
        order_rows=[
            {
                "order": order,
                "member": str(order.member),
                "paid": yuan(order.payable_amount),
                "status": order.get_status_display(),
            }
            for order in report.orders
        ],
        flash_rows=flash_rows,
        lottery_rows=_lottery_rows(console),
        fan_rows=_fan_rows(console),
        report=report,
        report_cards=[
            (gettext("订单数"), report.total.orders, gettext("今日 %(n)d") % {"n": report.today.orders}),
            (gettext("成交额"), yuan(report.total.gmv), gettext("今日 %(v)s") % {"v": yuan(report.today.gmv)}),
            (
                gettext("下单人数"),
                report.total.participants,
                gettext("其中新客 %(n)d") % {"n": report.total.new_shoppers},
            ),
            (gettext("退款"), yuan(report.total.refunds), gettext("已扣除")),
        ],
        followers=console.followers,
        share_path=live_share_path(room=room),
        goods_form=bound.get("goods") or GoodsForm(prefix="goods"),
        flash_form=bound.get("flash") or FlashBindForm(prefix="flash", room=room),
        lottery_form=bound.get("lottery") or LotteryCreateForm(prefix="lottery"),
        fan_form=bound.get("fan") or FanPriceForm(prefix="fan"),
        is_open=room.status in (LiveRoomStatus.UPCOMING, LiveRoomStatus.LIVE),
        rooms_url=reverse("admin:marketing_liveroom_changelist"),
    )
    return render(request, "marketing/live_room.html", context)
