#!/usr/bin/env python3
"""Extracts the project's translatable strings, writes locale/*/django.po and compiles the .mo files.

Repeatable and standard-library only (no GNU gettext, no Django settings needed):

    python scripts/update_translations.py            # rewrite .po files, compile .mo files
    python scripts/update_translations.py --check    # exit 1 if anything is stale or untranslated

The project's source strings are Chinese (the console is Chinese first), so:

* ``locale/en/LC_MESSAGES/django.po`` holds the project's strings with their English from
  ``scripts/translations_en.py``; a string missing there is written with an empty msgstr
  (the console then shows the Chinese) and listed on stderr.
* ``locale/zh_Hans/LC_MESSAGES/django.po`` holds the English strings of django-unfold's
  templates that neither Django nor django-import-export translates into Chinese, with the
  Chinese from ``scripts/translations_zh_hans.py``.

Strings are found in ``gettext`` family calls in Python (``_``, ``gettext``, ``gettext_lazy``,
``pgettext``, ``ngettext``… through ``ast``) and in ``{% translate %}``, ``{% blocktranslate %}``
and ``_("…")`` in templates. Migrations and tests are skipped.
"""

from __future__ import annotations

import argparse
import ast
import gettext
import importlib.util
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

from compile_messages import compile_all, read_po  # noqa: E402
from translations_en import EN  # noqa: E402
from translations_zh_hans import ZH_HANS  # noqa: E402
from translations_zh_hans_js import ZH_HANS_JS  # noqa: E402

PROJECT_DIRS = ("mall", "members", "marketing", "orders", "analytics", "templates")
SKIP_PARTS = {"migrations", "tests", "__pycache__", "node_modules", "static"}

SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop", "ugettext", "ugettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}

PO_HEADER = {
    "en": ("English", "nplurals=2; plural=(n != 1);"),
    "zh_Hans": ("Simplified Chinese", "nplurals=1; plural=0;"),
}


@dataclass
class Message:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    locations: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid


# --- extraction -----------------------------------------------------------------------


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def extract_python(source: str, location: str) -> Iterator[Message]:
    """Messages from gettext-family calls whose message arguments are string literals."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        args = [_literal(arg) for arg in node.args]
        if name in SINGULAR and args and args[0]:
            yield Message(args[0], locations={location})
        elif name in CONTEXT and len(args) >= 2 and args[0] is not None and args[1]:
            yield Message(args[1], msgctxt=args[0], locations={location})
        elif name in PLURAL and len(args) >= 2 and args[0] and args[1]:
            yield Message(args[0], msgid_plural=args[1], locations={location})
        elif name in CONTEXT_PLURAL and len(args) >= 3 and args[0] is not None and args[1] and args[2]:
            yield Message(args[1], msgctxt=args[0], msgid_plural=args[2], locations={location})


_STRING = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_TRANSLATE_RE = re.compile(
    r"{%\s*(?:translate|trans)\s+(?P<msg>" + _STRING + r")(?P<rest>[^%]*?)%}",
)
_CONTEXT_RE = re.compile(r"\bcontext\s+(?P<ctx>" + _STRING + ")")
_BLOCK_RE = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)(?P<opts>[^%]*?)%}(?P<body>.*?){%\s*(?:endblocktranslate|endblocktrans)\s*%}",
    re.DOTALL,
)
_PLURAL_SPLIT_RE = re.compile(r"{%\s*plural\s*%}")
_VAR_RE = re.compile(r"{{\s*([\w.]+)\s*}}")
_UNDERSCORE_RE = re.compile(r"(?<![\w.])_\(\s*(?P<msg>" + _STRING + r")\s*\)")
_TRIM_RE = re.compile(r"\s*\n\s*")


def _template_string(text: str) -> str:
    return text[1:-1].replace("\\" + text[0], text[0])


def _block_text(body: str, trimmed: bool) -> str:
    text = _VAR_RE.sub(lambda match: f"%({match.group(1)})s", body.replace("%", "%%"))
    if trimmed:
        text = _TRIM_RE.sub(" ", text.strip())
    return text


def extract_template(source: str, location: str) -> Iterator[Message]:
    """Messages from {% translate %}, {% blocktranslate %} and _("…") in a Django template."""
    for match in _TRANSLATE_RE.finditer(source):
        context = _CONTEXT_RE.search(match.group("rest"))
        msgid = _template_string(match.group("msg"))
        if msgid:
            ctx = _template_string(context.group("ctx")) if context else None
            yield Message(msgid, msgctxt=ctx, locations={location})
    for match in _BLOCK_RE.finditer(source):
        options = match.group("opts")
        trimmed = "trimmed" in options.split()
        context = _CONTEXT_RE.search(options)
        ctx = _template_string(context.group("ctx")) if context else None
        parts = _PLURAL_SPLIT_RE.split(match.group("body"))
        singular = _block_text(parts[0], trimmed)
        plural = _block_text(parts[1], trimmed) if len(parts) > 1 else None
        if singular:
            yield Message(singular, msgctxt=ctx, msgid_plural=plural, locations={location})
    for match in _UNDERSCORE_RE.finditer(source):
        msgid = _template_string(match.group("msg"))
        if msgid:
            yield Message(msgid, locations={location})


def _source_files(root: Path, dirs: Iterable[str]) -> Iterator[Path]:
    for name in dirs:
        base = root / name
        if not base.exists():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".py", ".html", ".txt") or not path.is_file():
                continue
            if SKIP_PARTS.intersection(path.relative_to(root).parts):
                continue
            yield path


def collect(files: Iterable[Path], root: Path) -> dict[tuple[str | None, str], Message]:
    messages: dict[tuple[str | None, str], Message] = {}
    for path in files:
        location = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        found = extract_python(source, location) if path.suffix == ".py" else extract_template(source, location)
        for message in found:
            existing = messages.get(message.key)
            if existing is None:
                messages[message.key] = message
            else:
                existing.locations |= message.locations
                existing.msgid_plural = existing.msgid_plural or message.msgid_plural
    return messages


def project_messages(root: Path = ROOT) -> dict[tuple[str | None, str], Message]:
    """Every translatable string of the project's apps and templates."""
    return collect(_source_files(root, PROJECT_DIRS), root)


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"package {name!r} is not installed (run inside the project's virtualenv)")
    return Path(spec.origin).parent


def unfold_messages_missing_chinese() -> dict[tuple[str | None, str], Message]:
    """unfold's strings that no installed Chinese catalogue (Django, admin, import-export) translates."""
    unfold_dir = _package_dir("unfold")
    messages = collect(
        (path for path in sorted(unfold_dir.rglob("*")) if path.suffix in (".py", ".html") and path.is_file()),
        unfold_dir.parent,
    )
    catalogs = []
    django_dir = _package_dir("django")
    for locale_dir in (
        django_dir / "conf" / "locale",
        django_dir / "contrib" / "admin" / "locale",
        django_dir / "contrib" / "auth" / "locale",
        _package_dir("import_export") / "locale",
    ):
        try:
            catalogs.append(gettext.translation("django", localedir=locale_dir, languages=["zh_Hans"]))
        except FileNotFoundError:
            continue

    def translated(message: Message) -> bool:
        for catalog in catalogs:
            if message.msgctxt is not None:
                result = catalog.pgettext(message.msgctxt, message.msgid)
            else:
                result = catalog.gettext(message.msgid)
            if result != message.msgid:
                return True
        return False

    return {key: message for key, message in messages.items() if not translated(message)}


_JS_GETTEXT = re.compile(r"""\bgettext\(\s*(['"])((?:\\.|(?!\1).)*)\1\s*\)""")


def admin_js_messages_missing_chinese() -> dict[tuple[str | None, str], Message]:
    """The admin JavaScript's ``gettext('…')`` strings that Django's zh_Hans djangojs lacks."""
    django_dir = _package_dir("django")
    js_dir = django_dir / "contrib" / "admin" / "static" / "admin" / "js"
    catalog = gettext.translation(
        "djangojs", localedir=django_dir / "contrib" / "admin" / "locale", languages=["zh_Hans"]
    )
    messages: dict[tuple[str | None, str], Message] = {}
    for path in sorted(js_dir.glob("*.js")):
        for match in _JS_GETTEXT.finditer(path.read_text(encoding="utf-8")):
            msgid = match.group(2).replace("\\'", "'").replace('\\"', '"')
            if catalog.gettext(msgid) == msgid:
                message = messages.setdefault((None, msgid), Message(msgid))
                message.locations.add(f"django/contrib/admin/static/admin/js/{path.name}")
    return messages


# --- writing .po ----------------------------------------------------------------------


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    if "\n" not in escaped:
        return f'"{escaped}"'
    lines = escaped.split("\n")
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return '""\n' + "\n".join(f'"{part}"' for part in parts)


def _match_whitespace(msgid: str, text: str) -> str:
    """Gives a translation the msgid's leading and trailing whitespace (msgfmt --check wants it)."""
    if not text:
        return text
    lead = msgid[: len(msgid) - len(msgid.lstrip())]
    trail = msgid[len(msgid.rstrip()) :]
    return lead + text.strip() + trail


def render_po(
    language: str, messages: Iterable[Message], translations: dict[str, str | list[str]], title: str
) -> tuple[str, list[Message]]:
    """The .po text for ``language`` and the messages left untranslated."""
    name, plural_forms = PO_HEADER[language]
    lines = [
        f"# {title}",
        "# Generated by scripts/update_translations.py; edit the translation dictionaries, not this file.",
        'msgid ""',
        'msgstr ""',
        '"Project-Id-Version: duoying-mall\\n"',
        '"Report-Msgid-Bugs-To: \\n"',
        '"PO-Revision-Date: 2026-01-01 00:00+0800\\n"',
        '"Last-Translator: Duoying Mall console team\\n"',
        f'"Language: {language}\\n"',
        f'"Language-Team: {name}\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        f'"Plural-Forms: {plural_forms}\\n"',
        "",
    ]
    missing: list[Message] = []
    ordered = sorted(messages, key=lambda m: (sorted(m.locations)[0], m.msgid, m.msgctxt or ""))
    for message in ordered:
        lookup = f"{message.msgctxt}\x04{message.msgid}" if message.msgctxt is not None else message.msgid
        translation = translations.get(lookup)
        if not translation:
            missing.append(message)
        lines.append("#: " + " ".join(sorted(message.locations)))
        if "%(" in message.msgid or re.search(r"%[sd]", message.msgid):
            lines.append("#, python-format")
        if message.msgctxt is not None:
            lines.append(f"msgctxt {_quote(message.msgctxt)}")
        lines.append(f"msgid {_quote(message.msgid)}")
        if message.msgid_plural is not None:
            lines.append(f"msgid_plural {_quote(message.msgid_plural)}")
            forms = translation if isinstance(translation, list) else [translation or ""] * 2
            count = 1 if language == "zh_Hans" else 2
            for index in range(count):
                text = _match_whitespace(message.msgid, forms[min(index, len(forms) - 1)] or "")
                lines.append(f"msgstr[{index}] {_quote(text)}")
        else:
            text = translation[0] if isinstance(translation, list) else (translation or "")
            lines.append(f"msgstr {_quote(_match_whitespace(message.msgid, text))}")
        lines.append("")
    return "\n".join(lines), missing


def _formats(text: str, names: set[str]) -> bool:
    """Whether ``text % {names…}`` works, as the code will run it (python-format strings)."""
    try:
        text % dict.fromkeys(names, 1)
    except (TypeError, ValueError, KeyError):
        return False
    return True


def placeholder_errors(messages: Iterable[Message], translations: dict[str, str | list[str]]) -> list[str]:
    """Translations whose %(name)s placeholders differ from the source string's."""
    errors = []
    for message in messages:
        translation = translations.get(message.msgid)
        if not translation:
            continue
        texts = translation if isinstance(translation, list) else [translation]
        wanted = set(re.findall(r"%\((\w+)\)", message.msgid))
        for text in texts:
            if set(re.findall(r"%\((\w+)\)", text)) != wanted:
                errors.append(f"{message.msgid!r} -> {text!r}")
            elif wanted and not _formats(text, wanted):
                errors.append(f"{message.msgid!r} -> {text!r} (a literal % must be written %%)")
    return errors


def build(root: Path = ROOT) -> tuple[dict[Path, str], dict[str, list[Message]], list[str]]:
    """Computes the .po files' content; returns (files, untranslated per language, placeholder errors)."""
    project = list(project_messages(root).values())
    unfold = list(unfold_messages_missing_chinese().values())
    en_text, en_missing = render_po("en", project, EN, "English for Duoying Mall's Chinese source strings.")
    zh_text, zh_missing = render_po(
        "zh_Hans", unfold, ZH_HANS, "Chinese for django-unfold strings that Django and import-export do not cover."
    )
    admin_js = list(admin_js_messages_missing_chinese().values())
    js_text, js_missing = render_po(
        "zh_Hans", admin_js, ZH_HANS_JS, "Chinese for Django admin JavaScript strings its zh_Hans catalogue lacks."
    )
    files = {
        root / "locale" / "en" / "LC_MESSAGES" / "django.po": en_text,
        root / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po": zh_text,
        root / "locale" / "zh_Hans" / "LC_MESSAGES" / "djangojs.po": js_text,
    }
    errors = placeholder_errors(project, EN) + placeholder_errors(unfold, ZH_HANS)
    return files, {"en": en_missing, "zh_Hans": zh_missing + js_missing}, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale or untranslated")
    args = parser.parse_args(argv)
    files, missing, errors = build()
    stale = [path for path, text in files.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if not args.check:
        for path in stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[path], encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
        for path in compile_all():
            print(f"compiled {path.relative_to(ROOT)}")
    for language, messages in missing.items():
        for message in messages:
            where = ", ".join(sorted(message.locations))
            print(f"untranslated [{language}]: {message.msgid!r} ({where})", file=sys.stderr)
    for error in errors:
        print(f"placeholder mismatch: {error}", file=sys.stderr)
    if args.check:
        stale_mo = compile_all(check=True)
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}", file=sys.stderr)
        for path in stale_mo:
            print(f"out of date: {path.relative_to(ROOT)}", file=sys.stderr)
        if stale or stale_mo or errors or any(missing.values()):
            return 1
    total = sum(len(messages) for messages in missing.values())
    print(f"{len(files)} catalogues; {total} untranslated string(s)")
    return 0


__all__ = ["Message", "build", "extract_python", "extract_template", "project_messages", "read_po"]

if __name__ == "__main__":
    sys.exit(main())
