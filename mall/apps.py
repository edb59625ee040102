from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MallConfig(AppConfig):
    name = "mall"
    verbose_name = _("商品与店铺")

    def ready(self) -> None:
        from django.contrib import admin
        from django.db.models.signals import post_migrate

        from mall.console.admin import hide_developer_admin, register_staff_admin
        from mall.console.security import connect_signals
        from mall.services.staff import staff_roles_sync_after_migrate

        # After admin autodiscovery (django.contrib.admin comes first in INSTALLED_APPS).
        register_staff_admin(admin.site)
        hide_developer_admin(admin.site)
        # Sign-ins, sign-outs and lockouts are audited (P05).
        connect_signals()

        # Role groups follow models added after their migration (and survive test flushes).
        post_migrate.connect(staff_roles_sync_after_migrate, sender=self, dispatch_uid="mall.staff_roles_sync")
