"""The touchpoint catalogue: stages of a hospital visit, with English and Chinese names.

Every touchpoint belongs to one stage: ``"pre"`` (before the visit, 院前), ``"in"``
(during the visit, 院中) or ``"post"`` (after the visit, 院后). The catalogue maps the common
English and Chinese activity names onto canonical touchpoints; users override or extend it
with their own mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from journey._catalogue import _LOOKUP, _ROWS, _key
from journey._catalogue import EPISODE_FACTOR as EPISODE_FACTOR
from journey._catalogue import EPISODE_FLOOR_MIN as EPISODE_FLOOR_MIN
from journey.errors import JourneyError

__all__ = ["CATALOGUE", "STAGES", "activities_of", "catalogue", "stage_of", "touchpoint_of"]

STAGES: dict[str, dict[str, str]] = {
    "pre": {"en": "Pre-visit", "zh": "院前"},
    "in": {"en": "In-visit", "zh": "院中"},
    "post": {"en": "Post-visit", "zh": "院后"},
}

CATALOGUE: pd.DataFrame = pd.DataFrame(
    [r[:5] for r in _ROWS], columns=["touchpoint", "stage", "order", "name_en", "name_zh"]
)


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


