"""Cut plans over many random configurations (hypothesis): whenever a configuration is accepted,
every plan drawn from it reaches the floor within the helper range, with every cut inside the
cut range and the cuts summing exactly to start − floor, to the fen. Pure Python, no database."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from marketing.services.bargain_plans import (
    PROBLEM_NO_COUNT,
    PROBLEM_TOO_LITTLE,
    PROBLEM_TOO_MUCH,
    PlanConfig,
    feasible_helper_counts,
    plan_draw,
    plan_for_seed,
    plan_problem,
)


@st.composite
def configs(draw: st.DrawFn) -> PlanConfig:
    cut_min = draw(st.integers(min_value=1, max_value=5_000))
    cut_max = draw(st.integers(min_value=cut_min, max_value=cut_min + 20_000))
    helpers_min = draw(st.integers(min_value=1, max_value=60))
    helpers_max = draw(st.integers(min_value=helpers_min, max_value=helpers_min + 60))
    # Totals around the reachable band, so both accepted and refused configurations are drawn.
    low, high = helpers_min * cut_min, helpers_max * cut_max
    total = draw(st.integers(min_value=max(1, low // 2), max_value=high + high // 2 + 1))
    return PlanConfig(total=total, helpers_min=helpers_min, helpers_max=helpers_max, cut_min=cut_min, cut_max=cut_max)


@settings(max_examples=600, deadline=None)
@given(config=configs(), seed=st.integers(min_value=0, max_value=2**64))
def test_every_accepted_configuration_gives_an_exact_plan(config: PlanConfig, seed: int) -> None:
    problem = plan_problem(config)
    counts = feasible_helper_counts(config)
    assert (problem is None) == bool(counts)
    if problem is not None:
        return
    plan = plan_draw(config, random.Random(seed))
    assert config.helpers_min <= len(plan) <= config.helpers_max
    assert all(config.cut_min <= cut <= config.cut_max for cut in plan)
    assert sum(plan) == config.total
    assert plan[0] == max(plan)  # the first friend cuts the most


@settings(max_examples=300, deadline=None)
@given(config=configs())
def test_the_brief_bound_is_necessary_and_refusals_name_the_reason(config: PlanConfig) -> None:
    in_band = config.helpers_min * config.cut_min <= config.total <= config.helpers_max * config.cut_max
    problem = plan_problem(config)
    if not in_band:
        assert problem in (PROBLEM_TOO_LITTLE, PROBLEM_TOO_MUCH)
    elif problem is not None:
        assert problem == PROBLEM_NO_COUNT


def test_the_brief_example_199_to_0_with_10_to_20_friends_cutting_1_to_10_yuan() -> None:
    config = PlanConfig(total=19_900, helpers_min=10, helpers_max=20, cut_min=100, cut_max=1_000)
    assert feasible_helper_counts(config) == [20]  # 19 friends at 10 yuan each cannot cut 199
    for seed in range(200):
        plan = plan_for_seed(config, str(seed))
        assert len(plan) == 20 and sum(plan) == 19_900
        assert all(100 <= cut <= 1_000 for cut in plan)


def test_a_gap_between_helper_counts_is_refused_although_the_bound_holds() -> None:
    config = PlanConfig(total=700, helpers_min=2, helpers_max=3, cut_min=300, cut_max=300)
    assert config.helpers_min * config.cut_min <= config.total <= config.helpers_max * config.cut_max
    assert plan_problem(config) == PROBLEM_NO_COUNT


def test_a_seed_always_gives_the_same_plan_and_plans_look_random() -> None:
    config = PlanConfig(total=10_000, helpers_min=5, helpers_max=12, cut_min=100, cut_max=3_000)
    assert plan_for_seed(config, "abc") == plan_for_seed(config, "abc")
    plans = {plan_for_seed(config, str(seed)) for seed in range(50)}
    assert len(plans) == 50
    assert len({len(plan) for plan in plans}) > 1  # the helper count varies too
    assert len({cut for plan in plans for cut in plan}) > 100  # not a few round values
