from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = _("营销")

    def ready(self) -> None:
        # The tools' deal handlers register themselves when their modules are imported.
        from marketing.services.deals import deal_modules_load

        deal_modules_load()
        # The lucky wheel's order lifecycle hooks (chances granted at payment, withdrawn on refund).
        import marketing.services.wheel_hooks

        # The lifecycle journeys' messages (F17–F19), asked for after paying and claiming coupons.
        from marketing.services.journeys.common import MESSAGE_KIND_LABELS
        from members.message_kinds import message_kind_register

        moments = {"journey_dormant": ("paid",), "journey_replenish": ("paid",), "journey_birthday": ("coupon_claim",)}
        for kind, label in MESSAGE_KIND_LABELS.items():
            message_kind_register(kind=kind, label=label, moments=moments[kind], marketing=True)
        # The campaign studio: its budget hears refunds (order hook); shoppers are told of extensions.
        import marketing.services.campaign_anomaly_counts
        import marketing.services.campaign_budget
        from marketing.services.campaigns import EXTENDED_MESSAGE_KIND

        message_kind_register(kind=EXTENDED_MESSAGE_KIND, label=_("活动延长通知"), moments=("paid",))
        # Team split (F22): paid and refunded orders move the teams' spending (order lifecycle hooks).
        import marketing.services.team_hooks  # noqa: F401

        message_kind_register(kind="team_won", label=_("组队瓜分成功"), moments=("team",))
        message_kind_register(kind="team_failed", label=_("组队未达标"), moments=("team",))
        # Live selling (F24): followers are reminded once before a room starts.
        from marketing.services.live import REMINDER_KIND

        message_kind_register(kind=REMINDER_KIND, label=_("直播开播提醒"), moments=("live_follow",), marketing=True)
