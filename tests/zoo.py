"""A zoo of small logs shaped like real hospital exports, for tests.

Each builder writes one file into a folder and returns its path. The shapes follow public
hospital event logs and HIS exports (see the README's "Real exports"): completion-only XES with
daylight-saving offsets, date-only XES with hundreds of activities, a transfers table with one row
per stay, a Disco CSV, a GBK export with Chinese headers, a start/complete lifecycle CSV and an
Excel sheet with merged cells. None uses the sample hospital's names or dates.

``OPTIONS[name]`` holds the ``read_log`` arguments a user must give for that shape (empty where
the columns are recognised); ``FACTS[name]`` the counts a user would check after loading.

Examples
--------
>>> import tempfile
>>> from zoo import build
>>> build("disco_csv", tempfile.mkdtemp()).suffix
'.csv'
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

__all__ = ["FACTS", "OPTIONS", "SAMPLE", "ZOO", "build", "sepsis_events"]

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "visits.csv"
_AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _xes(traces: list[tuple[dict, list[dict]]]) -> str:
    """XES text of ``[(trace attributes, [event attributes])]``; values typed by Python type."""

    def attr(key: str, value: object) -> str:
        if isinstance(value, datetime):
            text = value.isoformat(timespec="milliseconds")
            return f'<date key="{key}" value="{text}"/>'
        if isinstance(value, bool):
            return f'<boolean key="{key}" value="{str(value).lower()}"/>'
        if isinstance(value, int):
            return f'<int key="{key}" value="{value}"/>'
        if isinstance(value, float):
            return f'<float key="{key}" value="{value}"/>'
        return f'<string key="{key}" value={quoteattr(str(value))}/>'

    out = ['<?xml version="1.0" encoding="UTF-8" ?>',
           '<log xes.version="1.0" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">',
           '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>',
           '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>',
           '<global scope="event"><string key="concept:name" value="__INVALID__"/></global>',
           '<classifier name="Activity" keys="concept:name"/>']
    for trace_attrs, events in traces:
        out.append("<trace>")
        out += [attr(k, v) for k, v in trace_attrs.items()]
        for event in events:
            out.append("<event>" + "".join(attr(k, v) for k, v in event.items()) + "</event>")
        out.append("</trace>")
    out.append("</log>")
    return "\n".join(out) + "\n"


def sepsis_events(n_cases: int = 120, seed: int = 1) -> list[tuple[dict, list[dict]]]:
    """Traces of an emergency-department sepsis log: completion times only, Dutch clock.

    Visits run from September to May, so their offsets change from ``+02:00`` to ``+01:00``
    and back; some visits are under way at a clock change. Lab panels (CRP, Leucocytes,
    LacticAcid) share one time stamp; one Leucocytes row in every fifth visit has a twin with the
    same time but no value (two distinct events). Age and diagnosis are case attributes, and
    ``InfectionSuspected`` repeats on every event of a visit.
    """
    rng = random.Random(seed)
    first = datetime(2014, 9, 1, tzinfo=UTC)
    traces = []
    for i in range(n_cases):
        if i % 10 == 0:  # under way at a clock change: 2014-10-26 01:00 or 2015-03-29 01:00 UTC
            change = datetime(2014, 10, 26, 1, tzinfo=UTC) if i % 20 == 0 else \
                datetime(2015, 3, 29, 1, tzinfo=UTC)
            t = change - timedelta(minutes=rng.randint(20, 90))
        else:
            t = first + timedelta(days=rng.uniform(0, 260), minutes=rng.randint(0, 1439))
        infection = rng.random() < 0.8
        events: list[dict] = []

        def add(activity: str, t: datetime, group: str, events: list[dict] = events,
                infection: bool = infection, **extra: object) -> None:
            events.append({"concept:name": activity, "lifecycle:transition": "complete",
                           "org:group": group, "time:timestamp": t.astimezone(_AMSTERDAM),
                           "InfectionSuspected": infection, **extra})

        add("ER Registration", t, "A")
        t += timedelta(minutes=rng.randint(2, 30))
        add("ER Triage", t, "C")
        t += timedelta(minutes=rng.randint(1, 10))
        add("ER Sepsis Triage", t, "A")
        t += timedelta(minutes=rng.randint(5, 60))
        for lab in ("CRP", "Leucocytes", "LacticAcid"):
            add(lab, t, "B", value=round(rng.uniform(1, 200), 1))
        if i % 5 == 0:
            add("Leucocytes", t, "B")  # the twin without a value
        t += timedelta(minutes=rng.randint(10, 120))
        add("IV Liquid", t, "A")
        add("IV Antibiotics", t + timedelta(minutes=rng.randint(0, 30)), "A")
        t += timedelta(minutes=rng.randint(60, 600))
        if rng.random() < 0.7:
            add(rng.choice(["Admission NC", "Admission IC"]), t, "E")
            t += timedelta(days=rng.uniform(1, 9))
            add(rng.choice(["Release A", "Release B"]), t, "E")
            if i % 7 == 0:
                add("Return ER", t + timedelta(days=rng.uniform(20, 90)), "?")
        traces.append(({"concept:name": f"{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}{i}",
                        "Age": rng.randrange(20, 95, 5),
                        "Diagnose": rng.choice(["A", "B", "C", "D"])}, events))
    return traces


def _sepsis_xes(folder: Path) -> Path:
    path = folder / "sepsis.xes"
    path.write_text(_xes(sepsis_events()), encoding="utf-8")
    return path


_WORDS = ("aanname laboratoriumonderzoek", "ureum", "albumine", "kalium", "natrium",
          "creatinine", "hemoglobine", "echografie", "ct abdomen", "thorax", "consult",
          "telefonisch consult", "verpleegdag", "bloedgroep", "kruisproef",
          "histologisch onderzoek", "cytologisch onderzoek", "bilirubine", "glucose", "trombocyten")
_GROUPS = ("General Lab Clinical Chemistry", "Radiology", "Nursing ward",
           "Obstetrics & Gynecology", "Pathology", "Medical Microbiology", "Internal Specialism")


def _daily_xes(folder: Path, n_cases: int = 150, n_activities: int = 300, seed: int = 2) -> Path:
    """Date-only XES: every time is midnight with a seasonal offset; ~300 coded activities."""
    rng = random.Random(seed)
    names = [f"{_WORDS[k % len(_WORDS)]} - {370000 + 7 * k}" for k in range(n_activities)]
    weights = [1 / (k + 1) for k in range(n_activities)]  # a few frequent, a long tail
    traces = []
    for i in range(n_cases):
        day = date(2005, 1, 3) + timedelta(days=rng.randint(0, 700))
        events = []
        for _ in range(rng.randint(5, 40)):
            day += timedelta(days=rng.choice([0, 0, 0, 1, 2, 7]))
            stamp = datetime(day.year, day.month, day.day, tzinfo=_AMSTERDAM)
            activity = rng.choices(names, weights)[0]
            events.append({"concept:name": activity, "lifecycle:transition": "complete",
                           "org:group": rng.choice(_GROUPS), "time:timestamp": stamp,
                           "Number of executions": rng.randint(1, 3)})
            if rng.random() < 0.15:  # the same activity again that day: a real repeat
                events.append({**events[-1], "Number of executions": rng.randint(1, 3)})
        traces.append(({"concept:name": str(i), "Age": rng.randint(18, 90),
                        "Diagnosis code": rng.choice(["M13", "106", "822", "M11"])}, events))
    path = folder / "hospital_daily.xes"
    path.write_text(_xes(traces), encoding="utf-8")
    return path


def _transfers_csv_gz(folder: Path, n_stays: int = 80, seed: int = 3) -> Path:
    """One row per stay: admit, transfers, ED, discharge (empty out time), shifted years."""
    rng = random.Random(seed)
    units = ("Emergency Department", "Medicine", "Medical Intensive Care Unit (MICU)",
             "Surgery", "Cardiac Vascular Intensive Care Unit (CVICU)", "Neurology")
    lines = ["subject_id,hadm_id,transfer_id,eventtype,careunit,intime,outtime"]
    transfer = 30_000_000
    for i in range(n_stays):
        subject, hadm = 10_000_000 + i, 20_000_000 + i
        t = datetime(2150, 1, 1) + timedelta(days=rng.uniform(0, 3000),
                                         minutes=rng.randint(0, 1439))
        stays = [("ED", "Emergency Department")] if rng.random() < 0.6 else []
        stays.append(("admit", rng.choice(units[1:])))
        stays += [("transfer", rng.choice(units[1:])) for _ in range(rng.randint(0, 3))]
        fmt = "%Y-%m-%d %H:%M:%S"
        for kind, unit in stays:
            out = t + timedelta(hours=rng.uniform(2, 96))
            hadm_text = "" if kind == "ED" and rng.random() < 0.2 else str(hadm)
            lines.append(f"{subject},{hadm_text},{transfer},{kind},{unit},"
                         f"{t.strftime(fmt)},{out.strftime(fmt)}")
            transfer, t = transfer + 1, out
        lines.append(f"{subject},{hadm},{transfer},discharge,UNKNOWN,{t.strftime(fmt)},")
        transfer += 1
    path = folder / "transfers.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def _disco_csv(folder: Path, n_cases: int = 60, seed: int = 4) -> Path:
    """A Disco export: ';'-separated, Disco's column names and time layout, a case named NA."""
    rng = random.Random(seed)
    steps = ("Intake", "Assessment", "Blood draw", "X-ray", "Doctor review", "Checkout")
    lines = ["Case ID;Activity;Start Timestamp;Complete Timestamp;Resource"]
    for i in range(n_cases):
        case = "NA" if i == 0 else f"C{i:04d}"
        t = datetime(2023, 5, 1, 7) + timedelta(days=rng.randint(0, 60),
                                         minutes=rng.randint(0, 600))
        for step in steps:
            if step in ("Blood draw", "X-ray") and rng.random() < 0.4:
                continue
            t += timedelta(minutes=rng.randint(1, 40))
            end = t + timedelta(minutes=rng.randint(2, 25))
            lines.append(f"{case};{step};{t:%Y/%m/%d %H:%M:%S}.000;{end:%Y/%m/%d %H:%M:%S}.000;"
                         f"R{rng.randint(1, 6)}")
            t = end
    path = folder / "disco_export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _gbk_his_csv(folder: Path, n_cases: int = 60, seed: int = 5) -> Path:
    """A Chinese HIS export in GBK with Chinese headers, departments and touchpoints."""
    rng = random.Random(seed)
    steps = ("挂号", "分诊", "候诊", "就诊", "缴费", "检验", "取药")
    lines = ["就诊号,患者ID,科室,环节,开始时间,结束时间,人员"]
    for i in range(n_cases):
        dept = rng.choice(["心内科", "儿科", "骨科"])
        t = datetime(2024, 9, 2, 7, 30) + timedelta(days=rng.randint(0, 40),
                                                    minutes=rng.randint(0, 480))
        for step in steps:
            if step == "检验" and rng.random() < 0.5:
                continue
            t += timedelta(minutes=rng.randint(1, 45))
            end = t + timedelta(minutes=rng.randint(1, 20))
            lines.append(f"MZ{2024000 + i},P{rng.randint(1, 40):05d},{dept},{step},"
                         f"{t:%Y/%m/%d %H:%M:%S},{end:%Y/%m/%d %H:%M:%S},工号{rng.randint(1, 9)}")
            t = end
    path = folder / "his_export.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def _lifecycle_csv(folder: Path, n_cases: int = 50, seed: int = 6) -> Path:
    """One row per lifecycle event (start, complete); one start has no complete."""
    rng = random.Random(seed)
    lines = ["case,activity,timestamp,lifecycle,resource"]
    for i in range(n_cases):
        t = datetime(2022, 11, 7, 8) + timedelta(days=rng.randint(0, 30),
                                         minutes=rng.randint(0, 500))
        for step in ("Check-in", "Vitals", "Physician", "Discharge desk"):
            t += timedelta(minutes=rng.randint(2, 30))
            lines.append(f"K{i:03d},{step},{t:%Y-%m-%d %H:%M:%S},start,S{rng.randint(1, 4)}")
            if i == 7 and step == "Physician":
                continue  # started, never completed
            t += timedelta(minutes=rng.randint(3, 20))
            lines.append(f"K{i:03d},{step},{t:%Y-%m-%d %H:%M:%S},complete,S{rng.randint(1, 4)}")
    path = folder / "lifecycle.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _merged_excel(folder: Path, n_cases: int = 30, seed: int = 7) -> Path:
    """An Excel export whose visit number and department cells are merged down each visit."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    ws.append(["就诊号", "科室", "环节", "开始时间", "结束时间"])
    row = 2
    for i in range(n_cases):
        t = datetime(2024, 3, 4, 8) + timedelta(days=rng.randint(0, 20),
                                         minutes=rng.randint(0, 300))
        steps = ["挂号", "就诊", "缴费", "取药"]
        for k, step in enumerate(steps):
            t += timedelta(minutes=rng.randint(1, 30))
            end = t + timedelta(minutes=rng.randint(1, 15))
            ws.append([f"V{i:04d}" if k == 0 else None, "眼科" if k == 0 else None, step, t, end])
            t = end
        ws.merge_cells(start_row=row, start_column=1, end_row=row + len(steps) - 1, end_column=1)
        ws.merge_cells(start_row=row, start_column=2, end_row=row + len(steps) - 1, end_column=2)
        row += len(steps)
    path = folder / "merged.xlsx"
    wb.save(path)
    return path


ZOO: dict[str, Callable[[Path], Path]] = {
    "sepsis_xes": _sepsis_xes,
    "daily_xes": _daily_xes,
    "transfers_csv_gz": _transfers_csv_gz,
    "disco_csv": _disco_csv,
    "gbk_his_csv": _gbk_his_csv,
    "lifecycle_csv": _lifecycle_csv,
    "merged_excel": _merged_excel,
    "sample": lambda folder: SAMPLE,
}

#: read_log arguments a user must give for each shape.
OPTIONS: dict[str, dict[str, str]] = {
    "transfers_csv_gz": {"case": "hadm_id", "activity": "careunit", "start": "intime",
                         "end": "outtime", "patient": "subject_id"},
}

#: What a user would check after loading: visits and events.
FACTS: dict[str, dict[str, int]] = {
    "sepsis_xes": {"cases": 120},
    "daily_xes": {"cases": 150},
    "disco_csv": {"cases": 60},
    "gbk_his_csv": {"cases": 60},
    "lifecycle_csv": {"cases": 50},
    "merged_excel": {"cases": 30, "events": 120},
}


def build(name: str, folder: str | Path) -> Path:
    """Write the zoo log ``name`` into ``folder`` and return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return ZOO[name](folder)
