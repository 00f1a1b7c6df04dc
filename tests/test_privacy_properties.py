"""Property-based tests of the privacy guard: identifiers wherever they sit are refused, innocent
ids and codes never are.

Every identifier is generated here (resident ID numbers with their check character computed by
a plain ISO 7064 MOD 11-2 implementation); none belongs to a real person. Each example builds a
frame of several columns, one per placement, and scans it once.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journey.privacy import scan_identifiers

SETTINGS = settings(max_examples=8, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PLACEHOLDERS = ["无", "复诊", "不详", "", "-", "已联系"]


def check_character(first17: str) -> str:
    p = 0
    for char in first17:
        p = (p + int(char)) * 2 % 11
    return "0123456789X"[(12 - p) % 11]


@st.composite
def mobiles(draw) -> str:
    digits = f"1{draw(st.integers(3, 9))}{draw(st.integers(0, 10**9 - 1)):09d}"
    layout = draw(st.sampled_from(["plain", "spaced", "dashed", "+86", "+86 spaced"]))
    return {"plain": digits, "spaced": f"{digits[:3]} {digits[3:7]} {digits[7:]}",
            "dashed": f"{digits[:3]}-{digits[3:7]}-{digits[7:]}", "+86": "+86" + digits,
            "+86 spaced": f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"}[layout]


@st.composite
def resident_ids(draw) -> str:
    region = draw(st.integers(110000, 659999))
    born = draw(st.dates(dt.date(1920, 1, 1), dt.date(2020, 12, 31)))
    first17 = f"{region}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + check_character(first17)


@st.composite
def emails(draw) -> str:
    local = draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789._", min_size=1, max_size=10))
    return f"{local.strip('.') or 'x'}@{draw(st.sampled_from(['example.com', 'qq.com', 'a.cn']))}"


IDENTIFIERS = {"phone number": mobiles(), "resident ID number": resident_ids(),
               "e-mail address": emails()}
FILLERS = st.sampled_from(["V000123", "已就诊", "复诊", "2025-01-06", "Registration", None])


@st.composite
def placed(draw, kind: str) -> dict[str, list]:
    """Columns of ``n`` rows holding identifiers of ``kind`` in five placements."""
    n = draw(st.integers(100, 250))
    ids = draw(st.lists(IDENTIFIERS[kind], min_size=n, max_size=n))
    filler = draw(st.lists(FILLERS, min_size=n, max_size=n))
    rare = sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=max(1, n // 100))))
    words = draw(st.lists(st.sampled_from(PLACEHOLDERS), min_size=n, max_size=n))
    share = draw(st.floats(0.05, 0.4))
    before = draw(st.sampled_from(["请回电", "联系方式：", "call ", "患者家属 ", "("]))
    after = draw(st.sampled_from(["", "，谢谢", " asap", ")", "。"]))
    return {
        "every_row": ids,
        "odd_rows": [ids[i] if i % 2 else filler[i] for i in range(n)],
        "one_percent": [ids[i] if i in rare else filler[i] for i in range(n)],
        "inside_text": [f"{before}{ids[i]}{after}" if i % 3 == 0 else words[i]
                        for i in range(n)],
        "placeholders": [ids[i] if i < share * n else words[i] for i in range(n)],
    }


@given(st.sampled_from(sorted(IDENTIFIERS)).flatmap(
    lambda kind: st.tuples(st.just(kind), placed(kind))))
@SETTINGS
def test_identifiers_are_refused_wherever_they_sit(case):
    kind, columns = case
    frame = pd.DataFrame(columns).sample(frac=1.0, random_state=1)  # any row order
    found = scan_identifiers(frame)
    got = {(r.column, r.kind) for r in found.itertuples()}
    assert got >= {(column, kind) for column in columns}
    for r in found.itertuples():  # only masked examples
        assert "*" in r.example
        # no value shown whole (an e-mail's mailbox is what identifies it: a masked
        # "r***k@example.com" contains "k@example.com", which reveals nothing)
        assert not any(str(v) in r.example for v in frame[r.column].dropna()
                       if len(str(v).split("@")[0]) > 4)


@given(st.integers(0, 2**32 - 1), st.integers(2, 300))
@SETTINGS
def test_mobile_numbers_as_case_ids_are_refused(seed, n):
    """Serial numbers in the case column are visit numbers; numbers spread like patients'
    mobile numbers are not, even there."""
    rng = np.random.default_rng(seed)
    numbers = [f"1{rng.integers(3, 10)}{rng.integers(10**9):09d}" for _ in range(n)]
    frame = pd.DataFrame({"case_id": numbers, "activity": ["挂号"] * n})
    found = scan_identifiers(frame, roles={"case": "case_id", "activity": "activity"})
    assert found[["column", "kind"]].values.tolist() == [["case_id", "phone number"]]


@given(st.integers(40, 300), st.data())
@SETTINGS
def test_person_names_among_placeholders_are_refused(n, data):
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
    given_names = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    names = data.draw(st.lists(st.tuples(st.sampled_from(surnames),
                                         st.text(given_names, min_size=1, max_size=2)),
                               min_size=n, max_size=n, unique=True))
    names = [a + b for a, b in names]
    share = data.draw(st.floats(0.3, 0.6))
    words = data.draw(st.lists(st.sampled_from(PLACEHOLDERS[:3]), min_size=n, max_size=n))
    frame = pd.DataFrame({"who": [names[i] if i < share * n else words[i] for i in range(n)]})
    found = scan_identifiers(frame.sample(frac=1.0, random_state=2))
    assert found[["column", "kind"]].values.tolist() == [["who", "person name"]]


@st.composite
def innocent(draw) -> dict[str, list]:
    """Columns of a visit log that hold no identifier: serial visit numbers that look like
    mobile numbers, order numbers shaped like ID numbers, codes, dates, amounts, wards."""
    n = draw(st.integers(50, 400))
    first = draw(st.integers(13_000_000_000, 19_899_999_999))
    steps = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    visits = [str(first + sum(steps[:i])) for i in range(n)]
    day = draw(st.dates(dt.date(2015, 1, 1), dt.date(2025, 12, 31)))
    region = draw(st.integers(110000, 659999))
    orders = [f"{region}{day:%Y%m%d}{i:04d}" for i in range(n)]
    patients = [str(int(v) + 10**9) for v in visits]
    return {
        # a visit has several rows; one number alone could be anything, so two visits at least
        "case_id": [visits[i // 3] for i in range(n)],
        "patient_no": [patients[i // 5] for i in range(n)],
        "order_no": orders,
        "activity_code": draw(st.lists(st.sampled_from(["A01", "LAB-203", "XR-12", "PH1", "T2"]),
                                       min_size=n, max_size=n)),
        "ward": draw(st.lists(st.sampled_from(["3病区", "W12-3", "ICU-2", "急诊留观", "5B"]),
                              min_size=n, max_size=n)),
        "visit_day": [f"{day + dt.timedelta(days=i % 30):%Y-%m-%d}" for i in range(n)],
        "visit_time": [f"{day:%Y/%m/%d} {8 + i % 10:02d}:{i % 60:02d}" for i in range(n)],
        "amount": [f"{x:.2f}" for x in draw(st.lists(st.floats(0.5, 99_999),
                                                     min_size=n, max_size=n))],
        "fee_cents": draw(st.lists(st.integers(0, 10**8), min_size=n, max_size=n)),
        "pseudonym": [f"{x:016x}" for x in draw(st.lists(st.integers(0, 2**63), min_size=n,
                                                          max_size=n))],
        "activity": draw(st.lists(st.sampled_from(["挂号", "分诊", "候诊", "就诊", "缴费",
                                                   "检验", "取药", "复诊"]),
                                  min_size=n, max_size=n)),
        "department": draw(st.lists(st.sampled_from(["内科", "外科", "儿科", "高血压科",
                                                     "方便门诊", "周末门诊"]),
                                    min_size=n, max_size=n)),
    }


@given(innocent())
@SETTINGS
def test_innocent_ids_and_codes_are_never_refused(columns):
    frame = pd.DataFrame(columns)
    found = scan_identifiers(frame, roles={"case": "case_id", "patient": "patient_no",
                                           "activity": "activity", "department": "department"})
    assert found.empty, found.to_string()
