"""The privacy guard: find direct identifiers of patients, and replace them by keyed pseudonyms.

journey works on anonymised logs only. :func:`scan_identifiers` looks for columns holding person
names, phone numbers, resident ID numbers, e-mail addresses or dates of birth, by column name
(English and Chinese) and by values; :func:`refuse_identifiers` stops a load that contains them;
:func:`pseudonymise` replaces such columns by keyed HMAC-SHA256 pseudonyms, so that visits of
one patient stay linked without revealing who the patient is.

Detection rules (on up to 10,000 evenly spaced rows)
------------------------------------------------------
A column is flagged for a kind when at least half of its non-missing values match the kind's
strict pattern, or when its name suggests the kind and at least a fifth match the kind's loose
pattern. Dates of birth are only flagged by name (any column of dates could hold visit days).

- phone number: strict, a Chinese mobile ``1[3-9]`` + 9 digits (optionally ``+86``, spaces,
  dashes) or an international number starting with ``+`` (8-15 digits); loose, any 7-15 digits.
- resident ID number: strict, 18 characters with a valid birth date and the GB 11643-1999
  (ISO 7064 MOD 11-2) check character; loose, 15 digits or 17 digits and a digit or ``X``.
- e-mail address: ``local@domain.tld``.
- person name: strict, 2-4 Han characters starting with one of the 100 most common surnames
  (or a compound surname), not a catalogue touchpoint nor ending like a department (科, 室,
  诊...), in a column whose values are diverse; loose, 2-4 Han characters or 2-4 Latin words.
- date of birth: a date without time of day.

Small counts in figures
-----------------------
:func:`set_min_count` sets, for the session, the smallest number of visits a journey-map figure
may show (:mod:`journey.figures`): nodes, edges, links, bars and variants built from fewer
visits are left out, and the figure says how many. The default, ``None``, shows everything.
Study reports (``journey report``) set it to their suppression threshold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from journey.errors import JourneyError
from journey.stages import touchpoint_of

__all__ = [
    "get_min_count",
    "pseudonymise",
    "refuse_identifiers",
    "scan_identifiers",
    "set_min_count",
]

_SAMPLE_ROWS = 10_000
_STRICT_SHARE = 0.5
_HINTED_SHARE = 0.2

_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾"
    "龚邵万覃武钱戴严莫孔向常汤"
)
_COMPOUND_SURNAMES = frozenset({"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容",
                               "尉迟", "公孙", "司徒", "夏侯", "端木", "长孙", "宇文"})
_NOT_NAME_ENDINGS = tuple("科室部区处院诊号费药房站台窗楼层组")

_HINTS = {
    "person name": r"^(patient|person|full|first|last|given|family|sur|contact)?[\s_\-.]*name$"
                   r"|姓名|名字|^姓$|^名$|患者$|病人$|联系人|家属",
    "phone number": r"phone|mobile|(^|[^a-z])tel([^a-z]|$)|cell|电话|手机|联系方式",
    "resident ID number": r"id[\s_\-.]*card|identity|national[\s_\-.]*id|resident[\s_\-.]*id"
                          r"|citizen|身份证|证件",
    "e-mail address": r"e[\s_\-.]*mail|邮箱|邮件",
    "date of birth": r"birth|^dob$|出生|生日",
}
_min_count: int | None = None

_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z'\-.]*(\s+[A-Za-z][A-Za-z'\-.]*){1,3}$")
_EMAIL = re.compile(r"^[\w.+\-]+@[\w\-]+(\.[\w\-]+)*\.[A-Za-z]{2,}$")
_CN_MOBILE = re.compile(r"^(\+?86|0086)?1[3-9]\d{9}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s\-().]+$")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?( 00:00(:00)?)?$"
                   r"|^(\d{4})(\d{2})(\d{2})$")


def set_min_count(k: int | None) -> None:
    """Set the smallest count of visits that journey-map figures show in this session.

    Figure elements (process-map nodes and edges, Sankey links, stage-map and variant bars,
    bars of map changes) built from 1 to ``k - 1`` visits are left out of the figures, whose
    subtitle then says how many were hidden. A figure function's own ``min_count`` argument
    takes precedence.

    Parameters
    ----------
    k : int or None
        Smallest count shown, at least 1; ``None`` (the default) shows every element.

    Examples
    --------
    >>> set_min_count(5)
    >>> get_min_count()
    5
    >>> set_min_count(None)
    """
    global _min_count
    _min_count = _check_min_count(k)


def get_min_count() -> int | None:
    """The session's smallest count shown in figures (see :func:`set_min_count`).

    Functions that take ``min_count=None`` use this value.

    Examples
    --------
    >>> get_min_count() is None
    True
    """
    return _min_count


def _check_min_count(k: object) -> int | None:
    """``k`` if it is None or a whole number of at least 1; a :class:`JourneyError` otherwise."""
    if k is not None and (isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1):
        raise JourneyError(f"min_count={k!r} must be a whole number of at least 1 (the smallest "
                           "count of visits shown), or None to show every count")
    return None if k is None else int(k)


def _check_character(first17: str) -> str:
    """Check character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2).

    Examples
    --------
    >>> _check_character("11010519491231002")
    'X'
    """
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def scan_identifiers(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns that look like direct identifiers of people.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw data (any column types). Up to 10,000 evenly spaced rows are examined.

    Returns
    -------
    pandas.DataFrame
        One row per flagged column: ``column``, ``kind`` (``"person name"``, ``"phone
        number"``, ``"resident ID number"``, ``"e-mail address"`` or ``"date of birth"``),
        ``matches`` (sampled values that match), ``share`` (of the non-missing sampled values)
        and ``example`` (a masked matching value such as ``"138****5678"``, never a full value).
        See the module documentation for the rules.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"case_id": ["V000123", "V000124"],
    ...                       "手机号": ["13812345678", "139 0000 1111"]})
    >>> scan_identifiers(frame)
      column          kind  matches  share      example
    0    手机号  phone number        2    1.0  138****5678
    """
    rows = []
    positions = np.unique(np.linspace(0, len(frame) - 1, min(len(frame), _SAMPLE_ROWS)).astype(int))
    sample = frame.iloc[positions]
    for i, column in enumerate(frame.columns):
        values = sample.iloc[:, i].dropna()
        if values.empty:
            continue
        # each distinct value is tested once; date-times can only be dates of birth
        counts = Counter(map(_hashable, values.tolist()))
        kinds = (["date of birth"] if pd.api.types.is_datetime64_any_dtype(values.dtype)
                 else list(_HINTS))
        found = [_evaluate(str(column), kind, counts) for kind in kinds]
        best = max((f for f in found if f is not None), key=lambda f: f[2], default=None)
        if best is not None:
            kind, matching, share = best
            rows.append({"column": column, "kind": kind, "matches": sum(matching.values()),
                         "share": round(share, 4),
                         "example": _mask(kind, _text(next(iter(matching))))})
    return pd.DataFrame(rows, columns=["column", "kind", "matches", "share", "example"])


def refuse_identifiers(frame: pd.DataFrame, *, source: str | None,
                       allow: Iterable[str] = ()) -> None:
    """Raise :class:`JourneyError` when the data hold direct identifiers of patients.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw data, or a sample of it.
    source : str or None
        The file (or ``"<DataFrame>"``) named in the message.
    allow : iterable of str
        Columns to accept although they are flagged (false positives, e.g. a column of staff
        desk names that look like person names).

    Raises
    ------
    JourneyError
        Listing each flagged column with its kind and a masked example, and how to fix it:
        drop the column, or replace it with ``journey.pseudonymise(data, columns=[...],
        secret=...)``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"case_id": ["V1", "V2"], "email": ["a.li@example.com", None]})
    >>> refuse_identifiers(frame, source="log.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    journey.errors.JourneyError: log.csv, column 'email': the data hold direct identifiers ...
    >>> refuse_identifiers(frame, source="log.csv", allow=["email"])
    """
    found = scan_identifiers(frame)
    found = found[~found["column"].isin(list(allow))]
    if found.empty:
        return
    columns = [str(c) for c in found["column"]]
    lines = [f"  - column {r.column!r}: {r.kind}, {r.matches} of the sampled values match "
             f"({r.share:.0%}), e.g. {r.example}" for r in found.itertuples()]
    raise JourneyError(
        "the data hold direct identifiers of patients, which journey does not accept:\n"
        + "\n".join(lines)
        + f"\nDrop these columns (data.drop(columns={columns!r})) or replace them with keyed "
        f"pseudonyms: journey.pseudonymise(data, columns={columns!r}, secret=...). If a column "
        "is flagged by mistake, list it as allowed (allow_columns=[...] in journey.read_log).",
        source=source, column=columns[0] if len(columns) == 1 else None)


def pseudonymise(data: pd.DataFrame, columns: str | Sequence[str], *, secret: str | bytes,
                 prefix: str | None = None, length: int = 16) -> pd.DataFrame:
    """Replace identifying columns by keyed pseudonyms (HMAC-SHA256).

    Each value becomes the first ``length`` hex digits of ``HMAC-SHA256(secret, value)``,
    optionally after ``prefix``. The same value with the same secret always gives the same
    pseudonym, so the visits of one patient stay linked, in this file and in later exports.

    Why a keyed hash: a plain hash of an identifier is not anonymous. There are only about
    10^10 Chinese mobile numbers and far fewer plausible ID numbers and names, so anyone can hash
    them all and look a plain hash up. Without the secret, the keyed hash cannot be recomputed.

    Keep the secret like a password: generate it once (``secrets.token_hex(32)``), store it
    outside the notebook and the repository (an environment variable, a password manager, the
    hospital's key store), never send it with the data, and reuse it for later exports that must
    link to these pseudonyms. journey never stores or prints it. Whoever holds the secret and
    the original data can re-identify patients; lose it, and new exports can no longer be linked.

    Parameters
    ----------
    data : pandas.DataFrame
        The data; it is not changed.
    columns : str or sequence of str
        Columns to replace.
    secret : str or bytes
        At least 16 bytes (a str is encoded as UTF-8).
    prefix : str, optional
        Text put before each pseudonym, e.g. ``"P"``.
    length : int, default 16
        Hex digits kept, 8 to 64. With 16 digits (64 bits), two of a million patients share a
        pseudonym with probability about 3e-8.

    Returns
    -------
    pandas.DataFrame
        A new frame with the columns replaced; missing values stay missing. Values are hashed as
        text: UTF-8 of ``str(value)`` without surrounding spaces, whole-number floats such as
        ``13812345678.0`` as ``"13812345678"`` (so that a number read as float gets the same
        pseudonym as the text).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"phone": ["13812345678", None, "13812345678"]})
    >>> out = pseudonymise(frame, "phone", secret="a secret of 16+ bytes", prefix="P", length=8)
    >>> out["phone"].tolist()
    ['P07b49d8b', nan, 'P07b49d8b']
    """
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if len(key) < 16:
        raise JourneyError("the secret is too short: use at least 16 bytes, e.g. "
                           "secrets.token_hex(32), and keep it outside the notebook")
    if not 8 <= length <= 64:
        raise JourneyError(f"length must be between 8 and 64 hex digits, not {length}")
    columns = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise JourneyError(f"no column(s) {missing!r} in the data; the columns are "
                           f"{list(data.columns)!r}")
    out = data.copy()
    for column in columns:
        values = out[column]
        codes = {v: (prefix or "") + hmac.new(key, _text(v).encode("utf-8"),
                                              hashlib.sha256).hexdigest()[:length]
                 for v in values.dropna().unique()}
        out[column] = values.map(codes).astype(object).where(values.notna(), values)
    return out


# --- detection -------------------------------------------------------------------------------

def _hashable(value: object) -> object:
    """``value``, or its text when it cannot be counted (a list in a Parquet cell)."""
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _evaluate(column: str, kind: str, counts: Counter) -> tuple[str, Counter, float] | None:
    """``(kind, matching values with their counts, share)`` when ``column`` looks like ``kind``.

    ``counts`` holds each sampled value with its number of occurrences, in sample order.
    """
    hinted = re.search(_HINTS[kind], column.strip().casefold()) is not None
    if kind == "date of birth" and not hinted:
        return None
    strict, loose = _TESTS[kind]
    test, threshold = (loose, _HINTED_SHARE) if hinted else (strict, _STRICT_SHARE)
    matching = Counter({v: n for v, n in counts.items() if test(v)})
    share = sum(matching.values()) / sum(counts.values())
    if share < threshold or (kind == "person name" and not hinted and not _diverse(matching)):
        return None
    return kind, matching, share


def _diverse(matching: Counter) -> bool:
    """Many different values: person names, not a small vocabulary of activities or desks."""
    return len(matching) >= min(30, max(3, sum(matching.values()) // 2))


def _digits(value: object) -> str:
    text = _text(value)
    return re.sub(r"[\s\-().]", "", text) if _PHONE_CHARS.match(text) else ""


def _phone(value: object) -> bool:
    text, digits = _text(value), _digits(value)
    if _CN_MOBILE.match(digits):
        return True
    return text.startswith("+") and 8 <= len(digits.lstrip("+")) <= 15


def _phone_loose(value: object) -> bool:
    return 7 <= len(_digits(value).lstrip("+")) <= 15


def _resident_id(value: object) -> bool:
    text = _text(value).upper()
    if not re.fullmatch(r"[1-9]\d{16}[\dX]", text):
        return False
    return _valid_date(text[6:10], text[10:12], text[12:14]) and \
        _check_character(text[:17]) == text[17]


def _resident_id_loose(value: object) -> bool:
    return re.fullmatch(r"\d{15}|\d{17}[\dXx]", _text(value)) is not None


def _email(value: object) -> bool:
    return _EMAIL.match(_text(value)) is not None


def _person_name(value: object) -> bool:
    text = _text(value)
    return (_HAN_NAME.match(text) is not None
            and (text[0] in _SURNAMES or text[:2] in _COMPOUND_SURNAMES)
            and not text.endswith(_NOT_NAME_ENDINGS) and touchpoint_of(text) is None)


def _person_name_loose(value: object) -> bool:
    text = _text(value)
    return bool(_HAN_NAME.match(text) or _LATIN_NAME.match(text))


def _date_only(value: object) -> bool:
    if isinstance(value, dt.datetime):
        return value.time() == dt.time(0)
    if isinstance(value, dt.date):
        return True
    match = _DATE.match(_text(value))
    if match is None:
        return False
    return _valid_date(*(match.group(1, 2, 3) if match.group(1) else match.group(6, 7, 8)))


def _valid_date(year: str, month: str, day: str) -> bool:
    try:
        return 1900 <= dt.date(int(year), int(month), int(day)).year <= dt.date.today().year
    except ValueError:
        return False


_TESTS: dict[str, tuple[Callable[[object], bool], Callable[[object], bool]]] = {
    "person name": (_person_name, _person_name_loose),
    "phone number": (_phone, _phone_loose),
    "resident ID number": (_resident_id, _resident_id_loose),
    "e-mail address": (_email, _email),
    "date of birth": (_date_only, _date_only),
}


def _mask(kind: str, text: str) -> str:
    """Hide the middle of a value: ``138****5678``, ``z***@example.com``, ``张*``."""
    if kind == "e-mail address" and "@" in text:
        local, domain = text.split("@", 1)
        return _mask("", local) + "@" + domain
    n = len(text)
    if n >= 11:
        return text[:3] + "*" * (n - 7) + text[-4:]
    if n >= 5:
        return text[:2] + "*" * (n - 4) + text[-2:]
    return text[:1] + "*" * max(n - 1, 1)
