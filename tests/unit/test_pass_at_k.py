"""pass@k: the unbiased estimator of Chen et al. (2021), against hand-computed values."""

from math import comb

import pytest

from leaderboard.code_scoring import mean_and_stderr, pass_at_k


@pytest.mark.parametrize("n, c, k, expected", [
    (1, 1, 1, 1.0),
    (1, 0, 1, 0.0),
    (5, 2, 1, 2 / 5),                       # pass@1 is the passing fraction
    (5, 2, 2, 1 - comb(3, 2) / comb(5, 2)),  # 1 - 3/10 = 0.7
    (10, 3, 5, 1 - 21 / 252),               # 1 - C(7,5)/C(10,5)
    (10, 1, 10, 1.0),                       # k = n: one pass among all n is enough
    (200, 0, 100, 0.0),                     # c = 0: never
    (200, 200, 100, 1.0),                   # c = n: always
    (200, 150, 100, 1.0),                   # n - c < k: every k-subset holds a pass
])
def test_hand_computed_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_equals_the_combinatorial_definition_on_a_grid():
    for n in range(1, 16):
        for c in range(n + 1):
            for k in range(1, n + 1):
                assert pass_at_k(n, c, k) == pytest.approx(1 - comb(n - c, k) / comb(n, k), abs=1e-12), (n, c, k)


def test_more_passes_never_lower_the_estimate():
    values = [pass_at_k(20, c, 5) for c in range(21)]
    assert values == sorted(values)


@pytest.mark.parametrize("n, c, k, message", [
    (3, 1, 5, r"pass@5 needs at least 5 samples per problem, got n=3"),
    (5, 6, 1, r"within 0\.\.n=5, got c=6"),
    (5, -1, 1, r"within 0\.\.n=5, got c=-1"),
    (5, 1, 0, r"needs k >= 1"),
])
def test_impossible_arguments_are_errors(n, c, k, message):
    with pytest.raises(ValueError, match=message):
        pass_at_k(n, c, k)


def test_non_integers_are_refused():
    with pytest.raises(TypeError):
        pass_at_k(5.0, 2, 1)


def test_mean_and_its_standard_error():
    assert mean_and_stderr([1.0, 0.0, 1.0, 0.0]) == {"value": 0.5, "stderr": pytest.approx((1 / 3 / 4) ** 0.5)}
    assert mean_and_stderr([1.0]) == {"value": 1.0, "stderr": None}
