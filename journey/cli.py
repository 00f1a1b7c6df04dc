"""Command line: ``journey report LOG --out DIR`` (also ``python -m journey.cli``).

Examples
--------
Run every study notebook on the sample data, in Chinese::

    journey report data/sample/visits.csv --surveys data/sample/surveys.csv \\
        --complaints data/sample/complaints.csv --followups data/sample/followup_calls.csv \\
        --survey-touchpoints data/sample/survey_touchpoints.csv --lang zh --out reports/sample
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from journey.errors import JourneyError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journey", description="Patient journey analysis of hospital visit logs.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser(
        "report", help="run the study notebooks on a log and write an HTML report",
        description="Run the numbered study notebooks on a visit log and write report.html "
                    "(self-contained), tables/*.csv (small counts suppressed) and "
                    "manifest.json (versions, parameters, input fingerprints) to --out.")
    report.add_argument("log", help="visit log: CSV, Excel, Parquet, XES or a folder of parts")
    report.add_argument("--out", required=True, help="output folder (created)")
    report.add_argument("--surveys", help="survey responses file")
    report.add_argument("--complaints", help="complaints file")
    report.add_argument("--followups", help="follow-up calls file")
    report.add_argument("--survey-touchpoints", metavar="FILE",
                        help="survey ratings per touchpoint (without it, the per-touchpoint "
                             "scores are left out)")
    report.add_argument("--intervention", metavar="DATE",
                        help="date of the change for the before/after study, YYYY-MM-DD")
    report.add_argument("--department", help="department studied")
    report.add_argument("--control", metavar="DEPT", help="control department")
    report.add_argument("--lang", choices=["en", "zh"], help="language of figures and text")
    report.add_argument("--notebooks", metavar="01,02,...",
                        help="notebooks to run, by number (default: all)")
    report.add_argument("--notebooks-dir", metavar="DIR",
                        help="folder of the numbered notebooks (default: the project's)")
    report.add_argument("--threshold", type=int, default=5,
                        help="smallest count shown in tables and in the journey-map figures "
                             "(process map, Sankey, stage map, variants; default: 5)")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``journey`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 2 on a problem with the input (message on stderr).

    Examples
    --------
    >>> main(["report", "data/sample/visits.csv", "--notebooks", "01",
    ...       "--out", "reports/sample"])  # doctest: +SKIP
    0
    """
    args = _parser().parse_args(argv)
    from journey.report import build_report

    try:
        page = build_report(
            args.log, out=args.out, surveys=args.surveys, complaints=args.complaints,
            followups=args.followups, survey_touchpoints=args.survey_touchpoints,
            intervention=args.intervention,
            department=args.department, control=args.control, lang=args.lang,
            notebooks=args.notebooks, notebooks_dir=args.notebooks_dir,
            threshold=args.threshold, progress=not args.quiet)
    except JourneyError as err:
        print(f"journey report: error: {err}", file=sys.stderr)
        return 2
    print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
