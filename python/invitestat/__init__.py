"""invitestat: survey proportions you can trust to the last digit, from Python.

The same library as the ``invitestat`` command line, with Python signatures:

* the calculators return the command line's JSON documents (``--json``) as dicts:
  :func:`ci`, :func:`compare` (counts, or printed figures such as ``"87%"`` on
  approximate bases), :func:`adjust`, :func:`power` and :func:`recover`;
* the analysis takes a responses file (CSV, workbook, Parquet, SPSS, Stata) or a
  pandas / polars / pyarrow data frame, read in place through the Arrow PyCapsule
  interface (never written out as CSV), and returns the result tables as data
  frames with the columns of the CSV outputs: :func:`analyze`, :func:`waves`,
  :func:`tabulate` and :func:`merge`;
* a refused input raises :class:`InvitestatError` with the command line's message.

>>> import invitestat
>>> r = invitestat.compare(52, 60, 214, 340)
>>> round(r["difference"]["estimate"], 4)
0.2373
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from typing import Any, Literal, Optional, Sequence, Union

from . import _native
from ._native import InvitestatError

__all__ = [
    "InvitestatError",
    "Report",
    "adjust",
    "analyze",
    "ci",
    "compare",
    "merge",
    "power",
    "recover",
    "tabulate",
    "waves",
    "__version__",
]

__version__: str = _native.version()

PathLike = Union[str, "os.PathLike[str]"]
"""A path to a file, as a string or a :class:`os.PathLike`."""

Frames = Literal["pandas", "polars"]
"""The kind of data frame the result tables are returned as."""


def _text(value: Union[int, str]) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvitestatError(
            f"expected a whole number or a text such as '87%' or '55..59'; got {value!r}"
        )
    return str(value)


def ci(
    successes: Union[int, str],
    n: Union[int, str],
    *,
    method: Optional[str] = None,
    level: float = 0.95,
    alternative: str = "two-sided",
    rounding: str = "half-up",
) -> dict[str, Any]:
    """Confidence intervals for one proportion: ``invitestat ci SUCCESSES N --json``.

    ``successes`` is a count, or a printed figure (``"87%"``, ``"12.5%"``, ``"<1%"``);
    ``n`` is a base, or for a printed figure a window (``"55..59"``) or an approximate
    base (``"~60"``, ``"almost 60"``). Every method is computed (preferred first)
    unless ``method`` names one: ``wilson``, ``wilson-cc``, ``agresti-coull``,
    ``jeffreys``, ``clopper-pearson``, ``mid-p``, ``wald``.

    >>> r = ci(52, 60, method="wilson")
    >>> [round(r["intervals"]["wilson"][k], 6) for k in ("lower", "upper")]
    [0.758348, 0.930859]
    >>> ci("87%", "55..59")["consistent"]["counts"]
    1
    """
    return json.loads(
        _native.ci(_text(successes), _text(n), rounding, method, float(level), alternative)
    )


def compare(
    x1: Union[int, str],
    n1: Union[int, str, None] = None,
    x2: Union[int, str, None] = None,
    n2: Union[int, str, None] = None,
    *,
    total: Optional[int] = None,
    slack: int = 0,
    rounding: str = "half-up",
    test: str = "fisher",
    family: int = 1,
    level: float = 0.95,
) -> dict[str, Any]:
    """Two groups compared: ``invitestat compare X1/N1 X2/N2 --json``.

    With four counts, the difference, risk and odds ratios with their intervals and
    every test. With printed figures (``compare("87%", "55..59", "63%", "341..345",
    total=400)``), every set of counts consistent with both figures (under the
    rounding schemes given, adding up to ``total`` less up to ``slack``) is evaluated:
    each quantity's range and whether the difference is significant for all, some or
    none of them (the verdict by ``test``, at ``1 - level`` divided by ``family``).
    A base left as ``None`` with a ``total`` is whatever the total leaves.

    >>> r = compare(52, 60, 214, 340)
    >>> round(r["tests"]["fisher"]["p_value"], 8)
    0.00018776
    >>> compare("87%", "55..59", "63%", "341..345", total=400)["verdict"]["significant_for"]
    'all'
    """
    if x2 is None:
        raise InvitestatError("compare: give x1, n1, x2 and n2 (n1 and n2 may be None with a total)")
    first = _text(x1) if n1 is None else f"{_text(x1)}/{_text(n1)}"
    second = _text(x2) if n2 is None else f"{_text(x2)}/{_text(n2)}"
    return json.loads(
        _native.compare(
            first, second, None, None, total, slack, rounding, test, family, float(level)
        )
    )


def adjust(pvalues: Sequence[float], *, method: str = "holm") -> dict[str, Any]:
    """P-values adjusted for multiple testing, order kept: ``invitestat adjust``.

    Matches R ``p.adjust``: ``bonferroni``, ``holm``, ``hochberg``, ``bh``, ``by``.

    >>> adjust([0.01, 0.02, 0.03, 0.04], method="bh")["adjusted"]
    [0.039999999999999994, 0.039999999999999994, 0.039999999999999994, 0.04]
    """
    return json.loads(_native.adjust([float(p) for p in pvalues], method))


def power(
    *,
    p2: float,
    p1: Optional[float] = None,
    n1: Optional[float] = None,
    n2: Optional[float] = None,
    power: Optional[float] = None,
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: str = "two-sided",
) -> dict[str, Any]:
    """Power, sample size or minimum detectable difference: ``invitestat power``.

    Give ``p1, p2, n1, n2`` for the power; ``p1, p2, power`` for the sample size
    (``n2 = ratio * n1``); ``p2, n1, n2, power`` for the minimum detectable difference.

    >>> r = power(p1=0.73, p2=0.63, power=0.8)
    >>> r["solved_for"], r["n1_rounded_up"]
    ('sample_size', 341.0)
    """
    f = lambda v: None if v is None else float(v)  # noqa: E731
    return json.loads(
        _native.power(f(p1), float(p2), f(n1), f(n2), f(power), float(ratio), float(alpha), alternative)
    )


def recover(
    figures: Sequence[str], *, n: Union[int, str], rounding: str = "half-up"
) -> dict[str, Any]:
    """Which bases in a window, and which counts, show every printed figure of one
    group: ``invitestat recover FIGURE... --n N``.

    >>> [c["n"] for c in recover(["21%", "40%", "87%"], n="50..70")["candidates"]][:3]
    [52, 53, 62]
    """
    return json.loads(_native.recover([str(f) for f in figures], _text(n), rounding))


@dataclass
class Report:
    """An analysis: its result tables as data frames (the CSV outputs' names without
    ``.csv``, and their columns; codes and labels as text), the same tables as the CSV
    text the report writes, the results document (the JSON of ``--json``), the
    terminal summary, and the folder it was written to, if any."""

    tables: dict[str, Any]
    csv: dict[str, str]
    document: dict[str, Any]
    summary: str
    out: Optional[str] = None

    def __getitem__(self, name: str) -> Any:
        """The table ``name`` (``report["results"]``)."""
        return self.tables[name]

    def __repr__(self) -> str:
        return f"Report(tables={sorted(self.tables)}, out={self.out!r})"


#: Columns of the CSV outputs that hold codes, labels or names: kept as text in the
#: data frames (an answer code ``1`` stays ``"1"``, as in the codebook).
TEXT_COLUMNS = frozenset(
    """question question_label option option_label group group_label group_a
    group_a_label group_b group_b_label wave previous id claim figure table printed
    printed_a printed_b phrase method ci_method test adjustment rounding note verdict
    summary letters weighted_letters groups depends_on_reconstruction""".split()
)


def _frames(kind: Frames, tables: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, text in tables.items():
        header = next(csv.reader(io.StringIO(text)), [])
        text_columns = [c for c in header if c in TEXT_COLUMNS]
        if kind == "polars":
            import polars as pl

            out[key] = pl.read_csv(
                io.StringIO(text),
                infer_schema_length=None,
                schema_overrides={c: pl.Utf8 for c in text_columns},
            )
        elif kind == "pandas":
            import pandas as pd

            out[key] = pd.read_csv(
                io.StringIO(text),
                keep_default_na=False,
                na_values=[""],
                dtype={c: str for c in text_columns},
            )
        else:
            raise InvitestatError(f"frames: '{kind}' is not pandas or polars")
    return out


def _kind_of(data: Any, frames: Optional[Frames]) -> Frames:
    if frames is not None:
        return frames
    module = type(data).__module__.split(".")[0]
    return "polars" if module == "polars" else "pandas"


def _name_of(data: Any) -> str:
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    module = type(data).__module__.split(".")[0]
    return f"{module} {type(data).__name__}"


def _methods(
    ci_method: str,
    test: str,
    adjust: str,
    weighted_ci_method: str,
    level: float,
    min_base: int,
    min_count: int,
    suppress_below: Optional[int],
) -> dict[str, Any]:
    return {
        "ci_method": ci_method,
        "test": test,
        "adjust": adjust,
        "weighted_ci_method": weighted_ci_method,
        "level": float(level),
        "min_base": int(min_base),
        "min_count": int(min_count),
        "suppress_below": suppress_below,
    }


class _Options:
    """Attribute access over a dict, as the native functions extract their options."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _report(delivered: tuple[str, str, list[tuple[str, str]]], kind: Frames, out: Any) -> Report:
    document, summary, tables = delivered
    texts = {name[:-4] if name.endswith(".csv") else name: text for name, text in tables}
    return Report(
        tables=_frames(kind, texts),
        csv=texts,
        document=json.loads(document),
        summary=summary,
        out=None if out is None else os.fspath(out),
    )


def analyze(
    data: Any,
    codebook: PathLike,
    *,
    out: Optional[PathLike] = None,
    formats: str = "all",
    force: bool = False,
    frames: Optional[Frames] = None,
    ci_method: str = "wilson",
    test: str = "fisher",
    adjust: str = "holm",
    weighted_ci_method: str = "beta",
    level: float = 0.95,
    min_base: int = 30,
    min_count: int = 0,
    suppress_below: Optional[int] = None,
    delimiter: str = ",",
    strict_columns: bool = False,
) -> Report:
    """Analyses responses against a codebook: ``invitestat analyze DATA --codebook
    CODEBOOK``.

    ``data`` is a path (CSV, workbook, Parquet file or folder, SPSS or Stata file) or a
    data frame with ``__arrow_c_stream__`` (pandas >= 2.2, polars >= 1.3, pyarrow
    tables): its cells are checked as a CSV file's are, an error naming the row (the
    header being line 1, as in the frame written as CSV), column and value. With
    ``out``, the report (CSV, JSON, HTML, Markdown, charts; ``formats`` as
    ``--format``) is written to that folder, which is replaced only if it holds an
    earlier invitestat report (any changed one with ``force``). The methods are
    ``analyze``'s options.

    Returns a :class:`Report` whose tables are pandas data frames, or polars ones for a
    polars input or ``frames="polars"``.

    >>> import pandas as pd
    >>> df = pd.read_csv("data/executives-online/responses.csv", dtype=str)
    >>> r = analyze(df, "data/executives-online/codebook.toml")
    >>> t = r["results"]
    >>> row = t[(t.question == "accept_never_met") & (t.option == "1") & (t.group == "recruiters")]
    >>> int(row["successes"].iloc[0]), int(row["n"].iloc[0])
    (48, 55)
    """
    delivered = _native.analyze(
        data,
        os.fspath(codebook),
        _name_of(data),
        _Options(_methods(ci_method, test, adjust, weighted_ci_method, level, min_base, min_count, suppress_below)),
        _Options({"out": None if out is None else os.fspath(out), "formats": formats, "force": force}),
        delimiter,
        strict_columns,
    )
    return _report(delivered, _kind_of(data, frames), out)


def waves(
    data: Union[Sequence[Any], dict[str, Any], Any],
    codebook: PathLike,
    *,
    out: Optional[PathLike] = None,
    formats: str = "all",
    force: bool = False,
    frames: Optional[Frames] = None,
    ci_method: str = "wilson",
    test: str = "fisher",
    adjust: str = "holm",
    weighted_ci_method: str = "beta",
    level: float = 0.95,
    min_base: int = 30,
    min_count: int = 0,
    suppress_below: Optional[int] = None,
    delimiter: str = ",",
    strict_columns: bool = False,
) -> Report:
    """Compares survey waves: ``invitestat waves DATA... --codebook CODEBOOK``.

    ``data`` is a list of waves (paths or data frames, labelled by file name or
    ``1``, ``2``, ...), a dict of label to wave, or one path or data frame split by the
    codebook's ``wave_column``. Changes since the previous wave, trends and gap
    changes (weighted, under the codebook's design, and over shared respondents as a
    panel) are in the tables; the options are :func:`analyze`'s.

    >>> w = [f"data/waves-example/wave-{i}.csv" for i in (1, 2, 3)]
    >>> r = waves(w, "data/waves-example/codebook.toml")
    >>> sorted(r.tables)
    ['gaps', 'trends', 'waves', 'weighted_gaps', 'weighted_trends', 'weighted_waves']
    """
    if isinstance(data, dict):
        labels: Optional[list[str]] = [str(k) for k in data]
        items = list(data.values())
    elif isinstance(data, (list, tuple)):
        labels, items = None, list(data)
    else:
        labels, items = None, [data]
    if not items:
        raise InvitestatError("waves: no waves given; expected two or more, or one with the codebook's wave column")
    delivered = _native.waves(
        items,
        labels,
        os.fspath(codebook),
        [_name_of(d) for d in items],
        _Options(_methods(ci_method, test, adjust, weighted_ci_method, level, min_base, min_count, suppress_below)),
        _Options({"out": None if out is None else os.fspath(out), "formats": formats, "force": force}),
        delimiter,
        strict_columns,
    )
    return _report(delivered, _kind_of(items[0] if items else None, frames), out)


def tabulate(
    data: Any,
    codebook: PathLike,
    counts_out: PathLike,
    *,
    force: bool = False,
    delimiter: str = ",",
    strict_columns: bool = False,
) -> dict[str, int]:
    """Counts responses (a path or a data frame) into a count table file, the
    sufficient statistics that :func:`merge` adds up: ``invitestat tabulate``. An
    existing file is replaced only if it is a count table (any file but an input with
    ``force``).

    Returns the rows read and used.

    >>> import tempfile, pandas as pd
    >>> rows = pd.read_csv("data/executives-online/responses.csv", dtype=str, keep_default_na=False)
    >>> book = "data/executives-online/codebook.toml"
    >>> folder = tempfile.mkdtemp()
    >>> tabulate(rows.iloc[:100], book, f"{folder}/a.json")
    {'rows_read': 100, 'rows_used': 100}
    >>> tabulate(rows.iloc[100:], book, f"{folder}/b.json")
    {'rows_read': 300, 'rows_used': 300}
    >>> merged = merge([f"{folder}/a.json", f"{folder}/b.json"], book)
    >>> merged.csv["results"] == analyze(rows, book).csv["results"]
    True
    """
    read, used = _native.tabulate(
        data, os.fspath(codebook), os.fspath(counts_out), _name_of(data), force, delimiter, strict_columns
    )
    return {"rows_read": read, "rows_used": used}


def merge(
    counts: Sequence[PathLike],
    codebook: PathLike,
    *,
    out: Optional[PathLike] = None,
    formats: str = "all",
    force: bool = False,
    frames: Frames = "pandas",
    ci_method: str = "wilson",
    test: str = "fisher",
    adjust: str = "holm",
    weighted_ci_method: str = "beta",
    level: float = 0.95,
    min_base: int = 30,
    min_count: int = 0,
    suppress_below: Optional[int] = None,
) -> Report:
    """Merges count tables (from :func:`tabulate`, or an engine's SQL GROUP BY as CSV or
    Parquet) and analyses them: ``invitestat merge COUNTS... --codebook CODEBOOK``.
    The result equals :func:`analyze` on the rows the tables counted."""
    delivered = _native.merge(
        [os.fspath(c) for c in counts],
        os.fspath(codebook),
        _Options(_methods(ci_method, test, adjust, weighted_ci_method, level, min_base, min_count, suppress_below)),
        _Options({"out": None if out is None else os.fspath(out), "formats": formats, "force": force}),
    )
    return _report(delivered, frames, out)
