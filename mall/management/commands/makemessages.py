"""Django's ``makemessages`` with the project's defaults, so a plain ``manage.py makemessages -l en`` is right.

* Only the project's apps and templates are read: the mini-program, its node packages, static files,
  tests, migrations, benchmarks, scripts and the vendored catalogues (``locale_vendor/``) are skipped.
* Locations name the file without a line number (``#: orders/models/order.py``), so an edit that moves
  a string down the file does not rewrite the catalogue.
* A new string arrives with an empty msgstr rather than a fuzzy guess from a similar old one
  (``translations_check`` lists it until someone translates it); obsolete entries are dropped.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import makemessages

PROJECT_IGNORES = (
    "miniprogram",
    "node_modules",
    "static",
    "staticfiles",
    "media",
    "var",
    "bench",
    "scripts",
    "tests",
    "migrations",
    "locale_vendor",
)


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args: Any, **options: Any) -> None:
        options["ignore_patterns"] = [*options["ignore_patterns"], *PROJECT_IGNORES]
        if options["add_location"] is None and not options["no_location"]:
            options["add_location"] = "file"
        options["no_obsolete"] = True
        super().handle(*args, **options)
