#!/usr/bin/env python3
"""Compiles every locale/*/LC_MESSAGES/*.po into a .mo file using only the standard library.

Fresh clones and CI never need GNU gettext's ``msgfmt``: the committed .mo files are
rebuilt by this script (``python scripts/compile_messages.py``), and
``--check`` fails when a committed .mo no longer matches its .po.

The .po reader handles what ``scripts/update_translations.py`` writes and what GNU tools
write: msgctxt, msgid_plural / msgstr[n], multi-line strings, escapes and fuzzy flags
(fuzzy entries are left out, as msgfmt does).
"""

from __future__ import annotations

import argparse
import ast
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"


@dataclass
class PoEntry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def _unquote(text: str) -> str:
    """A .po string literal uses C escapes, which Python's literal syntax reads the same way."""
    value = ast.literal_eval(text)
    if not isinstance(value, str):
        raise ValueError(f"not a string literal: {text!r}")
    return value


def read_po(path: Path) -> list[PoEntry]:
    """Parses a .po file into entries (the header entry, msgid "", included)."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    current: tuple[str, int] | None = None
    seen_keyword = False

    def finish() -> None:
        nonlocal entry, seen_keyword
        if seen_keyword:
            entries.append(entry)
        entry = PoEntry()
        seen_keyword = False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            current = None
            continue
        if line.startswith("#,"):
            if seen_keyword:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            if seen_keyword:
                finish()
            entry.comments.append(raw)
            continue
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"{path}: continuation line without keyword: {raw!r}")
            _append(entry, current, _unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and seen_keyword and (entry.msgstr or keyword == "msgctxt"):
            finish()
        seen_keyword = True
        if keyword == "msgctxt":
            entry.msgctxt = _unquote(rest)
            current = ("msgctxt", 0)
        elif keyword == "msgid":
            entry.msgid = _unquote(rest)
            current = ("msgid", 0)
        elif keyword == "msgid_plural":
            entry.msgid_plural = _unquote(rest)
            current = ("msgid_plural", 0)
        elif keyword == "msgstr":
            entry.msgstr[0] = _unquote(rest)
            current = ("msgstr", 0)
        elif keyword.startswith("msgstr["):
            index = int(keyword[len("msgstr[") : -1])
            entry.msgstr[index] = _unquote(rest)
            current = ("msgstr", index)
        else:
            raise ValueError(f"{path}: unknown line {raw!r}")
    finish()
    return entries


def _append(entry: PoEntry, current: tuple[str, int], text: str) -> None:
    name, index = current
    if name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif name == "msgid":
        entry.msgid += text
    elif name == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    else:
        entry.msgstr[index] = entry.msgstr.get(index, "") + text


def mo_bytes(entries: list[PoEntry]) -> bytes:
    """GNU .mo (little-endian, revision 0, no hash table) of the translated, non-fuzzy entries."""
    catalog: dict[bytes, bytes] = {}
    for entry in entries:
        if "fuzzy" in entry.flags and entry.msgid:
            continue
        if entry.msgid and not entry.translated:
            continue
        key = entry.msgid
        if entry.msgid_plural is not None:
            key += "\0" + entry.msgid_plural
        if entry.msgctxt is not None:
            key = entry.msgctxt + "\x04" + key
        value = "\0".join(entry.msgstr[index] for index in sorted(entry.msgstr))
        catalog[key.encode("utf-8")] = value.encode("utf-8")

    keys = sorted(catalog)
    ids = b""
    strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for raw_key in keys:
        raw_value = catalog[raw_key]
        offsets.append((len(ids), len(raw_key), len(strs), len(raw_value)))
        ids += raw_key + b"\0"
        strs += raw_value + b"\0"
    count = len(keys)
    header_size = 7 * 4
    key_table = header_size
    value_table = key_table + count * 8
    ids_start = value_table + count * 8
    strs_start = ids_start + len(ids)
    key_entries = b"".join(struct.pack("<2I", length, ids_start + offset) for offset, length, _, _ in offsets)
    value_entries = b"".join(struct.pack("<2I", length, strs_start + offset) for _, _, offset, length in offsets)
    header = struct.pack("<7I", 0x950412DE, 0, count, key_table, value_table, 0, 0)
    return header + key_entries + value_entries + ids + strs


def compile_all(locale_dir: Path = LOCALE_DIR, *, check: bool = False) -> list[Path]:
    """Writes (or, with check, compares) every .mo; returns the .mo paths that changed or differ."""
    changed: list[Path] = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        data = mo_bytes(read_po(po_path))
        if mo_path.exists() and mo_path.read_bytes() == data:
            continue
        changed.append(mo_path)
        if not check:
            mo_path.write_bytes(data)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a .mo differs from its .po")
    args = parser.parse_args(argv)
    changed = compile_all(check=args.check)
    for path in changed:
        state = "out of date" if args.check else "compiled"
        print(f"{state}: {path.relative_to(ROOT)}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
