"""Tests for journey.privacy: identifier detection, the refusal message, keyed pseudonyms.

All identifiers here are generated in the tests (valid check characters computed by a plain
implementation of the algorithm); none belongs to a real person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journey._scan import _COMPOUND_SURNAMES as COMPOUND
from journey._scan import _SURNAMES as SURNAMES
from journey.errors import JourneyError
from journey.privacy import _check_character, pseudonymise, refuse_identifiers, scan_identifiers
from journey.stages import CATALOGUE, touchpoint_of

RNG = np.random.default_rng(20240301)
N = 200


def iso7064_mod11_2(first17: str) -> str:
    """Check character by the recursive ISO 7064 MOD 11-2 procedure (independent of the
    weight table used by the package)."""
    p = 0
    for char in first17:
        p = (p + int(char)) * 2 % 11
    return "0123456789X"[(12 - p) % 11]


def make_ids(n: int, *, valid: bool = True) -> list[str]:
    ids = []
    for _ in range(n):
        region = f"{RNG.integers(110000, 660000)}"
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=int(RNG.integers(0, 30000)))
        first17 = region + birth.strftime("%Y%m%d") + f"{RNG.integers(0, 1000):03d}"
        check = iso7064_mod11_2(first17)
        if not valid:
            check = "0123456789X"[("0123456789X".index(check) + 1) % 11]
        ids.append(first17 + check)
    return ids


def make_names(n: int) -> list[str]:
    surnames = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
    given = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华")
    return [str(RNG.choice(surnames)) + "".join(RNG.choice(given, RNG.integers(1, 3)))
            for _ in range(n)]


def clean_log(n: int = N) -> pd.DataFrame:
    """A pseudonymised visit log with the columns that must NOT be flagged."""
    return pd.DataFrame({
        "case_id": [f"V{i:06d}" for i in range(n)],
        "patient_id": [f"P{4567 + i:06d}" for i in range(n)],
        "activity": RNG.choice(["挂号", "缴费", "取药", "检验", *CATALOGUE.name_zh], n),
        "activity_en": RNG.choice(CATALOGUE.name_en, n),
        "department": RNG.choice(["内科", "外科", "急诊科", "儿科", "高血压科", "方便门诊"], n),
        "resource": [f"D{i % 17:03d}" for i in range(n)],
        "hmac_id": [f"{int(x):016x}" for x in RNG.integers(0, 2**62, n)],
        "code6": [f"{x}" for x in RNG.integers(100_000, 999_999, n)],
        "code10": [f"{x}" for x in RNG.integers(10**9, 10**10, n)],
        "code12": RNG.integers(10**11, 10**12, n),
        "code16": [f"{x}" for x in RNG.integers(10**15, 10**16, n)],
        "start": pd.date_range("2024-03-01 08:00", periods=n, freq="7min"),
        "start_text": [f"2024-03-01 {8 + i % 10:02d}:{i % 60:02d}:00" for i in range(n)],
        "visit_day": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "cost": RNG.uniform(5, 900, n).round(2),
        "cost_text": [f"{x:.2f}" for x in RNG.uniform(5, 900, n)],
        "age": RNG.integers(0, 99, n),
    })


def kinds(frame: pd.DataFrame) -> dict[str, str]:
    found = scan_identifiers(frame)
    return dict(zip(found["column"], found["kind"], strict=True))


# --- resident ID checksum ----------------------------------------------------------------------

def test_check_character_matches_an_independent_iso7064_implementation():
    for number in make_ids(500):
        assert _check_character(number[:17]) == iso7064_mod11_2(number[:17]) == number[17]
    # the worked example of GB 11643-1999 itself
    assert _check_character("11010519491231002") == "X"


def test_valid_id_numbers_are_flagged_invalid_ones_are_not():
    valid, invalid = make_ids(N), make_ids(N, valid=False)
    found = scan_identifiers(pd.DataFrame({"col_a": valid, "col_b": invalid}))
    assert found["column"].tolist() == ["col_a"]
    assert found.loc[0, ["kind", "matches", "share"]].tolist() == ["resident ID number", N, 1.0]
    # with a name that says so, the loose pattern is enough
    assert kinds(pd.DataFrame({"身份证号": invalid})) == {"身份证号": "resident ID number"}


# --- detection by values and by column names ---------------------------------------------------

def test_identifiers_found_by_values_alone():
    mobiles = [f"1{RNG.integers(3, 10)}{RNG.integers(0, 10**9):09d}" for _ in range(N)]
    frame = pd.DataFrame({
        "c1": mobiles,
        "c2": [f"+86 {m[:3]}-{m[3:7]}-{m[7:]}" for m in mobiles],
        "c3": [f"+44 20 7946 {i:04d}" for i in range(N)],
        "c4": [f"user{i}@example.org" for i in range(N)],
        "c5": make_names(N),
        "c6": np.array(mobiles, dtype=np.int64),
        "c7": np.array(mobiles, dtype=np.int64).astype(float),
    })
    assert kinds(frame) == {"c1": "phone number", "c2": "phone number", "c3": "phone number",
                            "c4": "e-mail address", "c5": "person name", "c6": "phone number",
                            "c7": "phone number"}


def test_identifiers_found_by_column_name_and_loose_values():
    names = make_names(5) * 6  # five patients, repeated over their visit's rows
    frame = pd.DataFrame({
        "患者姓名": names,
        "Patient Name": ["Wei Zhang", "Na Li", "Mary O'Neil", "Jean-Luc Picard", "Ann"] * 6,
        "联系电话": [f"010-6{i:07d}" for i in range(30)],
        "出生日期": [f"19{60 + i}-0{1 + i % 9}-1{i % 10}" for i in range(30)],
        "dob": pd.to_datetime([f"19{60 + i}-05-0{1 + i % 9}" for i in range(30)]),
        "E-mail": [f"p{i}@example.com" if i % 3 else None for i in range(30)],
    })
    assert kinds(frame) == {"患者姓名": "person name", "Patient Name": "person name",
                            "联系电话": "phone number", "出生日期": "date of birth",
                            "dob": "date of birth", "E-mail": "e-mail address"}
    found = scan_identifiers(frame).set_index("column")
    assert found.loc["E-mail", ["matches", "share"]].tolist() == [20, 1.0]
    # the same repeated names without a telling column name are not enough evidence
    assert kinds(pd.DataFrame({"who": names})) == {}


def test_dates_and_times_are_not_dates_of_birth_without_a_name_hint():
    frame = pd.DataFrame({"day": pd.date_range("1950-01-01", periods=N, freq="90D"),
                          "birth_time": pd.date_range("1950-01-01 08:30", periods=N,
                                                      freq="90D")})
    assert kinds(frame) == {}


def test_visit_log_columns_are_not_flagged():
    """Pseudonyms, HMAC strings, codes, touchpoints, departments, timestamps, costs."""
    assert scan_identifiers(clean_log()).empty
    # one row per distinct activity or department: diverse values, still not names
    vocabulary = pd.DataFrame({"activity": list(CATALOGUE.name_zh) + ["挂号", "缴费", "取药"]})
    assert scan_identifiers(vocabulary).empty
    departments = ["内科", "外科", "急诊科", "儿科", "妇产科", "眼科", "骨科", "皮肤科",
                   "口腔科", "中医科", "康复科", "高血压科", "方便门诊", "发热门诊", "药房"]
    assert scan_identifiers(pd.DataFrame({"科室": departments})).empty


def test_every_row_is_scanned():
    frame = pd.DataFrame({"note": [None] * 30_000 + [f"user{i}@example.org"
                                                        for i in range(30_000)]})
    found = scan_identifiers(frame)
    assert found["kind"].tolist() == ["e-mail address"]
    assert found.loc[0, ["matches", "distinct", "share"]].tolist() == [30_000, 30_000, 1.0]


# --- masking and the refusal -------------------------------------------------------------------

def test_examples_are_masked_and_never_the_full_value():
    frame = pd.DataFrame({
        "mobile": ["13812345678"] * 3,
        "id": make_ids(3),
        "mail": ["zhang.wei@example.com"] * 3,
        "姓名": ["张伟", "欧阳娜娜", "李秀英"],
        "出生日期": ["1980-05-01"] * 3,
    })
    found = scan_identifiers(frame).set_index("column")
    assert found.loc["mobile", "example"] == "138****5678"
    assert found.loc["mail", "example"] == "zh*****ei@example.com"
    assert found.loc["姓名", "example"] == "张*, 欧***"  # the first and last in text order
    for column, examples in found["example"].items():
        for example in examples.split(", "):
            assert "*" in example
            for value in frame[column]:
                assert value not in example


def test_refuse_lists_columns_and_says_how_to_fix():
    frame = clean_log(40).assign(手机号=[f"139{i:08d}" for i in range(40)],
                                 email=[f"u{i}@example.cn" for i in range(40)])
    with pytest.raises(JourneyError) as err:
        refuse_identifiers(frame, source="his.xlsx")
    message = str(err.value)
    assert message.startswith("his.xlsx: the data hold direct identifiers")
    assert "column '手机号': phone number in 40 row(s), 40 distinct value(s) (100% of the " \
           "column), e.g. 139****0000, 139****0039" in message
    assert "column 'email': e-mail address in 40 row(s)" in message
    assert "journey.pseudonymise(data, columns=['手机号', 'email'], secret=...)" in message
    assert "drop(columns=['手机号', 'email'])" in message
    assert "allow_columns=['手机号', 'email']" in message
    assert "13900000000" not in message and "u0@example.cn" not in message
    assert err.value.source == "his.xlsx"


def test_refuse_passes_clean_data_and_allowed_columns():
    assert refuse_identifiers(clean_log(), source="log.csv") is None
    staff = clean_log(40).assign(姓名=make_names(40))
    with pytest.raises(JourneyError) as err:
        refuse_identifiers(staff, source="log.csv")
    assert err.value.column == "姓名"
    assert refuse_identifiers(staff, source="log.csv", allow=["姓名"]) is None


# --- pseudonymise ------------------------------------------------------------------------------

SECRET = "correct horse battery staple"


def test_pseudonyms_equal_an_independent_hmac_and_are_deterministic():
    frame = pd.DataFrame({"phone": ["13812345678", None, "13987654321", "13812345678"],
                          "name": ["张伟", "李娜", None, "张伟"], "n": [1, 2, 3, 4]})
    out = pseudonymise(frame, ["phone", "name"], secret=SECRET)
    key = SECRET.encode("utf-8")
    for column in ("phone", "name"):
        for before, after in zip(frame[column], out[column], strict=True):
            if pd.isna(before):
                assert pd.isna(after)
            else:
                assert after == hmac.new(key, before.encode("utf-8"),
                                         hashlib.sha256).hexdigest()[:16]
    assert out.loc[0, "phone"] == out.loc[3, "phone"] != out.loc[2, "phone"]
    assert out["n"].tolist() == [1, 2, 3, 4]
    assert frame.loc[0, "phone"] == "13812345678"  # the input is not changed
    again = pseudonymise(frame, ["phone", "name"], secret=SECRET.encode("utf-8"))
    pd.testing.assert_frame_equal(out, again)
    other = pseudonymise(frame, "phone", secret=SECRET + "!")
    assert other.loc[0, "phone"] != out.loc[0, "phone"]
    assert scan_identifiers(out).empty


def test_pseudonym_prefix_length_and_number_types():
    frame = pd.DataFrame({"phone": [13812345678.0, np.nan], "text": ["13812345678", None]})
    out = pseudonymise(frame, ["phone", "text"], secret=SECRET, prefix="P", length=10)
    expected = "P" + hmac.new(SECRET.encode(), b"13812345678", hashlib.sha256).hexdigest()[:10]
    assert out.loc[0, "phone"] == out.loc[0, "text"] == expected
    assert pd.isna(out.loc[1, "phone"]) and pd.isna(out.loc[1, "text"])


def test_pseudonymise_refuses_bad_arguments_without_echoing_the_secret():
    frame = pd.DataFrame({"phone": ["13812345678"]})
    with pytest.raises(JourneyError, match="at least 16 bytes") as err:
        pseudonymise(frame, "phone", secret="short-secret")
    assert "short-secret" not in str(err.value)
    with pytest.raises(JourneyError, match="no column"):
        pseudonymise(frame, ["mobile"], secret=SECRET)
    with pytest.raises(JourneyError, match="between 8 and 64"):
        pseudonymise(frame, "phone", secret=SECRET, length=4)


@pytest.mark.parametrize("secret", [32, 12345678901234567890, bytearray(32), None, ["k" * 20],
                                    b"0123456789abcde", "短密钥12"])
def test_secrets_other_than_16_bytes_of_text_or_bytes_are_refused(secret):
    """``bytes(32)`` is 32 zero bytes: a number must never become a key."""
    with pytest.raises(JourneyError, match="secret"):
        pseudonymise(pd.DataFrame({"phone": ["13812345678"]}), "phone", secret=secret)


def test_a_secret_of_16_bytes_in_utf8_is_enough():
    out = pseudonymise(pd.DataFrame({"phone": ["13812345678"]}), "phone", secret="密钥密钥密钥ab")
    assert len(out.loc[0, "phone"]) == 16


# --- the engine's counts equal a plain per-value implementation of the patterns ---------------

NOT_NAME_ENDINGS = "科室部区处院诊号费药房站台窗楼层组"


def plain_flags(value: str) -> set[str]:
    """The features of one value by the documented rules, written without the engine."""
    s = value.strip()
    flags = set()
    digits = "".join(ch for ch in s if ch.isdigit())
    phone_chars = bool(s) and all(ch.isdigit() or ch in " ().-" for ch in s.lstrip("+")) and \
        s.count("+") <= (1 if s.startswith("+") else 0)
    # mobile numbers: the first place where 3+4+4 digits start after a non-digit
    starts = []
    for i, ch in enumerate(s):
        if ch.isdigit() and not (i and s[i - 1].isdigit()) or ch == "+" and s[i + 1:i + 3] == "86" \
                and not (i and s[i - 1].isdigit()):
            k = i + (1 if ch == "+" else 0)
            starts.append(k)
            for prefix in ("86", "0086"):
                if s[k:k + len(prefix)] == prefix:
                    after = k + len(prefix)
                    starts.append(after + 1 if s[after:after + 1] in (" ", "-") else after)
    for i in starts:
        j, got = i, ""
        for size in (3, 4, 4):
            if size == 4 and j < len(s) and s[j] in " -" and j + 1 < len(s) and s[j + 1].isdigit():
                j += 1
            block = s[j:j + size]
            if len(block) < size or not block.isdigit():
                break
            got, j = got + block, j + size
        if len(got) == 11 and (j == len(s) or not s[j].isdigit()) and got[0] == "1" \
                and got[1] in "3456789":
            flags.add("mobile")
            if phone_chars:
                flags.add("mobile_whole")
            break
    runs = [(m.start(), m.group()) for m in __import__("re").finditer(r"\d+", s)]
    elevens = [r for _, r in runs if len(r) == 11 and r[0] == "1"]
    if elevens:
        flags.add("eleven")
        if elevens[0][1] in "3456789":
            flags.add("eleven_mobile")
    if s.startswith("+") and not s.startswith("+86") and phone_chars and 8 <= len(digits) <= 15 \
            and len(s) >= 8:
        flags.add("international")
    if phone_chars and 7 <= len(digits) <= 15:
        flags.add("phone_loose")
    # resident ID: the first 18-character candidate after a non-digit
    for start, run in runs:
        tail = s[start + len(run):start + len(run) + 1]
        if len(run) == 18 and run[0] != "0" and not (tail.isascii() and tail.isalnum()):
            candidate = run
        elif len(run) == 17 and run[0] != "0" and tail in ("X", "x") and not (
                s[start + 18:start + 19].isascii() and s[start + 18:start + 19].isalnum()):
            candidate = run + "X"
        else:
            continue
        try:
            born = dt.date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
            dated = 1900 <= born.year <= dt.date.today().year
        except ValueError:
            dated = False
        if dated:
            flags.add("id_shape")
            if iso7064_mod11_2(candidate[:17]) == candidate[17].upper():
                flags.add("id_valid")
                if candidate == s.upper():
                    flags.add("id_whole")
        break
    if "@" in s:
        import re

        email = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
        if re.search(email, s):
            flags.add("email")
        if re.fullmatch(email, s):
            flags.add("email_whole")
    han = 2 <= len(s) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in s)
    if han and (s[0] in SURNAMES or s[:2] in COMPOUND) and s[-1] not in NOT_NAME_ENDINGS \
            and touchpoint_of(s) is None:
        flags.add("name")
    words = s.split()
    if han or (2 <= len(words) <= 4 and all(w[0].isascii() and w[0].isalpha() and all(
            c.isascii() and (c.isalpha() or c in "'-.") for c in w) for w in words)):
        flags.add("name_loose")
    date, _, clock = s.partition(" ")
    parts = [p for p in date.replace("年", "-").replace("月", "-").replace("/", "-")
             .replace(".", "-").removesuffix("日").split("-")]
    dated = (len(parts) == 3 and len(parts[0]) == 4 and all(p.isdigit() for p in parts)
             and all(1 <= len(p) <= 2 for p in parts[1:]) and date.count("日") <= 1
             and (date.endswith("日") or "日" not in date)) or (date.isdigit() and len(date) == 8)
    if dated and clock in ("", "00:00", "00:00:00") and (not clock or len(parts) == 3):
        flags.add("date")
    if (s.isdigit() and len(s) == 15) or (len(s) == 18 and s[:17].isdigit()
                                          and (s[17].isdigit() or s[17] in "Xx")):
        flags.add("id_loose")
    return flags


VALUES = ["王伟", "李娜", "欧阳娜娜", "挂号", "高血压科", "Wei Zhang", "13812345678",
          "138 1234 5678", "+86 139-0000-1111", "请回电13812345678谢谢", "tel:13812345678x",
          "213812345678", "12012345678", "+44 20 7946 0001", "a.li@example.com",
          "联系 a.li@example.com", "11010519491231002X", "身份证11010519491231002x。",
          "110105194912310021", "V000123", "2025-01-06", "1234.56", "无", "复诊", "", " ",
          "010-62345678", "123456789012345"]


@given(st.lists(st.sampled_from(VALUES), min_size=1, max_size=30), st.data())
@settings(max_examples=15, deadline=None)
def test_engine_counts_equal_testing_each_value(values, data):
    import duckdb

    from journey._scan import FEATURES, scan_duckdb
    from journey.formats import register_source

    extra = data.draw(st.lists(st.text(alphabet="0123456789 -+@.Xx王李a无", max_size=22),
                               max_size=10))
    values = values + extra
    con = duckdb.connect()
    register_source(con, pd.DataFrame({"v": pd.Series(values, dtype=object)}), name="raw")
    # hinted: every value gets every test (else only those the cheap filter lets through)
    row = scan_duckdb(con, "raw", columns=["v"], types={"v": "VARCHAR"}, hinted=["v"]).iloc[0]
    present = [v for v in values if v is not None]
    assert row["rows"] == len(present) and row["distinct"] == len(set(present))
    for feature in FEATURES:
        matching = [v for v in present if feature in plain_flags(v)]
        assert (feature, row[f"{feature}_rows"], row[f"{feature}_distinct"]) == (
            feature, len(matching), len(set(matching))), values


@given(st.lists(st.text(alphabet="0123456789 -+@.Xx王李张伟a无", max_size=22), max_size=20))
@settings(max_examples=200, deadline=None)
def test_the_cheap_filter_lets_every_possible_identifier_through(extra):
    import re

    from journey._scan import _CANDIDATE

    strong = {"mobile", "eleven", "international", "id_shape", "email", "name", "name_loose",
              "id_loose"}
    for value in VALUES + extra:
        if plain_flags(value) & strong:
            assert re.search(_CANDIDATE, value), value


def test_unhashable_cells_are_scanned_as_text():
    frame = pd.DataFrame({"tags": [["a", "b"], ["c"]] * 5, "email": ["x.y@example.com"] * 10})
    assert kinds(frame) == {"email": "e-mail address"}


# --- read_log: the guard on the raw table, before any message quotes a value ------------------

def visit_rows(n: int) -> pd.DataFrame:
    start = pd.Timestamp("2024-03-04 08:00") + pd.to_timedelta(np.arange(n) * 7, unit="min")
    return pd.DataFrame({"case_id": [f"V{i // 4:06d}" for i in range(n)],
                         "activity": np.array(["挂号", "就诊", "缴费", "取药"])[np.arange(n) % 4],
                         "start": start.strftime("%Y-%m-%d %H:%M:%S"),
                         "end": (start + pd.Timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")})


def test_read_log_refuses_mobiles_on_odd_rows_of_a_10000_row_csv(tmp_path):
    from journey import read_log

    frame = visit_rows(10_000)
    phones = [f"13{RNG.integers(10**8, 10**9)}" for _ in range(5_000)]
    frame["contact"] = [phones[i // 2] if i % 2 else "" for i in range(10_000)]
    path = tmp_path / "log.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(JourneyError) as err:
        read_log(path)
    message = str(err.value)
    assert "column 'contact': phone number in 5,000 row(s), 5,000 distinct value(s)" in message
    assert not any(p in message for p in phones)
    assert read_log(path, allow_columns=("contact",)).n_events == 10_000


def test_read_log_refuses_identifiers_among_placeholders_and_inside_text():
    from journey import read_log

    frame = visit_rows(1_000)
    ids = make_ids(400)
    frame["证件"] = [ids[i] if i < 400 else ("无" if i % 2 else "复诊") for i in range(1_000)]
    frame["备注"] = ["家属电话 139-1234-5678，已通知" if i == 500 else "无" for i in range(1_000)]
    with pytest.raises(JourneyError) as err:
        read_log(frame)
    message = str(err.value)
    assert "column '证件': resident ID number in 400 row(s), 400 distinct value(s)" in message
    assert "column '备注': phone number inside text in 1 row(s)" in message
    assert "139****5678" in message and "13912345678" not in message
    assert not any(i in message for i in ids)


def test_serial_visit_numbers_like_mobile_numbers_load_as_the_case_column():
    from journey import read_log

    frame = visit_rows(2_000)
    frame["就诊号"] = [str(13_000_000_001 + i // 4 * 3) for i in range(2_000)]  # serial
    frame = frame.drop(columns="case_id")
    log = read_log(frame)
    assert log.n_cases == 500
    # the same numbers as a column of unknown role are refused (allow_columns= if they are
    # order numbers), and so are phone numbers spread like patients' in the case column
    with pytest.raises(JourneyError, match="'order_no': phone number"):
        read_log(frame.assign(order_no=frame["就诊号"]))
    spread = frame.assign(就诊号=[f"13{RNG.integers(10**8, 10**9)}" for _ in range(2_000)])
    with pytest.raises(JourneyError, match="'就诊号': phone number"):
        read_log(spread)


def test_messages_before_the_scan_do_not_quote_rows(tmp_path):
    from journey import read_log

    bad = tmp_path / "bad.csv"
    bad.write_text("case_id,activity,end\nV1,挂号,2024-03-04 08:00\n"
                   "V2,电话13812345678,2024-03-04 08:10,extra\n", encoding="utf-8")
    with pytest.raises(JourneyError) as err:
        read_log(bad)
    assert "13812345678" not in str(err.value) and "Line: 3" in str(err.value)
    # a file without its header line: the first row became the column names
    headless = tmp_path / "headless.csv"
    headless.write_text("V1,13812345678,2024-03-04 08:00\nV2,13912345678,2024-03-04 08:10\n",
                        encoding="utf-8")
    with pytest.raises(JourneyError) as err:
        read_log(headless)
    message = str(err.value)
    assert "no header line" in message
    assert "13812345678" not in message and "13912345678" not in message
