"""Creates the MySQL/MariaDB database named in DATABASE_URL if it does not exist (no-op on SQLite)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the configured database if missing (MySQL/MariaDB); make sure SQLite's folder exists."

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] == "django.db.backends.sqlite3":
            from pathlib import Path

            Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
            return
        if db["ENGINE"] not in settings.MYSQL_ENGINES:
            return
        import MySQLdb

        conn = MySQLdb.connect(
            host=db.get("HOST") or "127.0.0.1",
            port=int(db.get("PORT") or 3306),
            user=db.get("USER") or "root",
            password=db.get("PASSWORD") or "",
        )
        try:
            name = db["NAME"].replace("`", "")
            conn.cursor().execute(
                f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        finally:
            conn.close()
