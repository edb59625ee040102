"""Django's ``compilemessages`` that leaves the virtualenv, the mini-program's node packages and var/ alone.

A plain ``manage.py compilemessages`` would otherwise walk ``.venv`` and recompile every installed
package's catalogues; the project's own are ``locale/`` and ``locale_vendor/`` (settings.LOCALE_PATHS).
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import compilemessages

SKIPPED = (".venv", "venv", "miniprogram", "node_modules", "var", "static", "staticfiles", "media", ".git")


class Command(compilemessages.Command):
    def handle(self, **options: Any) -> None:
        options["ignore_patterns"] = [*(options.get("ignore_patterns") or []), *SKIPPED]
        super().handle(**options)
