"""Shared tables: no small count can be worked back out from a total, statistics of small
groups are blanked, and the cells that stay visible keep their values.

The check used throughout is a plain attacker written here, independent of the library: it
knows every additive relation of the table (a total row, a total column, the total of a
column of parts when it is known elsewhere) and recovers, again and again, any cell that is
the only hidden one of a relation, as the total minus the visible parts. No count below the
threshold may ever be recovered that way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journey._disclosure import (
    complementary_suppression,
    is_change,
    is_statistic,
    protect_table,
    total_groups,
)
from journey.errors import JourneyError
from journey.report import SUPPRESSED, _shareable, suppress_small_counts

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def attacker(values: dict, shown: dict, relations: list) -> dict:
    """Cells worked back out by subtraction: ``values`` and ``shown`` map a cell to its true
    value and to what the table shows; each relation is ``(total, parts)``, where ``total``
    is a cell, or ``("known", value)`` for a total stated elsewhere."""
    known = {cell: values[cell] for cell in values
             if not (shown[cell] == SUPPRESSED or pd.isna(shown[cell]))}
    recovered = {}
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            cells = list(parts) + ([] if total[0] == "known" else [total])
            unknown = [c for c in cells if c not in known]
            if len(unknown) != 1:
                continue
            cell = unknown[0]
            whole = total[1] if total[0] == "known" else known.get(total)
            if cell == total:
                value = sum(known[c] for c in parts)
            else:
                value = whole - sum(known[c] for c in parts if c != cell)
            assert value == values[cell]  # the arithmetic of the attacker is right
            known[cell] = recovered[cell] = value
            changed = True
    return recovered


def small_recovered(frame: pd.DataFrame, out: pd.DataFrame, columns: list[str],
                    relations: list, threshold: int = 5) -> dict:
    values = {(r, c): frame[c].iloc[r] for r in range(len(frame)) for c in columns}
    shown = {(r, c): out[c].iloc[r] for r in range(len(frame)) for c in columns}
    return {cell: v for cell, v in attacker(values, shown, relations).items()
            if 0 < v < threshold}


def column_relations(frame: pd.DataFrame, columns: list[str], total_row: int | None = None,
                     threshold: int = 5) -> list:
    """The totals of columns; with ``total_row=None`` they are stated elsewhere, where a total
    from 1 to ``threshold - 1`` would itself be hidden (the total of a column of one row is
    that cell: it is shown or hidden with it)."""
    rows = [r for r in range(len(frame)) if r != total_row]
    if total_row is None:
        if len(rows) < 2:
            return []
        return [(("known", int(frame[c].sum())), [(r, c) for r in rows]) for c in columns
                if not 0 < frame[c].sum() < threshold]
    return [((total_row, c), [(r, c) for r in rows]) for c in columns]


def row_relations(frame: pd.DataFrame, total: str, parts: list[str]) -> list:
    return [((r, total), [(r, c) for c in parts]) for r in range(len(frame))]


def assert_visible_unchanged(frame: pd.DataFrame, out: pd.DataFrame) -> None:
    for column in frame.columns:
        for before, after in zip(frame[column], out[column], strict=True):
            if not (isinstance(after, str) and after == SUPPRESSED):
                assert after == before or (pd.isna(after) and pd.isna(before)), column


# --- hand-made tables ------------------------------------------------------------------------

def test_total_row_no_longer_gives_the_hidden_count():
    t = pd.DataFrame({"unit": ["Cardiology", "Neurology", "Oncology", "Total"],
                      "patients": [50, 3, 20, 73]})
    relations = column_relations(t, ["patients"], total_row=3)
    primary = t.assign(patients=[50, SUPPRESSED, 20, 73])  # the primary rule alone
    assert small_recovered(t, primary, ["patients"], relations) == {(1, "patients"): 3}
    out = suppress_small_counts(t, column_totals=False)
    assert out["patients"].tolist() == [50, SUPPRESSED, SUPPRESSED, 73]  # 20: next smallest
    assert small_recovered(t, out, ["patients"], relations) == {}
    assert out.attrs["suppressed_cells"] == 2 and out.attrs["secondary_cells"] == 1
    assert_visible_unchanged(t, out)


def test_total_column_and_its_parts():
    t = pd.DataFrame({"unit": ["A", "B", "C"], "promoters": [30, 40, 25],
                      "passives": [12, 2, 10], "detractors": [8, 9, 15], "n": [50, 51, 50]})
    parts = ["promoters", "passives", "detractors"]
    relations = row_relations(t, "n", parts)
    out = suppress_small_counts(t, column_totals=False)
    # B: 51 - 40 - 9 = 2 without more; the smallest other cell of the row goes too
    assert out.loc[1, ["promoters", "passives", "detractors", "n"]].tolist() == \
        [40, SUPPRESSED, SUPPRESSED, 51]
    assert small_recovered(t, out, [*parts, "n"], relations) == {}
    # with the column totals known as well, the cascade goes on until nothing is recoverable
    out = suppress_small_counts(t)
    everything = relations + column_relations(t, [*parts, "n"])
    assert small_recovered(t, out, [*parts, "n"], everything) == {}
    for column in [*parts, "n"]:
        assert (out[column] == SUPPRESSED).sum() != 1, column
    assert_visible_unchanged(t, out)


def test_column_of_parts_with_a_total_known_elsewhere():
    t = pd.DataFrame({"activity": ["Registration", "Lab", "Imaging", "Pharmacy"],
                      "events": [400, 120, 2, 35], "share": [0.72, 0.22, 0.004, 0.06]})
    relations = column_relations(t, ["events"])  # 557 visits, stated in the report's header
    out = suppress_small_counts(t)
    assert out["events"].tolist() == [400, 120, SUPPRESSED, SUPPRESSED]
    assert out["share"].tolist() == [0.72, 0.22, SUPPRESSED, SUPPRESSED]  # 35 / 557 otherwise
    assert small_recovered(t, out, ["events"], relations) == {}
    # without the rule, 557 - 400 - 120 - 35 = 2
    naive = suppress_small_counts(t, column_totals=False)
    assert small_recovered(t, naive, ["events"], relations) == {(2, "events"): 2}


def test_zero_is_hidden_only_when_nothing_else_is_left():
    t = pd.DataFrame({"unit": ["A", "B", "C"], "n": [3, 0, 0]})
    out = suppress_small_counts(t)
    assert out["n"].tolist() == [SUPPRESSED, SUPPRESSED, 0]
    t = pd.DataFrame({"unit": ["A", "B", "C"], "n": [3, 0, 9]})
    assert suppress_small_counts(t)["n"].tolist() == [SUPPRESSED, 0, SUPPRESSED]


def test_two_small_counts_protect_each_other():
    t = pd.DataFrame({"unit": ["A", "B", "C"], "n": [3, 4, 90]})
    out = suppress_small_counts(t)
    assert out["n"].tolist() == [SUPPRESSED, SUPPRESSED, 90]
    assert out.attrs["secondary_cells"] == 0


def test_statistics_of_small_groups_blanked_big_groups_unchanged():
    t = pd.DataFrame({"activity": ["Lab", "Imaging", "Payment", "Admission"],
                      "cases": [200, 4, 60, 0], "service_median": [12.5, 40.0, 3.0, np.nan],
                      "wait_p90": [30.0, 55.0, 9.0, np.nan], "mean_cost": [80.0, 900.0, 5.0,
                                                                           np.nan],
                      "cases_change": [0.1, 1.0, -0.2, 0.0], "rank": [1, 2, 3, 4]})
    out = suppress_small_counts(t)
    # Imaging: 4 visits; Payment is hidden only to protect it: its statistics stay, its
    # change (computed from the count) goes
    assert out.loc[1].tolist() == ["Imaging", *[SUPPRESSED] * 5, 2]
    assert out.loc[2].tolist() == ["Payment", SUPPRESSED, 3.0, 9.0, 5.0, SUPPRESSED, 3]
    assert out.loc[0].tolist() == t.loc[0].tolist()
    assert out.attrs["blanked_statistics"] == 3
    assert_visible_unchanged(t, out)


def test_group_size_decides_for_statistics():
    scores = pd.DataFrame({"touchpoint": ["Lab", "Imaging"], "n": [40, 4],
                           "top_box_n": [3, 2], "mean": [4.1, 3.5]})
    out = protect_table(scores, ["n", "top_box_n"], sizes=["n"], column_totals=False)
    assert out["mean"].tolist() == [4.1, "*"]  # 40 respondents: a subset of 3 does not matter
    out = protect_table(scores, ["n", "top_box_n"], column_totals=False)
    assert out["mean"].tolist() == ["*", "*"]  # every count column gives the group size


def test_rows_masked_before_count_as_hidden():
    from journey.experience import satisfaction_scores

    surveys = pd.DataFrame({"survey_id": range(33), "department": ["ED"] * 3 + ["Eye"] * 30,
                            "overall": [4] * 33})
    table = satisfaction_scores(surveys, by="department")  # ED masked: 3 respondents
    assert table.loc[table.department == "ED", "n"].isna().all()
    out = suppress_small_counts(table)
    # 33 respondents in all, stated elsewhere: the 30 of Eye would give ED's 3 away
    assert out.loc[out.department == "Eye", "n"].tolist() == [SUPPRESSED]
    assert out.loc[out.department == "ED", "n"].isna().all()  # left as it was
    assert out.loc[1, "mean"] == 4.0  # 30 respondents
    assert out.attrs["secondary_cells"] == 3  # n, and the zeros of missing and top_box_n
    partly = pd.DataFrame({"unit": ["A", "B", "C"], "n": [10, np.nan, 20],
                           "events": [30, 8, 50], "m": [3.0, 1.0, np.nan]})
    out = protect_table(partly, ["n", "events"])  # B's n missing, not masked: nothing hidden
    pd.testing.assert_frame_equal(out, partly)


def test_report_tables_get_the_same_protection():
    t = pd.DataFrame({"activity": ["Registration", "Lab", "Imaging"],
                      "cases": [300, 80, 3], "service_median": [2.0, 15.0, 30.0]})
    out = _shareable(t, 5, "en")
    assert out["cases"].tolist() == [300, SUPPRESSED, SUPPRESSED]
    assert out["service median"].tolist() == [2.0, 15.0, SUPPRESSED]
    assert out.attrs["suppressed_cells"] == 3 and out.attrs["secondary_cells"] == 1
    assert _shareable(t, 5, "zh").attrs["suppressed_cells"] == 3  # headers translated too


def test_big_tables_unchanged():
    t = pd.DataFrame({"unit": ["A", "B", "Total"], "n": [10, 20, 30], "median": [1.0, 2.0, 1.5],
                      "share": [1 / 3, 2 / 3, 1.0]})
    out = suppress_small_counts(t)
    pd.testing.assert_frame_equal(out, t)
    assert out.attrs["suppressed_cells"] == 0


def test_complementary_suppression_on_arrays_and_errors():
    values = np.array([[1.0, 9.0, 10.0], [8.0, 7.0, 15.0], [9.0, 16.0, 25.0]])
    groups = [[(r, 0), (r, 1), (r, 2)] for r in range(3)] + \
        [[(0, c), (1, c), (2, c)] for c in range(3)]
    mask = complementary_suppression(values, values < 5, groups)
    for group in groups:
        assert sum(mask[c] for c in group) != 1
    assert mask[0, 0] and mask.sum() == 4  # the classic 2 x 2 pattern: 1, 9, 8, 7
    assert mask[0, 1] and mask[1, 0] and mask[1, 1]
    with pytest.raises(JourneyError, match="shape"):
        complementary_suppression(values, np.zeros((2, 2), bool), groups)
    t = pd.DataFrame({"n": [1, 2]})
    with pytest.raises(JourneyError, match="threshold"):
        protect_table(t, ["n"], threshold=0)
    with pytest.raises(JourneyError, match="not in the table"):
        protect_table(t, ["cases"])


def test_names_and_groups():
    assert is_statistic("service_median") and is_statistic("p95") and is_statistic("q1_wait")
    assert not is_statistic("minutes") and not is_statistic("cases")
    assert is_change("pct_change") and is_change("visits_delta") and not is_change("exchange")
    t = pd.DataFrame({"unit": ["A", "B", "合计"], "a": [2, 3, 5], "b": [7, 8, 15],
                      "both": [9, 11, 20]})
    groups = total_groups(t, ["a", "b", "both"], column_totals=False)
    assert [(0, 1), (1, 1), (2, 1)] in groups  # the total row, in Chinese
    assert [(0, 3), (0, 1), (0, 2)] in groups  # both = a + b
    # the label alone is not enough: the row must add up
    wrong = t.assign(a=[2, 3, 9], b=[7, 8, 1], both=[1, 2, 4])
    assert total_groups(wrong, ["a", "b", "both"], column_totals=False) == []


def test_repeated_column_labels():
    t = pd.DataFrame([[3, 50, 2.0], [60, 70, 4.0], [40, 9, 1.0]], columns=["n", "n", "median"])
    out = protect_table(t, ["n"])
    assert out.iloc[:, 0].tolist() == ["*", 60, "*"]
    assert out.iloc[:, 2].tolist() == ["*", 4.0, 1.0]


# --- property: nothing recoverable ---------------------------------------------------------

@st.composite
def count_tables(draw):
    rows = draw(st.integers(1, 7))
    parts = draw(st.integers(1, 4))
    small = st.integers(0, 6)
    counts = st.one_of(small, st.integers(0, 60))
    data = {f"n_{k}": [draw(counts) for _ in range(rows)] for k in range(parts)}
    frame = pd.DataFrame({"unit": [f"u{r}" for r in range(rows)], **data})
    total_column = parts > 1 and draw(st.booleans())
    if total_column:
        frame["n"] = frame[list(data)].sum(axis=1)
    total_row = rows > 1 and draw(st.booleans())
    if total_row:
        sums = frame[frame.columns[1:]].sum()
        frame = pd.concat([frame, pd.DataFrame([{"unit": "Total", **sums}])], ignore_index=True)
    threshold = draw(st.sampled_from([3, 5, 11]))
    column_totals = draw(st.booleans())
    # some rows with a small count masked before, as the survey and complaint tables do
    counts = [c for c in frame.columns if c != "unit"]
    rows = range(len(frame) - (1 if total_row else 0))
    masked = [r for r in rows if draw(st.booleans())
              and any(0 < frame.at[r, c] < threshold for c in list(data))]
    return frame, list(data), total_column, total_row, threshold, column_totals, masked


@SETTINGS
@given(count_tables())
def test_no_hidden_small_count_is_recoverable(case):
    frame, parts, total_column, total_row, threshold, column_totals, masked = case
    counts = [*parts, *(["n"] if total_column else [])]
    given_frame = frame.astype({c: float for c in counts})
    given_frame.loc[masked, counts] = np.nan
    out = suppress_small_counts(given_frame, threshold=threshold, column_totals=column_totals)
    relations = []
    last = len(frame) - 1 if total_row else None
    if total_row:
        relations += column_relations(frame, counts, last)
    if column_totals:  # stated elsewhere: the total row's cell may be hidden, not this total
        relations += column_relations(frame.iloc[:last] if total_row else frame, counts,
                                      threshold=threshold)
    if total_column:
        relations += row_relations(frame, "n", parts)
    assert small_recovered(frame, out, counts, relations, threshold) == {}
    for c in counts:  # every small count hidden, every visible one unchanged
        for r, (before, after) in enumerate(zip(frame[c], out[c], strict=True)):
            if r in masked:
                assert pd.isna(after)
            else:
                assert after == SUPPRESSED if 0 < before < threshold else after in (before,
                                                                                    SUPPRESSED)
    hidden = sum(int((out[c] == SUPPRESSED).sum()) for c in counts)
    assert out.attrs["suppressed_cells"] == hidden


def test_report_tables_say_how_many_cells_they_hide(tmp_path):
    import plotly.io as pio
    from IPython.core.interactiveshell import InteractiveShell

    from journey.i18n import get_language, set_language
    from journey.privacy import get_min_count, set_min_count
    from journey.report import _start_report_kernel

    renderer, language, min_count = pio.renderers.default, get_language(), get_min_count()
    shell = InteractiveShell.instance()
    try:
        _start_report_kernel(str(tmp_path), "01_journey_map", 5, "en")
        html = shell.display_formatter.formatters["text/html"]
        t = pd.DataFrame({"activity": ["Registration", "Lab", "Imaging"],
                          "cases": [300, 80, 3]})
        assert '<p class="journey-hidden">2 cells hidden' in html(t)  # cases 3 and 80
        assert "journey-hidden" not in html(t.assign(cases=[300, 80, 30]))
    finally:
        pio.renderers.default = renderer
        set_language(language)
        set_min_count(min_count)
        InteractiveShell.clear_instance()
