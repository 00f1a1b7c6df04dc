"""Checking a user's ``time_format`` before any time is parsed with it."""

from __future__ import annotations

import re

from journey.errors import JourneyError

__all__ = ["check_time_format"]

# directives DuckDB's strptime understands (a ``-`` may follow ``%`` for unpadded numbers)
_DIRECTIVES = set("aAwubBhmdejyYHIMSpfzZgGnUWVcxX%")
_JAVA = (("yyyy", "%Y"), ("yy", "%y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"),
         ("hh", "%I"), ("mm", "%M"), ("ss", "%S"), ("SSS", "%f"), ("a", "%p"))


def _java_to_strftime(text: str) -> str:
    tokens = sorted((j for j, _ in _JAVA), key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(j) for j in tokens))
    table = dict(_JAVA)
    return pattern.sub(lambda m: table[m.group(0)], text)


def check_time_format(time_format: object, *, source: str | None = None) -> str:
    """Return ``time_format`` if it is a usable strftime layout; raise :class:`JourneyError`.

    A layout is refused when it is not text, uses a directive the engine does not know (or a
    lone ``%`` at the end), has no ``%`` directive at all (a spreadsheet-style layout such as
    ``"yyyy-MM-dd HH:mm"``, for which the strftime form is suggested), lacks a year, a month or
    a day (every time would fall on a made-up date), has ``%M`` (minutes) but no month and no
    hour, or uses
    ``%I`` (12-hour clock) without ``%p`` (AM/PM).

    Parameters
    ----------
    time_format : str
        The layout, in strftime codes, e.g. ``"%d/%m/%Y %H:%M"``.
    source : str, optional
        The file the layout is for, named in the error.

    Returns
    -------
    str
        The layout, unchanged.

    Raises
    ------
    JourneyError
        Naming the problem and a corrected layout where one can be given.

    Examples
    --------
    >>> check_time_format("%d/%m/%Y %H:%M")
    '%d/%m/%Y %H:%M'
    >>> try:
    ...     check_time_format("dd/MM/yyyy HH:mm")
    ... except JourneyError as exc:
    ...     print(str(exc).split("; ")[1])
    for this layout pass time_format='%d/%m/%Y %H:%M'
    """
    if not isinstance(time_format, str) or not time_format.strip():
        raise JourneyError(f"time_format={time_format!r} is not a layout: pass text in strftime "
                           "codes, e.g. time_format='%d/%m/%Y %H:%M'", source=source)
    shown = f"time_format={time_format!r}"
    if "%" not in time_format:
        guess = _java_to_strftime(time_format)
        hint = f"for this layout pass time_format={guess!r}" if guess != time_format else \
            "e.g. time_format='%d/%m/%Y %H:%M' for '06/01/2025 08:30'"
        raise JourneyError(f"{shown} has no strftime codes (%Y, %m, %d...); {hint}",
                           source=source)
    codes = []
    i = 0
    while i < len(time_format):
        if time_format[i] != "%":
            i += 1
            continue
        j = i + 2 if time_format[i + 1:i + 2] == "-" else i + 1
        code = time_format[j:j + 1]
        if code not in _DIRECTIVES or not code:
            bad = time_format[i:j + 1] or "%"
            raise JourneyError(f"{shown} uses {bad!r}, which is not a strftime code; the codes "
                               "are %Y year, %m month, %d day, %H hour (00-23), %I hour (1-12) "
                               "with %p AM/PM, %M minute, %S second, %f fraction, %z offset, "
                               "%b month name (write %% for a literal %)", source=source)
        codes.append(code)
        i = j + 1
    have = set(codes) - {"%"}
    if {"c", "x"} & have:
        return time_format  # locale layouts carry a whole date
    if "M" in have and not {"m", "b", "B", "h", "H", "I"} & have:
        raise JourneyError(f"{shown} has %M (minutes) but no month; for the month write %m, "
                           f"e.g. {time_format.replace('%M', '%m', 1)!r}", source=source)
    missing = [name for name, options in (("year", "yYGg"), ("month", "mbBhjUWV"),
                                          ("day", "dejUWV"))
               if not set(options) & have]
    if missing:
        raise JourneyError(f"{shown} has no {' and no '.join(missing)}: every time would fall "
                           "on a made-up date; give the full layout of the values, e.g. "
                           "'%Y-%m-%d %H:%M'", source=source)
    if "I" in have and "p" not in have:
        raise JourneyError(f"{shown} has %I (12-hour clock) but no %p (AM/PM), so 08:00 and "
                           "20:00 could not be told apart; add %p, or use %H for a 24-hour "
                           "clock", source=source)
    return time_format
