"""The rows of the touchpoint catalogue, the lookup of activity names and the episode rule.

:mod:`journey.stages` builds :data:`journey.stages.CATALOGUE` from these rows and maps activity
names with the lookup; :mod:`journey._scan` takes the Chinese names from it so that no
touchpoint name is taken for a person's name; :mod:`journey._figures_maps` leaves the touchpoints
that open a new episode (:func:`_new_episodes`) out of a visit's pain points.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["EPISODE_FACTOR", "EPISODE_FLOOR_MIN", "_LOOKUP", "_ROWS", "_key", "_new_episodes"]

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


def _key(name: str) -> str:
    return re.sub(r"[\s_\-/]+", " ", str(name)).strip().casefold()


_LOOKUP: dict[str, str] = {}
for _tp, _stage, _order, _en, _zh, _aliases in _ROWS:
    for _name in (_tp, _en, _zh, *_aliases):
        _LOOKUP.setdefault(_key(_name), _tp)


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
