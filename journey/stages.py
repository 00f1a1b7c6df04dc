"""The touchpoint catalogue: stages of a hospital visit, with English and Chinese names.

Every touchpoint belongs to one stage: ``"pre"`` (before the visit, 院前), ``"in"``
(during the visit, 院中) or ``"post"`` (after the visit, 院后). The catalogue maps the common
English and Chinese activity names onto canonical touchpoints; users override or extend it
with their own mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from journey.errors import JourneyError

__all__ = ["CATALOGUE", "STAGES", "activities_of", "catalogue", "stage_of", "touchpoint_of"]

STAGES: dict[str, dict[str, str]] = {
    "pre": {"en": "Pre-visit", "zh": "院前"},
    "in": {"en": "In-visit", "zh": "院中"},
    "post": {"en": "Post-visit", "zh": "院后"},
}

# canonical touchpoint: (stage, order within the journey, English name, Chinese name, aliases)
_ROWS: list[tuple[str, str, int, str, str, tuple[str, ...]]] = [
    ("information_search", "pre", 10, "Information search", "信息了解", ("information",)),
    ("phone_consultation", "pre", 11, "Phone consultation", "电话咨询", ("phone enquiry",)),
    ("referral", "pre", 12, "Referral by acquaintance", "熟人咨询", ("referral",)),
    ("appointment_booking", "pre", 13, "Appointment booking", "预约挂号",
     ("booking", "appointment", "预约")),
    ("arrival", "in", 20, "Arrival", "到院", ("check-in", "check in", "到达", "签到")),
    ("registration", "in", 21, "Registration", "挂号", ("register", "登记")),
    ("triage", "in", 22, "Triage", "分诊", ("预检分诊",)),
    ("waiting", "in", 23, "Waiting", "候诊", ("waiting room",)),
    ("consultation", "in", 24, "Consultation", "就诊",
     ("doctor", "physician", "examination", "clinical exam", "看诊", "门诊")),
    ("payment", "in", 25, "Payment", "缴费", ("billing", "cashier", "收费", "付费")),
    ("lab", "in", 26, "Lab", "检验", ("laboratory", "blood test", "化验", "抽血")),
    ("imaging", "in", 27, "Imaging", "检查", ("radiology", "x-ray", "ct", "mri", "ultrasound",
                                              "影像", "放射", "B超")),
    ("review", "in", 28, "Review of results", "看结果",
     ("review", "results review", "复诊看结果", "复看")),
    ("pharmacy", "in", 29, "Pharmacy", "取药", ("dispensing", "medication", "药房", "发药")),
    ("treatment", "in", 30, "Treatment", "治疗", ("procedure", "处置", "抢救")),
    ("admission", "in", 31, "Admission", "入院", ("admitted", "住院")),
    ("discharge", "in", 32, "Discharge", "出院", ("discharged",)),
    ("left_unseen", "in", 33, "Left unseen", "未就诊离开",
     ("left without being seen", "lwbs", "left before seen", "离开")),
    ("exit", "in", 34, "Exit", "离院", ("departure", "leave", "end of visit")),
    ("follow_up_call", "post", 40, "Follow-up call", "回访", ("follow up call", "phone follow-up",
                                                              "电话回访", "随访")),
    ("satisfaction_survey", "post", 41, "Satisfaction survey", "满意度调查", ("survey", "问卷")),
    ("complaint", "post", 42, "Complaint handling", "投诉处理", ("complaint", "投诉")),
    ("membership", "post", 43, "Membership activity", "会员活动", ("health management",
                                                                 "健康管理")),
    ("return_visit", "post", 44, "Return visit", "复诊", ("revisit", "return", "重复消费")),
    ("word_of_mouth", "post", 45, "Word of mouth", "口碑", ("recommendation", "推荐")),
]

CATALOGUE: pd.DataFrame = pd.DataFrame(
    [r[:5] for r in _ROWS], columns=["touchpoint", "stage", "order", "name_en", "name_zh"]
)


def _key(name: str) -> str:
    return re.sub(r"[\s_\-/]+", " ", str(name)).strip().casefold()


_LOOKUP: dict[str, str] = {}
for _tp, _stage, _order, _en, _zh, _aliases in _ROWS:
    for _name in (_tp, _en, _zh, *_aliases):
        _LOOKUP.setdefault(_key(_name), _tp)


def touchpoint_of(activity: str, mapping: Mapping[str, str] | None = None) -> str | None:
    """Canonical touchpoint of an activity name, or ``None`` when it is not in the catalogue.

    Parameters
    ----------
    activity : str
        An activity name as it appears in the log, English or Chinese.
    mapping : dict, optional
        The user's own ``{activity: touchpoint}`` entries, tried first.

    Examples
    --------
    >>> touchpoint_of("缴费"), touchpoint_of("Blood test"), touchpoint_of("Parking")
    ('payment', 'lab', None)
    """
    if mapping and activity in mapping:
        return mapping[activity]
    return _LOOKUP.get(_key(activity))


def activities_of(activities: Iterable[str], *touchpoints: str,
                  mapping: Mapping[str, str] | None = None) -> list[str]:
    """The activity names of a log that map onto catalogue touchpoints, in the log's order.

    This is how analyses find a log's own name for a step (its "left unseen" or "consultation"
    touchpoint) instead of assuming one hospital's names.

    Parameters
    ----------
    activities : iterable of str
        The log's activity names (``log.activities``).
    *touchpoints : str
        Canonical touchpoints (the ``touchpoint`` column of :data:`CATALOGUE`).
    mapping : dict, optional
        The user's own ``{activity: touchpoint}`` entries, tried first.

    Examples
    --------
    >>> activities_of(["挂号", "看诊", "未就诊离开"], "consultation", "treatment")
    ['看诊']
    >>> activities_of(["Registration"], "left_unseen")
    []
    """
    unknown = set(touchpoints) - set(CATALOGUE.touchpoint)
    if unknown:
        raise JourneyError(f"not catalogue touchpoints: {sorted(unknown)}; use names from "
                         "CATALOGUE.touchpoint")
    return [a for a in dict.fromkeys(activities) if touchpoint_of(a, mapping) in touchpoints]


def stage_of(activity: str, mapping: Mapping[str, str] | None = None) -> str:
    """Stage (``"pre"``, ``"in"`` or ``"post"``) of an activity; unknown activities are ``"in"``.

    ``mapping`` may map an activity either to a stage or to a catalogue touchpoint.

    Examples
    --------
    >>> stage_of("Follow-up call"), stage_of("预约挂号"), stage_of("Lab"), stage_of("Parking")
    ('post', 'pre', 'in', 'in')
    >>> stage_of("Parking", {"Parking": "pre"})
    'pre'
    """
    if mapping and mapping.get(activity) in STAGES:
        return mapping[activity]
    tp = touchpoint_of(activity, mapping)
    if tp is None:
        return "in"
    return CATALOGUE.set_index("touchpoint").at[tp, "stage"]


def catalogue(activities: Iterable[str] | None = None, mapping: Mapping[str, str] | None = None,
              ) -> pd.DataFrame:
    """The touchpoint catalogue, and which touchpoints a log covers.

    Parameters
    ----------
    activities : iterable of str, optional
        The activity names of a log. When given, the result gains a column ``activities``
        listing the log's names mapped onto each touchpoint (empty when the log does not
        cover it) and one row per unmapped activity (``touchpoint`` missing).
    mapping : dict, optional
        The user's own ``{activity: touchpoint}`` entries.

    Examples
    --------
    >>> cat = catalogue(["挂号", "Lab", "Parking"])
    >>> cat.loc[cat.touchpoint == "registration", "activities"].item()
    ['挂号']
    """
    out = CATALOGUE.copy()
    if activities is None:
        return out
    names = sorted(set(activities))
    mapped = {a: touchpoint_of(a, mapping) for a in names}
    out["activities"] = [[a for a in names if mapped[a] == tp] for tp in out.touchpoint]
    unmapped = [a for a in names if mapped[a] is None]
    if unmapped:
        extra = pd.DataFrame({"touchpoint": None, "stage": "in", "order": 99,
                              "name_en": unmapped, "name_zh": unmapped,
                              "activities": [[a] for a in unmapped]})
        out = pd.concat([out, extra], ignore_index=True)
    return out


#: A touchpoint opens a new episode when its median gap is at least this many times the
#: typical gap of the log, and at least :data:`EPISODE_FLOOR_MIN` minutes.
EPISODE_FACTOR = 10
EPISODE_FLOOR_MIN = 7 * 24 * 60


def _new_episodes(touchpoints: pd.DataFrame, column: str = "wait_median") -> pd.DataFrame:
    """The touchpoints that open a new episode rather than continue the visit.

    A *new episode* is a return (to the ED weeks later, a readmission): the time before the
    touchpoint is not part of the visit's journey, so it is no pain point of the visit. From
    the data: the typical gap of the log is the median of the touchpoints' median gaps,
    weighted by their events (so the busy touchpoints set it); a touchpoint opens a new
    episode when its median gap is at least :data:`EPISODE_FACTOR` times that typical gap and
    at least :data:`EPISODE_FLOOR_MIN` minutes (a week), so that days-long stays of inpatient
    logs are not cut into episodes.

    Returns the rows of ``touchpoints`` that open one, with ``typical`` (minutes) added.

    Examples
    --------
    >>> tp = pd.DataFrame({"activity": ["Triage", "Lab", "ED return"],
    ...                    "events": [100, 300, 10], "wait_median": [10.0, 30.0, 68064.0]})
    >>> _new_episodes(tp)[["activity", "typical"]]
        activity  typical
    2  ED return     30.0
    """
    known = touchpoints[touchpoints[column].notna()]
    if known.empty:
        return known.assign(typical=pd.Series(dtype="float64"))
    weights = known["events"] if "events" in known else known.get("cases", 1)
    order = known[column].sort_values(kind="stable")
    cum = pd.Series(weights, index=known.index).reindex(order.index).cumsum()
    typical = float(order[cum >= cum.iloc[-1] / 2].iloc[0])
    limit = max(EPISODE_FACTOR * typical, EPISODE_FLOOR_MIN)
    return known[known[column] >= limit].assign(typical=typical)
