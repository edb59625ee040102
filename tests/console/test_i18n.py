"""Chinese first, English via the language switch; translations are gettext catalogues kept with
makemessages / compilemessages and checked by mall.translations (``manage.py translations_check``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from mall import translations

ROOT = Path(settings.BASE_DIR)

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("xgettext") is None,
    reason="GNU gettext is installed by `make install` (scripts/ensure_debs.sh gettext)",
)


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


def test_runtime_catalogue_translates_context_and_plural_strings():
    """The committed .mo is what the app reads: msgctxt entries and plural forms come through Django."""
    with translation.override("en"):
        assert translation.pgettext("sidebar", "概览") == "Overview"
        assert translation.gettext("多营商城") == "Duoying Mall"
    with translation.override("zh-hans"):
        assert translation.pgettext("sidebar", "概览") == "概览"
        # unfold's English gets its Chinese from locale_vendor/ (the second LOCALE_PATHS entry)
        assert translation.gettext("Select action") == "选择操作"


@needs_gettext
def test_catalogues_are_complete_compiled_and_in_step_with_the_sources():
    """No empty or fuzzy msgstr, msgfmt --check-format clean, .mo compiled, msgids = makemessages today."""
    assert translations.problems() == []


@needs_gettext
def test_makemessages_reads_apps_and_templates_but_not_tests_or_the_mini_program(tmp_path: Path):
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "models.py").write_text(
        "from django.utils.translation import gettext_lazy as _, pgettext, ngettext\n"
        'a = _("订单")\nb = pgettext("菜单", "数据")\nc = ngettext("%(n)s 件", "%(n)s 件们", 2)\n'
        'e = "不翻译"\nf = _("隐式" "拼接")\n',
        encoding="utf-8",
    )
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text(
        '{% load i18n %}{% translate "首页" %}{% trans \'角色\' context "菜单" %}'
        "{% blocktranslate trimmed with name=user.name %}\n  你好，{{ name }}\n  欢迎 100%\n{% endblocktranslate %}"
        '{% component "x.html" with title=_("标题") %}{% endcomponent %}',
        encoding="utf-8",
    )
    for skipped in ("tests", "miniprogram", "migrations", "bench"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "x.py").write_text('from django.utils.translation import gettext as _\n_("跳过")\n')

    assert translations.extracted_keys(tmp_path) == {
        (None, "订单", None),
        ("菜单", "数据", None),
        (None, "%(n)s 件", "%(n)s 件们"),
        (None, "隐式拼接", None),
        (None, "首页", None),
        ("菜单", "角色", None),
        (None, "你好，%(name)s 欢迎 100%%", None),
        (None, "标题", None),
    }


def _po(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "django.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n' + body,
        encoding="utf-8",
    )
    return path


def test_untranslated_and_fuzzy_entries_are_reported(tmp_path: Path):
    po = _po(
        tmp_path,
        '#: a.py\nmsgid "订单"\nmsgstr "Orders"\n\n'
        'msgctxt "菜单"\nmsgid "数据"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "草稿"\nmsgstr "Draft"\n\n'
        'msgid "%(n)s 件"\nmsgid_plural "%(n)s 件"\nmsgstr[0] "%(n)s item"\nmsgstr[1] ""\n\n'
        'msgid ""\n"多行\\n"\n"文本"\nmsgstr ""\n"Multi\\n"\n"line"\n\n'
        '#~ msgid "旧"\n#~ msgstr ""\n',
    )
    assert [entry.label() for entry in translations.untranslated(po)] == ["菜单 | 数据", "草稿", "%(n)s 件"]
    assert {entry.msgid: entry.msgstr for entry in translations.read_po(po)}["多行\n文本"] == {0: "Multi\nline"}


@needs_gettext
def test_placeholder_mistakes_are_caught_before_they_crash(tmp_path: Path):
    good = _po(tmp_path, '#, python-format\nmsgid "满%(t)s减%(o)s"\nmsgstr "%(o)s off from %(t)s, 100%% sure"\n')
    assert translations.msgfmt_errors(good) == ""
    lost = _po(tmp_path, '#, python-format\nmsgid "满%(t)s减%(o)s"\nmsgstr "%(o)s off"\n')
    assert "argument 't'" in translations.msgfmt_errors(lost)
    bare = _po(tmp_path, '#, python-format\nmsgid "满%(t)s减%(o)s"\nmsgstr "%(o)s off from %(t)s, 20% less"\n')
    assert "not a valid Python format string" in translations.msgfmt_errors(bare)


@needs_gettext
def test_the_check_command_fails_on_a_stale_mo(tmp_path: Path, settings):
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    po = locale / "django.po"
    shutil.copy(translations.PROJECT_CATALOGUE, po)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    assert not translations.mo_out_of_date(translations.PROJECT_CATALOGUE)
    assert translations.mo_out_of_date(po)  # no .mo next to it yet

    shutil.copy(translations.PROJECT_CATALOGUE.with_suffix(".mo"), locale / "django.mo")
    assert not translations.mo_out_of_date(po)
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Duoying Mall"', 'msgstr "Duoying"'), "utf-8")
    assert translations.mo_out_of_date(po)
    with pytest.raises(CommandError, match="translation problem"):
        call_command("translations_check")
