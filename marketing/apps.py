from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = _("营销")

    def ready(self) -> None:
        # The tools' deal handlers register themselves when their modules are imported.
        from marketing.services.deals import deal_modules_load

        deal_modules_load()
