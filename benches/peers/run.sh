#!/usr/bin/env bash
# Runs the same job (parse; count answers per question x role; 95% intervals for every
# share; a test per question; Holm and BH) in invitestat and its peers on a seeded
# synthetic wave: ROWS respondents, 20 questions with 5 codes, 3% missing, weights, 15%
# recruiters. Prints wall time and peak RSS side by side, and ratios to invitestat:
# 1. at ROWS (default 1e6): invitestat; the bare-parse floor (every field of the file read
#    on one core by simd-csv and by the csv crate, nothing else done; floor/); polars
#    eager and streaming; DuckDB; pandas + statsmodels; R data.table; R survey on
#    SURVEY_ROWS rows (default 1e5);
# 2. the same wave as Parquet (written by DuckDB, snappy) against the CSV file;
# 3. at each of LARGE (default 1e7 and 1e8 rows, comma-separated; "none" skips them):
#    invitestat, the simd-csv floor, one read of the file from the page cache (cat), and
#    polars streaming up to 1e7 rows. The 1e8-row file is about 6 GB.
#
# Needs: a release build (cargo build --release), GNU time, cargo (builds floor/), python3
# with polars duckdb pandas scipy statsmodels, R with data.table and survey. Peers that
# are missing are skipped. Usage: bash benches/peers/run.sh [ROWS] [SURVEY_ROWS] [LARGE]
set -uo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
survey_rows=${2:-100000}
large=${3:-10000000,100000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=target/release/invitestat
cb=benches/peers/codebook.toml
peers=benches/peers
floor=$peers/floor/target/release/csv-floor
cargo build --quiet --release --locked --manifest-path $peers/floor/Cargo.toml || floor=""
draw() { # rows, file
  $bin generate "$cb" --rows "$1" --seed 2026 --missing 0.03 --group-shares 0.15,0.85 --out "$2" >/dev/null
}
has_python() { python3 -c "import $1" 2>/dev/null; }
source $peers/measure.sh
out=(--codebook "$cb" --out "$work/report" --format csv --force)

draw "$rows" "$work/wave.csv"
draw "$survey_rows" "$work/small.csv"
echo "wave: $rows rows, $(du -h "$work/wave.csv" | cut -f1); R survey on $survey_rows rows"
results=()
results+=("$(measure invitestat "$bin" analyze "$work/wave.csv" "${out[@]}")")
if [ -n "$floor" ]; then
  results+=("$(measure "bare parse, simd-csv (1 core)" "$floor" simd-csv "$work/wave.csv")")
  results+=("$(measure "bare parse, csv crate (1 core)" "$floor" csv "$work/wave.csv")")
fi
if has_python polars; then
  results+=("$(measure "polars eager" python3 $peers/job_polars.py "$work/wave.csv")")
  results+=("$(measure "polars streaming" python3 $peers/job_polars.py "$work/wave.csv" --streaming)")
fi
has_python duckdb && results+=("$(measure DuckDB python3 $peers/job_duckdb.py "$work/wave.csv")")
has_python "pandas, statsmodels" && results+=("$(measure pandas+statsmodels python3 $peers/job_pandas.py "$work/wave.csv")")
Rscript -e 'library(data.table)' >/dev/null 2>&1 && results+=("$(measure "R data.table" Rscript $peers/job_datatable.R "$work/wave.csv")")
Rscript -e 'library(survey)' >/dev/null 2>&1 && results+=("$(measure "R survey ($survey_rows rows)" Rscript $peers/job_survey.R "$work/small.csv")")
print_table tool "${results[@]}"

# to_parquet CSV PARQUET: the same table as Parquet (DuckDB's types and row groups).
to_parquet() {
  python3 -c "import duckdb, sys; duckdb.sql('SET enable_progress_bar = false'); duckdb.sql(f\"COPY (SELECT * FROM read_csv('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT parquet)\")" "$1" "$2"
}
if has_python duckdb; then
  to_parquet "$work/wave.csv" "$work/wave.parquet"
  echo
  echo "input format, $rows rows: CSV $(du -h "$work/wave.csv" | cut -f1), Parquet $(du -h "$work/wave.parquet" | cut -f1)"
  print_table "input" \
    "$(measure "invitestat, CSV" "$bin" analyze "$work/wave.csv" "${out[@]}")" \
    "$(measure "invitestat, Parquet" "$bin" analyze "$work/wave.parquet" "${out[@]}")"
fi
rm -f "$work/wave.csv" "$work/wave.parquet" "$work/small.csv"

[ "$large" = none ] && exit 0
IFS=',' read -ra sizes <<<"$large"
for n in "${sizes[@]}"; do
  draw "$n" "$work/large.csv"
  echo
  echo "wave: $n rows, $(du -h "$work/large.csv" | cut -f1)"
  results=("$(measure invitestat "$bin" analyze "$work/large.csv" "${out[@]}")")
  results+=("$(measure "read from the page cache (cat)" sh -c "cat '$work/large.csv' >/dev/null")")
  [ -n "$floor" ] && results+=("$(measure "bare parse, simd-csv (1 core)" "$floor" simd-csv "$work/large.csv")")
  if [ "$n" -le 10000000 ]; then
    has_python polars && results+=("$(measure "polars streaming" python3 $peers/job_polars.py "$work/large.csv" --streaming)")
    if has_python duckdb; then
      to_parquet "$work/large.csv" "$work/large.parquet"
      results+=("$(measure "invitestat, Parquet ($(du -h "$work/large.parquet" | cut -f1))" "$bin" analyze "$work/large.parquet" "${out[@]}")")
      rm -f "$work/large.parquet"
    fi
  fi
  print_table tool "${results[@]}"
  rm -f "$work/large.csv"
done
