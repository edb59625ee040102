"""Every identifier column is an IdentifierField, and its column compares exactly on this database.

The per-kind behaviour (signed payment notices, logins, share links, unique keys) is tested in
each app's ``test_exact_identifiers.py``; here every column is checked as the database sees it.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import connection, models

from mall.models.fields import MARIADB_IDENTIFIER_COLLATION, IdentifierField, identifier_collation

# The identifiers of issue 10 §6, by kind. New ones join through the name check below.
IDENTIFIERS = {
    "members.Member.openid",
    "members.Member.unionid",
    "members.Member.invite_code",
    "members.PointsEntry.ref",
    "members.BlockEntry.value",
    "orders.Order.no",
    "orders.Order.idempotency_key",
    "orders.Order.tracking_no",
    "orders.Payment.out_trade_no",
    "orders.Payment.transaction_id",
    "orders.PaymentNotice.notice_id",
    "orders.PaymentNotice.out_trade_no",
    "orders.Refund.out_refund_no",
    "orders.Refund.provider_refund_id",
    "marketing.Promoter.code",
    "marketing.Withdrawal.request_key",
    "marketing.GroupBuyGroup.share_token",
    "marketing.Bargain.share_token",
    "marketing.BargainHelp.device_id",
    "marketing.FlashPurchase.gate_token",
    "mall.Sku.code",
}

# Text columns whose names say "identifier" (…_no, …_key, code, token, openid, …).
IDENTIFIER_NAME = re.compile(
    r"(^|_)(openid|unionid|no|code|token|key|ref|transaction_id|notice_id|refund_id|trade_no|device_id)$"
)
# Named like one but not one: the WeChat session key is a secret sent to WeChat, never looked up.
NOT_IDENTIFIERS = {"members.Member.session_key"}

PROJECT_APPS = {"mall", "members", "marketing", "orders", "analytics"}


def _label(model: type[models.Model], field: models.Field) -> str:
    return f"{model._meta.app_label}.{model.__name__}.{field.name}"


def _char_fields() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, field)
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.local_fields
        if isinstance(field, models.CharField)
    ]


def _identifier_fields() -> list[tuple[type[models.Model], models.Field]]:
    return [(m, f) for m, f in _char_fields() if isinstance(f, IdentifierField)]


def test_every_listed_identifier_is_an_identifier_field() -> None:
    declared = {_label(m, f) for m, f in _identifier_fields()}
    assert declared >= IDENTIFIERS, sorted(IDENTIFIERS - declared)


def test_every_column_named_like_an_identifier_is_one() -> None:
    """A new ``…_no`` / ``…_key`` / ``code`` / ``token`` column must be an IdentifierField."""
    plain = {
        _label(m, f)
        for m, f in _char_fields()
        if IDENTIFIER_NAME.search(f.name) and not isinstance(f, IdentifierField) and not f.choices
    }
    assert plain <= NOT_IDENTIFIERS, sorted(plain - NOT_IDENTIFIERS)


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(IDENTIFIERS))
def test_the_column_compares_case_and_trailing_spaces_exactly(label: str) -> None:
    app_label, model_name, field_name = label.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    table, column = field.model._meta.db_table, field.column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(
                "SELECT collation_name FROM information_schema.columns"
                " WHERE table_schema = DATABASE() AND table_name = %s AND column_name = %s",
                [table, column],
            )
            (collation,) = cursor.fetchone()
            assert collation == identifier_collation(connection)
            if connection.mysql_is_mariadb:  # type: ignore[attr-defined]
                assert collation == MARIADB_IDENTIFIER_COLLATION
            compare = f"CAST(%s AS CHAR CHARACTER SET utf8mb4) COLLATE {collation} = %s"
        else:
            compare = "%s = %s"  # SQLite's and PostgreSQL's default comparisons are exact
        value = "P2612oAbC"
        results = []
        for other in (value, value.lower(), value.upper(), value + " ", value + "\t"):
            cursor.execute(f"SELECT {compare}", [value, other])
            results.append(bool(cursor.fetchone()[0]))
    assert results == [True, False, False, False, False]


@pytest.mark.django_db
def test_case_insensitive_lookups_stay_case_insensitive_for_console_search() -> None:
    """The console's search boxes use ``icontains``: finding "p2612" in "P2612…" still works."""
    from members.models import Member

    member = Member.objects.create(openid="oUpF8uMuAJO", invite_code="A1B2C3D4")
    assert list(Member.objects.filter(openid__icontains="upf8u").values_list("pk", flat=True)) == [member.pk]
    assert Member.objects.filter(openid__iexact="OUPF8UMUAJO").get() == member
    assert Member.objects.filter(invite_code__istartswith="a1b").get() == member
    assert Member.objects.filter(invite_code__iendswith="c3d4").get() == member
    assert not Member.objects.filter(openid__icontains="upf8u_").exists()  # LIKE wildcards stay escaped
    assert not Member.objects.filter(openid="oupf8umuajo").exists()
