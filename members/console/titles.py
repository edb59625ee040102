"""Names of the people pages that the console's sidebar shows (kept with the pages they name)."""

from django.utils.translation import gettext_lazy as _

LAYERS_TITLE = _("会员分层")
