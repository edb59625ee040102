"""The engine's output records: frozen dataclasses whose ``__init__`` writes the instance dict
(``direct_init``) and still behaves as the dataclass declared."""

from __future__ import annotations

import inspect
import pickle
from dataclasses import MISSING, FrozenInstanceError, dataclass, field, fields, replace

import pytest

from marketing.pricing.best_coupons import CouponCandidate
from marketing.pricing.types import (
    Allocation,
    AppliedRule,
    CouponVerdict,
    Hint,
    LineQuote,
    Quote,
    RejectedRule,
    UnitRange,
    direct_init,
)


@pytest.mark.parametrize(
    "record",
    [UnitRange, Allocation, LineQuote, AppliedRule, RejectedRule, CouponVerdict, Hint, Quote, CouponCandidate],
)
def test_a_records_init_takes_the_fields_its_dataclass_declares(record: type) -> None:
    params = list(inspect.signature(record).parameters.values())
    assert [p.name for p in params] == [f.name for f in fields(record)]
    for param, declared in zip(params, fields(record), strict=True):
        kind = inspect.Parameter.KEYWORD_ONLY if declared.kw_only else inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert param.kind is kind
        assert param.default is (inspect.Parameter.empty if declared.default is MISSING else declared.default)


@dataclass(frozen=True)
class _Plain:
    name: str
    amount: int
    tags: tuple[str, ...] = ()


@direct_init
@dataclass(frozen=True)
class _Direct:
    name: str
    amount: int
    tags: tuple[str, ...] = ()


def test_a_direct_init_record_behaves_as_the_plain_frozen_dataclass() -> None:
    def shape(cls: type) -> list[tuple[str, object, object]]:
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    assert shape(_Direct) == shape(_Plain)
    one, same, other = _Direct("a", 1), _Direct(name="a", amount=1, tags=()), _Direct("a", 2, ("x",))
    assert one == same and hash(one) == hash(same) and one != other
    assert repr(other) == repr(_Plain("a", 2, ("x",))).replace("_Plain", "_Direct")
    assert pickle.loads(pickle.dumps(other)) == other  # noqa: S301 - bytes made just above
    assert replace(one, amount=2, tags=("x",)) == other
    with pytest.raises(FrozenInstanceError):
        one.amount = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        _Direct("a")  # type: ignore[call-arg]


def test_a_default_factory_is_refused_not_shared() -> None:
    with pytest.raises(TypeError, match="default factory"):

        @direct_init
        @dataclass(frozen=True)
        class _Listed:
            items: list[int] = field(default_factory=list)
