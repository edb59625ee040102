"""Chinese first, English via the language switch; the translation tooling stays standard-library only."""

from __future__ import annotations

import gettext
import importlib
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)


def _load_script(name: str):
    """The scripts run as files from scripts/ and import their neighbours; import them from there too."""
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    return importlib.import_module(name)


@pytest.mark.django_db
def test_home_is_chinese_by_default_and_english_on_request(owner, console_client):
    client = console_client(owner)

    chinese = client.get(reverse("admin:index"), headers={"accept-language": "zh-hans"}).content.decode()
    english = client.get(reverse("admin:index"), headers={"accept-language": "en"}).content.decode()
    default = client.get(reverse("admin:index")).content.decode()

    assert "经营概况" in chinese and "今日支付金额" in chinese and "多营商城 · 商家后台" in chinese
    assert "Business overview" in english and "Paid today" in english and "Duoying Mall · Merchant Console" in english
    assert "经营概况" not in english
    assert "经营概况" in default
    # model names in the sidebar follow the language too (verbose names are translated)
    assert "商品分类" in chinese and "Category" in english


@pytest.mark.django_db
def test_language_switch_sets_the_cookie_and_the_console_follows(owner, console_client):
    client = console_client(owner)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    assert "Business overview" in client.get(reverse("admin:index")).content.decode()

    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("admin:index")})
    assert "经营概况" in client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_unfold_strings_have_chinese(client):
    """unfold ships no Chinese; locale/zh_Hans fills the gaps (here: the login page greeting)."""
    html = client.get(reverse("admin:login"), headers={"accept-language": "zh-hans"}).content.decode()
    assert "欢迎回到" in html
    assert "Welcome back to" in client.get(reverse("admin:login"), headers={"accept-language": "en"}).content.decode()


def test_committed_mo_files_match_their_po_files():
    compile_messages = _load_script("compile_messages")
    assert compile_messages.compile_all(ROOT / "locale", check=True) == []


def test_compiled_catalogue_reads_back_through_gettext(tmp_path):
    compile_messages = _load_script("compile_messages")
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "订单"\nmsgstr "Orders"\n\n'
        'msgctxt "菜单"\nmsgid "数据"\nmsgstr "Analytics"\n\n'
        '#, python-format\nmsgid "%(n)s 件"\nmsgid_plural "%(n)s 件"\n'
        'msgstr[0] "%(n)s item"\nmsgstr[1] "%(n)s items"\n\n'
        '#, fuzzy\nmsgid "草稿"\nmsgstr "Draft"\n\n'
        'msgid ""\n"多行\\n"\n"文本"\nmsgstr ""\n"Multi\\n"\n"line"\n\n'
        'msgid "未译"\nmsgstr ""\n',
        encoding="utf-8",
    )
    mo = tmp_path / "django.mo"
    mo.write_bytes(compile_messages.mo_bytes(compile_messages.read_po(po)))

    catalogue = gettext.GNUTranslations(mo.open("rb"))
    assert catalogue.gettext("订单") == "Orders"
    assert catalogue.pgettext("菜单", "数据") == "Analytics"
    assert catalogue.ngettext("%(n)s 件", "%(n)s 件", 1) == "%(n)s item"
    assert catalogue.ngettext("%(n)s 件", "%(n)s 件", 3) == "%(n)s items"
    assert catalogue.gettext("多行\n文本") == "Multi\nline"
    assert catalogue.gettext("草稿") == "草稿"  # fuzzy entries are left out, as msgfmt does
    assert catalogue.gettext("未译") == "未译"


def test_extraction_finds_python_and_template_strings():
    update = _load_script("update_translations")
    python = list(
        update.extract_python(
            "from django.utils.translation import gettext_lazy as _, pgettext, ngettext\n"
            'a = _("订单")\nb = pgettext("菜单", "数据")\nc = ngettext("%(n)s 件", "%(n)s 件们", 2)\n'
            'd = _(f"{x}")\ne = "不翻译"\nf = obj.gettext_lazy("隐式" "拼接")\n',
            "x.py",
        )
    )
    assert [(m.msgctxt, m.msgid, m.msgid_plural) for m in python] == [
        (None, "订单", None),
        ("菜单", "数据", None),
        (None, "%(n)s 件", "%(n)s 件们"),
        (None, "隐式拼接", None),
    ]
    template = list(
        update.extract_template(
            '{% translate "首页" %}{% trans \'角色\' context "菜单" %}'
            "{% blocktranslate trimmed with name=user.name %}\n  你好，{{ name }}\n  欢迎 100%\n{% endblocktranslate %}"
            '{% component "x.html" with title=_("标题") %}{% endcomponent %}',
            "t.html",
        )
    )
    assert [(m.msgctxt, m.msgid) for m in template] == [
        (None, "首页"),
        ("菜单", "角色"),
        (None, "你好，%(name)s 欢迎 100%%"),
        (None, "标题"),
    ]


def test_english_catalogue_covers_the_console_home():
    update = _load_script("update_translations")
    console = [
        message
        for message in update.project_messages(ROOT).values()
        if any(loc.startswith(("mall/console/", "templates/admin/")) for loc in message.locations)
    ]
    assert len(console) > 20
    en = gettext.GNUTranslations((ROOT / "locale/en/LC_MESSAGES/django.mo").open("rb"))

    def english(message) -> str:
        if message.msgctxt is not None:
            return en.pgettext(message.msgctxt, message.msgid)
        return en.gettext(message.msgid)

    untranslated = [message.msgid for message in console if english(message) == message.msgid]
    assert untranslated == []


def test_placeholder_check_catches_translations_that_would_crash():
    update = _load_script("update_translations")
    message = update.Message("满%(t)s减%(o)s")

    def errors(text: str) -> list[str]:
        return update.placeholder_errors([message], {message.msgid: text})

    assert errors("%(o)s off orders of %(t)s or more, 100%% sure") == []
    assert len(errors("%(o)s off")) == 1  # a placeholder lost
    assert len(errors("%(o)s off orders of %(t)s, 20% cheaper")) == 1  # a bare % breaks "… % {…}"


def test_every_translation_keeps_its_placeholders():
    update = _load_script("update_translations")
    _files, _missing, errors = update.build(ROOT)
    assert errors == []
