"""The Python package against the command line and the golden values: the same
documents, the same tables, the same messages.

Run from the repository root after `cargo build` (the command line compared with is
$INVITESTAT_BIN, else target/debug/invitestat, else target/release/invitestat):

    python -m pytest python/tests
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import invitestat
from invitestat import InvitestatError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"

#: Relative tolerances of the golden values, by the class the reference scripts give.
TOLERANCE = {"closed": 1e-9, "exact": 1e-8, "root": 1e-7}


def binary() -> str:
    for candidate in (
        os.environ.get("INVITESTAT_BIN"),
        ROOT / "target/debug/invitestat",
        ROOT / "target/release/invitestat",
    ):
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.skip("no invitestat binary built")


def cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([binary(), *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    assert (done.returncode == 0) == ok, done.stderr
    return done


def cli_json(*args: str) -> dict:
    return json.loads(cli(*args, "--json").stdout)


def cli_error(*args: str) -> str:
    """The command line's message for a refused input, without its `error: ` prefix."""
    text = cli(*args, ok=False).stderr.strip()
    return text.removeprefix("error: ")


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


# The calculators: the same JSON documents as the command line's --json.


@pytest.mark.parametrize(
    "python, args",
    [
        (lambda: invitestat.ci(52, 60), ["ci", "52", "60"]),
        (
            lambda: invitestat.ci(0, 340, method="clopper-pearson", level=0.99, alternative="less"),
            ["ci", "0", "340", "--method", "clopper-pearson", "--confidence-level", "0.99", "--alternative", "less"],
        ),
        (lambda: invitestat.ci("87%", "55..59"), ["ci", "87%", "55..59"]),
        (lambda: invitestat.ci("<1%", "~340", rounding="any"), ["ci", "<1%", "~340", "--rounding", "any"]),
        (lambda: invitestat.compare(52, 60, 214, 340), ["compare", "52/60", "214/340"]),
        (lambda: invitestat.compare(13, 60, 177, 340, level=0.9), ["compare", "13/60", "177/340", "--confidence-level", "0.9"]),
        (
            lambda: invitestat.compare("87%", "55..59", "63%", "341..345", total=400),
            ["compare", "87%/55..59", "63%/341..345", "--total", "400"],
        ),
        (
            lambda: invitestat.compare("87%", "~60", "63%", "~340", rounding="any", test="z"),
            ["compare", "87%/~60", "63%/~340", "--rounding", "any", "--test", "z"],
        ),
        (lambda: invitestat.compare("21%", 345, "6%", "54..59", family=7), ["compare", "21%/345", "6%/54..59", "--family", "7"]),
        (
            lambda: invitestat.adjust([0.0005, 0.009, 0.02, 0.04, 0.3], method="holm"),
            ["adjust", "--method", "holm", "0.0005", "0.009", "0.02", "0.04", "0.3"],
        ),
        (lambda: invitestat.power(p1=0.87, p2=0.63, n1=60, n2=340), ["power", "--p1", "0.87", "--p2", "0.63", "--n1", "60", "--n2", "340"]),
        (
            lambda: invitestat.power(p1=0.73, p2=0.63, power=0.8, ratio=5.667),
            ["power", "--p1", "0.73", "--p2", "0.63", "--power", "0.8", "--ratio", "5.667"],
        ),
        (lambda: invitestat.power(p2=0.63, n1=60, n2=340, power=0.8), ["power", "--p2", "0.63", "--n1", "60", "--n2", "340", "--power", "0.8"]),
        (
            lambda: invitestat.recover(["21%", "40%", "87%", "6%", "54%", "78%"], n="50..70", rounding="ceiling"),
            ["recover", "21%", "40%", "87%", "6%", "54%", "78%", "--n", "50..70", "--rounding", "ceiling"],
        ),
    ],
)
def test_calculators_give_the_command_lines_documents(python, args) -> None:
    assert python() == cli_json(*args)


@pytest.mark.parametrize(
    "python, args",
    [
        (lambda: invitestat.ci(61, 60), ["ci", "61", "60"]),
        (lambda: invitestat.compare("87%", None, "63%", None), ["compare", "87%", "63%"]),
        (lambda: invitestat.compare(52, 60, 214, 340, test="t-test"), None),
        (lambda: invitestat.adjust([0.5, 1.5]), None),
        (lambda: invitestat.power(p2=0.63, n1=60), ["power", "--p2", "0.63", "--n1", "60"]),
        (lambda: invitestat.recover([], n="50..70"), None),
    ],
)
def test_refused_requests_raise_with_the_command_lines_message(python, args) -> None:
    with pytest.raises(InvitestatError) as raised:
        python()
    message = str(raised.value)
    assert message and "nan" not in message.lower()
    if args is not None:
        assert message == cli_error(*args)


def test_option_messages_name_the_keyword_and_the_command_lines_reason() -> None:
    with pytest.raises(InvitestatError, match=r"^test: unknown test 't-test' \(expected one of fisher"):
        invitestat.compare(52, 60, 214, 340, test="t-test")
    with pytest.raises(InvitestatError, match=r"^pvalues: 1.5 is not a p-value in \[0, 1\]$"):
        invitestat.adjust([0.5, 1.5])


def golden_rows(name: str):
    with open(ROOT / "tests/golden" / name, newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    for row in csv.DictReader(lines):
        args = dict(a.split("=", 1) for a in row["args"].split())
        yield row, args, float(row["value"]), TOLERANCE[row["tolerance"]]


def close(got: float, want: float, tolerance: float) -> bool:
    return got == want if want == 0 else abs((got - want) / want) <= tolerance


@pytest.mark.parametrize("file", ["r.csv", "python.csv"])
def test_golden_values_of_r_and_scipy_are_matched(file: str) -> None:
    methods = set(invitestat.ci(1, 2)["intervals"])
    checked, failures = 0, []
    compared: dict[tuple, dict] = {}
    for row, args, want, tol in golden_rows(file):
        fn, field = row["function"], row["field"]
        got = None
        if fn == "ci" and args["method"] in methods:
            doc = invitestat.ci(
                int(float(args["x"])), int(float(args["n"])), method=args["method"],
                level=float(args["level"]), alternative=args["alt"],
            )
            got = doc["intervals"][args["method"]][field]
        elif fn == "adjust" and field == "adjusted":
            p = [float(v) for v in args["p"].split(";")]
            if args["method"] in {"bonferroni", "holm", "hochberg", "bh", "by"}:
                got = invitestat.adjust(p, method=args["method"])["adjusted"][int(args["i"])]
        elif fn == "diff" and args.get("alt") == "two-sided":
            key = (args["x1"], args["n1"], args["x2"], args["n2"], args["level"])
            if key not in compared:
                compared[key] = invitestat.compare(
                    int(float(args["x1"])), int(float(args["n1"])), int(float(args["x2"])), int(float(args["n2"])),
                    level=float(args["level"]),
                )
            got = compared[key]["difference"]["intervals"].get(args["method"], {}).get(field)
        if got is None:
            continue
        checked += 1
        if not close(got, want, tol):
            failures.append(f"{row['function']} {row['args']} {field}: {got!r} vs {want!r} ({row['source']})")
    assert checked > 200, checked
    assert not failures, "\n".join(failures[:20])


# The analysis: the command line's tables, from a path or from a data frame.


STUDIES = ["executives-online", "october-experiment", "three-groups-example", "two-groups-example"]


def cli_tables(tmp_path: Path, *args: str) -> dict[str, str]:
    out = tmp_path / "cli-report"
    cli(*args, "--out", out, "--format", "csv")
    return {p.stem: p.read_text() for p in sorted(out.glob("*.csv"))}


@pytest.mark.parametrize("study", STUDIES)
def test_analyze_gives_the_command_lines_tables(tmp_path: Path, study: str) -> None:
    folder = DATA / study
    responses, codebook = folder / "responses.csv", folder / "codebook.toml"
    want = cli_tables(tmp_path, "analyze", responses, "--codebook", codebook)
    from_path = invitestat.analyze(responses, codebook)
    assert from_path.csv == want
    assert from_path.document == cli_json("analyze", responses, "--codebook", codebook)
    # The same rows as data frames: text as read, or typed by pandas' and polars' own
    # inference (integers, floats with NaN for empty cells).
    frames = [
        pd.read_csv(responses, dtype=str, keep_default_na=False),
        pd.read_csv(responses),
        pl.read_csv(responses, infer_schema_length=0),
        pl.read_csv(responses),
        pl.read_csv(responses).to_arrow(),
        # Categorical columns arrive as Arrow dictionaries.
        pd.read_csv(responses, dtype=str, keep_default_na=False).astype("category"),
        pl.read_csv(responses, infer_schema_length=0).with_columns(pl.all().cast(pl.Categorical)),
    ]
    for frame in frames:
        got = invitestat.analyze(frame, codebook)
        assert got.csv == want, type(frame)
        assert got.document["load"]["rows_used"] == from_path.document["load"]["rows_used"]


def test_result_tables_are_data_frames_with_the_csv_columns_and_codes_as_text() -> None:
    folder = DATA / "executives-online"
    report = invitestat.analyze(folder / "responses.csv", folder / "codebook.toml")
    results = report["results"]
    assert isinstance(results, pd.DataFrame)
    assert list(results.columns) == report.csv["results"].splitlines()[0].split(",")
    row = results[(results.question == "accept_never_met") & (results.option == "1") & (results.group == "recruiters")]
    assert (int(row.successes.iloc[0]), int(row.n.iloc[0])) == (48, 55)
    polars = invitestat.analyze(pl.read_csv(folder / "responses.csv"), folder / "codebook.toml")
    assert isinstance(polars["results"], pl.DataFrame)
    assert polars["results"]["option"].dtype == pl.Utf8
    assert polars["results"].shape == results.shape


def test_the_report_is_written_when_asked_and_nothing_else_is_overwritten(tmp_path: Path) -> None:
    folder = DATA / "executives-online"
    out = tmp_path / "report"
    invitestat.analyze(folder / "responses.csv", folder / "codebook.toml", out=out)
    assert (out / "report.html").exists() and (out / "results.csv").exists()
    # Again into the same folder: an earlier report is replaced.
    invitestat.analyze(folder / "responses.csv", folder / "codebook.toml", out=out, formats="csv")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    with pytest.raises(InvitestatError) as raised:
        invitestat.analyze(folder / "responses.csv", folder / "codebook.toml", out=mine)
    assert str(raised.value) == cli_error(
        "analyze", folder / "responses.csv", "--codebook", folder / "codebook.toml", "--out", mine
    )
    assert (mine / "notes.txt").read_text() == "my notes"


def test_a_bad_cell_in_a_data_frame_is_refused_as_in_a_file(tmp_path: Path) -> None:
    folder = DATA / "executives-online"
    frame = pd.read_csv(folder / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[1, "accept_never_met"] = "7"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    want = cli_error("analyze", bad, "--codebook", folder / "codebook.toml")
    with pytest.raises(InvitestatError) as raised:
        invitestat.analyze(frame, folder / "codebook.toml")
    assert str(raised.value) == want.replace(str(bad), "pandas DataFrame")
    assert "line 3" in str(raised.value) and "'7'" in str(raised.value)
    # A repeated id names its line too, and a column the codebook needs but the frame
    # lacks is named.
    frame = pd.read_csv(folder / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[5, "respondent_id"] = frame.loc[2, "respondent_id"]
    with pytest.raises(InvitestatError, match=r"^pandas DataFrame: line 7, column 1 \(respondent_id\): duplicate respondent id"):
        invitestat.analyze(frame, folder / "codebook.toml")
    with pytest.raises(InvitestatError, match="accept_never_met"):
        invitestat.analyze(frame.drop(columns=["accept_never_met"]), folder / "codebook.toml")
    with pytest.raises(InvitestatError, match=r"^data: expected a path or a data frame"):
        invitestat.analyze(42, folder / "codebook.toml")
    # A column of a type without a text form: ignored when unused, refused when used.
    frame = pd.read_csv(folder / "responses.csv", dtype=str, keep_default_na=False)
    frame["when"] = pd.Timestamp("2020-01-01")
    assert invitestat.analyze(frame, folder / "codebook.toml").document["load"]["ignored_columns"] == ["when"]
    frame["accept_never_met"] = pd.Timestamp("2020-01-01")
    with pytest.raises(InvitestatError, match=r"^pandas DataFrame: column 'accept_never_met' holds Arrow type Timestamp"):
        invitestat.analyze(frame, folder / "codebook.toml")


def test_a_frame_of_many_arrow_batches_reads_as_one(tmp_path: Path) -> None:
    folder = DATA / "executives-online"
    responses, codebook = folder / "responses.csv", folder / "codebook.toml"
    want = invitestat.analyze(responses, codebook).csv
    text = pd.read_csv(responses, dtype=str, keep_default_na=False)

    def batched(frame: pd.DataFrame, rows: int, category: bool = False) -> pa.Table:
        # Each batch converted on its own: categorical batches get dictionaries of their
        # own (every other one in reverse order).
        parts = [frame.iloc[i : i + rows] for i in range(0, len(frame), rows)]
        if category:
            parts = [
                part.astype("category").apply(
                    lambda c, k=k: c.cat.set_categories(list(c.cat.categories)[:: (-1) ** k])
                )
                for k, part in enumerate(parts)
            ]
        batches = [pa.RecordBatch.from_pandas(part, preserve_index=False) for part in parts]
        table = pa.Table.from_batches(batches)
        assert len(table.to_batches()) == len(parts) > 5
        return table

    assert invitestat.analyze(batched(pd.read_csv(responses), 37), codebook).csv == want
    assert invitestat.analyze(batched(text, 1), codebook).csv == want
    categories = batched(text, 64, category=True)
    chunks = categories.column("accept_never_met").chunks
    assert chunks[0].dictionary.to_pylist() == chunks[1].dictionary.to_pylist()[::-1]
    assert invitestat.analyze(categories, codebook).csv == want
    # A bad cell in a later batch names its line in the whole frame.
    text.loc[200, "accept_never_met"] = "7"
    with pytest.raises(InvitestatError, match=r"^pyarrow Table: line 202, .*'7'"):
        invitestat.analyze(batched(text, 37), codebook)


def test_waves_from_data_frames_equal_waves_from_files(tmp_path: Path) -> None:
    folder = DATA / "waves-example"
    files = [folder / f"wave-{i}.csv" for i in (1, 2, 3)]
    codebook = folder / "codebook.toml"
    want = cli_tables(tmp_path, "waves", *files, "--codebook", codebook)
    from_files = invitestat.waves(files, codebook)
    assert from_files.csv == want
    frames = {f.stem: pd.read_csv(f, dtype=str, keep_default_na=False) for f in files}
    assert invitestat.waves(frames, codebook).csv == want
    assert invitestat.waves({k: pl.from_pandas(v) for k, v in frames.items()}, codebook).csv == want


def test_tabulate_then_merge_equals_analyze(tmp_path: Path) -> None:
    folder = DATA / "executives-online"
    codebook = folder / "codebook.toml"
    frame = pd.read_csv(folder / "responses.csv", dtype=str, keep_default_na=False)
    halves = [frame.iloc[:150], frame.iloc[150:]]
    shards = []
    for i, half in enumerate(halves):
        shard = tmp_path / f"shard-{i}.json"
        assert invitestat.tabulate(half, codebook, shard) == {"rows_read": len(half), "rows_used": len(half)}
        shards.append(shard)
    merged = invitestat.merge(shards, codebook)
    direct = invitestat.analyze(folder / "responses.csv", codebook)
    assert merged.csv["results"] == direct.csv["results"]
    assert merged.csv["comparisons"] == direct.csv["comparisons"]
    # A count table is replaced by another, but a file that is not one is kept.
    invitestat.tabulate(halves[0], codebook, shards[0])
    notes = tmp_path / "notes.txt"
    notes.write_text("keep")
    with pytest.raises(InvitestatError):
        invitestat.tabulate(halves[0], codebook, notes)
    assert notes.read_text() == "keep"
