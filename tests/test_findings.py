"""Findings in words: each sentence states what its result table says, in either language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from journey.errors import JourneyError
from journey.findings import (
    Skipped,
    attempt,
    effect_finding,
    experience_finding,
    most_waited,
    time_finding,
    wait_finding,
)

ROOT = Path(__file__).resolve().parents[1]


class _Comparison:
    def __init__(self, rows):
        self.table = pd.DataFrame(rows, columns=["metric", "change", "ci_low", "ci_high",
                                                 "method", "caveats"])
        self.options = {"metric": "wait_mean", "activity": "Payment"}


@pytest.mark.parametrize(("low", "high", "verdict"), [
    (-9.0, -1.0, "fell"), (1.0, 4.0, "rose"), (-2.0, 3.0, "cannot tell")])
def test_effect_verdict_follows_the_interval(low, high, verdict):
    res = _Comparison([["average effect after (ITS)", (low + high) / 2, low, high, "ITS", ""]])
    text = effect_finding(res, lang="en").text
    assert verdict in text and f"{low:+.1f} to {high:+.1f}" in text and "Payment" in text
    assert " min " in text


def test_effect_headline_is_the_controlled_row_and_caveats_follow():
    res = _Comparison([["average effect after (ITS)", -5.0, -8.0, -2.0, "ITS", ""],
                       ["difference-in-differences vs B", 1.0, -1.0, 3.0, "DiD",
                        "2 period(s) without visits left out"]])
    text = effect_finding(res, lang="zh").text
    assert text.startswith("缴费: difference-in-differences") and "无法区分" in text
    assert "注意：2 period(s) without visits left out" in text


def test_wait_finding_names_the_longest_median_and_hides_small_targets():
    summary = pd.DataFrame({"activity": ["A", "B", "Left unseen"], "n": [50, 40, 9],
                            "mean": [10.0, 30.0, 90.0], "median": [9.0, 25.0, 80.0],
                            "median_ci_low": [8.0, 20.0, 60.0],
                            "median_ci_high": [11.0, 31.0, 99.0], "p90": [20.0, 60.0, 150.0]})
    attainment = type("A", (), {"table": pd.DataFrame({
        "measure": ["B ≤ 30 min", "A ≤ 5 min"], "n": [40, 3], "share": [0.6, 0.33],
        "share_ci_low": [0.45, 0.1], "share_ci_high": [0.74, 0.8]})})()
    text = wait_finding(summary, attainment, lang="en").text
    assert "before B: median 25 min (95% CI 20–31)" in text and "60 min" in text
    assert "60% of B ≤ 30 min" in text and "A ≤ 5 min" not in text  # 3 waits: not shown
    assert most_waited(summary) == "B"  # 40 × 30 > 9 × 90 > 50 × 10


@pytest.mark.parametrize("gap", ["wait", "flow"])
def test_time_finding_names_the_largest_share_of_waits_or_flow_times(gap):
    # a log with completion times only has flow times: the sentence must not call them waits
    table = pd.DataFrame({"activity": ["A", "B"], f"{gap}_hours": [30.0, 70.0],
                          f"{gap}_share": [0.3, 0.7]})
    totals = pd.DataFrame({"los_hours": [200.0], f"{gap}_hours": [100.0],
                           f"{gap}_share": [0.5]})
    decomposition = type("D", (), {"table": table, "totals": totals})()
    ranking = type("R", (), {"table": pd.DataFrame({
        "activity": ["A"], "worst_block": ["Mon–Fri 09:00–11:00"], "block_mean": [40.0],
        "other_mean": [10.0], "build_up": [4.0]})})()
    text = time_finding(decomposition, ranking, lang="en").text
    assert "before B (70%" in text or "up to B (70%" in text
    assert "200 patient-hours" in text and "(4.0 times as long)" in text
    if gap == "wait":
        assert text.startswith("50% of the 200") and "mean wait of 40 min" in text
    else:
        assert "waiting" not in text.split(";")[0] and "mean flow time of 40 min" in text


def test_experience_finding_names_the_top_driver_and_the_weakest_dimension():
    drivers = pd.DataFrame({"attribute": ["medical_quality", "process_convenience"],
                            "performance": [4.1, 3.2], "rw_share": [0.3, 0.7],
                            "relative_weight_ci_low": [0.1, 0.2],
                            "relative_weight_ci_high": [0.2, 0.3], "rank": [2, 1]})
    text = experience_finding(drivers, lang="en").text
    assert text.startswith("The strongest driver of overall satisfaction is Process convenience "
                           "(70%")
    assert "lowest-scoring dimension is Process convenience (mean 3.20)" in text


def test_attempt_turns_input_problems_into_a_reason_and_raises_bugs():
    def needs_start(log):
        raise JourneyError("needs start times", source="/data/x.csv")

    skipped = attempt(needs_start, None)
    assert isinstance(skipped, Skipped) and skipped.reason == "needs start times"
    assert attempt(len, skipped) is skipped and attempt(len, {"a": skipped}) is skipped
    assert skipped.table.round(2)[["a"]] is skipped and (skipped or 1) is skipped
    with pytest.raises(ZeroDivisionError):
        attempt(lambda: 1 / 0)


def test_reasons_have_every_language_and_require_speaks_it():
    from journey.findings import REASONS, require

    assert set(REASONS["en"]) == set(REASONS["zh"])
    for key, text in REASONS["zh"].items():
        assert re.search(r"[\u4e00-\u9fff]", text), key
        assert require(False, key, lang="zh").reason == text
        assert require(False, key, lang="en").reason == REASONS["en"][key]
    assert require(False, "a reason of the notebook's own", lang="zh").reason == \
        "a reason of the notebook's own"
    used = set()
    for path in (ROOT / "notebooks").glob("0*.ipynb"):  # every id a notebook uses is known
        cells = json.loads(path.read_text("utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        used |= set(re.findall(r'require\([^)]*?"([a-z_]+)"\)', code))
    assert used and used <= set(REASONS["en"])


def test_a_library_reason_is_said_in_the_notebooks_language():
    import journey

    log = journey.read_log(pd.DataFrame({"case_id": ["a", "a"], "activity": ["X", "Y"],
                                         "end": ["2025-01-06 08:00", "2025-01-06 09:00"]}))
    english = attempt(journey.queue_over_time, log)
    assert english.reason.startswith("queue_over_time needs start times")
    journey.set_language("zh")
    try:
        for skipped in (attempt(journey.queue_over_time, log),
                        attempt(journey.left_unseen, log),
                        attempt(journey.wait_drivers, log, activity="Y")):
            assert re.search(r"[\u4e00-\u9fff]", skipped.reason), skipped.reason
            assert not re.search(r"[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}", skipped.reason)
    finally:
        journey.set_language("en")
