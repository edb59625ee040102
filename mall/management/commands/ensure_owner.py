"""Makes sure the merchant owner account exists and prints how to log in."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mall.errors import ApplicationError
from mall.services.staff import staff_ensure_owner


class Command(BaseCommand):
    help = "Create the shop owner's console account if missing and print its login."

    def handle(self, *args: Any, **options: Any) -> None:
        username = os.environ.get("OWNER_USERNAME", "owner")
        password = os.environ.get("OWNER_PASSWORD", "duoying-owner")
        try:
            created = staff_ensure_owner(username=username, password=password)
        except ApplicationError as exc:
            reasons = " ".join(exc.details.get("password", []))
            raise CommandError(f"{exc.message} {reasons} (set OWNER_PASSWORD)") from exc
        state = "created" if created else "exists"
        self.stdout.write(
            self.style.SUCCESS(
                f"Merchant console: http://127.0.0.1:{os.environ.get('PORT', '8000')}/admin/ "
                f"login {username} / {password} ({state})"
            )
        )
