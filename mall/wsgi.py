"""WSGI entry point (gunicorn mall.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings.local")
application = get_wsgi_application()

from mall.services.staff_security import staff_refuse_default_passwords  # noqa: E402 - needs Django set up

staff_refuse_default_passwords()
