"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings.local")
application = get_asgi_application()

from mall.services.staff_security import staff_refuse_default_passwords  # noqa: E402 - needs Django set up

staff_refuse_default_passwords()
