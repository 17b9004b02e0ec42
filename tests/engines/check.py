"""The count table computed by real SQL engines equals invitestat's own.

Draws a seeded wave for tests/engines/codebook.toml (weights, a declared missing code,
nets, multi-response questions), marks some of its cells with missing codes, codes not
counted, padding and empty groups, then, with that codebook and with the same codebook
declaring a stratified clustered design with an fpc (40 strata of 25 clusters):
- analyses it with `invitestat analyze` (the direct result);
- runs `invitestat sql --dialect duckdb` in DuckDB over the CSV file, writes the result
  as CSV and as Parquet, and `invitestat merge`s each;
- with --spark, runs `invitestat sql --dialect spark` in Spark (local mode) over the same
  wave written as partitioned Parquet, and merges its result;
and checks that every merged result table equals the direct one, number for number: counts
and texts exactly, other numbers to 1e-9 relative (an engine adds the weights in another
order, which moves the last digits of the sums; a p-value of 1e-97 magnifies that
10^3-fold). Then, on a small wave with an answer code the codebook does not know and on
one with a negative weight, that `merge` of DuckDB's result refuses what `analyze`
refuses, both naming the value.

Usage: python3 tests/engines/check.py BINARY [--rows N] [--spark]
"""

import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CODEBOOK = os.path.join(HERE, "codebook.toml")
RELATIVE = 1e-9


def run(binary, *args):
    out = subprocess.run([binary, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"invitestat {' '.join(args)} failed:\n{out.stderr}")
    return out.stdout


DESIGN = """
[design]
strata_column = "stratum"
cluster_column = "cluster"
fpc_column = "fpc"
"""


def with_design(work):
    """The engines' codebook with a stratified clustered design."""
    with open(CODEBOOK) as f:
        text = f.read()
    path = os.path.join(work, "codebook-design.toml")
    with open(path, "w") as f:
        f.write(text.replace("\n[study]", DESIGN + "\n[study]", 1))
    return path


def draw(binary, codebook, rows, path):
    """A seeded wave, with some cells set to what the loader has to interpret."""
    raw = path + ".raw"
    run(binary, "generate", codebook, "--rows", str(rows), "--seed", "14",
        "--missing", "0.05", "--group-shares", "0.2,0.3,0.5", "--strata", "40",
        "--clusters", "25", "--out", raw)
    with open(raw, newline="") as src, open(path, "w", newline="") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        at = {name: i for i, name in enumerate(header)}
        for i, row in enumerate(reader):
            if i % 97 == 5:
                row[at["use"]] = "99"  # declared missing
            if i % 89 == 7:
                for c in ("why_net", "why_lead", "why_known"):
                    row[at[c]] = "9"  # the set's missing code
            if i % 83 == 3:
                row[at["why_lead"]] = "2"  # a code not counted
            if i % 53 == 1 and row[at["accept"]]:
                row[at["accept"]] = f" {row[at['accept']]} "  # padding, trimmed
            if i % 101 == 11:
                row[at["g"]] = ""  # no group: excluded and counted
            writer.writerow(row)
    os.remove(raw)


def tables(folder):
    return sorted(f for f in os.listdir(folder) if f.endswith(".csv"))


def same_number(a, b):
    try:
        x, y = float(a), float(b)
    except ValueError:
        return a == b
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y or abs(x - y) <= RELATIVE * max(abs(x), abs(y))


def compare(direct, merged, what):
    names = tables(direct)
    if names != tables(merged):
        sys.exit(f"{what}: tables {tables(merged)}, expected {names}")
    compared = 0
    for name in names:
        with open(os.path.join(direct, name), newline="") as f:
            want = list(csv.reader(f))
        with open(os.path.join(merged, name), newline="") as f:
            got = list(csv.reader(f))
        if len(want) != len(got):
            sys.exit(f"{what}: {name} has {len(got)} rows, expected {len(want)}")
        for line, (w, g) in enumerate(zip(want, got), start=1):
            if len(w) != len(g) or not all(same_number(a, b) for a, b in zip(w, g)):
                sys.exit(f"{what}: {name} line {line}:\n  got      {g}\n  expected {w}")
            compared += len(w)
    print(f"{what}: {len(names)} tables, {compared} cells equal to the direct analysis")


def duckdb_counts(binary, codebook, wave, work):
    import duckdb

    table = f"read_csv('{wave}', all_varchar = true)"
    query = run(binary, "sql", codebook, "--dialect", "duckdb", "--table", table)
    out = []
    con = duckdb.connect()
    for kind, options in (("csv", "HEADER"), ("parquet", "FORMAT parquet")):
        path = os.path.join(work, f"duckdb-counts-{len(os.listdir(work))}.{kind}")
        con.execute(f"COPY ({query}) TO '{path}' ({options})")
        out.append((f"DuckDB {duckdb.__version__} ({kind})", path))
    return out


def spark_counts(binary, codebook, wave, work):
    import warnings

    warnings.simplefilter("ignore", FutureWarning)  # pyspark on a newer pandas
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("invitestat-engines")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    parts = os.path.join(work, f"wave-parquet-{len(os.listdir(work))}")
    # The same wave as partitioned Parquet (every column text, as read from the CSV).
    spark.read.csv(wave, header=True).repartition(4).write.parquet(parts)
    spark.read.parquet(parts).createOrReplaceTempView("responses")
    query = run(binary, "sql", codebook, "--dialect", "spark", "--table", "responses")
    result = spark.sql(query)
    path = os.path.join(work, f"spark-counts-{len(os.listdir(work))}.csv")
    number = lambda v: "" if v is None else repr(float(v)) if isinstance(v, float) else str(v)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(result.columns)
        for r in result.collect():
            writer.writerow([number(v) for v in r])
    version = spark.version
    spark.stop()
    return [(f"Spark {version} (partitioned Parquet)", path)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--spark", action="store_true")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    with tempfile.TemporaryDirectory() as work:
        for codebook, what in ((CODEBOOK, "one stage"), (with_design(work), "strata, clusters, fpc")):
            wave = os.path.join(work, f"wave-{len(os.listdir(work))}.csv")
            draw(binary, codebook, args.rows, wave)
            direct = os.path.join(work, f"direct-{len(os.listdir(work))}")
            run(binary, "analyze", wave, "--codebook", codebook, "--out", direct, "--format", "csv")
            results = duckdb_counts(binary, codebook, wave, work)
            if args.spark:
                results += spark_counts(binary, codebook, wave, work)
            for engine, counts in results:
                merged = os.path.join(work, "merged-" + os.path.basename(counts))
                run(binary, "merge", counts, "--codebook", codebook, "--out", merged,
                    "--format", "csv")
                compare(direct, merged, f"{engine}, {what}, {args.rows} rows")
        refused(binary, work)

def refused(binary, work):
    """A bad cell passes through the engine and is refused by merge, as by analyze."""
    import duckdb

    # The column, the bad value, and what each command's message must name.
    cases = (("accept", "7", {"analyze": "'7'", "merge": "'7'"}),
             ("w", "-2", {"analyze": "'-2'", "merge": "NaN"}))
    for column, value, named in cases:
        wave = os.path.join(work, f"bad-{column}.csv")
        draw(binary, CODEBOOK, 2000, wave)
        with open(wave, newline="") as f:
            rows = list(csv.reader(f))
        rows[1234][rows[0].index(column)] = value
        with open(wave, "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
        table = f"read_csv('{wave}', all_varchar = true)"
        query = run(binary, "sql", CODEBOOK, "--dialect", "duckdb", "--table", table)
        counts = os.path.join(work, f"bad-{column}-counts.csv")
        duckdb.connect().execute(f"COPY ({query}) TO '{counts}' (HEADER)")
        for command, path in (("analyze", wave), ("merge", counts)):
            out = subprocess.run([binary, command, path, "--codebook", CODEBOOK, "--out",
                                  os.path.join(work, f"bad-{column}-{command}"),
                                  "--format", "csv"], capture_output=True, text=True)
            if out.returncode == 0 or named[command] not in out.stderr:
                sys.exit(f"{command} of a {column} of {value}: exit {out.returncode}, "
                         f"expected a refusal naming {named[command]}:\n{out.stderr}")
            print(f"{command} refuses a {column} of {value}: {out.stderr.strip()}")


if __name__ == "__main__":
    main()
