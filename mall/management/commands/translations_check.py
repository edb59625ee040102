"""Fails when a gettext catalogue is incomplete, malformed, not compiled or out of step with the sources."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mall.translations import problems


class Command(BaseCommand):
    help = (
        "Check locale/ and locale_vendor/: every entry translated, msgfmt --check-format clean, .mo files "
        "compiled, and locale/en's msgids exactly what makemessages extracts from the sources."
    )
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        found = problems()
        for line in found:
            self.stderr.write(line)
        if found:
            raise CommandError(f"{len(found)} translation problem(s); see above")
        self.stdout.write("translations: all catalogues complete, compiled and in step with the sources")
