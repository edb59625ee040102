"""The audit log as staff read it: actions and objects by name, changes as labelled fields.

Rows store stable machine words (``promoter.approve``, ``marketing.promoter#2``, JSON data);
this turns a page of rows into ``审核通过推广员`` · ``推广员「张三」`` · ``状态：待审核 → 已通过``,
with a bounded number of queries (one per kind of object on the page, one for SKUs, one for
shoppers), for the audit log pages and the home page's 最近操作.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mall.models import AuditLog, Sku
from mall.money import yuan_text

ENTITY_LABELS: Mapping[str, Promise] = {
    "order": _("订单"),
    "promoter": _("推广员"),
    "product": _("商品"),
    "category": _("商品分类"),
    "product_tag": _("商品标签"),
    "promotion": _("促销活动"),
    "coupon_template": _("优惠券模板"),
    "flash": _("秒杀"),
    "bargain": _("砍价活动"),
    "campaign": _("营销活动"),
    "group_buy": _("拼团活动"),
    "team_activity": _("组队瓜分活动"),
    "block_entry": _("黑名单"),
    "guard_settings": _("防刷设置"),
    "invite_program": _("邀请有礼设置"),
    "distribution_program": _("分销设置"),
    "member": _("会员"),
    "points": _("积分"),
    "pricing_policy": _("叠加规则"),
    "product_commission": _("商品佣金"),
    "shop_settings": _("店铺设置"),
    "sku": _("SKU"),
    "staff": _("员工"),
    "subscribe_template": _("订阅消息模板"),
    "tier_rate": _("会员折扣"),
    "withdrawal": _("佣金提现"),
    "wheel": _("幸运大转盘"),
}

VERB_LABELS: Mapping[str, Promise] = {
    "create": _("新建"),
    "update": _("修改"),
    "delete": _("删除"),
    "approve": _("审核通过"),
    "reject": _("驳回"),
    "disable": _("停用"),
    "enable": _("启用"),
    "ship": _("发货"),
    "cancel": _("取消"),
    "publish": _("发布"),
    "pause": _("暂停"),
    "resume": _("恢复"),
    "extend": _("延长"),
    "end": _("提前结束"),
    "finish": _("结束"),
    "move": _("移动"),
    "rename": _("重命名"),
    "save": _("保存"),
    "pay": _("打款"),
    "set": _("设置"),
    "adjust": _("调整"),
}

# Whole actions whose words are not "verb + object".
ACTION_LABELS: Mapping[str, Promise] = {
    "member_import.upload": _("导入会员表"),
    "member_import.apply": _("迁移会员已匹配"),
    "coupon.grant": _("按名单发券"),
    "export.coupons": _("导出优惠券表"),
    "export.finance_orders": _("财务导出订单"),
    "sheet_job.create": _("提交表格任务"),
    "sheet_job.download": _("下载表格任务结果"),
    "order.phone_reveal": _("查看订单手机号"),
    "order.refund_create": _("发起退款"),
    "order.refund_failed": _("退款失败"),
    "flash.add_quota": _("追加秒杀库存"),
    "flash.publish": _("发布秒杀场次"),
    "flash.pause": _("暂停秒杀场次"),
    "flash.resume": _("恢复秒杀场次"),
    "flash.extend": _("延长秒杀场次"),
    "flash.end": _("提前结束秒杀场次"),
    "flash.finish": _("结束秒杀场次"),
    "flash.item_add": _("添加秒杀商品"),
    "campaign.tool_add": _("营销活动加入工具"),
    "campaign.tool_remove": _("营销活动移出工具"),
    "campaign.tool_adjust": _("实时调整活动工具"),
    "campaign.end": _("结束营销活动"),
    "flash.item_remove": _("移除秒杀商品"),
    "flash.item_update": _("修改秒杀商品"),
    "page.create": _("新建活动页面"),
    "page.update": _("修改活动页面信息"),
    "page.save": _("保存活动页面"),
    "page.publish": _("发布活动页面"),
    "page.unpublish": _("下线活动页面"),
    "page.schedule": _("设置活动页面定时"),
    "page.rollback": _("回滚活动页面"),
    "flash.slot_create": _("新建秒杀场次"),
    "flash.slot_update": _("修改秒杀场次"),
    "flash.slot_delete": _("删除秒杀场次"),
    "flash.slots_generate": _("生成秒杀场次"),
    "flash.settings_update": _("修改秒杀设置"),
    "group_buy.group_complete": _("拼团提前成团"),
    "group_buy.group_fail": _("拼团提前结束并退款"),
    "product.shelf_on": _("上架商品"),
    "product.shelf_off": _("下架商品"),
    "promotion.set_active": _("启用或暂停促销活动"),
    "sku.stock_adjust": _("调整库存"),
    "points.adjust": _("调整积分"),
    "wheel.new_version": _("复制大转盘为新版本"),
    "wheel.prize_save": _("保存大转盘奖品"),
    "wheel.prize_delete": _("删除大转盘奖品"),
    "community_post.approve": _("通过种草帖子"),
    "community_post.reject": _("驳回种草帖子"),
    "community_post.remove": _("删除种草帖子"),
    "community_post.feature": _("设置帖子精选"),
    "community_comment.approve": _("通过帖子评论"),
    "community_comment.reject": _("驳回帖子评论"),
    "community_report.resolve": _("处理帖子举报"),
    "community_settings.update": _("修改社区设置"),
    "community_topic.create": _("新建社区话题"),
    "community_topic.update": _("修改社区话题"),
    "community_topic.delete": _("删除社区话题"),
}

# Data keys that are not model fields (or whose field has no good label).
KEY_LABELS: Mapping[str, Promise] = {
    "no": _("订单号"),
    "tools": _("营销工具"),
    "told": _("已通知顾客数"),
    "object_id": _("工具编号"),
    "changed": _("已变更"),
    "before": _("原值"),
    "after": _("新值"),
    "leader_price": _("团长价"),
    "category_ids": _("适用分类"),
    "sku_ids": _("适用 SKU"),
    "exclude_sku_ids": _("排除 SKU"),
    "created": _("新建数"),
    "days": _("天数"),
    "first_day": _("开始日期"),
    "minutes": _("时长（分钟）"),
    "times": _("场次时间"),
    "slot_times": _("场次时间"),
    "images": _("图片"),
    "skus": _("SKU"),
    "at": _("时间"),
    "bargains_closed": _("关闭的砍价"),
    "campaign_id": _("活动"),
    "code": _("编码"),
    "entry_id": _("记录"),
    "from": _("原值"),
    "to": _("新值"),
    "is_active": _("启用"),
    "locked": _("锁定"),
    "open_groups": _("未成团数"),
    "paid": _("已支付"),
    "parent": _("上级"),
    "payout_reference": _("打款凭证号"),
    "promoter_id": _("推广员"),
    "provider_status": _("渠道状态"),
    "refund_id": _("退款单"),
    "returned": _("退回"),
    "size": _("人数"),
    "sold": _("已售"),
    "stock_after": _("调整后库存"),
    "tags": _("标签"),
    "template_id": _("模板"),
    "tier": _("会员等级"),
    "units": _("件数"),
    "note": _("备注"),
    "reason": _("原因"),
    "sku_id": _("SKU"),
    "member_id": _("会员"),
    "product_id": _("商品"),
    "slot_id": _("场次"),
    "items": _("商品"),
    "delta": _("变动"),
    "carrier": _("快递公司"),
    "tracking_no": _("运单号"),
    "amount": _("金额"),
    "quota": _("秒杀库存"),
    "kind": _("类型"),
    "title": _("标题"),
    "name": _("名称"),
    "status": _("状态"),
    "starts_at": _("开始时间"),
    "ends_at": _("结束时间"),
    "rules": _("规则"),
    "price": _("价格"),
    "rate": _("折扣"),
    "role": _("角色"),
    "username": _("用户名"),
    "value": _("内容"),
    "fields": _("字段"),
    "last_day": _("结束日期"),
    "format": _("文件格式"),
    "rows": _("行数"),
    "lines": _("商品明细行数"),
    "phones_revealed": _("显示完整手机号"),
    "job": _("表格任务"),
    "file": _("文件"),
    "failed_batches": _("未导入批次"),
}

MONEY_KEYS = frozenset(
    {
        "price",
        "amount",
        "flash_price",
        "leader_price",
        "start_price",
        "floor_price",
        "cut_min",
        "cut_max",
        "shipping_flat_fee",
        "free_shipping_threshold",
        "min_withdrawal",
        "payable_amount",
        "threshold",
        "off",
        "max_off",
    }
)


@dataclass(frozen=True)
class AuditView:
    entry: AuditLog
    action_label: str
    target_label: str
    changes: tuple[tuple[str, str], ...]

    @property
    def changes_text(self) -> str:
        return "；".join(f"{label}：{value}" for label, value in self.changes)


def audit_action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    entity, _dot, verb = action.partition(".")
    entity_label, verb_label = ENTITY_LABELS.get(entity), VERB_LABELS.get(verb)
    if entity_label is not None and verb_label is not None:
        return f"{verb_label}{entity_label}"
    if entity_label is not None:
        return str(entity_label)
    return action


def audit_target_kind(target_type: str) -> str:
    """``marketing.promoter`` → ``推广员`` (the model's name), or the type itself if unknown."""
    model = _model(target_type)
    return str(model._meta.verbose_name) if model is not None else target_type


def _model(target_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


class _Lookups:
    """Names for the objects, SKUs and shoppers a page of rows mentions (bounded queries)."""

    def __init__(self, entries: Sequence[AuditLog]) -> None:
        self.objects: dict[tuple[str, str], str] = {}
        by_type: dict[str, set[str]] = defaultdict(set)
        for entry in entries:
            if entry.target_id:
                by_type[entry.target_type].add(entry.target_id)
        for target_type, ids in by_type.items():
            model = _model(target_type)
            if model is None:
                continue
            pks = [int(pk) for pk in ids if pk.isdigit()]
            for pk, obj in model._default_manager.in_bulk(pks).items():
                self.objects[(target_type, str(pk))] = str(obj)
        sku_ids: set[int] = set()
        member_ids: set[int] = set()
        product_ids: set[int] = set()
        for entry in entries:
            _collect_ids(entry.data, sku_ids, member_ids, product_ids)
        self.skus = {
            sku.pk: " ".join([sku.product.title, *(str(v) for v in (sku.specs or {}).values())])
            for sku in Sku.objects.filter(pk__in=sku_ids).select_related("product").only("specs", "product__title")
        }
        member_model = apps.get_model("members", "Member")
        self.members = dict(member_model.objects.filter(pk__in=member_ids).values_list("pk", "nickname"))
        product_model = apps.get_model("mall", "Product")
        self.products = dict(product_model.objects.filter(pk__in=product_ids).values_list("pk", "title"))


def _collect_ids(value: Any, sku_ids: set[int], member_ids: set[int], product_ids: set[int]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "sku_id" and isinstance(item, int):
                sku_ids.add(item)
            elif key == "member_id" and isinstance(item, int):
                member_ids.add(item)
            elif key == "product_id" and isinstance(item, int):
                product_ids.add(item)
            else:
                _collect_ids(item, sku_ids, member_ids, product_ids)
    elif isinstance(value, list):
        for item in value:
            _collect_ids(item, sku_ids, member_ids, product_ids)


# Actions whose before/after are rates ("0.050"), shown as percentages (5%).
PERCENT_ACTIONS = frozenset({"product_commission.set"})


class _Formatter:
    def __init__(self, model: type[models.Model] | None, lookups: _Lookups, *, percent: bool = False) -> None:
        self.model = model
        self.lookups = lookups
        self.percent = percent

    def _field(self, key: str) -> models.Field[Any, Any] | None:
        if self.model is None:
            return None
        for name in (key, key.removesuffix("_id")):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, models.Field):
                return field
        return None

    def label(self, key: str) -> str:
        if key in ("before", "after") and self._field("status") is not None:
            return str(_("原状态") if key == "before" else _("新状态"))
        if key in KEY_LABELS:
            return str(KEY_LABELS[key])
        field = self._field(key)
        if field is not None:
            return str(field.verbose_name).replace("(分)", "").replace("(元)", "")
        return key

    def value(self, key: str, value: Any) -> str:
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            return f"{self.value(key, value['from'])} → {self.value(key, value['to'])}"
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return str(_("是") if value else _("否"))
        if key == "sku_id" and isinstance(value, int):
            return self.lookups.skus.get(value, str(value))
        if key == "member_id" and isinstance(value, int):
            return self.lookups.members.get(value) or str(value)
        if key == "product_id" and isinstance(value, int):
            return self.lookups.products.get(value) or str(value)
        if isinstance(value, int) and self._is_money(key):
            return yuan_text(value)
        if isinstance(value, str) and self.percent and re.fullmatch(r"\d+(\.\d+)?", value):
            return f"{(Decimal(value) * 100).normalize():f}%"
        if isinstance(value, str):
            return self._text(key, value)
        if isinstance(value, list):
            return "、".join(self.value(key, item) for item in value) or "—"
        if isinstance(value, dict):
            return "，".join(f"{self.label(k)} {self.value(k, v)}" for k, v in value.items())
        return str(value)

    def _is_money(self, key: str) -> bool:
        field = self._field(key)
        return key in MONEY_KEYS or (field is not None and "(分)" in str(field.verbose_name))

    def _text(self, key: str, value: str) -> str:
        field = self._field("status" if key in ("before", "after") else key)
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if len(value) >= 19 and value[4] == "-" and value[10] == "T":
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%Y-%m-%d %H:%M")
        return value


def audit_describe(entries: Iterable[AuditLog]) -> list[AuditView]:
    """Each row with its action, object and changes in words (see the module docstring)."""
    rows = list(entries)
    lookups = _Lookups(rows)
    views = []
    for entry in rows:
        model = _model(entry.target_type)
        kind = str(model._meta.verbose_name) if model is not None else ""
        name = lookups.objects.get((entry.target_type, entry.target_id), "")
        if not re.search(r"[^\W\d_]", name):  # "7:135" says nothing: show the kind and id instead
            name = ""
        if kind and name:
            target = f"{kind}「{name}」"
        elif kind:
            target = kind if not entry.target_id else f"{kind} {entry.target_id}"
        else:
            target = entry.target_type
        formatter = _Formatter(model, lookups, percent=entry.action in PERCENT_ACTIONS)
        data = entry.data if isinstance(entry.data, dict) else {}
        changes = tuple((formatter.label(key), formatter.value(key, value)) for key, value in data.items())
        views.append(AuditView(entry, audit_action_label(entry.action), target, changes))
    return views
