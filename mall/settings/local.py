"""Local development: the embedded default, debug on."""

from mall.settings.base import *  # noqa: F403
from mall.settings.base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The embedded demo signs in with its published passwords (owner / duoying-owner …); nowhere else.
STAFF_DEMO_PASSWORDS_ALLOWED = True
