"""Command line: ``journey report LOG --out DIR`` (also ``python -m journey.cli``).

Examples
--------
Run every study notebook on the sample data, in Chinese::

    journey report data/sample/visits.csv --surveys data/sample/surveys.csv \\
        --complaints data/sample/complaints.csv --followups data/sample/followup_calls.csv \\
        --survey-touchpoints data/sample/survey_touchpoints.csv \\
        --study data/sample/study.toml --lang zh --out reports/sample

A completion-only XES export with daylight-saving offsets, its departments in ``org:group``::

    journey report Sepsis.xes --tz Europe/Amsterdam --department org:group --out reports/sepsis
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from journey.errors import JourneyError

__all__ = ["main"]

# read_log's column and reading options, under the same names
_READ = {"case": "visit (case) id column", "activity": "touchpoint (activity) column",
         "start": "start time column", "end": "end (completion) time column",
         "timestamp": "single time column of event-per-row logs",
         "department": "department column", "resource": "staff/resource column",
         "tz": "the hospital's time zone, e.g. Asia/Shanghai (needed for mixed UTC offsets)",
         "encoding": "text encoding of a CSV, e.g. gbk", "sheet": "Excel sheet name or number"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journey", description="Patient journey analysis of hospital visit logs.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser(
        "report", help="run the study notebooks on a log and write an HTML report",
        description="Run the numbered study notebooks on a visit log and write report.html "
                    "(self-contained, summary of findings first), tables/*.csv (small counts "
                    "suppressed) and manifest.json (versions, parameters, input fingerprints) "
                    "to --out. The log and the settings are checked before any notebook runs.")
    report.add_argument("log", help="visit log: CSV, Excel, Parquet, XES or a folder of parts")
    report.add_argument("--out", required=True,
                        help="output folder (created; only files an earlier report wrote are "
                             "replaced)")
    reading = report.add_argument_group("reading the log (as journey.read_log)")
    for name, text in _READ.items():
        reading.add_argument(f"--{name}", dest=f"read_{name}", metavar=name.upper()
                             if name not in ("tz", "encoding", "sheet") else None, help=text)
    study = report.add_argument_group("the change studied (notebook 04)")
    study.add_argument("--study", metavar="TOML",
                       help="study file (journey.toml) with intervention, department, control, "
                            "activity, target_wait, case_mix; options below win")
    study.add_argument("--intervention", metavar="DATE",
                       help="first day of the change, YYYY-MM-DD")
    study.add_argument("--treated", metavar="DEPT", help="department where the change was made")
    study.add_argument("--control", metavar="DEPT", help="comparable department without it")
    study.add_argument("--touchpoint", metavar="NAME",
                       help="touchpoint whose wait should change (default: where most "
                            "patient-hours are lost)")
    side = report.add_argument_group("side files (notebook 05)")
    side.add_argument("--surveys", help="survey responses file")
    side.add_argument("--complaints", help="complaints file")
    side.add_argument("--followups", help="follow-up calls file")
    side.add_argument("--survey-touchpoints", metavar="FILE",
                      help="survey ratings per touchpoint")
    report.add_argument("--lang", choices=["en", "zh"], help="language of the whole report")
    report.add_argument("--notebooks", metavar="01,02,...",
                        help="notebooks to run, by number (default: all)")
    report.add_argument("--notebooks-dir", metavar="DIR",
                        help="folder of the numbered notebooks (default: the package's)")
    report.add_argument("--threshold", type=int, default=5,
                        help="smallest count shown anywhere in the report (default: 5)")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _shown(path: Path) -> str:
    """A path as the user typed it: relative to the current folder when inside it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``journey`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 2 on a problem with the input or a notebook that failed
        (message on stderr).

    Examples
    --------
    >>> main(["report", "data/sample/visits.csv", "--notebooks", "01",
    ...       "--out", "reports/sample"])  # doctest: +SKIP
    0
    """
    args = _parser().parse_args(argv)
    from journey.report import build_report

    read_options = {name: getattr(args, f"read_{name}") for name in _READ}
    if read_options["sheet"] is not None and read_options["sheet"].isdigit():
        read_options["sheet"] = int(read_options["sheet"])
    try:
        page = build_report(
            args.log, out=args.out, surveys=args.surveys, complaints=args.complaints,
            followups=args.followups, survey_touchpoints=args.survey_touchpoints,
            intervention=args.intervention, department=args.treated, control=args.control,
            activity=args.touchpoint, study=args.study, read_options=read_options,
            lang=args.lang, notebooks=args.notebooks, notebooks_dir=args.notebooks_dir,
            threshold=args.threshold, progress=not args.quiet)
    except JourneyError as err:
        print(f"journey report: error: {err}", file=sys.stderr)
        return 2
    manifest = json.loads((page.parent / "manifest.json").read_text(encoding="utf-8"))
    reasons = {**manifest["skipped"], **manifest["sections_not_shown"]}
    said = set()
    for name, reason in reasons.items():
        if name in manifest["skipped"]:
            print(f"not shown: {name}: {reason}")
        elif (name == reason or name not in reasons.values()) and reason not in said:
            print(f"not shown: {reason}")  # once, however many sections it left out
        said.add(reason)
    tables = page.parent / "tables"
    if manifest["tables"]:
        print(f"tables: {len(manifest['tables'])} CSV files in {_shown(tables)}")
    print(_shown(page))
    return 0


if __name__ == "__main__":
    sys.exit(main())
