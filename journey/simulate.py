"""A simulated hospital with known ground truth, and what-if experiments on it.

The model (SimPy) has an outpatient department for Internal Medicine, one for Surgery and an
Emergency department, over about 13 weeks. Patients arrive by hour of day and weekday
(non-homogeneous Poisson, thinning), pass the touchpoints of the catalogue served by named staff
on hourly shifts, may leave unseen when their patience runs out, are sometimes sent back
(rework) or re-routed from the wrong department, and after the visit get follow-up calls, answer
satisfaction surveys, complain and come back, each with a known rate or coefficient.

Outpatient flow: Registration → Triage → Consultation → Payment → Lab and/or Imaging (some) →
Review of results (after the test results are ready) → Pharmacy (most) → exit. Emergency flow:
Triage (priority 1-5) → Treatment (priority queue) → Lab/Imaging (some) → Admission or
Discharge. Known facts built in: the Lab is under-staffed on weekdays 09:00-11:00, and from
2025-02-24 Internal Medicine gives time-slot appointments (分时段预约) to most patients while
Surgery (the control) does not.

``python -m journey.simulate --out data/sample`` writes the sample data set, byte for byte the
same for the same seed, with ``truth.json`` holding the true effects and rates.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from journey import _hospital as hp
from journey._labels import _ZH_VALUES, texts
from journey._result import Result
from journey.errors import JourneyError
from journey.stages import CATALOGUE

__all__ = [
    "EstimatedScenario",
    "Scenario",
    "SimulationResult",
    "WhatIfResult",
    "estimate_scenario",
    "simulate_hospital",
    "what_if",
    "write_sample",
]

START = "2025-01-06"
DAYS = 91
SEED = 2025
INTERVENTION_DATE = "2025-02-24"
#: The study file of the sample's change, read by ``journey report --study`` and notebook 04.
_STUDY = """\
# The change studied in the sample hospital: `journey report --study data/sample/study.toml`
# and notebook 04 read it. Time-slot appointments in Internal Medicine from 24 February 2025.
intervention = "{date}"
department = "Internal Medicine"
control = "Surgery"
activity = "Consultation"
target_wait = 30
case_mix = ["weekday", "age_band", "chronic", "visit_type"]
"""
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Scenario:
    """The operational levers of the simulated hospital.

    Parameters
    ----------
    name : str
        Label used in tables and figures.
    arrivals : dict
        ``{department: {day_type: 24 hourly rates}}``: walk-in demand in patients per hour,
        day types ``"weekday"``, ``"saturday"``, ``"sunday"``; departments
        ``"Internal Medicine"``, ``"Surgery"``, ``"Emergency"``.
    arrival_multiplier : tuple of 24 float
        Multiplies the arrival rate of every department by hour of day.
    staffing : dict
        ``{pool: {day_type: 24 hourly staff counts}}``. Pools are the shared desks
        ``"Registration"``, ``"Payment"``, ``"Lab"``, ``"Imaging"``, ``"Pharmacy"`` and the
        department ones ``"<department>: Triage"``, ``"<department>: Consultation"`` (which also
        does Review of results), ``"Emergency: Treatment"``, ``"Emergency: Desk"`` (admission and
        discharge). Queues are first come, first served within a priority level and not
        preemptive (emergency treatment by triage priority; booked patients before walk-ins at
        consultation; emergency patients first at the lab and imaging). When a pool's staffing
        drops to zero, the staff on duty finish their queue, and a patient who comes later the
        same day is seen by one of them on call.
    service : dict
        ``{activity: (family, mean_minutes, cv)}`` with family ``"lognormal"`` or ``"gamma"``.
    timeslots : dict
        ``{department: "YYYY-MM-DD"}``: outpatient departments that give time-slot appointments
        from that date on.
    booked_share : float
        Share of outpatients with a booked appointment where time slots are not in use.
    timeslot_share : float
        Share with a time-slot appointment once a department uses time slots. Booked patients
        get same-day slots spread in proportion to the doctors on duty, in the order in which
        they would have walked in, arrive about 20 minutes early, are called at their slot and
        go before walk-ins.

    Examples
    --------
    >>> base = Scenario.baseline()
    >>> more_lab = base.with_staff("Lab", hours=range(9, 11), change=+2)
    >>> base.staffing["Lab"]["weekday"][9], more_lab.staffing["Lab"]["weekday"][9]
    (1, 3)
    >>> Scenario.baseline().with_timeslots("Internal Medicine", None).timeslots
    {}
    """

    name: str = "baseline"
    arrivals: Mapping[str, Mapping[str, tuple]] = field(
        default_factory=lambda: copy.deepcopy(hp.ARRIVALS), repr=False)
    arrival_multiplier: tuple = (1.0,) * 24
    staffing: Mapping[str, Mapping[str, tuple]] = field(
        default_factory=lambda: copy.deepcopy(hp.STAFFING), repr=False)
    service: Mapping[str, tuple] = field(default_factory=lambda: dict(hp.SERVICE), repr=False)
    timeslots: Mapping[str, str] = field(
        default_factory=lambda: {"Internal Medicine": INTERVENTION_DATE})
    booked_share: float = 0.15
    timeslot_share: float = 0.85

    @classmethod
    def baseline(cls) -> Scenario:
        """The sample hospital as it ran in 2025 (time slots in Internal Medicine from 24 Feb).

        Examples
        --------
        >>> Scenario.baseline().timeslots
        {'Internal Medicine': '2025-02-24'}
        """
        return cls()

    def with_staff(self, pool: str, *, hours: Iterable[int], change: int | None = None,
                   staff: int | None = None, days: str = "weekday",
                   name: str | None = None) -> Scenario:
        """A copy with the staffing of ``pool`` changed (``change``) or set (``staff``).

        ``days`` is ``"weekday"``, ``"saturday"``, ``"sunday"`` or ``"all"``.

        Examples
        --------
        >>> s = Scenario.baseline().with_staff("Pharmacy", hours=[8], staff=4, days="all")
        >>> s.staffing["Pharmacy"]["sunday"][8], s.name
        (4, 'Pharmacy 4 at 08h')
        """
        if pool not in self.staffing:
            raise JourneyError(f"unknown staffing pool {pool!r}; use one of "
                               f"{sorted(self.staffing)}")
        if (change is None) == (staff is None):
            raise JourneyError("give exactly one of change= (add/remove staff) or staff= (set)")
        types = hp.DAYTYPES if days == "all" else (days,)
        if not set(types) <= set(hp.DAYTYPES):
            raise JourneyError(f"days must be one of {hp.DAYTYPES} or 'all', not {days!r}")
        hrs = sorted(set(hours))
        if not all(0 <= h < 24 for h in hrs):
            raise JourneyError("hours must be whole hours 0-23")
        table = copy.deepcopy(dict(self.staffing))
        for t in types:
            row = list(table[pool][t])
            for h in hrs:
                row[h] = max(0, row[h] + change) if staff is None else staff
            table[pool] = {**table[pool], t: tuple(row)}
        what = f"{change:+d}" if staff is None else f"{staff}"
        label = name or f"{pool} {what} at " + ",".join(f"{h:02d}h" for h in hrs)
        return replace(self, staffing=table, name=label)

    def with_timeslots(self, department: str, since: str | None,
                       name: str | None = None) -> Scenario:
        """A copy where ``department`` uses time slots from ``since`` (``None``: never).

        Examples
        --------
        >>> Scenario.baseline().with_timeslots("Surgery", "2025-03-03").timeslots["Surgery"]
        '2025-03-03'
        """
        if department not in hp.OPD:
            raise JourneyError(f"time slots apply to {hp.OPD}, not {department!r}")
        slots = {k: v for k, v in self.timeslots.items() if k != department}
        if since is not None:
            slots[department] = str(pd.Timestamp(since).date())
        label = name or (f"{department} time slots from {since}" if since
                         else f"{department} without time slots")
        return replace(self, timeslots=slots, name=label)


def _check(s: Scenario) -> None:
    def fail(msg):
        raise JourneyError(f"scenario {s.name!r}: {msg}")

    for dept in hp.DEPARTMENTS:
        if dept not in s.arrivals or any(len(s.arrivals[dept].get(t, ())) != 24
                                         for t in hp.DAYTYPES):
            fail(f"arrivals need {dept!r} with 24 hourly rates for each of {hp.DAYTYPES}")
    if len(s.arrival_multiplier) != 24 or min(s.arrival_multiplier) < 0:
        fail("arrival_multiplier needs 24 non-negative values, one per hour of day")
    top = max(rate * m for rows in s.arrivals.values() for r in rows.values()
              for rate, m in zip(r, s.arrival_multiplier, strict=True))
    if top > hp.MAX_RATE:
        fail(f"arrival rates (× multiplier) reach {top:g} patients per hour; the simulation "
             f"supports at most {hp.MAX_RATE:g} per department and hour")
    for pool in hp.POOLS:
        rows = s.staffing.get(pool, {})
        if any(len(rows.get(t, ())) != 24 for t in hp.DAYTYPES):
            fail(f"staffing needs {pool!r} with 24 hourly counts for each of {hp.DAYTYPES}")
        if min(min(r) for r in rows.values()) < 0:
            fail(f"staffing of {pool!r} is negative")
    for dept in hp.OPD:
        if max(s.staffing[f"{dept}: Consultation"]["weekday"]) == 0:
            fail(f"{dept} has no doctors on weekdays")
    for act in hp.ACTIVITIES:
        fam, mean, cv = s.service.get(act, ("", 0, 0))
        if fam not in ("lognormal", "gamma") or mean <= 0 or cv <= 0:
            fail(f"service[{act!r}] must be ('lognormal' or 'gamma', mean > 0, cv > 0)")
    if set(s.timeslots) - set(hp.OPD):
        fail(f"time slots apply only to {hp.OPD}")
    if not (0 <= s.booked_share <= 1 and 0 <= s.timeslot_share <= 1):
        fail("booked_share and timeslot_share are shares between 0 and 1")


# -- one run ----------------------------------------------------------------------------------

@dataclass(repr=False)
class SimulationResult(Result):
    """One simulated period: the visit log and the side tables, as pandas DataFrames.

    Attributes
    ----------
    log : DataFrame
        One row per touchpoint (canonical schema): case_id, patient_id, department, activity,
        start, end, resource, age_band, chronic, visit_type, booking, triage_priority, charge.
    surveys, survey_touchpoints, complaints, followup_calls, patients : DataFrame
        The post-visit side tables (see ``data/sample/README.md``).
    scenario : Scenario
    seed, start, days
        The arguments of the run.
    notes : list of str
    """

    _tables = ("table", "log", "surveys", "survey_touchpoints", "complaints", "followup_calls",
               "patients")

    log: pd.DataFrame
    surveys: pd.DataFrame
    survey_touchpoints: pd.DataFrame
    complaints: pd.DataFrame
    followup_calls: pd.DataFrame
    patients: pd.DataFrame
    scenario: Scenario
    seed: int | tuple
    start: str
    days: int
    notes: list[str] = field(default_factory=list)

    def _headline(self) -> str:
        return f"SimulationResult: {self.scenario.name}, {self.days} days from {self.start}"

    @property
    def table(self) -> pd.DataFrame:
        """Waits and service times (minutes) by department and touchpoint.

        Wait before a touchpoint = its start minus the end of the previous touchpoint of the
        same visit (first touchpoints have none).
        """
        w = _with_waits(self.log)
        return (w.groupby(["department", "activity"], sort=True)
                .agg(events=("case_id", "size"), visits=("case_id", "nunique"),
                     mean_wait=("wait", "mean"), median_wait=("wait", "median"),
                     p90_wait=("wait", lambda x: x.quantile(0.9)),
                     mean_service=("service", "mean"))
                .reset_index())

    def figure(self):
        """Mean wait before each touchpoint by department (a bar chart)."""
        from journey import _figures_experience

        return _figures_experience.simulation(self)


def simulate_hospital(scenario: Scenario | None = None, *, seed: int | Sequence[int] = SEED,
                      start: str = START, days: int = DAYS) -> SimulationResult:
    """Run the simulated hospital once.

    Parameters
    ----------
    scenario : Scenario, optional
        Defaults to ``Scenario.baseline()``.
    seed : int or sequence of int
        The same seed gives the same frames; scenarios run with the same seed share their
        patients and random draws (common random numbers).
    start : str
        First day (a date); the simulation starts at its midnight.
    days : int
        Number of days with arrivals. Visits running past the end are completed; return visits
        falling after it are not simulated.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> res = simulate_hospital(seed=1, days=7)
    >>> sorted(res.log.department.unique())
    ['Emergency', 'Internal Medicine', 'Surgery']
    >>> res.log.case_id.iloc[0], res.log.patient_id.iloc[0]
    ('V000001', 'P000001')
    """
    scenario = Scenario.baseline() if scenario is None else scenario
    _check(scenario)
    if int(days) < 1:
        raise JourneyError(f"days must be at least 1, not {days}")
    t0 = pd.Timestamp(start).normalize()
    seeds = [int(seed)] if np.ndim(seed) == 0 else [int(s) for s in seed]
    h = hp.Hospital(scenario, seeds, t0, int(days))
    h.run()
    t = hp.tables(h)
    return SimulationResult(t["visits"], t["surveys"], t["survey_touchpoints"],
                            t["complaints"], t["followup_calls"], t["patients"], scenario,
                            seed, str(t0.date()), int(days))


def _with_waits(log: pd.DataFrame) -> pd.DataFrame:
    """Log in canonical order (case, start, end, row) with ``wait`` and ``service`` minutes."""
    d = log.assign(_row=np.arange(len(log)))
    d = d.sort_values(["case_id", "start", "end", "_row"], kind="stable", ignore_index=True)
    prev = d.groupby("case_id", sort=False)["end"].shift()
    d["wait"] = (d["start"] - prev).dt.total_seconds() / 60
    d["service"] = (d["end"] - d["start"]).dt.total_seconds() / 60
    return d.drop(columns="_row")


def _cases(log: pd.DataFrame) -> pd.DataFrame:
    """One row per visit: department (of its last event), arrival, end, length of stay."""
    d = _with_waits(log)
    g = d.groupby("case_id", sort=True)
    out = g.agg(patient_id=("patient_id", "first"), department=("department", "last"),
                arrival=("start", "min"), end=("end", "max"))
    acts = g["activity"].agg(set)
    out["left_unseen"] = acts.map(lambda a: hp.LEFT_UNSEEN in a)
    out["admitted"] = acts.map(lambda a: "Admission" in a)
    out["los"] = (out["end"] - out["arrival"]).dt.total_seconds() / 60
    return out.reset_index()


# -- what-if ----------------------------------------------------------------------------------

def _metrics(log: pd.DataFrame) -> pd.DataFrame:
    w = _with_waits(log)
    w = w[w.activity != hp.LEFT_UNSEEN]
    by = w.groupby("activity")["wait"]
    c = _cases(log)
    rows = [("mean wait (min)", a, x) for a, x in by.mean().items()]
    rows += [("median wait (min)", a, x) for a, x in by.median().items()]
    rows += [("mean length of stay (min)", "all visits", c["los"].mean()),
             ("median length of stay (min)", "all visits", c["los"].median()),
             ("left unseen (%)", "all visits", 100 * c["left_unseen"].mean())]
    return pd.DataFrame(rows, columns=["metric", "activity", "value"])


@dataclass(repr=False)
class WhatIfResult(Result):
    """Scenario against baseline over paired replications (common random numbers).

    Attributes
    ----------
    table : DataFrame
        metric, activity, baseline, scenario (means over replications), difference
        (scenario - baseline), ci_low, ci_high (95% t-interval of the paired differences across
        replications), replications.
    replications : DataFrame
        The metric of every replication and arm (long format).
    logs : DataFrame
        All simulated logs, with columns ``arm`` and ``replication`` in front.
    method : str
        How the intervals were computed.
    notes : list of str
    """

    _tables = ("table", "replications", "logs")

    scenario: Scenario
    baseline: Scenario
    table: pd.DataFrame
    replications: pd.DataFrame
    logs: pd.DataFrame
    method: str = ("Each replication runs both arms with the same seed (common random numbers); "
                   "the 95% interval is a t-interval on the paired differences across "
                   "replications (mean ± t(0.975, n-1)·sd/√n).")
    notes: list[str] = field(default_factory=list)

    def _headline(self) -> str:
        return f"WhatIfResult: {self.scenario.name} vs {self.baseline.name}"

    def figure(self, metric: str = "mean wait (min)", *, lang: str | None = None,
               title: str | None = None):
        """Differences with 95% intervals for one metric (a figure), plus the visit metrics.

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of title, axis, metric and touchpoint names (the default scenario name "baseline" is
        基线 in Chinese); ``title`` replaces the default title.

        Examples
        --------
        >>> more_lab = Scenario.baseline().with_staff("Lab", hours=[9, 10], change=+2)
        >>> res = what_if(more_lab, replications=2, days=2, progress=False)
        >>> res.figure(lang="zh").layout.xaxis.title.text
        '情景 − 基线'
        """
        from journey import _figures_experience
        from journey._language import _resolve

        return _figures_experience.what_if(self, metric=metric, title=title,
                                           lang=_resolve(lang))


def what_if(scenario: Scenario, *, baseline: Scenario | None = None, replications: int = 5,
            seed: int = SEED, start: str = START, days: int = DAYS,
            progress: bool = True) -> WhatIfResult:
    """Compare a scenario with the baseline over paired replications.

    Replication ``r`` runs both arms with seed ``(seed, r)``: the same patients, service times
    and decisions (common random numbers), so the differences isolate the scenario's effect.

    Parameters
    ----------
    scenario : Scenario
    baseline : Scenario, optional
        Defaults to ``Scenario.baseline()``.
    replications : int
        At least 2.
    seed, start, days
        As in :func:`simulate_hospital`.
    progress : bool
        Show a progress bar over replications.

    Returns
    -------
    WhatIfResult
        ``.table`` with mean/median wait per touchpoint, length of stay and leave-unseen rate
        per arm and the paired difference with its 95% t-interval; ``.figure()``.

    Examples
    --------
    >>> more_lab = Scenario.baseline().with_staff("Lab", hours=[9, 10], change=+2)
    >>> res = what_if(more_lab, replications=2, days=7, progress=False)
    >>> row = res.table.query("metric == 'mean wait (min)' and activity == 'Lab'")
    >>> bool(row.difference.item() < 0)
    True
    """
    from tqdm.auto import tqdm

    baseline = Scenario.baseline() if baseline is None else baseline
    if int(replications) < 2:
        raise JourneyError("replications must be at least 2 to give an interval")
    logs, mets = [], []
    for r in tqdm(range(int(replications)), desc="replications", disable=not progress):
        for arm, sc in (("baseline", baseline), ("scenario", scenario)):
            log = simulate_hospital(sc, seed=(seed, r), start=start, days=days).log
            logs.append(log.assign(arm=arm, replication=r))
            mets.append(_metrics(log).assign(arm=arm, replication=r))
    reps = pd.concat(mets, ignore_index=True)
    wide = reps.pivot_table(index=["metric", "activity", "replication"], columns="arm",
                            values="value", sort=True).reset_index()
    wide["difference"] = wide["scenario"] - wide["baseline"]

    def summary(g):
        d = g["difference"].dropna()
        n = len(d)
        half = stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n) if n > 1 else np.nan
        return pd.Series({"baseline": g["baseline"].mean(), "scenario": g["scenario"].mean(),
                          "difference": d.mean(), "ci_low": d.mean() - half,
                          "ci_high": d.mean() + half, "replications": n})

    table = (wide.groupby(["metric", "activity"], sort=True)[["baseline", "scenario",
                                                               "difference"]]
             .apply(summary).reset_index())
    table["replications"] = table["replications"].astype(int)
    cols = ["arm", "replication"]
    all_logs = pd.concat(logs, ignore_index=True)
    return WhatIfResult(scenario, baseline, table, reps,
                        all_logs[cols + [c for c in all_logs.columns if c not in cols]])


# -- estimating a scenario from a real log ----------------------------------------------------

@dataclass(repr=False)
class EstimatedScenario(Result):
    """What a visit log says about arrivals, service times and staffing.

    Attributes
    ----------
    arrivals : DataFrame
        department, weekday, hour, arrivals_per_hour (visits whose first touchpoint starts in
        that hour, divided by the number of such weekdays in the log's date range).
    service : DataFrame
        activity, n, excluded, mu, sigma (lognormal fit of service minutes by maximum
        likelihood: mean and sd of log minutes), median, mean, cv.
    staffing : DataFrame
        pool, weekday, hour, staff and staff_max (distinct resources active in that hour:
        mean and maximum over the dates of that weekday).
    notes : list of str
        Every inference made, and what could not be estimated.
    """

    _tables = ("service", "arrivals", "staffing")

    arrivals: pd.DataFrame
    service: pd.DataFrame
    staffing: pd.DataFrame
    notes: list[str]

    def to_scenario(self, base: Scenario | None = None, name: str = "estimated") -> Scenario:
        """Plug the estimates into a copy of ``base`` where departments, pools and activities
        match: arrival rates (mean over the weekdays of a day type), staffing (the most staff
        seen on one date), lognormal service times. Observed arrival times are replayed as
        walk-in demand (no bookings).

        Examples
        --------
        >>> est = estimate_scenario(simulate_hospital(days=14).log)
        >>> est.to_scenario().staffing["Lab"]["weekday"][10]
        1
        """
        base = Scenario.baseline() if base is None else base
        day_of = {"weekday": WEEKDAYS[:5], "saturday": ("Saturday",), "sunday": ("Sunday",)}

        def by_daytype(frame, key, value, how, rnd):
            out = {}
            for k, g in frame.groupby(key, sort=True):
                out[k] = {t: tuple(rnd(x) for x in g[g.weekday.isin(w)].groupby("hour")[value]
                                   .agg(how).reindex(range(24), fill_value=0))
                          for t, w in day_of.items()}
            return out

        arr = by_daytype(self.arrivals, "department", "arrivals_per_hour", "mean",
                         lambda x: round(float(x), 4))
        staff = by_daytype(self.staffing, "pool", "staff_max", "max", int)
        service = {r.activity: ("lognormal", float(r.mean), float(r.cv))
                   for r in self.service.itertuples() if r.activity in base.service}
        return replace(base, name=name,
                       arrivals={**base.arrivals, **{k: v for k, v in arr.items()
                                                     if k in base.arrivals}},
                       staffing={**base.staffing, **{k: v for k, v in staff.items()
                                                     if k in base.staffing}},
                       service={**base.service, **service}, timeslots={}, booked_share=0.0)


def _arrival_profile(d: pd.DataFrame) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """Arrivals per hour by department, weekday and hour; the dates they are averaged over."""
    first = d.dropna(subset=["start"]).sort_values("start", kind="stable").groupby("case").first()
    dates = pd.date_range(first["start"].min().normalize(), first["start"].max().normalize())
    n_days = pd.Series(dates.day_of_week).value_counts().reindex(range(7), fill_value=0)
    counts = (first.assign(weekday=first["start"].dt.day_of_week, hour=first["start"].dt.hour)
              .groupby(["department", "weekday", "hour"]).size())
    grid = pd.MultiIndex.from_product([sorted(first["department"].unique()), range(7),
                                       range(24)], names=["department", "weekday", "hour"])
    arrivals = counts.reindex(grid, fill_value=0).rename("arrivals").reset_index()
    arrivals["arrivals_per_hour"] = arrivals["arrivals"] / arrivals["weekday"].map(n_days)
    arrivals["weekday"] = arrivals["weekday"].map(dict(enumerate(WEEKDAYS)))
    arrivals = arrivals.drop(columns="arrivals")
    return arrivals, dates


def _service_times(d: pd.DataFrame) -> pd.DataFrame:
    """Per activity, the lognormal fitted by maximum likelihood to its positive durations."""
    rows = []
    for act, g in d.groupby("activity", sort=True):
        x = g["minutes"][g["minutes"] > 0]
        if len(x) < 2:
            rows.append((act, len(x), len(g) - len(x)) + (np.nan,) * 5)
            continue
        lx = np.log(x.to_numpy())
        mu, sigma = lx.mean(), lx.std(ddof=0)
        rows.append((act, len(x), len(g) - len(x), mu, sigma, math.exp(mu),
                     math.exp(mu + sigma ** 2 / 2), math.sqrt(math.expm1(sigma ** 2))))
    return pd.DataFrame(rows, columns=["activity", "n", "excluded", "mu", "sigma", "median",
                                       "mean", "cv"])


def _staffing(d: pd.DataFrame, dates: pd.DatetimeIndex, *, by_department: bool,
              ) -> pd.DataFrame:
    """Distinct resources on duty per pool, weekday and hour: the mean and the most seen."""
    r = d.dropna(subset=["resource", "start", "end"]).copy()
    shared = r.groupby("resource")["department"].nunique()
    r_shared = r.groupby("activity")["resource"].agg(lambda s: bool((shared[s] > 1).any()))
    r["pool"] = np.where(r["activity"].map(r_shared), r["activity"],
                         r["department"] + ": " + r["activity"])
    if not by_department:
        r["pool"] = r["activity"]
    t0 = r["start"].dt.floor("h")
    span = ((r["end"].dt.floor("h") - t0) // pd.Timedelta(hours=1)).clip(lower=0)
    r = r.loc[r.index.repeat(span + 1)]
    r["slot"] = r["start"].dt.floor("h") + pd.to_timedelta(
        r.groupby(level=0).cumcount(), unit="h")
    active = r.groupby(["pool", "slot"])["resource"].nunique().rename("staff").reset_index()
    hours_all = pd.date_range(dates[0], dates[-1] + pd.Timedelta(hours=23), freq="h")
    full = pd.MultiIndex.from_product([sorted(r["pool"].unique()), hours_all],
                                      names=["pool", "slot"])
    active = active.set_index(["pool", "slot"])["staff"].reindex(full, fill_value=0)
    active = active.reset_index()
    active["weekday"] = active["slot"].dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    active["hour"] = active["slot"].dt.hour
    staffing = (active.groupby(["pool", "weekday", "hour"], sort=False)["staff"]
                .agg(staff="mean", staff_max="max").reset_index())
    staffing["weekday"] = pd.Categorical(staffing["weekday"], WEEKDAYS, ordered=True)
    staffing = staffing.sort_values(["pool", "weekday", "hour"], ignore_index=True)
    staffing["weekday"] = staffing["weekday"].astype(str)
    return staffing


def estimate_scenario(log: pd.DataFrame, *, case: str = "case_id", activity: str = "activity",
                      start: str = "start", end: str = "end", resource: str = "resource",
                      department: str = "department") -> EstimatedScenario:
    """Estimate arrival rates, service-time distributions and staffing from a visit log.

    Parameters
    ----------
    log : DataFrame
        Canonical schema, one row per touchpoint with start and end times.
    case, activity, start, end, resource, department : str
        Column names; ``resource`` and ``department`` are optional.

    Returns
    -------
    EstimatedScenario
        Tables ``arrivals``, ``service``, ``staffing`` and the ``notes`` stating each inference.

    Examples
    --------
    >>> est = estimate_scenario(simulate_hospital(days=14).log)
    >>> lab = est.service.set_index("activity").loc["Lab"]
    >>> bool(7 < lab["mean"] < 9)
    True
    """
    missing = [c for c in (case, activity, start, end) if c not in log.columns]
    if missing:
        raise JourneyError(f"the log has no column(s) {missing}; name them with "
                           f"case=, activity=, start=, end=", source="<DataFrame>")
    log = log.reset_index(drop=True)
    d = pd.DataFrame({"case": log[case].astype(str), "activity": log[activity].astype(str),
                      "start": pd.to_datetime(log[start]), "end": pd.to_datetime(log[end])})
    d["department"] = log[department].astype(str) if department in log.columns else "all"
    notes = []
    if d["start"].isna().all():
        raise JourneyError("no start times: service times and staffing need them",
                           source="<DataFrame>", column=start)

    # arrivals: first start of each visit, per weekday and hour
    arrivals, dates = _arrival_profile(d)
    notes.append(f"Arrivals: a visit arrives when its first touchpoint starts; counts per "
                 f"weekday and hour are divided by the number of such weekdays between "
                 f"{dates[0].date()} and {dates[-1].date()} ({len(dates)} days). Booked "
                 f"patients' arrival times reflect their slots, not their demand.")
    if department not in log.columns:
        notes.append(f"No column {department!r}: one arrival profile for all departments.")

    # service times: lognormal maximum likelihood on positive durations
    d["minutes"] = (d["end"] - d["start"]).dt.total_seconds() / 60
    service = _service_times(d)
    notes.append("Service times: end − start in minutes; lognormal fitted by maximum "
                 "likelihood (mu, sigma = mean and sd of log minutes). Zero-length and missing "
                 "durations are excluded and counted in `excluded` (e.g. 'Left unseen'). "
                 "Activities with fewer than 2 positive durations are not fitted.")

    # staffing: distinct resources active per date and hour
    if resource not in log.columns or log[resource].isna().all():
        staffing = pd.DataFrame(columns=["pool", "weekday", "hour", "staff", "staff_max"])
        notes.append(f"No column {resource!r}: staffing not estimated.")
    else:
        d["resource"] = log[resource]
        staffing = _staffing(d, dates, by_department=department in log.columns)
        notes.append("Staffing: a resource counts as on duty in an hour when it serves at "
                     "least one touchpoint overlapping that hour; `staff` is the mean over all "
                     "dates of that weekday, `staff_max` the most seen on one date. Idle staff "
                     "are invisible, so both are lower bounds of the rota; to_scenario() uses "
                     "staff_max.")
        notes.append("Pools: an activity whose resources also work in another department is "
                     "one shared pool named after the activity; otherwise the pool is "
                     "'<department>: <activity>'.")
    return EstimatedScenario(arrivals, service, staffing, notes)


# -- ground truth and the sample data set -----------------------------------------------------

def _r(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def _period_figures(res: SimulationResult) -> dict:
    """Waits before consultation and length of stay by department and period."""
    c = _cases(res.log)
    w = _with_waits(res.log)
    cons = w[w.activity == "Consultation"].merge(c[["case_id", "department", "arrival"]],
                                                 on="case_id", suffixes=("_row", ""))
    cut = pd.Timestamp(INTERVENTION_DATE)
    out = {}
    for dept in hp.OPD:
        out[dept] = {}
        for period, sel in (("before", lambda x: x["arrival"] < cut),
                            ("after", lambda x: x["arrival"] >= cut)):
            cc = c[(c.department == dept) & sel(c)]
            ww = cons[(cons.department == dept) & sel(cons)]["wait"]
            out[dept][period] = {
                "visits": len(cc), "consultations": len(ww),
                "mean_wait_before_consultation_min": _r(ww.mean()),
                "median_wait_before_consultation_min": _r(ww.median()),
                "mean_length_of_stay_min": _r(cc["los"].mean()),
                "median_length_of_stay_min": _r(cc["los"].median()),
                "left_unseen_rate": _r(cc["left_unseen"].mean())}
    return out


def _rates(res: SimulationResult) -> dict:
    c = _cases(res.log)
    calls = res.followup_calls
    eligible = c[~c.left_unseen & ~c.admitted]
    early = calls[(calls["called"] - calls["visit_end"]) <= pd.Timedelta(hours=72)]
    window_end = pd.Timestamp(res.start) + pd.Timedelta(days=res.days)
    index = c[c["end"] <= window_end - pd.Timedelta(days=30)]
    nxt = c.sort_values(["patient_id", "arrival", "case_id"]).groupby("patient_id")["arrival"]
    c["next_arrival"] = nxt.shift(-1)
    c = c.set_index("case_id")
    gap = c.loc[index.case_id, "next_arrival"] - c.loc[index.case_id, "end"]
    returned = (gap <= pd.Timedelta(days=30)).reset_index(drop=True)
    reached_early = index.case_id.isin(early.loc[early.reached, "case_id"]).reset_index(drop=True)
    comp = res.complaints
    resp = (comp["responded"] - comp["received"]) <= pd.Timedelta(hours=24)
    reso = (comp["resolved"] - comp["received"]) <= pd.Timedelta(hours=48)
    return {
        "visits": len(c),
        "left_unseen_rate": _r(c["left_unseen"].mean()),
        "left_unseen_rate_by_department": {k: _r(v) for k, v in
                                           c.groupby("department")["left_unseen"].mean().items()},
        "followup_within_3_days_rate": _r(eligible.case_id.isin(early.case_id).mean()),
        "followup_eligible_visits": len(eligible),
        "return_within_30_days_rate": _r(returned.mean()),
        "return_index_visits": int(len(index)),
        "return_within_30_days_rate_if_reached_within_3_days": _r(returned[reached_early].mean()),
        "return_within_30_days_rate_otherwise": _r(returned[~reached_early].mean()),
        "complaints": len(comp),
        "complaints_per_1000_visits": _r(1000 * len(comp) / len(c)),
        "complaint_category_shares": {k: _r(v) for k, v in
                                      comp["category"].value_counts(normalize=True)
                                      .sort_index().items()},
        "complaints_responded_within_24h_rate": _r(resp.mean()),
        "complaints_resolved_within_48h_rate": _r(reso.mean()),
        "complaints_not_resolved": int(comp["resolved"].isna().sum()),
        "surveys": len(res.surveys),
    }


def _truth(res: SimulationResult, counterfactual: SimulationResult) -> dict:
    real, cf = _period_figures(res), _period_figures(counterfactual)
    keys = ["mean_wait_before_consultation_min", "median_wait_before_consultation_min",
            "mean_length_of_stay_min", "median_length_of_stay_min", "left_unseen_rate"]
    effect = {d: {k: None if real[d]["after"][k] is None or cf[d]["after"][k] is None
                  else _r(real[d]["after"][k] - cf[d]["after"][k]) for k in keys}
              for d in hp.OPD}
    w = _with_waits(res.log)
    lab = w[(w.activity == "Lab") & w.wait.notna()]
    peak = (lab.start.dt.day_of_week < 5) & lab.start.dt.hour.isin([9, 10])
    s = hp.MODEL["survey"]
    b = sum(p["weight"] * p["per_hour_wait"] for p in s["dimensions"].values())
    return {
        "generator": {"command": "python -m journey.simulate --out data/sample",
                      "seed": res.seed, "start": res.start, "days": res.days,
                      "last_arrival_day": str((pd.Timestamp(res.start)
                                               + pd.Timedelta(days=res.days - 1)).date())},
        "definitions": {
            "visit": "one case_id; its department is the department of its last event; it "
                     "arrives when its first event starts",
            "wait_before_consultation": "Consultation start minus the end of the previous "
                                        "event of the same visit, in minutes (visits that left "
                                        "unseen have no consultation and are not included)",
            "length_of_stay": "last end minus first start of a visit, in minutes, all visits",
            "period": f"before: visits arriving before {INTERVENTION_DATE}; after: from it on",
            "left_unseen": "the visit has a 'Left unseen' event",
            "followup_within_3_days": "a follow-up call with called - visit_end <= 72 h, among "
                                      "visits without 'Left unseen' or 'Admission' events",
            "return_within_30_days": "the patient's next visit starts at most 30 days after "
                                     "this visit ends, among visits ending at least 30 days "
                                     "before the end of the arrival window",
            "complaints_per_1000_visits": "complaints / visits * 1000"},
        "intervention": {
            "description": "time-slot appointments (分时段预约) at registration/consultation",
            "department": "Internal Medicine", "control": "Surgery", "date": INTERVENTION_DATE,
            "booked_share_without_time_slots": res.scenario.booked_share,
            "booked_share_with_time_slots": res.scenario.timeslot_share,
            "realised": real,
            "counterfactual_without_time_slots": {d: cf[d]["after"] for d in hp.OPD},
            "true_effect_after": effect,
            "method": "the same seed (same patients and random draws) run with and without "
                      "time slots; true effect = realised after - counterfactual after. The "
                      "Surgery effect is the spill-over through shared desks and lab (about 0).",
        },
        "bottleneck": {
            "activity": "Lab", "resource_prefix": "LAB", "days": "Monday-Friday",
            "hours": "09:00-11:00", "staff": 1, "staff_07_09": 2, "staff_11_17": 3,
            "service_minutes": dict(zip(["family", "mean", "cv"], hp.SERVICE["Lab"],
                                        strict=True)),
            "realised_mean_wait_before_lab_min": {"weekday 09:00-11:00": _r(lab[peak].wait.mean()),
                                                  "other times": _r(lab[~peak].wait.mean())}},
        "rates": _rates(res),
        "survey_model": {**s, "overall_per_hour_wait": _r(b),
                         "note": "scores are round(latent) clipped to 1-5 (recommend 0-10); "
                                 "latent = intercept + coefficients * (hours waited in total, "
                                 "rework 0/1, left unseen 0/1) + patient mood + noise; overall "
                                 "latent = sum(weight * dimension latent) + noise, so the overall "
                                 "score falls by overall_per_hour_wait per hour of waiting"},
        "model": {k: v for k, v in hp.MODEL.items() if k != "survey"},
    }


_TIME = "%Y-%m-%d %H:%M:%S"


def write_sample(out: str | Path = "data/sample", *, seed: int = SEED, start: str = START,
                 days: int = DAYS) -> dict:
    """Write the sample data set (CSV files, ``truth.json``, ``README.md``) to ``out``.

    Runs the baseline and, with the same seed, the counterfactual without time slots.
    Returns the truth dictionary.

    Examples
    --------
    >>> import tempfile
    >>> truth = write_sample(tempfile.mkdtemp(), days=14)
    >>> truth["intervention"]["date"]
    '2025-02-24'
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res = simulate_hospital(seed=seed, start=start, days=days)
    cf = simulate_hospital(Scenario.baseline().with_timeslots("Internal Medicine", None),
                           seed=seed, start=start, days=days)
    truth = _truth(res, cf)
    csv = {"index": False, "lineterminator": "\n", "date_format": _TIME, "float_format": "%.2f"}
    res.log.to_csv(out / "visits.csv", **csv)
    zh = res.log.copy()
    for col, m in _ZH_VALUES.items():
        zh[col] = zh[col].map(m)
    zh["activity"] = zh["activity"].map(dict(zip(CATALOGUE.name_en, CATALOGUE.name_zh,
                                                 strict=True)))
    zh.rename(columns=texts("sample", "zh")).to_csv(out / "visits_zh.csv", encoding="gbk", **csv)
    res.surveys.to_csv(out / "surveys.csv", **{**csv, "date_format": "%Y-%m-%d"})
    res.survey_touchpoints.to_csv(out / "survey_touchpoints.csv", **csv)
    res.complaints.to_csv(out / "complaints.csv", **csv)
    calls = res.followup_calls.assign(reached=res.followup_calls.reached.map(
        {True: "true", False: "false"}))
    calls.to_csv(out / "followup_calls.csv", **csv)
    res.patients.to_csv(out / "patients.csv", **csv)
    (out / "truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    (out / "README.md").write_text(_readme(truth), encoding="utf-8")
    (out / "study.toml").write_text(_STUDY.format(date=INTERVENTION_DATE), encoding="utf-8")
    return truth


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f}"


def _readme(truth: dict) -> str:
    g, i, r = truth["generator"], truth["intervention"], truth["rates"]
    im = i["realised"]["Internal Medicine"]
    eff = i["true_effect_after"]["Internal Medicine"]
    return _README.format(
        seed=g["seed"], start=g["start"], last=g["last_arrival_day"], days=g["days"],
        visits=r["visits"], date=i["date"],
        before=_f(im["before"]["mean_wait_before_consultation_min"]),
        after=_f(im["after"]["mean_wait_before_consultation_min"]),
        effect=_f(eff["mean_wait_before_consultation_min"]),
        meffect=_f(eff["median_wait_before_consultation_min"]),
        b=f'{-truth["survey_model"]["overall_per_hour_wait"]:.4g}')


_README = """\
# Sample data: a simulated hospital / 样例数据：模拟医院

Synthetic, anonymised visit logs of one simulated hospital, {start} to {last} ({days} days,
{visits} visits): Internal Medicine and Surgery outpatients and an Emergency department.
Nothing here is about a real person: ids are pseudonyms, there are no names, birth dates or
phone numbers. The true effects and rates built into the data are in `truth.json`, so every
analysis can be checked against the truth.

本目录为一家模拟医院的合成就诊日志（{start} 至 {last}，共 {days} 天，{visits} 次就诊），包括
内科、外科门诊和急诊科。数据不涉及任何真实个人：编号均为假名，不含姓名、出生日期或电话。
数据中设定的真实效应和比率保存在 `truth.json`，分析结果可与之核对。

Regenerate (byte for byte) / 重新生成（逐字节一致）:

```
python -m journey.simulate --out data/sample
```

## How it was generated / 生成方法

A discrete-event simulation (SimPy, seed {seed}; `journey.simulate`). Patients arrive by hour
of day and weekday (non-homogeneous Poisson); staff work hourly shifts; service times are
lognormal or gamma; patients may leave unseen when their wait for the doctor exceeds their
patience; some are sent back to Payment or first go to the wrong department (rework).
Built-in facts:

- **Bottleneck**: the Lab has one technician on weekdays 09:00–11:00 (two before, three
  after).
- **Intervention**: from {date} Internal Medicine gives most patients time-slot appointments
  (分时段预约); Surgery is the control. Mean wait before consultation in Internal Medicine:
  {before} min before, {after} min after. The true (causal) change after {date}, from the same
  patients simulated without time slots: {effect} min in the mean, {meffect} min in the median.
- **Satisfaction**: the overall score falls by {b} points per hour of waiting (latent scale).

离散事件仿真（SimPy，随机种子 {seed}）。患者按星期和小时到达（非齐次泊松过程）；人员按小时
排班；服务时间服从对数正态或伽马分布；候诊超过耐心的患者未就诊离开；部分患者被退回缴费或先挂错
科室（返工）。设定的事实：

- **瓶颈**：工作日 09:00–11:00 检验科只有 1 名检验人员（之前 2 名，之后 3 名）。
- **干预**：自 {date} 起内科对大多数患者实行分时段预约，外科为对照。内科就诊前平均等待：干预前
  {before} 分钟，干预后 {after} 分钟。用同一批患者在无分时段预约下仿真得到的真实（因果）变化：
  均值 {effect} 分钟，中位数 {meffect} 分钟。
- **满意度**：每多等待 1 小时，总体评分（潜变量尺度）下降 {b} 分。

## Files and columns / 文件与字段

Times are local, naive, `YYYY-MM-DD HH:MM:SS`; durations in minutes; money in CNY (元).
时间为本地时间，格式 `YYYY-MM-DD HH:MM:SS`；时长单位为分钟；金额单位为元。

### visits.csv (UTF-8) and visits_zh.csv (GBK) / 就诊日志

One row per touchpoint of a visit. `visits_zh.csv` is the same log with Chinese headers and
values (GBK-encoded, for Excel in Chinese Windows). 每行为一次就诊中的一个环节；
`visits_zh.csv` 内容相同，表头和取值为中文，GBK 编码。

- `case_id` 就诊号: visit pseudonym, `V000123` / 就诊假名
- `patient_id` 患者ID: patient pseudonym linking the visits of one patient, `P004567` /
  患者假名，关联同一患者的多次就诊
- `department` 科室: Internal Medicine 内科, Surgery 外科, Emergency 急诊科 — where the event
  happened / 事件发生的科室
- `activity` 环节: Registration 挂号, Triage 分诊, Consultation 就诊, Payment 缴费, Lab 检验,
  Imaging 检查, Review of results 看结果, Pharmacy 取药, Treatment 治疗, Admission 入院,
  Discharge 出院, Left unseen 未就诊离开
- `start` 开始时间: service start / 服务开始时间
- `end` 结束时间: service end; `Left unseen` has start = end = time of leaving /
  服务结束时间；未就诊离开的开始时间 = 结束时间 = 离开时刻
- `resource` 人员: staff or desk pseudonym — REG registration, IMN/SUN/EDN triage nurses,
  IMD/SUD/EDD doctors, PAY cashier, LAB lab, IMG imaging, PHA pharmacy, EDK emergency desk;
  empty for `Left unseen` / 人员或窗口假名，未就诊离开时为空
- `age_band` 年龄段: 0-17, 18-44, 45-64, 65-79, 80+
- `chronic` 慢病: chronic condition yes/no (是/否)
- `visit_type` 初复诊: new/returning (初诊/复诊)
- `booking` 预约方式: walk-in/appointment (现场/预约)
- `triage_priority` 分诊级别: Emergency priority 1 (most urgent) to 5, empty otherwise /
  急诊分级 1（最紧急）至 5，其他科室为空
- `charge` 费用: charge of the event in CNY, 0 where none; Admission carries the inpatient bill
  / 该环节费用（元），无费用为 0，入院含住院费用

Wait before a touchpoint = its start minus the end of the previous touchpoint of the same visit
(ordered by start, then end, then row). 环节前等待 = 本环节开始时间 − 同一就诊上一环节结束时间。

### surveys.csv / 满意度调查

survey_id (`S000001`), case_id, patient_id, department, date (`YYYY-MM-DD`), medical_quality
医疗技术质量, process_convenience 服务流程便捷性, humanistic_care 人文关怀,
information_transparency 信息透明度 (each 1–5), overall 总体评价 (1–5), recommend 推荐意愿 (0–10).

### survey_touchpoints.csv / 环节评分

survey_id, activity (touchpoint the patient went through / 患者经历的环节), score (1–5).

### complaints.csv / 投诉

complaint_id (`C00001`), case_id, patient_id, department, received 受理时间, category 类别
(process 流程, emotional care 人文关怀, medical quality 医疗质量, cost 费用, information 信息,
environment 环境), activity 涉及环节, responded 回复时间, resolved 解决时间 (empty when not yet /
未回复或未解决则为空). Targets: respond within 24 h, resolve within 48 h / 目标：24 小时内回复，
48 小时内解决.

### followup_calls.csv / 回访电话

call_id (`F000001`), case_id, patient_id, department, visit_end 就诊结束时间, called 回访时间,
reached 是否接通 (true/false). Only calls made are listed; eligible visits are those neither left
unseen nor admitted. 仅列出已拨打的回访；应回访就诊为未离开且未入院者。

### patients.csv / 患者

patient_id, age_band, chronic.

### truth.json / 真实值

The generator settings, definitions, the intervention's realised and true (counterfactual)
effects, the bottleneck, the true rates (leave unseen, follow-up within 3 days, return within
30 days, complaints per 1000 visits) and every model coefficient. 生成参数、指标定义、干预的实际
与真实（反事实）效应、瓶颈、真实比率（未就诊离开、3 天内回访、30 天内复诊、每千次就诊投诉数）及
全部模型系数。
"""


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m journey.simulate --out data/sample [--seed 2025]``."""
    p = argparse.ArgumentParser(prog="python -m journey.simulate", description=__doc__.split(
        "\n")[0])
    p.add_argument("--out", default="data/sample", help="output folder (default data/sample)")
    p.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = p.parse_args(argv)
    truth = write_sample(args.out, seed=args.seed)
    print(f"wrote {args.out}: {truth['rates']['visits']} visits")


if __name__ == "__main__":
    main()
