"""One row per visit: what the patient lived through, ready to join to the experience tables.

:func:`visit_table` aggregates the event log in the engine (only the per-visit result comes
back) into the per-visit frame that :func:`journey.experience_vs_journey`,
:func:`journey.return_visits`, :func:`journey.followup_summary`,
:func:`journey.complaint_summary`, :func:`journey.resource_concentration` and
:func:`journey.lifetime_value` take. :func:`join_experience` adds each visit's survey answers,
complaints and follow-up calls, so questions such as "which journey variants have the most
detractors" are one call (``nps(join_experience(...), by="path")``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import ibis
import pandas as pd

from journey._gaps import gap_columns
from journey._labels import texts
from journey._tables import _require, _unique_visits
from journey.engine import case_paths, sequenced
from journey.errors import JourneyError
from journey.log import EventLog
from journey.stages import activities_of

__all__ = ["join_experience", "visit_table"]

def visit_table(
    log: EventLog,
    *,
    left: str | Iterable[str] | None = None,
    flags: Mapping[str, str | Iterable[str]] | None = None,
    charge: str | None = "charge",
    lang: str | None = None,
) -> pd.DataFrame:
    """One row per visit: arrival, departure, length of stay, total wait, rework, left unseen,
    path, charges and segment attributes.

    Definitions (times in the canonical visit order: start, then end, then source row):

    - ``arrival`` = first start (the first end when a touchpoint has no start),
      ``departure`` = last end, ``los_h`` = departure − arrival in hours;
    - ``total_wait_h`` = sum over the visit of the waits before each touchpoint (its start −
      the end of the touchpoint before it), in hours; 0 for a one-touchpoint visit. An
      overlap (a touchpoint starting before the previous one ended) adds no wait and is
      counted in the notes. Without start times the gaps are *flow times* between
      completions (they contain service): the column is then named ``total_flow_h``;
    - ``n_touchpoints`` = activity instances in the visit; ``rework`` = some touchpoint
      occurs more than once; ``left_unseen`` = the visit has a ``left`` touchpoint;
    - ``path`` = the visit's variant, its touchpoints joined by " → ";
    - ``department`` = the department of the visit's last touchpoint (where the patient was
      finally seen; a patient who first went to the wrong department counts there);
    - ``charges`` = sum of the ``charge`` column over the visit (missing when the visit has no
      charge values);
    - every other attribute column (segment tags) = its first non-missing value in the visit.

    ``patient_id``, ``department`` and ``charges`` are present when the log has the column.

    Parameters
    ----------
    log : EventLog
    left : str or list of str, optional
        Touchpoint(s) marking a patient who left before being seen (e.g. "未就诊离开");
        default the log's activities that the touchpoint catalogue maps to leaving unseen
        (:func:`journey.stages.activities_of`), none when it has no such name.
    flags : dict, optional
        Further yes/no columns ``{name: touchpoint or list of touchpoints}``: True when the
        visit passes one of them, e.g. ``{"admitted": "Admission"}``.
    charge : str or None, default "charge"
        Column of the charge per touchpoint (numbers); None to ignore charges.
    lang : {"en", "zh"}, optional
        Language of ``.attrs["notes"]``; default :func:`journey.i18n.get_language`.

    Returns
    -------
    DataFrame
        ``case_id``, ``patient_id``, ``department``, ``arrival``, ``departure``, ``los_h``,
        ``total_wait_h``, ``n_touchpoints``, ``rework``, ``left_unseen``, the ``flags``,
        ``path``, ``charges``, attribute columns; sorted by ``case_id``.
        ``.attrs["notes"]`` says how to read the times and what was counted aside;
        ``.attrs["time_kind"]`` is ``"wait"`` or ``"flow"`` (then ``total_flow_h`` stands
        for ``total_wait_h``).

    Raises
    ------
    JourneyError
        When the ``charge`` column holds text that is not a number.

    Examples
    --------
    >>> import pandas as pd, journey
    >>> log = journey.read_log(pd.DataFrame({
    ...     "case_id": ["a", "a", "a"], "activity": ["Registration", "Payment", "Payment"],
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30", "2025-01-06 09:00"],
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:40", "2025-01-06 09:10"],
    ...     "charge": [10, 0, 25.5]}))
    >>> v = visit_table(log)
    >>> print(v[["los_h", "total_wait_h", "rework", "charges", "path"]].round(2).to_string())
       los_h  total_wait_h  rework  charges                              path
    0   1.17          0.67    True     35.5  Registration → Payment → Payment
    >>> visit_table(log, lang="zh").attrs["notes"][1]
    '0 个环节在前一环节结束前就已开始（重叠）；它们不计入等候'
    """
    from journey._language import _resolve

    N = texts("visits", _resolve(lang))
    t = log.table
    s = sequenced(t, has_start=log.has_start)
    charge = charge if charge in t.columns else None
    attributes = [c for c in log.attributes if c != charge]
    if left is None:
        left = activities_of(log.activities, "left_unseen")
    marks = {"left_unseen": left, **(flags or {})}
    marks = {k: [v] if isinstance(v, str) else list(v) for k, v in marks.items()}
    aggs = {
        "total_wait_h": ibis.coalesce(s.wait.sum(), 0.0) / 60.0,
        "rework": (s.occurrence > 1).any(),
        **{name: (s.activity.isin(acts) if acts else s.activity.isnull() & False).any()
           for name, acts in marks.items()},
        "_overlaps": (s.gap < 0).sum(),
    }
    if "patient_id" in t.columns:
        aggs["patient_id"] = s.patient_id.first(order_by=s._seq)
    if "department" in t.columns:
        aggs["department"] = s.department.last(order_by=s._seq)
    if charge:
        bad = t.filter(t[charge].notnull() & t[charge].try_cast("float64").isnull())
        rows = bad.order_by("_row").select("_row").execute(limit=10)["_row"].tolist()
        if rows:
            raise JourneyError("charges must be numbers (leave empty where there is none)",
                               source=log.source, column=charge, rows=rows)
        aggs["charges"] = s[charge].try_cast("float64").sum()
    aggs |= {a: s[a].first(order_by=s._seq) for a in attributes}
    per_visit = s.group_by("case_id").aggregate(**aggs)
    paths = case_paths(t)
    joined = paths.join(per_visit, "case_id").mutate(
        arrival=paths["first"], departure=paths["last"], los_h=paths.throughput / 60.0,
        n_touchpoints=paths.length)
    front = [c for c in ("case_id", "patient_id", "department") if c in joined.columns]
    order = [*front, "arrival", "departure", "los_h", "total_wait_h", "n_touchpoints",
             "rework", *marks, "path", *(["charges"] if charge else []), *attributes]
    frame = joined.order_by("case_id").execute()
    overlaps = int(frame["_overlaps"].sum())
    frame = frame[order]
    notes = [N["wait" if log.has_start else "flow"], N["overlaps"].format(n=overlaps)]
    for name, acts in marks.items():
        if not frame[name].any():
            notes.append(N["never"].format(acts=N["or"].join(map(repr, acts)), name=name))
    if charge:
        notes.append(N["no_charge"].format(n=int(frame["charges"].isna().sum())))
    frame = gap_columns(frame, log.time_kind)
    frame.attrs["notes"] = notes
    frame.attrs["time_kind"] = log.time_kind
    return frame


def join_experience(
    visits: pd.DataFrame,
    *,
    surveys: pd.DataFrame | None = None,
    complaints: pd.DataFrame | None = None,
    followup_calls: pd.DataFrame | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """The per-visit frame with each visit's survey answers, complaints and follow-up calls.

    All joins are by ``case_id`` and keep one row per visit:

    - survey columns not already in ``visits`` (scores, ``recommend``, ``date``…) from the
      visit's first survey in table order; ``surveys`` = number of surveys of the visit
      (0 when none; its answers are then missing and excluded by the statistics);
    - ``complaints`` = number of complaints about the visit;
    - ``followup_calls`` = number of follow-up calls for the visit (for the 3-day target with
      censoring use :func:`journey.followup_summary`).

    Rows of the side tables whose ``case_id`` is not in ``visits`` (e.g. a filtered period)
    and further surveys of a visit are left out and counted in ``.attrs["notes"]``.

    Parameters
    ----------
    visits : DataFrame
        One row per visit (``case_id``), e.g. from :func:`visit_table`.
    surveys, complaints, followup_calls : DataFrame, optional
        Side tables with a ``case_id`` column.
    lang : {"en", "zh"}, optional
        Language of ``.attrs["notes"]``; default :func:`journey.i18n.get_language`.

    Returns
    -------
    DataFrame
        ``visits`` with the added columns, in the same row order.

    Examples
    --------
    >>> v = pd.DataFrame({"case_id": ["a", "b", "c"], "path": ["X", "X → Y", "X"]})
    >>> s = pd.DataFrame({"case_id": ["a", "c"], "recommend": [10, 3]})
    >>> c = pd.DataFrame({"case_id": ["c", "c", "z"], "category": ["process", "cost", "cost"]})
    >>> e = join_experience(v, surveys=s, complaints=c)
    >>> print(e.to_string(index=False))
    case_id  path  surveys  recommend  complaints
          a     X        1       10.0           0
          b X → Y        0        NaN           0
          c     X        1        3.0           2
    >>> e.attrs["notes"]
    ['1 complaints for a case_id not in visits left out']
    >>> join_experience(v, surveys=s, complaints=c, lang="zh").attrs["notes"]
    ['已剔除 1 条 case_id 不在 visits 中的投诉记录']
    """
    from journey._language import _resolve

    N = texts("visits", _resolve(lang))
    _require(visits, ["case_id"], "visits")
    _unique_visits(visits)
    out, notes = visits.copy(), []
    tables = {"surveys": surveys, "complaints": complaints, "followup_calls": followup_calls}
    for name, table in tables.items():
        if table is None:
            continue
        _require(table, ["case_id"], name)
        known = table["case_id"].isin(out["case_id"])
        if (~known).any():
            notes.append(N["unknown"].format(n=int((~known).sum()), name=N.get(name, name)))
        out[name] = out["case_id"].map(table.loc[known, "case_id"].value_counts()).fillna(0)
        out[name] = out[name].astype(int)
        if name == "surveys":
            first = table[known].drop_duplicates("case_id")
            if len(first) < known.sum():
                notes.append(N["further"].format(n=int(known.sum() - len(first))))
            extra = [c for c in first.columns if c not in out.columns]
            out = out.merge(first[["case_id", *extra]], on="case_id", how="left")
    out.attrs["notes"] = notes
    return out
