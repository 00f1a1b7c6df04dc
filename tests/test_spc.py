"""SPC charts: reference cases from NHSRplotthedots and independent plain computations."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from journey.control_charts import (
    SPC_COLOURS,
    _assurance,
    _extend_back,
    _run_ends,
    _trend_ends,
    _two_in_three,
    spc,
)
from journey.errors import JourneyError

# --- reference cases (NHSRplotthedots test suite, MIT licence) ------------------------------

STANDARD_Y = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
    -1.26506123, -0.68685285, -0.44566197, 1.2240818, 0.35981383, 0.40077145, 0.11068272,
    -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.7013559, -0.47279141,
]
SMALL_Y = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def _series(values, start="2024-01-01"):
    return pd.DataFrame({"day": pd.date_range(start, periods=len(values)), "y": values})


def _chart(values, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return spc(_series(values), value="y", date="day", **kwargs)


@pytest.mark.parametrize(
    ("modify", "screen", "mean", "lpl", "upl"),
    [
        (False, True, 0.1416238, -3.01138, 3.294627),  # r1
        (True, True, 0.6694159, -2.383666, 3.722497),  # r2: y[15] <- 10 (1-based)
        (True, False, 0.6694159, -4.596625, 5.935457),  # r3
    ],
)
def test_standard_limits_match_reference(modify, screen, mean, lpl, upl):
    y = list(STANDARD_Y)
    if modify:
        y[14] = 10
    res = _chart(y, screen_outliers=screen)
    row = res.summary.iloc[0]
    assert row["mean"] == pytest.approx(mean, abs=1e-6)
    assert row["lpl"] == pytest.approx(lpl, abs=1e-5)
    assert row["upl"] == pytest.approx(upl, abs=1e-5)
    assert (res.table["lpl"] == row["lpl"]).all() and (res.table["upl"] == row["upl"]).all()
    if not modify:  # r1: no special-cause points
        assert (res.table["point_type"] == "common_cause").all()


@pytest.mark.parametrize(
    ("screen", "expected", "n_screened"),
    [(True, (-0.72, 1.94, 4.60), 2), (False, (-3.06, 1.94, 6.95), 0)],
)
def test_small_series_screened_and_unscreened(screen, expected, n_screened):
    row = _chart(SMALL_Y, screen_outliers=screen).summary.iloc[0]
    assert (round(row["lpl"], 2), round(row["mean"], 2), round(row["upl"], 2)) == expected
    # the two moving ranges next to the 10 (8 and 9) are ≥ 3.267·mR̄ and are left out
    assert row["n_screened_moving_ranges"] == n_screened


def test_shift_run_detector_reference_cases():
    assert _run_ends([], 7).tolist() == []
    assert _run_ends([1] * 6, 7).tolist() == [0] * 6
    assert _run_ends([1] * 6 + [-1], 7).tolist() == [0] * 7
    assert _run_ends([1] * 8 + [-1], 7).tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert _run_ends([-1] * 8 + [1], 7).tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 0]


def test_part_of_run_reference_cases():
    part = lambda v: np.abs(_extend_back(v, 7)).tolist()  # noqa: E731
    assert part([]) == []
    assert part([0] * 6) == [0] * 6
    assert part([0] * 6 + [1, 0]) == [1] * 7 + [0]
    assert part([0] * 7 + [1, 0]) == [0] + [1] * 7 + [0]
    assert part([0] * 6 + [-1, 0]) == [1] * 7 + [0]
    assert part([0] * 7 + [-1, 0]) == [0] + [1] * 7 + [0]


def test_trend_detector_reference_cases():
    assert _trend_ends([], 7).tolist() == []
    assert _trend_ends(range(1, 7), 7).tolist() == [0] * 6
    assert _trend_ends([1, 2, 3, 3, 4, 5, 6], 7).tolist() == [0] * 7  # c(1:3, 3:6): a tie
    assert _trend_ends(range(1, 8), 7).tolist() == [0] * 6 + [1]
    assert _trend_ends([2, 1, 2, 3, 4, 5, 6, 7, 3], 7).tolist() == [0] * 7 + [1, 0]
    assert _trend_ends(range(7, 0, -1), 7).tolist() == [0] * 6 + [-1]
    assert _trend_ends([2, 7, 6, 5, 4, 3, 2, 1, 3], 7).tolist() == [0] * 7 + [-1, 0]


def test_two_in_three_reference_cases():
    ones = [1] * 7
    for close in ([1, 0, 1], [0, 1, 1], [1, 1, 0]):
        assert _two_in_three(close, [1, 1, 1]).tolist() == [1, 1, 1]
        assert _two_in_three(close, [1, -1, 1]).tolist() == [0, 0, 0]  # opposite sides
    assert _two_in_three([0, 0, 1, 0, 1, 0, 0], ones).tolist() == [0, 0, 1, 1, 1, 0, 0]
    assert _two_in_three([0, 0, 1, 1, 0, 0, 0], ones).tolist() == [0, 1, 1, 1, 1, 0, 0]
    assert _two_in_three([0, 0, 1, 0, 1, 0, 0], [1, -1] * 3 + [1]).tolist() == [0] * 7
    assert _two_in_three([0, 0, 1, 1, 0, 0, 0], [-1, 1] * 3 + [-1]).tolist() == [0] * 7
    assert _two_in_three([], []).tolist() == []
    # only the close points of a flagged window are flagged
    for close, flagged in [
        ([1, 0, 1], [1, 0, 1]),
        ([0, 0, 1, 0, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0]),
        ([1, 0, 0, 1], [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [0, 0, 0, 1, 1]),
    ]:
        window = _two_in_three(close, [1] * len(close))
        assert (window * np.array(close)).tolist() == flagged


def test_assurance_reference_case():
    lpl, upl = (1, 5, 1), (3, 7, 5)
    assert [_assurance(lo, hi, 4, "increase") for lo, hi in zip(lpl, upl, strict=True)] == [
        "consistent_fail", "consistent_pass", "inconsistent"]
    assert [_assurance(lo, hi, 4, "decrease") for lo, hi in zip(lpl, upl, strict=True)] == [
        "consistent_pass", "consistent_fail", "inconsistent"]
    assert _assurance(1, 3, 4, "neutral") is None
    assert _assurance(1, 3, None, "increase") is None


def test_assurance_icon_uses_last_point_limits():
    y = [10, 12] * 10
    res = _chart(y, target=20)  # limits 11 ± 5.32: target above UPL
    assert res.assurance_icon == "consistent_fail"
    assert _chart(y, target=20, improvement="decrease").assurance_icon == "consistent_pass"
    assert _chart(y, target=11).assurance_icon == "inconsistent"
    assert _chart(y).assurance_icon is None


# --- independent plain computation of the limits ---------------------------------------------


def _plain_limits(y, screen, n_fix=None):
    y = list(y)[: n_fix or len(y)]
    mean = sum(y) / len(y)
    mr = [abs(y[i] - y[i - 1]) for i in range(1, len(y))]
    amr = sum(mr) / len(mr)
    if screen:
        kept = [m for m in mr if m < 3.267 * amr]
        amr = sum(kept) / len(kept)
    near = 2 * 2.66 / 3  # two sigma, as the reference computes it (≈ 1.773)
    return mean - 2.66 * amr, mean, mean + 2.66 * amr, mean - near * amr, mean + near * amr


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("screen", [True, False])
def test_limits_equal_plain_computation_on_random_series(seed, screen):
    rng = np.random.default_rng(seed)
    y = rng.gamma(2.0, 10.0, size=40)
    y[rng.integers(40)] += 200  # an outlier to exercise the screening
    lpl, mean, upl, nlpl, nupl = _plain_limits(y, screen)
    t = _chart(y, screen_outliers=screen).table
    assert t["mean"].iloc[0] == pytest.approx(mean, rel=1e-12)
    assert t["lpl"].iloc[0] == pytest.approx(lpl, rel=1e-12)
    assert t["upl"].iloc[0] == pytest.approx(upl, rel=1e-12)
    assert t["near_lpl"].iloc[0] == pytest.approx(nlpl, rel=1e-12)
    assert t["near_upl"].iloc[0] == pytest.approx(nupl, rel=1e-12)
    outside = [v > upl or v < lpl for v in y]
    assert (t["rule"] == "outside_limits").tolist() == outside


def test_rebase_and_fixed_limits_equal_plain_computation():
    rng = np.random.default_rng(7)
    y = np.concatenate([rng.normal(50, 5, 30), rng.normal(40, 3, 25)])
    df = _series(y)
    res = spc(df, value="y", date="day", rebase=[df["day"][30]], fix_after_n_points=20)
    assert res.summary["rebase_group"].tolist() == [1, 2]
    assert res.summary["n_points"].tolist() == [30, 25]
    assert res.summary["n_limit_points"].tolist() == [20, 20]
    for k, part in enumerate([y[:30], y[30:]]):
        lpl, mean, upl, _, _ = _plain_limits(part, True, n_fix=20)
        row = res.summary.iloc[k]
        assert (row["lpl"], row["mean"], row["upl"]) == pytest.approx((lpl, mean, upl))
        rows = res.table[res.table["rebase_group"] == k + 1]
        assert rows["upl"].to_numpy() == pytest.approx(np.full(len(part), upl))


def test_p_chart_equals_plain_computation():
    rng = np.random.default_rng(3)
    n = rng.integers(20, 400, size=30)
    x = rng.binomial(n, 0.08)
    x[25] = int(n[25] * 0.5)  # a clear signal
    df = pd.DataFrame({"week": pd.date_range("2024-01-01", periods=30, freq="W"),
                       "lwbs": x, "visits": n})
    res = spc(df, value="lwbs", date="week", chart="p", denominator="visits",
              improvement="decrease")
    pbar = x.sum() / n.sum()
    for i in range(30):
        s = (pbar * (1 - pbar) / n[i]) ** 0.5
        row = res.table.iloc[i]
        assert row["value"] == pytest.approx(x[i] / n[i])
        assert row["mean"] == pytest.approx(pbar)
        assert row["lpl"] == pytest.approx(max(0.0, pbar - 3 * s))
        assert row["upl"] == pytest.approx(min(1.0, pbar + 3 * s))
    assert (res.table["lpl"] == 0).any()  # small denominators clip the lower limit at 0
    assert res.table.loc[25, "point_type"] == "special_cause_concern"
    assert res.table.loc[25, "rule"] == "outside_limits"


# --- rule cases on full charts -----------------------------------------------------------
# A base of 12 points alternating 12, 10 gives fixed limits 11 ± 5.32 (process) and
# 11 ± 3.546 (near); the base has no signal and ends below the mean.

BASE = [12, 10] * 6


def _rules(tail, **kwargs):
    """Rule of each tail point ("-" for none) and the tail rows of the table."""
    t = _chart(BASE + tail, fix_after_n_points=12, **kwargs).table
    assert t["mean"].iloc[0] == 11 and t["upl"].iloc[0] == pytest.approx(16.32)
    assert t["rule"].iloc[:12].isna().all()
    return t["rule"].iloc[12:].fillna("-").tolist(), t.iloc[12:]


def test_tie_breaks_a_trend():
    rules, rising = _rules([9.0, 11.0, 11.5, 12.0, 12.5, 13.0, 13.5])
    assert rules == ["trend"] * 7
    # a trend takes its direction from the run, not from the side of the mean
    assert rising["point_type"].tolist() == ["special_cause_improvement"] * 7
    rules, tied = _rules([9.0, 11.0, 11.5, 12.0, 12.0, 13.0, 13.5])
    assert rules == ["-"] * 7
    assert (tied["point_type"] == "common_cause").all()


def test_point_on_mean_breaks_a_shift():
    assert _rules([12] * 7)[0] == ["shift"] * 7
    assert _rules([12] * 7, improvement="decrease")[1]["point_type"].tolist() == [
        "special_cause_concern"] * 7
    assert _rules([12, 12, 12, 11, 12, 12, 12])[0] == ["-"] * 7
    assert _rules([12] * 6)[0] == ["-"] * 6
    assert _rules([12] * 6, shift_n=6)[0] == ["shift"] * 6


def test_two_in_three_needs_same_side():
    assert _rules([15, 12, 15])[0] == ["two_in_three", "-", "two_in_three"]
    assert _rules([15, 9, 15])[0] == ["-"] * 3
    rules, low = _rules([7, 10, 7], improvement="decrease")
    assert rules == ["two_in_three", "-", "two_in_three"]
    assert low["point_type"].tolist() == [
        "special_cause_improvement", "common_cause", "special_cause_improvement"]


def test_two_in_three_counts_outside_points_only_on_request():
    assert _rules([17, 12, 15])[0] == ["outside_limits", "-", "-"]
    flagged = _rules([17, 12, 15], two_in_three_includes_outside=True)[0]
    assert flagged == ["outside_limits", "-", "two_in_three"]


def test_rules_priority_order():
    assert _rules([8, 9, 10, 11, 12, 13, 17])[0] == ["trend"] * 6 + ["outside_limits"]
    assert _rules([12, 15, 15, 12, 12, 12, 12])[0] == (
        ["shift", "two_in_three", "two_in_three"] + ["shift"] * 4)


def test_neutral_direction_and_variation_icons():
    assert _rules([12] * 7, improvement="neutral")[1]["point_type"].unique().tolist() == [
        "special_cause_neutral_high"]
    assert _chart(BASE + [12] * 7, fix_after_n_points=12).variation_icon == "improvement_high"
    assert _chart(BASE + [10] * 7, fix_after_n_points=12).variation_icon == "concern_low"
    assert _chart(BASE + [10] * 7, fix_after_n_points=12,
                  improvement="decrease").variation_icon == "improvement_low"
    assert _chart(BASE + [10] * 7, fix_after_n_points=12,
                  improvement="neutral").variation_icon == "neutral_low"
    assert _chart(BASE).variation_icon == "common_cause"


# --- input handling and output shape ---------------------------------------------------------


def test_series_input_equals_frame_input():
    df = _series(SMALL_Y)
    from_series = spc(df.set_index("day")["y"])
    pd.testing.assert_frame_equal(from_series.table, spc(df, value="y", date="day").table)


def test_short_groups_warn_of_trial_limits():
    with pytest.warns(UserWarning, match="trial limits"):
        spc(_series([1, 2, 3, 2, 1, 2]), value="y", date="day")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = spc(_series(SMALL_Y), value="y", date="day")
    assert not res.summary["trial_limits"].any()


def test_bad_input_raises_clear_errors():
    df = _series([1.0, 2.0, 3.0, 2.0]).astype({"day": object})
    df.loc[2, "day"] = None
    with pytest.raises(JourneyError, match="missing") as err:
        spc(df, value="y", date="day")
    assert err.value.rows == [4]
    with pytest.raises(JourneyError, match="every period is a gap"):
        spc(_series([np.nan, np.nan]), value="y", date="day")
    with pytest.raises(JourneyError, match="chart must be"):
        spc(_series(SMALL_Y), value="y", date="day", chart="g")
    with pytest.raises(JourneyError, match="value ≤ denominator"):
        spc(_series(SMALL_Y).assign(n=1), value="y", date="day", chart="p_prime",
            denominator="n")
    with pytest.raises(JourneyError, match="rebase must be"):
        spc(_series(SMALL_Y), value="y", date="day", rebase="yes")
    with pytest.raises(JourneyError, match="not found"):
        spc(df, value="wait", date="day")
    dup = pd.concat([_series(SMALL_Y), _series([3])])
    with pytest.raises(JourneyError, match="one value per date"):
        spc(dup, value="y", date="day")
    with pytest.raises(JourneyError, match="rebase"):
        spc(_series(SMALL_Y), value="y", date="day", rebase=["2030-01-01"])
    with pytest.raises(JourneyError, match="fix_after_n_points"):
        spc(_series(SMALL_Y), value="y", date="day", fix_after_n_points=5)
    with pytest.raises(JourneyError, match="denominator"):
        spc(_series(SMALL_Y), value="y", date="day", chart="p")


def test_figure_uses_nhs_colours():
    res = _chart(BASE + [12] * 7, fix_after_n_points=12, target=14)
    fig = res.figure()
    markers = {tr.name: tr.marker.color for tr in fig.data if tr.mode == "markers"}
    assert markers == {"common cause": SPC_COLOURS["common_cause"],
                       "special cause improvement": SPC_COLOURS["special_cause_improvement"]}
    assert fig.layout.shapes[0].line.color == SPC_COLOURS["target"]
    assert any(tr.line.dash == "dash" for tr in fig.data if tr.name == "upl")


# --- the chart family against plain implementations of the published formulas ---------------
# Montgomery, Introduction to Statistical Quality Control (c, u and p charts); Laney (2002),
# Quality Engineering 14:531 (p′ and u′); Anhøj & Olesen (2014), PLoS One 9:e113825 and
# Anhøj (2015) (run-chart rules, as in qicharts2).


def _counts(seed=0, n_periods=30, big=False):
    rng = np.random.default_rng(seed)
    n = rng.integers(20_000, 40_000, n_periods) if big else rng.integers(50, 200, n_periods)
    # extra between-period variation (what a p′ chart allows for)
    p = np.clip(0.3 + rng.normal(0, 0.02, n_periods), 0.01, 0.99)
    x = rng.binomial(n, p)
    return pd.DataFrame({"day": pd.date_range("2024-01-01", periods=n_periods), "x": x, "n": n})


def _plain_attribute_limits(chart, x, n):
    """Centre and limits written out from the textbook formulas, one loop per point."""
    x, n = np.asarray(x, float), None if n is None else np.asarray(n, float)
    lo, hi = [], []
    if chart in ("p", "p_prime", "u", "u_prime"):
        centre = x.sum() / n.sum()
        value = x / n
        sd = [np.sqrt(centre * (1 - centre) / k) if chart.startswith("p") else
              np.sqrt(centre / k) for k in n]
    else:
        centre = x.mean()
        value = x
        sd = [np.sqrt(centre)] * len(x)
    if chart.endswith("_prime"):
        z = [(v - centre) / s for v, s in zip(value, sd, strict=True)]
        mr = [abs(z[i] - z[i - 1]) for i in range(1, len(z))]
        sd = [s * (sum(mr) / len(mr)) / 1.128 for s in sd]
    for s in sd:
        lo.append(max(centre - 3 * s, 0.0))
        hi.append(min(centre + 3 * s, 1.0) if chart.startswith("p") else centre + 3 * s)
    return centre, np.array(lo), np.array(hi)


@pytest.mark.parametrize("chart", ["p", "u", "p_prime", "u_prime"])
def test_attribute_charts_with_denominators_equal_plain_formulas(chart):
    df = _counts(1, big=chart.endswith("prime"))
    res = spc(df, value="x", date="day", denominator="n", chart=chart)
    centre, lo, hi = _plain_attribute_limits(chart, df["x"], df["n"])
    t = res.table
    assert t["mean"].to_numpy() == pytest.approx(centre)
    assert t["lpl"].to_numpy() == pytest.approx(lo)
    assert t["upl"].to_numpy() == pytest.approx(hi)
    assert t["value"].to_numpy() == pytest.approx(df["x"] / df["n"])


def test_laney_widens_limits_that_a_p_chart_draws_too_narrow():
    df = _counts(2, big=True)
    p = spc(df, value="x", date="day", denominator="n", chart="p")
    prime = spc(df, value="x", date="day", denominator="n", chart="p_prime")
    assert (p.table["rule"] == "outside_limits").mean() > 0.5  # nearly every point "special"
    assert (prime.table["rule"] == "outside_limits").sum() == 0
    assert prime.summary.loc[0, "sigma_z"] > 5


@pytest.mark.parametrize("chart", ["c", "c_prime"])
def test_count_charts_equal_plain_formulas(chart):
    rng = np.random.default_rng(3)
    x = rng.poisson(12, 25)
    res = _chart(list(x), chart=chart)
    centre, lo, hi = _plain_attribute_limits(chart, x, None)
    assert res.table["mean"].to_numpy() == pytest.approx(centre)
    assert res.table["lpl"].to_numpy() == pytest.approx(lo)
    assert res.table["upl"].to_numpy() == pytest.approx(hi)
    if chart == "c_prime":  # c′ = XmR of the counts with mR̄/1.128, unscreened, floored at 0
        upl = x.mean() + 3 * np.abs(np.diff(x)).mean() / 1.128
        assert res.summary.loc[0, "upl"] == pytest.approx(upl)


def _plain_anhoej(y, centre):
    """Anhøj's rules written out: runs of useful points and crossings."""
    from itertools import groupby

    from scipy.stats import binom

    sides = [1 if v > centre else -1 for v in y if v != centre]
    runs = [len(list(g)) for _, g in groupby(sides)]
    n = len(sides)
    return max(runs), round(np.log2(n)) + 3, len(runs) - 1, int(binom.ppf(0.05, n - 1, 0.5))


@pytest.mark.parametrize(("n", "longest", "crossings"), [(10, 6, 2), (24, 8, 8), (30, 8, 10)])
def test_anhoej_limits_match_the_published_table(n, longest, crossings):
    rng = np.random.default_rng(n)
    res = _chart(list(rng.normal(0, 1, n)), chart="run")
    row = res.summary.iloc[0]
    assert (row["longest_run_max"], row["n_crossings_min"]) == (longest, crossings)


def test_run_chart_equals_plain_anhoej_rules():
    rng = np.random.default_rng(5)
    y = np.r_[rng.normal(10, 1, 20), rng.normal(12, 1, 12)].round(1)
    res = _chart(list(y), chart="run", improvement="increase")
    row = res.summary.iloc[0]
    median = np.median(y)
    assert row["median"] == pytest.approx(median)
    expected = _plain_anhoej(y, median)
    got = (row["longest_run"], row["longest_run_max"], row["n_crossings"], row["n_crossings_min"])
    assert got == expected
    assert bool(row["runs_signal"]) == (expected[0] > expected[1] or expected[2] < expected[3])
    assert bool(row["runs_signal"])
    flagged = res.table[res.table["rule"] == "long_run"]
    assert len(flagged) >= expected[1] + 1 and (flagged["value"] > median).all()
    assert res.variation_icon == "improvement_high" and res.assurance_icon is None
    fig = res.figure()
    assert [tr.name for tr in fig.data if tr.mode == "lines"][1] == "median"
    assert "upl" not in {tr.name for tr in fig.data}
    # no signal in noise around the median
    calm = _chart(list(np.tile([9.0, 11.0, 10.5, 9.5], 6)), chart="run")
    assert not calm.summary.loc[0, "runs_signal"]


# --- automatic re-baselining --------------------------------------------------------------------


def _auto(y, **kwargs):
    res = _chart(list(y), rebase="auto", **kwargs)
    days = _series(y)["day"]
    return res, [int((days < s).sum()) for s in res.summary["start"]]


def test_auto_rebase_finds_one_and_two_shifts():
    rng = np.random.default_rng(11)
    one = np.r_[rng.normal(50, 3, 40), rng.normal(38, 3, 40)]
    res, starts = _auto(one, improvement="decrease")
    assert len(starts) == 2 and 33 <= starts[1] <= 42
    assert (one[starts[1] : starts[1] + 7] < one[:21].mean()).all()  # starts on a run
    assert res.table["rebase_group"].tolist() == [1] * starts[1] + [2] * (80 - starts[1])
    # each period's limits come from its first min_period points
    second = one[starts[1] : starts[1] + 21]
    assert res.summary.loc[1, "mean"] == pytest.approx(second.mean())
    assert res.summary["n_limit_points"].tolist() == [21, 21]
    two = np.r_[rng.normal(50, 3, 40), rng.normal(38, 3, 40), rng.normal(50, 3, 40)]
    _, starts = _auto(two)
    assert len(starts) == 3 and 33 <= starts[1] <= 42 and 73 <= starts[2] <= 82
    fig = _auto(two)[0].figure()
    assert len([s for s in fig.layout.shapes if s.name == "rebase"]) == 2


def test_auto_rebase_leaves_noise_and_a_trend_alone():
    for seed in range(5):
        rng = np.random.default_rng(seed)
        assert _auto(rng.normal(50, 3, 90))[1] == [0]
        trend = 50 + 0.6 * np.arange(90) + rng.normal(0, 3, 90)
        res, starts = _auto(trend)
        assert starts == [0]
        assert (res.table["rule"] == "shift").any()  # the chart still shows the trend's signal
    with pytest.raises(JourneyError, match="min_period"):
        _auto(np.arange(40.0), min_period=5)


def test_auto_rebase_on_a_p_prime_chart_with_gaps():
    df = _counts(4, n_periods=60, big=True)
    df.loc[30:, "x"] = (df.loc[30:, "n"] * 0.22).round().astype(int)
    df.loc[[10, 45], ["x", "n"]] = 0
    res = spc(df, value="x", date="day", denominator="n", chart="p_prime", rebase="auto")
    assert len(res.summary) == 2 and 25 <= (df["day"] < res.summary.loc[1, "start"]).sum() <= 30
    assert res.summary["n_gaps"].sum() == 2


# --- gaps, and the figure says what the table says -------------------------------------------


def test_gaps_are_left_out_of_limits_and_rules_and_shown():
    y = SMALL_Y[:5] + [np.nan, np.nan] + SMALL_Y[5:]
    res = _chart(y, screen_outliers=False)
    full = _chart(SMALL_Y, screen_outliers=False)
    pd.testing.assert_frame_equal(res.summary.drop(columns=["n_gaps", "end"]),
                                  full.summary.drop(columns="end"))
    gap_rows = res.table.iloc[5:7]
    assert (gap_rows["point_type"] == "gap").all() and gap_rows["value"].isna().all()
    assert gap_rows["mean"].isna().all()  # the lines break at the gap
    assert res.summary.loc[0, "n_gaps"] == 2 and res.options["n_gaps"] == 2
    assert res.variation_icon == full.variation_icon
    fig = res.figure()
    bands = [s for s in fig.layout.shapes if s.name == "gap"]
    assert len(bands) == 1 and bands[0].fillcolor == "#d9d9d9"
    assert "gap" not in {tr.name for tr in fig.data}
    assert not fig.data[0].connectgaps
    # a gap at the end: the icons describe the last observed point
    assert _chart(SMALL_Y + [np.nan]).variation_icon == _chart(SMALL_Y).variation_icon


def test_figure_draws_icons_target_and_the_measures_name():
    res = _chart(BASE + [9] * 7, fix_after_n_points=12, target=20, improvement="decrease")
    fig = res.figure()
    target = fig.layout.shapes[0]
    assert target.line.width >= 1 and target.opacity == 1 and target.line.dash == "dot"
    rings = [s for s in fig.layout.shapes if s.type == "circle"]
    assert [s.name for s in rings] == [res.variation_icon, res.assurance_icon]
    assert all(s.line.width >= 2 and s.xsizemode == "pixel" for s in rings)
    letters = [a.text for a in fig.layout.annotations if a.name == "icon"]
    assert letters == ["<b>L</b>", "<b>P</b>"]  # improvement low, target always met
    assert rings[0].line.color == SPC_COLOURS["special_cause_improvement"]
    common = _chart(SMALL_Y).figure()
    assert [s.type for s in common.layout.shapes] == ["circle", "path"]
    # the y axis is named after the measure when the series says what it measures
    days = pd.date_range("2024-01-01", periods=len(BASE))
    named = pd.DataFrame({"date": days, "value": BASE})
    named.attrs["measure"] = "daily mean wait before triage (minutes)"
    fig = spc(named, value="value", date="date").figure()
    assert fig.layout.yaxis.title.text == "daily mean wait before triage (minutes)"
    df = _counts(1)
    assert spc(df, value="x", date="day", denominator="n", chart="p").figure(
    ).layout.yaxis.title.text == "x / n"
