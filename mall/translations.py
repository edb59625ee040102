"""Checks over the project's gettext catalogues (``manage.py translations_check``, tests/console/test_i18n.py).

The console is Chinese first: source strings are Chinese and ``locale/en/LC_MESSAGES/django.po`` holds
their English, maintained with ``manage.py makemessages -l en`` / ``compilemessages`` (``make translations``).
``locale_vendor/zh_Hans`` holds hand-kept Chinese for django-unfold's templates and the admin's
JavaScript strings that Django's and import-export's own Chinese catalogues lack (makemessages never
reads site-packages, so those are edited directly, with any .po editor).

A catalogue is healthy when:

* every entry is translated (no empty msgstr, nothing fuzzy),
* ``msgfmt --check-format`` accepts it (placeholders kept, a literal % written %%),
* its committed ``.mo`` says the same as the ``.po`` (the app reads the ``.mo`` at runtime, so a fresh
  clone needs no gettext to show English),
* and, for ``locale/en``, its msgids are exactly what makemessages extracts from the sources today.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PROJECT_CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
SOURCE_SUFFIXES = (".py", ".html", ".txt")

Key = tuple[str | None, str, str | None]  # msgctxt, msgid, msgid_plural


@dataclass
class PoEntry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> Key:
        return self.msgctxt, self.msgid, self.msgid_plural

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags

    def label(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt} | {self.msgid}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    out: list[str] = []
    index = 0
    while index < len(body):
        if body[index] == "\\" and index + 1 < len(body):
            out.append(_ESCAPES.get(body[index + 1], body[index + 1]))
            index += 2
        else:
            out.append(body[index])
            index += 1
    return "".join(out)


def read_po(path: Path) -> list[PoEntry]:
    """The live entries of a .po file (header and obsolete ``#~`` entries left out)."""
    entries: list[PoEntry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = PoEntry()
        current: tuple[str, int] | None = None
        seen = False
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#~"):
                seen = False
                break
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
                continue
            if not line or line.startswith("#"):
                continue
            if line.startswith('"') and current is not None:
                name, index = current
                value = _unquote(line)
                if name == "msgctxt":
                    entry.msgctxt = (entry.msgctxt or "") + value
                elif name == "msgid":
                    entry.msgid += value
                elif name == "msgid_plural":
                    entry.msgid_plural = (entry.msgid_plural or "") + value
                else:
                    entry.msgstr[index] = entry.msgstr.get(index, "") + value
                continue
            keyword, _, rest = line.partition(" ")
            seen = True
            if keyword.startswith("msgstr["):
                current = ("msgstr", int(keyword[len("msgstr[") : -1]))
                entry.msgstr[current[1]] = _unquote(rest)
            elif keyword == "msgstr":
                current = ("msgstr", 0)
                entry.msgstr[0] = _unquote(rest)
            elif keyword in ("msgctxt", "msgid", "msgid_plural"):
                current = (keyword, 0)
                value = _unquote(rest)
                if keyword == "msgctxt":
                    entry.msgctxt = value
                elif keyword == "msgid":
                    entry.msgid = value
                else:
                    entry.msgid_plural = value
            else:
                raise ValueError(f"{path}: unknown line {raw!r}")
        if seen and (entry.msgid or entry.msgctxt is not None):
            entries.append(entry)
    return entries


def catalogues() -> Iterator[Path]:
    """Every .po under settings.LOCALE_PATHS."""
    for base in settings.LOCALE_PATHS:
        yield from sorted(Path(base).glob("*/LC_MESSAGES/*.po"))


def untranslated(po_path: Path) -> list[PoEntry]:
    return [entry for entry in read_po(po_path) if not entry.translated]


def msgfmt_errors(po_path: Path) -> str:
    """msgfmt --check-format's complaints about the catalogue ("" when it compiles cleanly)."""
    result = subprocess.run(  # noqa: S603 - fixed program, our own file
        ["msgfmt", "--check-format", "-o", os.devnull, str(po_path)],  # noqa: S607 - gettext from PATH
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if result.returncode == 0 else (result.stderr.strip() or f"msgfmt exited {result.returncode}")


def _messages(mo_path: Path) -> dict[object, str]:
    with mo_path.open("rb") as handle:
        catalogue: dict[object, str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalogue.items() if key != ""}


def mo_out_of_date(po_path: Path) -> bool:
    """Whether the committed .mo next to the .po translates differently from a fresh msgfmt of it."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return True
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "fresh.mo"
        subprocess.run(  # noqa: S603
            ["msgfmt", "-o", str(fresh), str(po_path)],  # noqa: S607
            check=True,
            capture_output=True,
        )
        return _messages(fresh) != _messages(mo_path)


def _copy_sources(source_root: Path, target: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(directory) / name
            hidden = name.startswith(".") or name in ("locale", "__pycache__") or path.is_symlink()
            if hidden or (path.is_file() and path.suffix not in SOURCE_SUFFIXES):
                skipped.add(name)
        return skipped

    from mall.management.commands.makemessages import PROJECT_IGNORES

    for child in sorted(source_root.iterdir()):
        if child.name.startswith(".") or child.name in PROJECT_IGNORES or child.name == "locale":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.copytree(child, target / child.name, ignore=ignore)
        elif child.is_file() and child.suffix in SOURCE_SUFFIXES:
            shutil.copy2(child, target / child.name)


def extracted_keys(source_root: Path = ROOT) -> set[Key]:
    """The msgids ``makemessages -l en`` finds in ``source_root`` today, without touching its locale/.

    The sources are copied to a scratch folder with an empty locale/ (makemessages writes next to what
    it reads), and the project's makemessages runs there.
    """
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        _copy_sources(source_root, work)
        (work / "locale").mkdir()
        module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": module}
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "en", "--verbosity", "0"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"makemessages failed: {result.stderr.strip()}")
        po_path = work / "locale" / "en" / "LC_MESSAGES" / "django.po"
        return {entry.key for entry in read_po(po_path)} if po_path.exists() else set()


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def problems(source_root: Path = ROOT) -> list[str]:
    """Everything wrong with the catalogues, one line each (empty when all is well)."""
    found: list[str] = []
    for po_path in catalogues():
        name = _name(po_path)
        found.extend(f"untranslated in {name}: {entry.label()!r}" for entry in untranslated(po_path))
        errors = msgfmt_errors(po_path)
        if errors:
            found.append(f"msgfmt --check-format rejects {name}:\n{errors}")
        elif mo_out_of_date(po_path):
            found.append(f"{name}: the .mo is missing or out of date; run `make translations`")
    catalogue = {entry.key for entry in read_po(PROJECT_CATALOGUE)} if PROJECT_CATALOGUE.exists() else set()
    extracted = extracted_keys(source_root)
    name = _name(PROJECT_CATALOGUE)
    found.extend(
        f"not in {name} (run `make translations`): {key[1]!r}" for key in sorted(extracted - catalogue, key=str)
    )
    found.extend(
        f"in {name} but gone from the sources (run `make translations`): {key[1]!r}"
        for key in sorted(catalogue - extracted, key=str)
    )
    return found
