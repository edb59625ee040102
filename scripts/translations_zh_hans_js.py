"""Chinese for the Django admin's JavaScript strings its own zh_Hans catalogue lacks (msgid -> 中文).

Django 5.2's multi-select widget (``filter_horizontal``: SelectFilter2.js) has newer wording
than the shipped Chinese ``djangojs`` catalogue, so the console showed "Choose all 标签".
``update_translations.py`` writes these into ``locale/zh_Hans/LC_MESSAGES/djangojs.po``,
which the admin's ``jsi18n`` view merges in from ``LOCALE_PATHS``.
"""

ZH_HANS_JS: dict[str, str | list[str]] = {
    "(click to clear)": "（点击清除）",
    'Choose %s by selecting them and then select the "Choose" arrow button.': "选中可用的%s，再点「→」箭头添加。",
    "Choose all %s": "添加全部%s",
    "Choose selected %s": "添加选中的%s",
    'Remove %s by selecting them and then select the "Remove" arrow button.': "选中已选的%s，再点「←」箭头移除。",
    "Remove all %s": "移除全部%s",
    "Remove selected %s": "移除选中的%s",
}
