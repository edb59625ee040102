from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = _("营销")

    def ready(self) -> None:
        # The tools' deal handlers register themselves when their modules are imported.
        from marketing.services.deals import deal_modules_load

        deal_modules_load()
        # The lifecycle journeys' messages (F17–F19), asked for after paying and claiming coupons.
        from marketing.services.journeys.common import MESSAGE_KIND_LABELS
        from members.message_kinds import message_kind_register

        moments = {"journey_dormant": ("paid",), "journey_replenish": ("paid",), "journey_birthday": ("coupon_claim",)}
        for kind, label in MESSAGE_KIND_LABELS.items():
            message_kind_register(kind=kind, label=label, moments=moments[kind])
        # The campaign studio: its budget hears refunds (order hook); shoppers are told of extensions.
        import marketing.services.campaign_anomaly_counts
        import marketing.services.campaign_budget  # noqa: F401
        from marketing.services.campaigns import EXTENDED_MESSAGE_KIND

        message_kind_register(kind=EXTENDED_MESSAGE_KIND, label=_("活动延长通知"), moments=("paid",))
