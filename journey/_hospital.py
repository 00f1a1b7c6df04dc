"""The simulated hospital behind :mod:`journey.simulate` (private).

A SimPy model of one hospital: two outpatient departments (Internal Medicine, Surgery) sharing
registration, payment, lab, imaging and pharmacy, and an Emergency department. Time is counted
in minutes from midnight of the first simulated day. Every visit draws all of its random numbers
from its own stream when it is created (``SeedSequence(seed, spawn_key=visit key)``), so two
scenarios run with the same seed share the same patients, service times and decisions (common
random numbers) and differ only where the scenario makes them differ.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import simpy
from scipy import special

__all__: list[str] = []

DEPARTMENTS = ("Internal Medicine", "Surgery", "Emergency")
OPD = ("Internal Medicine", "Surgery")
DAYTYPES = ("weekday", "saturday", "sunday")
LEFT_UNSEEN = "Left unseen"
SHARED = ("Registration", "Payment", "Lab", "Imaging", "Pharmacy")
ACTIVITIES = ("Registration", "Triage", "Consultation", "Payment", "Lab", "Imaging",
              "Review of results", "Pharmacy", "Treatment", "Admission", "Discharge")
# staffing pool -> prefix of its servers' pseudonyms in the `resource` column
POOLS = {
    "Registration": "REG", "Payment": "PAY", "Lab": "LAB", "Imaging": "IMG", "Pharmacy": "PHA",
    "Internal Medicine: Triage": "IMN", "Internal Medicine: Consultation": "IMD",
    "Surgery: Triage": "SUN", "Surgery: Consultation": "SUD",
    "Emergency: Triage": "EDN", "Emergency: Treatment": "EDD", "Emergency: Desk": "EDK",
}
MAX_RATE = 60.0  # patients per hour per department: bound of the thinning algorithm


def hours(spec: dict[tuple[int, int], int | float], default: float = 0) -> tuple:
    """24 hourly values from ``{(from_hour, to_hour): value}``."""
    out = [default] * 24
    for (a, b), value in spec.items():
        out[a:b] = [value] * (b - a)
    return tuple(out)


def _days(weekday: dict, saturday: dict, sunday: dict, default: float = 0) -> dict:
    return {"weekday": hours(weekday, default), "saturday": hours(saturday, default),
            "sunday": hours(sunday, default)}


_IM_WEEKDAY = {(7, 8): 14, (8, 9): 17, (9, 10): 10, (10, 11): 5, (11, 12): 2, (12, 13): 1,
               (13, 14): 3, (14, 15): 2.5, (15, 16): 1.5}
_IM_SATURDAY = {(7, 8): 3, (8, 9): 5, (9, 10): 4, (10, 11): 2}
_ED = {(0, 7): 0.6, (7, 8): 0.8, (8, 12): 1.5, (12, 18): 1.3, (18, 23): 1.7, (23, 24): 1.0}

# walk-in demand: patients per hour by department, day type and hour of day
ARRIVALS = {
    "Internal Medicine": _days(_IM_WEEKDAY, _IM_SATURDAY, {}),
    "Surgery": _days({k: 0.55 * v for k, v in _IM_WEEKDAY.items()},
                     {k: 0.55 * v for k, v in _IM_SATURDAY.items()}, {}),
    "Emergency": _days(_ED, {k: 1.15 * v for k, v in _ED.items()},
                       {k: 1.15 * v for k, v in _ED.items()}),
}

_DAY_DESK = ({(7, 8): 1, (8, 12): 3, (12, 16): 2}, {(7, 8): 1, (8, 11): 2}, {})
_ALWAYS = ({(0, 7): 1, (7, 8): 1, (8, 12): 3, (12, 17): 2, (17, 24): 1},
           {(0, 8): 1, (8, 12): 2, (12, 24): 1}, {(0, 24): 1})
STAFFING = {
    "Registration": _days(*_DAY_DESK),
    "Payment": _days(*_ALWAYS),
    "Pharmacy": _days(*_ALWAYS),
    # the injected bottleneck: one lab technician on weekdays 09:00-11:00
    "Lab": _days({(0, 7): 1, (7, 9): 2, (9, 11): 1, (11, 17): 3, (17, 24): 1},
                 {(0, 8): 1, (8, 12): 2, (12, 24): 1}, {(0, 24): 1}),
    "Imaging": _days({(0, 8): 1, (8, 17): 2, (17, 24): 1}, {(0, 24): 1}, {(0, 24): 1}),
    "Internal Medicine: Triage": _days({(7, 17): 1}, {(7, 12): 1}, {}),
    "Internal Medicine: Consultation": _days({(8, 9): 1, (9, 17): 2, (17, 18): 1},
                                             {(8, 13): 1}, {}),
    "Surgery: Triage": _days({(7, 17): 1}, {(7, 12): 1}, {}),
    "Surgery: Consultation": _days({(8, 12): 2, (12, 17): 1, (17, 18): 1}, {(8, 13): 1}, {}),
    "Emergency: Triage": _days(*[{(0, 8): 1, (8, 22): 2, (22, 24): 1}] * 3),
    "Emergency: Treatment": _days(*[{(0, 8): 1, (8, 24): 2}] * 3),
    "Emergency: Desk": _days(*[{(0, 24): 1}] * 3),
}

# activity -> (family, mean minutes, coefficient of variation)
SERVICE = {
    "Registration": ("lognormal", 2.5, 0.5), "Triage": ("lognormal", 3.0, 0.6),
    "Consultation": ("gamma", 11.0, 0.6), "Payment": ("lognormal", 2.5, 0.5),
    "Lab": ("lognormal", 8.0, 0.5), "Imaging": ("gamma", 15.0, 0.5),
    "Review of results": ("lognormal", 6.0, 0.5), "Pharmacy": ("lognormal", 4.0, 0.6),
    "Treatment": ("gamma", 40.0, 0.8), "Admission": ("lognormal", 10.0, 0.5),
    "Discharge": ("lognormal", 5.0, 0.5),
}

# the clinical mix and the post-visit models: fixed properties of the simulated hospital
MODEL = {
    "age_bands": ["0-17", "18-44", "45-64", "65-79", "80+"],
    "age_mix": {"Internal Medicine": [0.02, 0.25, 0.38, 0.27, 0.08],
                "Surgery": [0.08, 0.40, 0.32, 0.16, 0.04],
                "Emergency": [0.15, 0.38, 0.25, 0.15, 0.07]},
    "chronic_by_age_band": [0.02, 0.12, 0.35, 0.55, 0.65],
    "returning_share_of_first_visits": 0.40,
    "wrong_department_share_of_walk_ins": 0.06,
    "lab_share": {"Internal Medicine": 0.50, "Surgery": 0.30},
    "imaging_share": {"Internal Medicine": 0.15, "Surgery": 0.35},
    "pharmacy_share": {"Internal Medicine": 0.85, "Surgery": 0.60},
    "sent_back_to_payment_share": 0.08,
    "walk_minutes_between_touchpoints": [1.0, 4.0],
    "lab_turnaround_minutes": {"median": 40.0, "sigma": 0.4},
    "imaging_report_minutes": {"median": 30.0, "sigma": 0.5},
    "appointment_arrival_before_slot_minutes": {"mean": 20.0, "sd": 12.0, "min": -15.0},
    "ed_priority_mix": [0.03, 0.10, 0.35, 0.37, 0.15],
    "ed_lab_share_by_priority": [0.9, 0.8, 0.6, 0.35, 0.1],
    "ed_imaging_share_by_priority": [0.7, 0.5, 0.35, 0.2, 0.05],
    "ed_admission_share_by_priority": [0.8, 0.5, 0.2, 0.05, 0.01],
    "patience_minutes": {"opd": {"median": 300.0, "sigma": 0.6},
                         "ed_priority_3_4_5_median": [120.0, 90.0, 60.0], "ed_sigma": 0.6,
                         "ed_priority_1_2": "never leave"},
    "charges_cny": {"Registration": 25.0, "ED triage": 30.0,
                    "Lab": {"median": 150.0, "sigma": 0.5},
                    "Imaging": {"median": 300.0, "sigma": 0.5},
                    "Pharmacy": {"median": 120.0, "sigma": 0.7, "chronic_factor": 2.0},
                    "Treatment": {"median": 250.0, "sigma": 0.6},
                    "Admission": {"median": 8000.0, "sigma": 0.6}},
    "followup": {"eligible": "visits not left unseen and not admitted",
                 "share_called_day_1_or_2": 0.62, "share_called_day_4_to_14": 0.20,
                 "share_never_called": 0.18, "call_hours": [9, 18], "share_reached": 0.80},
    "return": {"probability": {"Internal Medicine": {"chronic": 0.30, "not chronic": 0.12},
                               "Surgery": {"chronic": 0.15, "not chronic": 0.15},
                               "Emergency": {"chronic": 0.06, "not chronic": 0.06},
                               "left unseen": 0.25, "admitted": 0.0},
               "relative_risk_if_reached_within_3_days": 1.30,
               "days_after_visit": [2, 28],
               "note": "outpatient returns are booked appointments (Sunday moves to Monday)"},
    "survey": {"response_rate": {"completed": 0.35, "left unseen": 0.10},
               "days_after_visit": [0, 6],
               "dimensions": {
                   "medical_quality": {"intercept": 4.3, "per_hour_wait": -0.10,
                                       "rework": 0.0, "left_unseen": -0.8, "weight": 0.30},
                   "process_convenience": {"intercept": 3.9, "per_hour_wait": -0.45,
                                           "rework": -0.6, "left_unseen": -1.0, "weight": 0.30},
                   "humanistic_care": {"intercept": 4.1, "per_hour_wait": -0.20,
                                       "rework": -0.2, "left_unseen": -0.8, "weight": 0.25},
                   "information_transparency": {"intercept": 4.0, "per_hour_wait": -0.15,
                                                "rework": -0.3, "left_unseen": -0.6,
                                                "weight": 0.15}},
               "patient_mood_sd": 0.45, "dimension_noise_sd": 0.5, "overall_noise_sd": 0.3,
               "recommend": {"per_overall_point": 2.0, "intercept": 0.0, "noise_sd": 1.0},
               "touchpoint_ratings": {"share_of_respondents": 0.6, "intercept": 4.3,
                                      "per_hour_wait_before": -0.5, "noise_sd": 0.6}},
    "complaint": {"logit_intercept": -5.3, "logit_per_hour_wait": 0.4,
                  "logit_left_unseen": 1.8, "logit_rework": 0.9,
                  "categories": {"process": 0.41, "emotional care": 0.32,
                                 "medical quality": 0.10, "cost": 0.08, "information": 0.06,
                                 "environment": 0.03},
                  "received_hours_after_visit": {"median": 12.0, "sigma": 1.0},
                  "response_hours": {"median": 8.0, "sigma": 0.9},
                  "resolution_hours_after_response": {"median": 16.0, "sigma": 0.8},
                  "share_not_resolved": 0.05, "share_not_responded": 0.015},
}

_U = ("book", "visit_type", "age", "chronic", "wrong", "lab", "imaging", "pharmacy", "rework",
      "priority", "admit", "call_group", "call_day", "call_hour", "reached", "return",
      "return_day", "return_hour", "survey", "tp_survey", "survey_day", "complaint", "category",
      "open")
_Z = ("patience", "lead", "lab_tat", "img_tat", "charge_lab", "charge_img", "charge_pha",
      "charge_treat", "charge_adm", "mood", "dim0", "dim1", "dim2", "dim3", "overall",
      "recommend", "received", "responded", "resolved")


def pick(probs: list[float], u: float) -> int:
    """Index drawn from the discrete distribution ``probs`` with the uniform draw ``u``."""
    cum = list(itertools.accumulate(probs))
    return min(bisect.bisect_right(cum, u * cum[-1]), len(probs) - 1)


def lognormal(median: float, sigma: float, z: float) -> float:
    return median * math.exp(sigma * z)


def service_time(spec: tuple[str, float, float], z: float) -> float:
    """Quantile of the service-time distribution at the standard-normal draw ``z``."""
    family, mean, cv = spec
    if family == "lognormal":
        s2 = math.log1p(cv * cv)
        return math.exp(math.log(mean) - s2 / 2 + math.sqrt(s2) * z)
    k = 1 / (cv * cv)
    return float(special.gammaincinv(k, special.ndtr(z))) * mean / k


def slot_times(staff24: tuple, fractions: np.ndarray) -> np.ndarray:
    """Minutes after midnight of appointment slots at capacity quantiles ``fractions``.

    Slots are spread in proportion to the number of doctors on duty, from opening until one
    hour before the last staffed hour ends.
    """
    last = max(h for h in range(24) if staff24[h] > 0)
    w = np.array([staff24[h] if h < last else 0 for h in range(24)], dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(w)])
    q = np.asarray(fractions) * cum[-1]
    h = np.clip(np.searchsorted(cum, q, side="right") - 1, 0, 23)
    return h * 60.0 + (q - cum[h]) / np.where(w[h] > 0, w[h], 1.0) * 60.0


@dataclass
class Patient:
    key: tuple
    age_band: str
    chronic: bool


@dataclass
class Visit:
    key: tuple
    department: str
    patient: Patient
    visit_type: str
    booking: str
    arrival: float
    u: dict
    z: dict
    service_z: list
    walk_u: list
    tp_z: list
    slot: float | None = None
    priority: int | None = None
    wrong: bool = False
    parent: Visit | None = None
    events: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    left_unseen: bool = False
    rework: bool = False
    admitted: bool = False
    done: bool = False
    call: tuple | None = None  # (called minute, reached)

    def add(self, activity, dept, start, end, resource, charge):
        self.events.append((activity, dept, start, end, resource, charge))

    def service(self, activity: str, spec: tuple) -> float:
        n = self.counts.get(activity, 0)
        self.counts[activity] = n + 1
        slot = ACTIVITIES.index(activity) + len(ACTIVITIES) * min(n, 2)
        return service_time(spec, self.service_z[slot])

    def walk(self) -> float:
        lo, hi = MODEL["walk_minutes_between_touchpoints"]
        return lo + (hi - lo) * self.walk_u[len(self.events) % len(self.walk_u)]


class Pool:
    """Named servers with an hourly staffing schedule and a priority queue (FCFS within a level).

    When the schedule drops to zero staff, the staff on duty finish the queue (overtime), and
    a patient who arrives after closing time is still served by one of the day's staff (on
    call); before the first shift of the day patients wait. When the schedule drops to fewer
    staff, the surplus leave after their current patient.
    """

    def __init__(self, env: simpy.Environment, prefix: str, schedule: dict) -> None:
        self.env = env
        self.schedule = schedule
        size = int(max(max(v) for v in schedule.values()))
        self.names = [f"{prefix}-{i + 1:02d}" for i in range(size)]
        self.on = [False] * size
        self.busy = [False] * size
        self.n = 0
        self.worked_today = False
        self.queue: list = []
        self.seq = 0

    def request(self, priority: float) -> simpy.Event:
        ev = self.env.event()
        ev.entry = [priority, self.seq, ev, True]
        self.seq += 1
        heapq.heappush(self.queue, ev.entry)
        if self.n == 0 and self.worked_today and not any(self.on):
            self.on[0] = True
        self._dispatch()
        return ev

    def cancel(self, ev: simpy.Event) -> None:
        ev.entry[3] = False

    def release(self, i: int) -> None:
        self.busy[i] = False
        self._dispatch()

    def staff(self, n: int, hour: int) -> None:
        self.n = int(n)
        self.worked_today = (self.worked_today and hour > 0) or self.n > 0
        if self.n > 0 or not any(e[3] for e in self.queue):
            self.on = [i < self.n for i in range(len(self.on))]
        self._dispatch()

    def _dispatch(self) -> None:
        while True:
            while self.queue and not self.queue[0][3]:
                heapq.heappop(self.queue)
            if not self.queue:
                if self.n == 0:
                    self.on = [False] * len(self.on)
                return
            free = next((i for i, s in enumerate(self.on) if s and not self.busy[i]), None)
            if free is None:
                return
            entry = heapq.heappop(self.queue)
            self.busy[free] = True
            entry[2].succeed(free)


def pool_key(activity: str, dept: str) -> str:
    if activity in SHARED:
        return activity
    if activity == "Review of results":
        return f"{dept}: Consultation"
    if activity in ("Admission", "Discharge"):
        return "Emergency: Desk"
    return f"{dept}: {activity}"


class Hospital:
    """One simulation run: build with a scenario, ``run()``, then read ``visits``."""

    def __init__(self, scenario, seed: list[int], t0: pd.Timestamp, days: int) -> None:
        self.sc = scenario
        self.seed = list(seed)
        self.t0 = t0
        self.days = days
        self.horizon = days * 1440.0
        self.env = simpy.Environment()
        self.pools = {k: Pool(self.env, POOLS.get(k, k[:3].upper()), scenario.staffing[k])
                      for k in sorted(scenario.staffing)}
        self.visits: list[Visit] = []

    # -- calendar -----------------------------------------------------------------------------
    def daytype(self, day: int) -> str:
        wd = (self.t0.weekday() + day) % 7
        return "weekday" if wd < 5 else ("saturday" if wd == 5 else "sunday")

    def booked_share(self, dept: str, day: int) -> float:
        since = self.sc.timeslots.get(dept)
        date = self.t0 + pd.Timedelta(days=day)
        if since is not None and date >= pd.Timestamp(since):
            return self.sc.timeslot_share
        return self.sc.booked_share

    # -- patients -----------------------------------------------------------------------------
    def new_visit(self, key: tuple, dept: str, arrival: float, parent: Visit | None = None):
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))
        uu = rng.random(len(_U) + 16).tolist()
        zz = rng.standard_normal(len(_Z) + 4 * len(ACTIVITIES)).tolist()
        u, walk_u = dict(zip(_U, uu, strict=False)), uu[len(_U):]
        z = dict(zip(_Z, zz, strict=False))
        service_z, tp_z = zz[len(_Z):-len(ACTIVITIES)], zz[-len(ACTIVITIES):]
        if parent is None:
            age = pick(MODEL["age_mix"][dept], u["age"])
            chronic = bool(u["chronic"] < MODEL["chronic_by_age_band"][age])
            patient = Patient(key, MODEL["age_bands"][age], chronic)
            vtype = "returning" if u["visit_type"] < MODEL["returning_share_of_first_visits"] \
                else "new"
        else:
            patient, vtype = parent.patient, "returning"
        v = Visit(key, dept, patient, vtype, "walk-in", arrival, u, z, service_z, walk_u, tp_z,
                  parent=parent)
        if dept == "Emergency":
            v.priority = pick(MODEL["ed_priority_mix"], u["priority"]) + 1
        return v

    def base_arrivals(self) -> list[Visit]:
        out = []
        mult = np.asarray(self.sc.arrival_multiplier, dtype=float)
        for d, dept in enumerate(DEPARTMENTS):
            table = np.array([self.sc.arrivals[dept][self.daytype(day)]
                              for day in range(self.days)], dtype=float) * mult
            rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(0, d)))
            n = rng.poisson(MAX_RATE * 24 * self.days)
            times = np.sort(rng.uniform(0, self.horizon, n))
            accept = rng.random(n) * MAX_RATE < table.ravel()[(times // 60).astype(int)]
            visits = [self.new_visit((1, d, int(i)), dept, float(times[i]))
                      for i in np.flatnonzero(accept)]
            if dept in OPD:
                self._book(dept, visits)
            out.extend(visits)
        return out

    def _book(self, dept: str, visits: list[Visit]) -> None:
        """Booked patients get same-day slots in the order they would have walked in."""
        by_day: dict[int, list[Visit]] = {}
        for v in visits:
            day = int(v.arrival // 1440)
            if v.u["book"] < self.booked_share(dept, day):
                by_day.setdefault(day, []).append(v)
            else:
                v.wrong = v.u["wrong"] < MODEL["wrong_department_share_of_walk_ins"]
        for day, booked in by_day.items():
            staff = self.sc.staffing[f"{dept}: Consultation"][self.daytype(day)]
            slots = slot_times(staff, (np.arange(len(booked)) + 0.5) / len(booked))
            for v, slot in zip(booked, slots, strict=True):
                self._set_slot(v, day * 1440 + slot)

    def _set_slot(self, v: Visit, slot: float) -> None:
        lead = MODEL["appointment_arrival_before_slot_minutes"]
        v.booking, v.slot = "appointment", slot
        v.arrival = max(0.0, slot - max(lead["min"], lead["mean"] + lead["sd"] * v.z["lead"]))

    # -- processes ----------------------------------------------------------------------------
    def run(self) -> None:
        env = self.env
        env.process(self._shifts())
        for v in self.base_arrivals():
            self._start(v)
        env.run()
        stuck = sum(not v.done for v in self.visits)
        if stuck:
            raise RuntimeError(f"{stuck} visits did not finish; check the staffing schedule")

    def _start(self, v: Visit) -> None:
        self.visits.append(v)
        self.env.process(self._ed(v) if v.department == "Emergency" else self._opd(v))

    def _shifts(self):
        for hour in range((self.days + 3) * 24):
            dt = self.daytype(hour // 24)
            for pool in self.pools.values():
                pool.staff(pool.schedule[dt][hour % 24], hour % 24)
            yield self.env.timeout(60)

    def _step(self, v: Visit, activity: str, dept: str, *, priority: float = 1,
              patience: float | None = None, charge: float = 0.0):
        env = self.env
        if v.events:
            yield env.timeout(v.walk())
        pool = self.pools[pool_key(activity, dept)]
        req = pool.request(priority)
        if req.triggered:  # a server was free: no queueing event needed
            pass
        elif patience is None:
            yield req
        else:
            yield req | env.timeout(patience)
            if not req.triggered:
                pool.cancel(req)
                v.add(LEFT_UNSEEN, dept, env.now, env.now, "", 0.0)
                v.left_unseen = True
                return False
        start = env.now
        yield env.timeout(v.service(activity, self.sc.service[activity]))
        pool.release(req.value)
        v.add(activity, dept, start, env.now, pool.names[req.value], round(charge, 2))
        return True

    def _opd(self, v: Visit):
        env, dept, m, u, z = self.env, v.department, MODEL, v.u, v.z
        yield env.timeout(v.arrival - env.now)
        if v.wrong:
            v.rework = True
            other = OPD[1 - OPD.index(dept)]
            yield from self._step(v, "Registration", other)
            yield from self._step(v, "Triage", other)
        yield from self._step(v, "Registration", dept, charge=m["charges_cny"]["Registration"])
        yield from self._step(v, "Triage", dept)
        if v.slot is not None and env.now < v.slot:
            yield env.timeout(v.slot - env.now)
        pat = m["patience_minutes"]["opd"]
        booked = v.slot is not None
        seen = yield from self._step(v, "Consultation", dept, priority=0 if booked else 1,
                                     patience=lognormal(pat["median"], pat["sigma"],
                                                        z["patience"]))
        if seen:
            yield from self._step(v, "Payment", dept)
            ready = env.now
            c = m["charges_cny"]
            if u["lab"] < m["lab_share"][dept]:
                yield from self._step(v, "Lab", dept,
                                      charge=lognormal(**c["Lab"], z=z["charge_lab"]))
                ready = env.now + lognormal(**m["lab_turnaround_minutes"], z=z["lab_tat"])
            if u["imaging"] < m["imaging_share"][dept]:
                yield from self._step(v, "Imaging", dept,
                                      charge=lognormal(**c["Imaging"], z=z["charge_img"]))
                ready = max(ready, env.now + lognormal(**m["imaging_report_minutes"],
                                                       z=z["img_tat"]))
            if ready > env.now:
                yield env.timeout(ready - env.now)
                yield from self._step(v, "Review of results", dept)
            if u["pharmacy"] < m["pharmacy_share"][dept]:
                pha = c["Pharmacy"]
                drugs = lognormal(pha["median"], pha["sigma"], z["charge_pha"]) * (
                    pha["chronic_factor"] if v.patient.chronic else 1.0)
                if u["rework"] < m["sent_back_to_payment_share"]:
                    v.rework = True
                    yield from self._step(v, "Pharmacy", dept)
                    yield from self._step(v, "Payment", dept)
                yield from self._step(v, "Pharmacy", dept, charge=drugs)
        self._finish(v)

    def _ed(self, v: Visit):
        env, m, u, z, p = self.env, MODEL, v.u, v.z, v.priority
        c = m["charges_cny"]
        yield env.timeout(v.arrival - env.now)
        dept = "Emergency"
        yield from self._step(v, "Triage", dept, priority=p, charge=c["ED triage"])
        pat = m["patience_minutes"]
        patience = None if p <= 2 else lognormal(pat["ed_priority_3_4_5_median"][p - 3],
                                                 pat["ed_sigma"], z["patience"])
        seen = yield from self._step(v, "Treatment", dept, priority=p, patience=patience,
                                     charge=lognormal(**c["Treatment"], z=z["charge_treat"]))
        if seen:
            ready = env.now
            if u["lab"] < m["ed_lab_share_by_priority"][p - 1]:
                yield from self._step(v, "Lab", dept, priority=0,
                                      charge=lognormal(**c["Lab"], z=z["charge_lab"]))
                ready = env.now + lognormal(**m["lab_turnaround_minutes"], z=z["lab_tat"])
            if u["imaging"] < m["ed_imaging_share_by_priority"][p - 1]:
                yield from self._step(v, "Imaging", dept, priority=0,
                                      charge=lognormal(**c["Imaging"], z=z["charge_img"]))
                ready = max(ready, env.now + lognormal(**m["imaging_report_minutes"],
                                                       z=z["img_tat"]))
            if ready > env.now:
                yield env.timeout(ready - env.now)
            if u["admit"] < m["ed_admission_share_by_priority"][p - 1]:
                v.admitted = True
                yield from self._step(v, "Admission", dept, priority=p,
                                      charge=lognormal(**c["Admission"], z=z["charge_adm"]))
            else:
                yield from self._step(v, "Discharge", dept, priority=p)
        self._finish(v)

    def _finish(self, v: Visit) -> None:
        """Follow-up call and return visit, decided when the visit ends."""
        v.done = True
        u, end = v.u, self.env.now
        end_day = int(end // 1440)
        f, r = MODEL["followup"], MODEL["return"]
        early = False
        if not v.left_unseen and not v.admitted:
            if u["call_group"] < f["share_called_day_1_or_2"]:
                offset, early = 1 + int(u["call_day"] * 2), True
            elif u["call_group"] < f["share_called_day_1_or_2"] + f["share_called_day_4_to_14"]:
                offset = 4 + int(u["call_day"] * 11)
            else:
                offset = None
            if offset is not None:
                lo, hi = f["call_hours"]
                called = (end_day + offset) * 1440 + (lo + (hi - lo) * u["call_hour"]) * 60
                v.call = (called, bool(u["reached"] < f["share_reached"]))
        prob = r["probability"]
        if v.admitted:
            p = prob["admitted"]
        elif v.left_unseen:
            p = prob["left unseen"]
        else:
            p = prob[v.department]["chronic" if v.patient.chronic else "not chronic"]
        if early and v.call[1]:
            p *= r["relative_risk_if_reached_within_3_days"]
        if u["return"] >= p:
            return
        lo, hi = r["days_after_visit"]
        day = end_day + lo + int(u["return_day"] * (hi - lo + 1))
        child = self.new_visit((*v.key, 1), v.department, 0.0, parent=v)
        if v.department in OPD:
            day += self.daytype(day) == "sunday"
            staff = self.sc.staffing[f"{v.department}: Consultation"][self.daytype(day)]
            self._set_slot(child, day * 1440 + float(slot_times(staff, [u["return_hour"]])[0]))
        else:
            child.arrival = day * 1440 + 1440 * u["return_hour"]
        if child.arrival < self.horizon:
            self._start(child)


# -- output tables ----------------------------------------------------------------------------

def _seconds(minutes: float) -> int:
    return int(math.floor(minutes * 60 + 0.5))


def _survey(v: Visit, x: dict[str, float], waits: list, end: float, case: str, patient: str,
            ) -> tuple[tuple, list[tuple[str, str, int]]]:
    """A responding visit's survey row and, when it rated them, its touchpoint ratings."""
    s, u, z = MODEL["survey"], v.u, v.z
    mood = s["patient_mood_sd"] * z["mood"]
    latent = [p["intercept"] + sum(p[k] * x[k] for k in x) + mood
              + s["dimension_noise_sd"] * z[f"dim{i}"]
              for i, p in enumerate(s["dimensions"].values())]
    overall = sum(p["weight"] * lat for p, lat in
                  zip(s["dimensions"].values(), latent, strict=True)) \
        + s["overall_noise_sd"] * z["overall"]
    rec = s["recommend"]
    recommend = rec["intercept"] + rec["per_overall_point"] * overall \
        + rec["noise_sd"] * z["recommend"]
    date = math.floor(end / 1440) + int(u["survey_day"] * 7)
    survey = (case, patient, v.department, date, *[_score(x, 1, 5) for x in latent],
              _score(overall, 1, 5), _score(recommend, 0, 10))
    rated: list[tuple[str, str, int]] = []
    if u["tp_survey"] < s["touchpoint_ratings"]["share_of_respondents"]:
        t = s["touchpoint_ratings"]
        before: dict[str, float] = {}
        for act, w in [(v.events[0][0], 0.0), *waits]:
            if act in ACTIVITIES:
                before[act] = before.get(act, 0.0) + w / 60
        for act in sorted(before, key=ACTIVITIES.index):
            score = t["intercept"] + mood + t["per_hour_wait_before"] * before[act] \
                + t["noise_sd"] * v.tp_z[ACTIVITIES.index(act)]
            rated.append((case, act, _score(score, 1, 5)))
    return survey, rated


def _complaint(v: Visit, waits: list, end: float, case: str, patient: str) -> tuple:
    """A complaint about visit ``v``: received, category, touchpoint, responded, resolved."""
    c, u, z = MODEL["complaint"], v.u, v.z
    cat = list(c["categories"])[pick(list(c["categories"].values()), u["category"])]
    received = end + 60 * lognormal(**c["received_hours_after_visit"], z=z["received"])
    responded = received + 60 * lognormal(**c["response_hours"], z=z["responded"])
    resolved = responded + 60 * lognormal(**c["resolution_hours_after_response"],
                                          z=z["resolved"])
    if u["open"] < c["share_not_resolved"]:
        resolved = math.nan
    if u["open"] < c["share_not_responded"]:
        responded = math.nan
    return (received, case, patient, v.department, cat, _complaint_activity(cat, v, waits),
            responded, resolved)


def tables(h: Hospital) -> dict[str, pd.DataFrame]:
    """The visit log and the side tables of a finished run."""
    visits = sorted(h.visits, key=lambda v: (v.events[0][2], v.key))
    case_id = {id(v): f"V{i + 1:06d}" for i, v in enumerate(visits)}
    pid: dict[tuple, str] = {}
    for v in visits:
        pid.setdefault(v.patient.key, f"P{len(pid) + 1:06d}")
    t0 = h.t0

    def ts(minutes):
        return t0 + pd.to_timedelta(np.array([_seconds(x) for x in minutes], dtype="int64"),
                                    unit="s")

    rows = [(case_id[id(v)], pid[v.patient.key], e[1], e[0], e[2], e[3], e[4],
             v.patient.age_band, "yes" if v.patient.chronic else "no", v.visit_type, v.booking,
             v.priority, e[5]) for v in visits for e in v.events]
    log = pd.DataFrame(rows, columns=["case_id", "patient_id", "department", "activity", "start",
                                      "end", "resource", "age_band", "chronic", "visit_type",
                                      "booking", "triage_priority", "charge"])
    log["start"], log["end"] = ts(log["start"]), ts(log["end"])
    log["resource"] = log["resource"].replace("", pd.NA)
    log["triage_priority"] = log["triage_priority"].astype("Int64")
    log["charge"] = log["charge"].astype(float)

    patients = pd.DataFrame(
        sorted({(pid[v.patient.key], v.patient.age_band, "yes" if v.patient.chronic else "no")
                for v in visits}), columns=["patient_id", "age_band", "chronic"])

    calls = sorted((v.call[0], case_id[id(v)], pid[v.patient.key], v.department,
                    v.events[-1][3], v.call[1]) for v in visits if v.call)
    followup = pd.DataFrame(calls, columns=["called", "case_id", "patient_id", "department",
                                            "visit_end", "reached"])
    followup["called"], followup["visit_end"] = ts(followup["called"]), ts(followup["visit_end"])
    followup.insert(0, "call_id", [f"F{i + 1:06d}" for i in range(len(followup))])
    followup = followup[["call_id", "case_id", "patient_id", "department", "visit_end",
                         "called", "reached"]]

    surveys, touch, complaints = [], [], []
    s, c = MODEL["survey"], MODEL["complaint"]
    for v in visits:
        u = v.u
        waits = [(e[0], e[2] - prev[3]) for prev, e in zip(v.events, v.events[1:], strict=False)]
        wait_h = sum(w for _, w in waits) / 60
        end = v.events[-1][3]
        x = {"per_hour_wait": wait_h, "rework": float(v.rework),
             "left_unseen": float(v.left_unseen)}
        rate = s["response_rate"]["left unseen" if v.left_unseen else "completed"]
        if u["survey"] < rate:
            survey, rated = _survey(v, x, waits, end, case_id[id(v)], pid[v.patient.key])
            surveys.append(survey)
            touch += rated
        logit = c["logit_intercept"] + c["logit_per_hour_wait"] * wait_h \
            + c["logit_left_unseen"] * v.left_unseen + c["logit_rework"] * v.rework
        if u["complaint"] < 1 / (1 + math.exp(-logit)):
            complaints.append(_complaint(v, waits, end, case_id[id(v)], pid[v.patient.key]))

    surveys_df = pd.DataFrame(sorted(surveys, key=lambda r: (r[3], r[0])), columns=[
        "case_id", "patient_id", "department", "date", "medical_quality", "process_convenience",
        "humanistic_care", "information_transparency", "overall", "recommend"])
    surveys_df["date"] = (t0 + pd.to_timedelta(surveys_df["date"].astype("int64"), unit="D"))
    surveys_df.insert(0, "survey_id", [f"S{i + 1:06d}" for i in range(len(surveys_df))])
    sid = dict(zip(surveys_df["case_id"], surveys_df["survey_id"], strict=True))
    touch_df = pd.DataFrame([(sid[cid], act, score) for cid, act, score in touch],
                            columns=["survey_id", "activity", "score"])
    touch_df = touch_df.sort_values(["survey_id"], kind="stable", ignore_index=True)
    comp = pd.DataFrame(sorted(complaints, key=lambda r: (r[0], r[1])), columns=[
        "received", "case_id", "patient_id", "department", "category", "activity", "responded",
        "resolved"])
    for col in ("received", "responded", "resolved"):
        comp[col] = t0 + pd.to_timedelta([math.nan if math.isnan(x) else _seconds(x)
                                          for x in comp[col]], unit="s")
    comp.insert(0, "complaint_id", [f"C{i + 1:05d}" for i in range(len(comp))])
    comp = comp[["complaint_id", "case_id", "patient_id", "department", "received", "category",
                 "activity", "responded", "resolved"]]
    return {"visits": log, "surveys": surveys_df, "survey_touchpoints": touch_df,
            "complaints": comp, "followup_calls": followup, "patients": patients}


def _score(x: float, lo: int, hi: int) -> int:
    return int(min(hi, max(lo, math.floor(x + 0.5))))


def _complaint_activity(category: str, v: Visit, waits: list) -> str:
    seen = "Treatment" if v.department == "Emergency" else "Consultation"
    if category == "process":
        act = max(waits, key=lambda w: w[1])[0] if waits else v.events[0][0]
        return seen if act == LEFT_UNSEEN else act
    if category == "cost":
        return "Payment" if v.department in OPD else "Treatment"
    if category == "information":
        acts = [e[0] for e in v.events]
        return "Review of results" if "Review of results" in acts else "Triage"
    if category == "environment":
        return "Waiting"
    return seen
