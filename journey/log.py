"""The event log: validated visit events held in the engine, with filters.

An :class:`EventLog` wraps an Ibis table of canonical columns (``case_id``, ``activity``,
``start``, ``end``, ``patient_id``, ``resource``, ``department``, attributes, and the
bookkeeping columns ``_row`` and ``_seq``). Every analysis is written once as Ibis
expressions, so it runs where the events live: an embedded DuckDB database by default.

Time semantics
--------------
- service time of an activity instance = end − start;
- wait before touchpoint B = B.start − end of the activity before it in the same visit;
- when the log has no start times, the gap between two completions is a *flow time*
  (it contains the service of the later touchpoint), never called a wait;
- within a visit, instances are ordered by start (the end when there is no start), then end,
  then their row in the source: ties keep file order (``_seq``).
All durations are reported in minutes.
"""

from __future__ import annotations

import getpass
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.backends.duckdb import Backend as IbisDuckDB

from journey.errors import JourneyError

__all__ = ["EngineProfile", "EventLog", "backend_of", "connect", "engine_profile",
           "engine_progress", "memory_limit_for", "set_memory_limit"]

BASE_COLUMNS = ("case_id", "activity", "start", "end", "patient_id", "resource", "department")


#: Memory limit set by :func:`set_memory_limit`; None: chosen from the size of each log.
_memory_limit: str | None = None
_BYTES_PER_EVENT = 48  # exact medians and percentiles hold every duration in memory
_MIN_BYTES = 1.5e9


def memory_limit_for(n_events: int) -> str:
    """The engine's memory limit for a log of ``n_events`` events (see :func:`set_memory_limit`).

    Examples
    --------
    >>> memory_limit_for(10_000_000), memory_limit_for(100_000_000)
    ('1.50GB', '4.80GB')
    """
    if _memory_limit is not None:
        return _memory_limit
    need = max(_MIN_BYTES, _BYTES_PER_EVENT * n_events)
    try:
        need = min(need, 0.8 * os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows): DuckDB caps it
        pass
    return f"{need / 1e9:.2f}GB"


def set_memory_limit(limit: str | None) -> None:
    """Set how much memory the engine may use for logs read from now on; beyond it, it spills.

    By default (``None``) each log gets 1.5 GB, or 48 bytes per event when that is more
    (4.8 GB for 100 million events), at most 80 % of the machine's memory: room for the exact
    medians and percentiles, which the engine cannot spill, while sorting, joining and
    counting spill to the system's temporary folder. At 10 million events 1.5 GB is as fast
    as no limit. Set a fixed size to give the engine more (faster on very large logs) or less.

    Parameters
    ----------
    limit : str or None
        A size such as ``"1.5GB"``, ``"800MB"`` or ``"16GB"``; None restores the default.

    Examples
    --------
    >>> set_memory_limit("4GB")
    >>> memory_limit_for(1000)
    '4GB'
    >>> set_memory_limit(None)
    """
    global _memory_limit
    if limit is not None:
        try:
            duckdb.connect().execute(f"SET memory_limit = '{limit}'")
        except duckdb.Error as exc:
            raise JourneyError(f"memory limit {limit!r} is not a size; write it like '1.5GB' "
                               "or '800MB'") from exc
    _memory_limit = limit


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment
        return "user"


def _is_enum(dtype: Any) -> bool:
    return str(dtype).startswith("ENUM(")


class _Backend(IbisDuckDB):
    """Ibis's DuckDB backend, whose results hold ENUM columns (read_log's activities) as text:
    the engine groups and counts on the ENUM's small integers, and pandas gets plain strings
    (Ibis would otherwise turn each value of a dictionary column into a Python object)."""

    def _to_duckdb_relation(self, *args: Any, **kwargs: Any) -> duckdb.DuckDBPyRelation:
        rel = super()._to_duckdb_relation(*args, **kwargs)
        if not any(map(_is_enum, rel.types)):
            return rel
        names = ['"' + c.replace('"', '""') + '"' for c in rel.columns]
        return rel.project(", ".join(f"CAST({n} AS VARCHAR) AS {n}" if _is_enum(t) else n
                                     for n, t in zip(names, rel.types, strict=True)))


def backend_of(con: duckdb.DuckDBPyConnection) -> Any:
    """The Ibis backend of the engine connection ``con``; its results hold activities as text
    (read_log stores them as an ENUM when there are few).

    Examples
    --------
    >>> con = connect()
    >>> _ = con.execute("CREATE TABLE t AS SELECT CAST('Lab' AS ENUM('Lab', 'X-ray')) AS a")
    >>> backend_of(con).table("t").execute().a.tolist()
    ['Lab']
    """
    return _Backend.from_connection(con)


def connect(database: str | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection configured for event logs.

    Uses at most :func:`memory_limit_for` a small log (:func:`journey.read_log` raises it to
    suit the log's size) and spills beyond it to a folder in the system's temporary directory
    (never into the working directory).

    Examples
    --------
    >>> con = connect()
    >>> con.execute("SELECT 1").fetchall()[0]
    (1,)
    """
    con = duckdb.connect(database or ":memory:")
    spill = Path(tempfile.gettempdir()) / f"journey-duckdb-{_user()}"
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    con.execute(f"SET memory_limit = '{memory_limit_for(0)}'")
    con.execute("SET TimeZone = 'UTC'")  # time-zone arithmetic never depends on the machine
    for profile in _profiles:
        profile._watch(con)
    return con


#: Profiles of :func:`engine_profile` blocks running now.
_profiles: list[EngineProfile] = []
#: How a step's name is written into the engine's own query log (see :meth:`EngineProfile.mark`).
_STEP = "journey step: "
#: The engine's metrics kept per query, under the names of :attr:`EngineProfile.queries`.
_METRICS = {"query.total_time": "seconds", "query.cpu_time": "cpu_seconds",
            "query.total_rows_scanned": "rows_scanned",
            "system.peak_buffer_memory": "peak_memory_bytes",
            "system.peak_temp_dir_size": "spilled_bytes"}


@dataclass
class EngineProfile:
    """What the engine did inside an :func:`engine_profile` block, from its own profiler.

    Attributes
    ----------
    queries : DataFrame
        One row per query, in order: ``step`` (the loading step of :func:`journey.read_log`
        that ran it, or the name given to :meth:`mark`), ``seconds`` (the engine's wall time),
        ``cpu_seconds``, ``rows_scanned``, ``peak_memory_bytes``, ``spilled_bytes`` (peak size
        of the spill folder) and ``sql`` (its first 200 characters). Filled when the block
        ends.

    Examples
    --------
    >>> import pandas as pd, journey
    >>> with engine_profile() as profile:
    ...     log = journey.read_log(pd.DataFrame({"case_id": ["a"], "activity": ["X"],
    ...                                          "end": ["2025-01-06 08:00"]}))
    >>> "ordering events" in set(profile.steps.step)
    True
    """

    queries: pd.DataFrame = field(default_factory=pd.DataFrame)
    _connections: list[duckdb.DuckDBPyConnection] = field(default_factory=list, repr=False)

    def _watch(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("SET enable_profiling = 'no_output'")  # metrics go to the log, not out
        con.execute("SET profiling_coverage = 'ALL'")  # loading a file is not a SELECT
        con.execute("CALL enable_logging(['QueryLog', 'Metrics'])").fetchall()
        self._connections.append(con)

    def mark(self, step: str) -> None:
        """Count the queries run from now on under ``step`` (e.g. ``"journey_map"``)."""
        for con in self._connections:
            _mark(con, step)

    @property
    def steps(self) -> pd.DataFrame:
        """Per step, in order: queries, seconds, cpu_seconds, peak_memory_bytes,
        spilled_bytes."""
        return self.queries.groupby("step", sort=False, as_index=False).agg(
            queries=("sql", "size"), seconds=("seconds", "sum"),
            cpu_seconds=("cpu_seconds", "sum"), peak_memory_bytes=("peak_memory_bytes", "max"),
            spilled_bytes=("spilled_bytes", "max"))

    def _collect(self) -> None:
        frames = []
        for con in self._connections:
            try:
                rows = con.execute(
                    "SELECT query_id, metric, value FROM duckdb_logs_parsed('Metrics') "
                    f"WHERE metric IN ('query.sql', {', '.join(map(repr, _METRICS))})").df()
            except duckdb.Error:  # the connection was closed: its log went with it
                continue
            frames.append(rows.pivot(index="query_id", columns="metric", values="value"))
        wide = pd.concat(frames) if frames else pd.DataFrame(columns=["query.sql", *_METRICS])
        sql = wide["query.sql"].fillna("").astype(str)
        marker = sql.str.startswith(f"SELECT '{_STEP}")
        step = sql.where(marker).str.slice(len(_STEP) + 8, -1).ffill().fillna("")
        own = sql.str.contains("duckdb_logs_parsed|enable_logging|enable_profiling")
        out = pd.DataFrame({"step": step, **{name: pd.to_numeric(wide.get(metric))
                                            for metric, name in _METRICS.items()},
                            "sql": sql.str.slice(0, 200)})
        self.queries = out[~marker & ~own].reset_index(drop=True)


def _mark(con: duckdb.DuckDBPyConnection, step: str) -> None:
    """Write ``step`` into the query log of ``con`` when an :func:`engine_profile` watches it."""
    if any(con in p._connections for p in _profiles):
        con.execute("SELECT '" + (_STEP + step).replace("'", "''") + "'").fetchall()


@contextmanager
def engine_profile() -> Iterator[EngineProfile]:
    """Profile the engine queries of every log read or analysed inside the block.

    Each connection opened in the block (:func:`journey.read_log` opens one per log) runs with
    DuckDB's profiler, which writes each query's metrics into the engine's own log; when the
    block ends they are read into :attr:`EngineProfile.queries`, each query under the loading
    step that ran it. Time outside the engine (Python, building queries, converting results)
    is the block's wall time less the sum of ``seconds``.

    Examples
    --------
    >>> import pandas as pd, journey
    >>> with engine_profile() as profile:
    ...     log = journey.read_log(pd.DataFrame({"case_id": ["a", "a"], "activity": ["X", "Y"],
    ...                                          "end": ["2025-01-06 08:00", "2025-01-06 09:00"]}))
    ...     profile.mark("journey_map")
    ...     tables = journey.journey_map(log).transitions
    >>> list(profile.steps.step)[-1], bool((profile.queries.seconds >= 0).all())
    ('journey_map', True)
    """
    profile = EngineProfile()
    _profiles.append(profile)
    try:
        yield profile
    finally:
        _profiles.remove(profile)
        profile._collect()


@contextmanager
def engine_progress(con: duckdb.DuckDBPyConnection, *, enabled: bool = True,
                    ) -> Iterator[Callable[[str], None]]:
    """A progress bar that follows the engine through a series of long queries.

    Yields ``stage(name)``, which names the step that runs next; the bar shows the engine's
    progress on the query running at that moment (DuckDB's ``query_progress``, read five
    times a second by a background thread), so reading a multi-gigabyte file moves the bar as
    the file is scanned. With ``enabled=False`` nothing is shown.

    Examples
    --------
    >>> con = connect()
    >>> with engine_progress(con, enabled=False) as stage:
    ...     stage("counting")
    ...     con.execute("SELECT count(*) FROM range(10)").fetchall()[0]
    (10,)
    """
    if not enabled:
        yield lambda name: _mark(con, name)
        return
    from tqdm.auto import tqdm

    printed = con.execute("SELECT current_setting('enable_progress_bar_print')").fetchall()[0]
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")  # one bar, not DuckDB's as well
    bar = tqdm(total=100, leave=False, bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}")
    stop = threading.Event()

    def follow() -> None:
        while not stop.wait(0.2):
            try:
                done = con.query_progress()
            except duckdb.Error:  # the connection was closed: nothing more to follow
                return
            if done >= 0:
                bar.n = min(float(done), 100.0)
                bar.refresh()

    def stage(name: str) -> None:
        _mark(con, name)
        bar.set_description_str(name, refresh=False)
        bar.n = 0
        bar.refresh()

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    try:
        yield stage
    finally:
        stop.set()
        thread.join()
        bar.close()
        con.execute(f"SET enable_progress_bar_print = {bool(printed[0])}")


@dataclass(frozen=True, repr=False)
class EventLog:
    """Validated visit events held in the engine.

    Create one with :func:`journey.read_log`. Filters return new logs over the same events.

    Attributes
    ----------
    table : ibis.Table
        The events (lazy; nothing is computed until a result is asked for).
    source : str
        The file (or ``"<DataFrame>"``) the log came from.
    has_start : bool
        Whether the log has start times. Without them, times between touchpoints are flow
        times, not waits.
    columns : dict
        Which source column became each field.
    exclusions : pandas.DataFrame
        Rows excluded or repaired at loading, with counts and example row numbers.
    filters : tuple of str
        The filters applied, as calls that reproduce them.
    resolution : {"time", "day"}
        ``"day"`` when every time in the source is a date (or midnight): durations are then in
        whole days, and hour-of-day results are left out with a note.
    utc_offset : int or None
        When the source's times carry UTC offsets: the offset (minutes) of the clock on which
        the times are held, the smallest in the source, so durations are between true instants.
    notes : tuple of str
        What reading changed or left out besides excluded rows (merged Excel cells filled,
        XES list attributes not read), one sentence each.
    clock : tuple of (Timestamp, int)
        Where the recorded wall clock was ahead of that clock: ``(from, minutes)`` pairs in time
        order (empty when it never was). :func:`journey.engine.wall_clock` applies it.

    Examples
    --------
    >>> import journey
    >>> log = journey.read_log("data/sample/visits.csv")  # doctest: +SKIP
    >>> log.filter(department="Internal Medicine").n_cases  # doctest: +SKIP
    """

    table: ir.Table
    source: str
    has_start: bool
    columns: dict[str, str] = field(default_factory=dict)
    exclusions: pd.DataFrame = field(default_factory=pd.DataFrame)
    stages: Mapping[str, str] | None = None
    filters: tuple[str, ...] = ()
    resolution: str = "time"
    utc_offset: int | None = None
    clock: tuple[tuple[pd.Timestamp, int], ...] = ()
    notes: tuple[str, ...] = ()
    _con: Any = None
    _source_object: Any = None

    @classmethod
    def _from_connection(cls, con: duckdb.DuckDBPyConnection, name: str, *, source: str,
                         has_start: bool, columns: dict[str, str], exclusions: pd.DataFrame,
                         stages: Mapping[str, str] | None, fingerprint_source: Any,
                         resolution: str = "time", utc_offset: int | None = None,
                         clock: tuple = (), notes: tuple[str, ...] = ()) -> EventLog:
        backend = backend_of(con)
        return cls(table=backend.table(name), source=source, has_start=has_start,
                   columns=columns, exclusions=exclusions, stages=stages, _con=backend,
                   _source_object=fingerprint_source, resolution=resolution,
                   utc_offset=utc_offset, clock=clock, notes=notes)

    # ------------------------------------------------------------------ basic facts
    @property
    def time_kind(self) -> str:
        """``"wait"`` when the log has start times, else ``"flow"``."""
        return "wait" if self.has_start else "flow"

    @property
    def attributes(self) -> list[str]:
        """Attribute columns beyond the canonical ones (segment tags and the like)."""
        return [c for c in self.table.columns
                if c not in BASE_COLUMNS and not c.startswith("_")]

    @property
    def n_events(self) -> int:
        """Number of activity instances."""
        return int(self.table.count().execute())

    @property
    def n_cases(self) -> int:
        """Number of visits (cases)."""
        return int(self.table.case_id.nunique().execute())

    @property
    def activities(self) -> list[str]:
        """Activity names, most frequent first."""
        counts = self.table.group_by("activity").aggregate(n=ibis._.count()).execute()
        return counts.sort_values(["n", "activity"], ascending=[False, True]).activity.tolist()

    @property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last time in the log."""
        t = self.table
        row = t.aggregate(lo=ibis.coalesce(t.start, t.end).min(), hi=t.end.max()).execute()
        return pd.Timestamp(row.lo.iloc[0]), pd.Timestamp(row.hi.iloc[0])

    @property
    def fingerprint(self) -> str:
        """sha256 of the input file(s) or data frame, for reports."""
        from journey.formats import sha256_of

        return sha256_of(self._source_object)

    def to_pandas(self, limit: int | None = None) -> pd.DataFrame:
        """The events as a pandas DataFrame, in case and time order (for small logs).

        Examples
        --------
        >>> import pandas as pd, journey
        >>> log = journey.read_log(pd.DataFrame({"case_id": ["a"], "activity": ["Lab"],
        ...                                      "end": ["2025-01-06 09:00"]}))
        >>> log.to_pandas()[["case_id", "activity", "end"]]
          case_id activity                 end
        0       a      Lab 2025-01-06 09:00:00
        """
        t = self.table.order_by(["case_id", "_seq"])
        frame = t.execute(limit=limit)
        return frame.drop(columns=[c for c in frame.columns if c.startswith("_")])

    def summary(self) -> pd.Series:
        """Key facts: events, visits, patients, activities, period, time kind, exclusions."""
        t = self.table
        agg = t.aggregate(events=t.count(), cases=t.case_id.nunique(),
                          activities=t.activity.nunique(),
                          first=ibis.coalesce(t.start, t.end).min(), last=t.end.max(),
                          ).execute().iloc[0]
        out = {"source": self.source, "events": int(agg.events), "cases": int(agg.cases),
               "activities": int(agg.activities), "first": agg["first"], "last": agg["last"],
               "time between touchpoints": "wait" if self.has_start else "flow time",
               "rows excluded": int(self.exclusions.rows.sum()) if len(self.exclusions) else 0}
        if "patient_id" in t.columns:
            out["patients"] = int(t.patient_id.nunique().execute())
        if self.notes:
            out["notes"] = " ".join(self.notes)
        if self.filters:
            out["filters"] = "; ".join(self.filters)
        return pd.Series(out, name="log")

    def __repr__(self) -> str:
        s = self.summary()
        return (f"EventLog({s.source!r}: {s.events:,} events, {s.cases:,} visits, "
                f"{s.activities} activities, {s['first']} – {s['last']}, "
                f"{s['time between touchpoints']})")

    # ------------------------------------------------------------------ filters
    def _with(self, table: ir.Table, call: str) -> EventLog:
        return replace(self, table=table, filters=(*self.filters, call))

    def filter(
        self,
        *,
        period: tuple[Any, Any] | None = None,
        department: str | Iterable[str] | None = None,
        activities: Iterable[str] | None = None,
        cases: Iterable[str] | None = None,
        variants: Iterable[str] | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> EventLog:
        """A new log restricted to some visits or touchpoints.

        Parameters
        ----------
        period : (start, end), optional
            Keep visits whose first touchpoint starts in ``[start, end)`` (whole visits are
            kept, as Disco's "started in" timeframe filter).
        department : str or list of str, optional
            Keep visits with at least one touchpoint in these departments.
        activities : list of str, optional
            Keep only these touchpoints (other events are removed; flows reconnect).
        cases : list of str, optional
            Keep these visits.
        variants : list of str, optional
            Keep visits whose path (activities joined by " → ") is one of these.
        where : dict, optional
            ``{attribute: value or list of values}``: keep visits with a touchpoint matching
            every given attribute.

        Examples
        --------
        >>> import pandas as pd, journey
        >>> df = pd.DataFrame({"case_id": ["a", "a", "b"], "activity": ["Lab", "Pharmacy", "Lab"],
        ...                    "end": ["2025-01-06 09:00", "2025-01-06 09:30", "2025-02-01 10:00"]})
        >>> journey.read_log(df).filter(period=("2025-01-01", "2025-02-01")).n_cases
        1
        """
        log = self
        t = self.table

        def keep_cases(mask: ir.BooleanValue) -> ir.Table:
            ids = log.table.filter(mask).select("case_id").distinct()
            return log.table.semi_join(ids, "case_id")

        if period is not None:
            lo, hi = (pd.Timestamp(p) if p is not None else None for p in period)
            first = t.group_by("case_id").aggregate(_first=ibis.coalesce(t.start, t.end).min())
            cond = [first._first >= lo] if lo is not None else []
            cond += [first._first < hi] if hi is not None else []
            ids = first.filter(cond).select("case_id") if cond else first.select("case_id")
            log = log._with(log.table.semi_join(ids, "case_id"), f"period={period!r}")
        if department is not None:
            values = [department] if isinstance(department, str) else list(department)
            self._known("department", values)
            log = log._with(keep_cases(log.table.department.isin(values)),
                            f"department={values!r}")
        if activities is not None:
            values = list(activities)
            from journey.engine import NEIGHBOURS

            kept = log.table.filter(log.table.activity.isin(values))
            log = log._with(kept.drop(*[c for c in NEIGHBOURS if c in kept.columns]),
                            f"activities={values!r}")
        if cases is not None:
            values = list(cases)
            log = log._with(log.table.filter(log.table.case_id.isin(values)),
                            f"cases=[{len(values)} visits]")
        if variants is not None:
            values = list(variants)
            from journey.engine import case_paths

            ids = case_paths(log.table).filter(ibis._.path.isin(values)).select("case_id")
            log = log._with(log.table.semi_join(ids, "case_id"), f"variants={values!r}")
        for column, value in (where or {}).items():
            values = list(value) if isinstance(value, list | tuple | set) else [value]
            self._known(column, values)
            log = log._with(keep_cases(log.table[column].isin(values)),
                            f"where={{{column!r}: {values!r}}}")
        return log

    def _known(self, column: str, values: list) -> None:
        """Refuse filter values that never occur: a typo must not give an empty log."""
        self._need(column)
        present = set(self.table.select(column).distinct().execute()[column].dropna())
        unknown = [v for v in values if v not in present]
        if unknown:
            raise JourneyError(
                f"no event has {column} = {unknown!r}. Values in the log: "
                f"{sorted(map(str, present))[:20]}.", source=self.source, column=column)

    def _need(self, column: str) -> None:
        if column not in self.table.columns:
            raise JourneyError(
                f"the log has no column {column!r}. Columns: {self.table.columns}. Name it "
                f"when reading, e.g. read_log(path, {column}='...').", source=self.source,
                column=column)

    # ------------------------------------------------------------------ quality
    def check(
        self,
        *,
        arrival: Iterable[str] | None = None,
        exit: Iterable[str] | None = None,
        window: tuple[Any, Any] | None = None,
        extreme_iqr: float = 3.0,
        similarity: float = 0.85,
        min_endpoint_share: float = 0.05,
        lang: str | None = None,
    ) -> pd.DataFrame:
        """Data-quality findings of a log, one row per check, each with a count and examples.

        Checks: rows excluded at loading (missing fields, end before start, unpaired lifecycle
        events, ...), exact duplicates (rows equal in every column; kept as events), negative and
        zero durations, overlapping touchpoints within a visit, incomplete visits, extreme
        durations, case attributes (columns constant within each visit, reported once), missing
        values of the other columns, near-duplicate activity labels (offered as questions) and,
        when a ``window`` is given, events outside the study window.

        Parameters
        ----------
        arrival, exit : list of str, optional
            Touchpoints a complete visit starts / ends with. By default, every touchpoint that
            starts (ends) at least ``min_endpoint_share`` of the visits, plus the catalogue's
            arrival touchpoints (booking, arrival, registration, triage) and exits (admission,
            discharge, left unseen, exit).
        window : (start, end), optional
            Study window; events ending before ``start`` or starting at or after ``end`` are
            reported.
        extreme_iqr : float
            A service time is extreme when above Q3 + ``extreme_iqr`` × IQR of its touchpoint.
        similarity : float
            Two activity labels are offered as possibly one touchpoint when equal once case,
            width, spaces and punctuation are ignored, or when they carry the same numbers and
            differ in at most (1 − ``similarity``) × the longer label's length characters (edit
            distance): "Admission IC" ~ "Admission NC", but never two codes of a code list.
        min_endpoint_share : float
            See ``arrival``.
        lang : {"en", "zh"}, optional
            Language of the check names, units and details; default
            :func:`journey.i18n.get_language`. Examples (case ids, row numbers, column names)
            and the reasons of rows excluded at loading are as recorded.

        Returns
        -------
        DataFrame
            check, count, unit ("rows", "events", "visits", "columns" or "pairs"), share (of that
            unit in the log), examples (case ids, row numbers, column names or label pairs),
            detail.

        Notes
        -----
        A column is a case attribute when, in every visit, all its values are equal (it may be
        given on some events only, such as an age recorded at registration), and the log has a
        visit of two or more events. Its empty cells are not missing values; visits without any
        value are named in the detail. Exact duplicates are rows equal in every column of the
        source, empty cells included; rows sharing visit, touchpoint and time that differ in
        another column are distinct events.

        Examples
        --------
        >>> import pandas as pd, journey
        >>> df = pd.DataFrame({"case_id": ["a", "a", "b"], "activity": ["Lab", "LAB", "Lab"],
        ...     "start": ["2025-01-06 08:00", "2025-01-06 08:05", "2025-01-06 09:00"],
        ...     "end": ["2025-01-06 08:10", "2025-01-06 08:20", "2025-01-06 09:00"],
        ...     "age": [41, None, 67]})
        >>> report = journey.read_log(df).check().set_index("check")
        >>> report.loc[["overlapping touchpoints", "zero durations", "case attributes"], "count"]
        check
        overlapping touchpoints    1
        zero durations             1
        case attributes            1
        Name: count, dtype: int64
        >>> report.loc["near-duplicate activity labels", "examples"]
        ["'LAB' ~ 'Lab': the same touchpoint?"]
        """
        from journey._quality import check_log

        return check_log(self, arrival=arrival, exit=exit, window=window,
                         extreme_iqr=extreme_iqr, similarity=similarity,
                         min_endpoint_share=min_endpoint_share, lang=lang)
