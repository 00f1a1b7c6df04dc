"""Names of the time between touchpoints, used by every analysis.

With start times the gap before a touchpoint is a *wait* (its start − the previous end);
without them it is a *flow time* (end − previous end, the touchpoint's service included).
The two kinds are named apart everywhere: columns that hold such gaps start or contain
``wait`` in a log with start times and ``flow`` in one without (``wait_median`` /
``flow_median``, ``total_wait_h`` / ``total_flow_h``), and every sentence, title and axis says
"wait" or "flow time". ``EventLog.time_kind`` is the prefix (``"wait"`` or ``"flow"``).
"""

from __future__ import annotations

import re

import pandas as pd

from journey._labels import texts

_TOKEN = re.compile(r"(^|_)wait(?=_|$)")


def gap_word(kind: str, lang: str = "en") -> str:
    """``"wait"`` or ``"flow time"`` (``"等候"`` / ``"流转时间"``) for ``kind``.

    >>> gap_word("flow"), gap_word("wait", "zh")
    ('flow time', '等候')
    """
    return texts("gaps", lang)["flow" if kind in ("flow", "flow time") else "wait"]


def gap_name(column: str, kind: str) -> str:
    """The name of a gap column in a log of ``kind``: ``wait_*`` becomes ``flow_*``.

    >>> gap_name("wait_median", "flow"), gap_name("total_wait_h", "flow")
    ('flow_median', 'total_flow_h')
    >>> gap_name("wait_median", "wait")
    'wait_median'
    """
    return _TOKEN.sub(r"\1flow", column) if kind in ("flow", "flow time") else column


def gap_columns(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``frame`` with its gap columns named for ``kind`` (see :func:`gap_name`) and
    ``attrs["time_kind"]`` set (``"wait"`` or ``"flow"``), so that Chinese headers follow."""
    flow = kind in ("flow", "flow time")
    if flow:
        frame = frame.rename(columns={c: gap_name(c, kind) for c in frame.columns
                                      if isinstance(c, str)})
    frame.attrs["time_kind"] = "flow" if flow else "wait"
    return frame


def wait_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``flow`` gap columns named back to ``wait`` (the inverse of
    :func:`gap_columns`), for code that reads either kind of table under one name.

    >>> list(wait_columns(pd.DataFrame(columns=["activity", "flow_median", "total_flow_h"])))
    ['activity', 'wait_median', 'total_wait_h']
    """
    token = re.compile(r"(^|_)flow(?=_|$)")
    renamed = {c: token.sub(r"\1wait", c) for c in frame.columns if isinstance(c, str)}
    return frame.rename(columns=renamed) if any(k != v for k, v in renamed.items()) else frame
