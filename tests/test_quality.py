"""EventLog.check(): case attributes, exact duplicates, near-duplicate labels and missing values,
each cross-checked against a plain pandas (or plain Python) computation of the same facts."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from functools import cache
from itertools import combinations

import ibis
import numpy as np
import pandas as pd
import pytest
from zoo import build

import journey
from journey import read_log
from journey._quality import _near_duplicates, _normalise
from journey.engine import NEIGHBOURS


# ----------------------------------------------------------------------------- plain versions
def plain_case_attributes(events: pd.DataFrame, roles=("case_id", "activity", "start",
                                                       "end")) -> set[str]:
    """Columns whose non-empty values are equal within every visit (a visit of 2+ events)."""
    if events.groupby("case_id").size().max() < 2:
        return set()
    out = set()
    for c in events.columns.difference(list(roles)):
        if events[c].notna().any() and events.groupby("case_id")[c].nunique().max() <= 1:
            out.add(c)
    return out


def plain_distance(a: str, b: str) -> int:
    @cache
    def d(i: int, j: int) -> int:
        if i == 0 or j == 0:
            return i + j
        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))

    return d(len(a), len(b))


def plain_near_duplicates(labels: list[str], similarity: float = 0.85) -> list[tuple]:
    """Every pair, compared one by one: the rule of check_log written out plainly."""
    import re

    pairs = []
    for a, b in combinations(sorted(set(labels)), 2):
        x, y = _normalise(a), _normalise(b)
        if x == y:
            pairs.append((a, b))
        elif re.findall(r"\d+", x) == re.findall(r"\d+", y):
            if plain_distance(x, y) <= (1 - similarity) * max(len(x), len(y)) + 1e-9:
                pairs.append((a, b))
    return sorted(pairs)


def report_of(log, **kwargs) -> pd.DataFrame:
    return log.check(**kwargs).set_index("check")


def missing_rows(report: pd.DataFrame) -> dict[str, int]:
    rows = report[report.index.str.startswith("missing values: ")]
    return {c.removeprefix("missing values: "): int(n) for c, n in rows["count"].items()}


# ----------------------------------------------------------------------------- pandas-built logs
def visits_frame() -> pd.DataFrame:
    """Three visits; age given at registration only, diagnosis and a flag on every event, a lab
    value on lab rows, a room that changes within a visit."""
    rows = [
        # case, activity, time, age, diagnosis, flag, value, room
        ("v1", "Registration", "2024-03-04 08:00", 71, "J18", True, None, "A"),
        ("v1", "Lab", "2024-03-04 08:20", None, "J18", True, 4.2, "B"),
        ("v1", "Lab", "2024-03-04 08:20", None, "J18", True, None, "B"),  # twin without value
        ("v1", "Lab", "2024-03-04 09:00", None, "J18", True, 5.1, "B"),
        ("v1", "Discharge", "2024-03-04 10:00", None, "J18", True, None, "A"),
        ("v2", "Registration", "2024-03-05 09:00", 34, "K35", False, None, "A"),
        ("v2", "Lab", "2024-03-05 09:30", None, "K35", False, 7.9, None),
        ("v2", "Discharge", "2024-03-05 11:00", None, "K35", False, None, "A"),
        ("v3", "Registration", "2024-03-06 07:45", None, None, True, None, "C"),  # no age
        ("v3", "Discharge", "2024-03-06 09:15", None, None, True, None, "C"),
    ]
    return pd.DataFrame(rows, columns=["case_id", "activity", "end", "age", "diagnosis",
                                       "flag", "value", "room"])


def test_case_attributes_reported_once_and_match_pandas():
    log = read_log(visits_frame())
    report = report_of(log)
    events = log.to_pandas()
    expected = plain_case_attributes(events)
    assert expected == {"age", "diagnosis", "flag"}
    row = report.loc["case attributes"]
    assert set(row.examples) == expected and row["count"] == 3 and row.unit == "columns"
    assert "constant within each visit" in row.detail
    assert "given on some events of a visit only" in row.detail and "age" in row.detail
    # visits without any value are named, with their number
    assert "age (1 visits)" in row.detail and "diagnosis (1 visits)" in row.detail
    # the empty cells of case attributes are not missing values; other columns' are
    expected_missing = {c: int(n) for c, n in events.isna().sum().items()
                        if n and c not in expected and c != "start"}
    assert missing_rows(report) == expected_missing
    assert report.loc["missing values: value", "examples"] == ["v1", "v2", "v3"]


def test_no_case_attributes_when_every_visit_has_one_event():
    df = pd.DataFrame({"case_id": ["a", "b", "c"], "activity": ["X", "Y", "X"],
                       "end": ["2024-01-02 08:00", "2024-01-02 09:00", "2024-01-02 10:00"],
                       "ward": ["W1", None, "W2"]})
    report = report_of(read_log(df))
    assert "case attributes" not in report.index
    assert missing_rows(report) == {"ward": 1}


def test_wide_table_facts_match_pandas():
    rng = np.random.default_rng(3)
    n, case = 600, np.arange(600) // 6
    df = pd.DataFrame({"case_id": [f"c{c:03d}" for c in case],
                       "activity": rng.choice(["P", "Q", "R"], n),
                       "end": pd.Timestamp("2024-05-06") + pd.to_timedelta(np.arange(n), "min")})
    for k in range(120):
        if k % 3 == 0:
            v = rng.integers(0, 9, case.max() + 1)[case].astype(float)
            v[rng.random(n) < 0.2] = np.nan  # recorded on some events only
        elif k % 3 == 1:
            v = np.where(rng.random(n) < 0.5, rng.normal(size=n), np.nan)
        else:
            v = rng.choice(["x", "y", None], n)
        df[f"col {k}"] = v
    log = read_log(df)
    report = report_of(log)
    events = log.to_pandas()
    assert set(report.loc["case attributes", "examples"]) == plain_case_attributes(events)
    attributes = set(report.loc["case attributes", "examples"])
    expected = {c: int(m) for c, m in events.isna().sum().items()
                if m and c not in attributes and c != "start"}
    assert missing_rows(report) == expected
    for c in list(expected)[:10]:  # examples: the five smallest visits with an empty cell
        first = sorted(events.case_id[events[c].isna()].unique())[:5]
        assert report.loc[f"missing values: {c}", "examples"] == first


# ----------------------------------------------------------------------------- exact duplicates
def with_copies(log, rows: list[int], first_new_row: int = 1000):
    """The log with copies of the given source rows appended (as an export repeating them)."""
    t = log.table.drop(*[c for c in NEIGHBOURS if c in log.table.columns])
    table = t
    for k, row in enumerate(rows):
        copy = t.filter(t._row == row).mutate(_row=ibis.literal(first_new_row + k, "int64"))
        table = table.union(copy)
    return replace(log, table=table, exclusions=pd.DataFrame(
        columns=["reason", "rows", "example_rows", "example_values"]))


def test_exact_duplicates_counted_with_examples_and_match_pandas():
    df = visits_frame()
    log = read_log(df)
    copied = with_copies(log, rows=[2, 6, 6])  # row 6 twice: three rows alike
    report = report_of(copied)
    events = copied.to_pandas()
    assert report.loc["duplicate events", "count"] == events.duplicated().sum() == 3
    assert report.loc["duplicate events", "examples"] == ["rows 2 and 1000",
                                                          "rows 6 … 1002 (3 rows)"]
    # the lab twin (same visit, touchpoint and time, no value) is not a duplicate
    plain = report_of(log)
    if "duplicate events" in plain.index:  # read_log kept the twin
        assert plain.loc["duplicate events", "count"] == 0


def test_duplicates_apart_in_the_file_are_found():
    df = pd.DataFrame({"case_id": ["a"] * 4, "activity": ["Lab", "Imaging", "Lab", "Exit"],
                       "end": ["2024-01-02 09:00"] * 3 + ["2024-01-02 10:00"],
                       "value": [1.5, None, 2.5, None]})
    log = read_log(df)
    copied = with_copies(log, rows=[1])
    assert report_of(copied).loc["duplicate events", "count"] == 1
    assert copied.to_pandas().duplicated().sum() == 1


def test_exact_duplicates_read_from_a_frame_are_kept_and_reported():
    df = visits_frame()
    df = pd.concat([df, df.iloc[[5]]], ignore_index=True)
    log = read_log(df)
    assert log.n_events == len(df)
    report = report_of(log)
    assert report.loc["duplicate events", "count"] == df.duplicated().sum() == 1
    assert report.loc["duplicate events", "examples"] == ["rows 6 and 11"]


# ----------------------------------------------------------------------------- labels
LABELS = ["Admission IC", "Admission NC", "Registration", "registration ", "Régistration",
          "X-ray", "X ray", "Xray", "Lab 1", "Lab 2", "ureum - 370007", "ureum - 370014",
          "Consultation", "Consultations", "挂号", "挂号处", "复诊", "初诊", "ＣＴ", "CT",
          "Release A", "Release B", "ER Triage", "ER Sepsis Triage"]


def test_near_duplicates_follow_the_plain_rule():
    got = _near_duplicates(LABELS, 0.85)
    assert got == plain_near_duplicates(LABELS)
    assert ("Admission IC", "Admission NC") in got and ("CT", "ＣＴ") in got
    assert ("Lab 1", "Lab 2") not in got and ("ureum - 370007", "ureum - 370014") not in got
    assert ("复诊", "初诊") not in got and ("ER Sepsis Triage", "ER Triage") not in got


def test_near_duplicates_of_a_code_list_are_few_and_fast():
    words = ["ureum", "albumine", "kalium", "natrium", "creatinine", "echografie", "consult",
             "telefonisch consult", "histologisch onderzoek", "cytologisch onderzoek"]
    labels = [f"{words[k % len(words)]} - {370000 + 7 * k}" for k in range(600)]
    labels += [labels[10].upper(), labels[20].replace(" - ", "-")]
    t0 = time.process_time()
    got = _near_duplicates(labels, 0.85)
    assert time.process_time() - t0 < 2.0
    assert got == sorted([tuple(sorted((labels[10], labels[10].upper()))),
                          tuple(sorted((labels[20], labels[20].replace(" - ", "-"))))])
    subset = labels[:60] + labels[600:]
    assert _near_duplicates(subset, 0.85) == plain_near_duplicates(subset)


def test_near_duplicate_labels_are_questions():
    df = pd.DataFrame({"case_id": ["a", "a", "b", "b"],
                       "activity": ["Admission IC", "Release", "Admission NC", "Release"],
                       "end": ["2024-01-02 08:00", "2024-01-03 08:00", "2024-01-04 08:00",
                               "2024-01-05 08:00"]})
    row = report_of(read_log(df)).loc["near-duplicate activity labels"]
    assert row["count"] == 1
    assert row.examples == ["'Admission IC' ~ 'Admission NC': the same touchpoint?"]
    assert "unify" not in row.detail and "?" not in row.detail.split(":")[0]


# ----------------------------------------------------------------------------- zoo logs
@pytest.fixture(scope="module")
def sepsis(tmp_path_factory):
    path = build("sepsis_xes", tmp_path_factory.mktemp("sepsis"))
    try:
        return read_log(path)
    except Exception:  # until read_log loads seasonal offsets with no option
        return read_log(path, tz="Europe/Amsterdam")


@pytest.fixture(scope="module")
def daily(tmp_path_factory):
    path = build("daily_xes", tmp_path_factory.mktemp("daily"))
    try:
        return read_log(path)
    except Exception:
        return read_log(path, tz="Europe/Amsterdam")


def test_sepsis_case_attributes_once_not_missing_values(sepsis):
    report = report_of(sepsis)
    events = sepsis.to_pandas()
    expected = plain_case_attributes(events)
    attributes = set(report.loc["case attributes", "examples"])
    assert attributes == expected
    names = " ".join(attributes)
    assert "Age" in names and "Diagnose" in names and "InfectionSuspected" in names
    assert not any(a in missing_rows(report) for a in attributes)
    # the lab value is an event attribute: its empty cells are missing values
    value = next(c for c in events.columns if c == "value")
    assert missing_rows(report)[value] == events[value].isna().sum()
    assert report.loc["near-duplicate activity labels", "examples"][0] == \
        "'Admission IC' ~ 'Admission NC': the same touchpoint?"


def test_sepsis_duplicates_match_pandas(sepsis):
    report = report_of(sepsis)
    if "duplicate events" in report.index:
        assert report.loc["duplicate events", "count"] == sepsis.to_pandas().duplicated().sum()


def test_daily_log_codes_are_not_near_duplicates(daily):
    report = report_of(daily)
    labels = daily.activities
    assert len(labels) > 200
    assert report.loc["near-duplicate activity labels", "count"] == \
        len(_near_duplicates(labels, 0.85)) == 0
    events = daily.to_pandas()
    assert set(report.loc["case attributes", "examples"]) == plain_case_attributes(events)
    if "duplicate events" in report.index:  # same day, same code, same count: exact repeats
        assert report.loc["duplicate events", "count"] == events.duplicated().sum()


def test_flagged_events_match_pandas():
    df = pd.read_csv(build("sample", "."), nrows=4000)
    df = df[df.case_id.isin(df.case_id.unique()[:-1])]  # whole visits only
    log = read_log(df)
    report = report_of(log)
    ev = log.to_pandas()
    service = (ev.end - ev.start).dt.total_seconds()
    assert report.loc["zero durations", "count"] == (service == 0).sum()
    assert report.loc["zero durations", "examples"] == sorted(
        ev.case_id[service == 0].unique())[:5]
    q = ev.assign(s=service).groupby("activity").s.quantile([0.25, 0.75]).unstack()
    limit = ev.activity.map(q[0.75] + 3 * (q[0.75] - q[0.25]))
    assert report.loc["extreme durations", "count"] == (service > limit).sum()
    assert missing_rows(report) == {c: int(n) for c, n in ev.isna().sum().items()
                                    if n and c not in report.loc["case attributes", "examples"]}


def test_check_speaks_the_language_asked_for_and_keeps_its_counts():
    df = pd.DataFrame({"case_id": ["a", "a", "b"], "activity": ["Lab", "LAB", "Lab"],
                       "start": ["2025-01-06 08:00", "2025-01-06 08:05", "2025-01-06 09:00"],
                       "end": ["2025-01-06 08:10", "2025-01-06 08:20", "2025-01-06 09:00"]})
    log = journey.read_log(df)
    en, zh = (log.check(lang=lang) for lang in ("en", "zh"))
    assert en[["count", "share"]].equals(zh[["count", "share"]])
    assert en.check.tolist()[:4] == ["duplicate events", "negative durations", "zero durations",
                                     "overlapping touchpoints"]
    assert zh.check.tolist()[:4] == ["重复事件", "负时长", "零时长", "环节重叠"]
    for column in ("check", "unit", "detail"):  # no English sentence left in Chinese
        for text in zh[column].dropna():
            assert not re.search(r"[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}", text), text
    incomplete = en.set_index("check").detail["incomplete visits"]
    assert "[" not in incomplete  # names, not a Python list
    journey.set_language("zh")
    try:
        assert log.check().check.iloc[0] == "重复事件"  # the session's language by default
    finally:
        journey.set_language("en")
