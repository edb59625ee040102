"""Prints the current two-step codes of the embedded demo's owner and finance accounts.

Their authenticators use keys published with the demo (``seed_demo`` prints them), so this is
only allowed where the demo's passwords are (``STAFF_DEMO_PASSWORDS_ALLOWED``, the local settings).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from mall.demo.shop import STAFF, demo_otp_key


class Command(BaseCommand):
    help = "Print the demo owner's and finance's current two-step codes (embedded demo only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.STAFF_DEMO_PASSWORDS_ALLOWED:
            raise CommandError("Only in the embedded demo (mall.settings.local).")
        shown = 0
        for username, *_rest in STAFF:
            key = demo_otp_key(username)
            device = TOTPDevice.objects.filter(user__username=username, confirmed=True, key=key.hex()).first()
            if device is None:
                continue
            token = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            token.time = time.time()
            left = device.step - int(token.time - device.t0) % device.step
            self.stdout.write(f"{username:<9} {str(token.token()).zfill(device.digits)}  (valid {left} s more)")
            shown += 1
        if not shown:
            raise CommandError("No demo authenticators: run `manage.py seed_demo` first.")
