#!/usr/bin/env bash
# Runs the same job (parse; count answers per question x role; 95% intervals for every
# share; a test per question; Holm and BH) in invitestat and its peers on a seeded
# synthetic wave: 1e6 respondents, 20 questions with 5 codes, 3% missing, weights,
# 15% recruiters. Prints wall time and peak RSS side by side, and ratios to invitestat.
#
# Needs: a release build (cargo build --release), GNU time, python3 with polars pandas
# scipy statsmodels, R with data.table and survey. Peers that are missing are skipped.
# Usage: bash benches/peers/run.sh [ROWS] [SURVEY_ROWS]
set -uo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
survey_rows=${2:-100000}
work=$(mktemp -d)
bin=target/release/invitestat
cb=benches/peers/codebook.toml
$bin generate "$cb" --rows "$rows" --seed 2026 --missing 0.03 --group-shares 0.15,0.85 --out "$work/wave.csv"
$bin generate "$cb" --rows "$survey_rows" --seed 2026 --missing 0.03 --group-shares 0.15,0.85 --out "$work/small.csv"
echo "wave: $rows rows, $(du -h "$work/wave.csv" | cut -f1); R survey on $survey_rows rows"
source benches/peers/measure.sh
results=()
results+=("$(measure invitestat "$bin" analyze "$work/wave.csv" --codebook "$cb" --out "$work/report" --format csv)")
python3 -c "import polars" 2>/dev/null && results+=("$(measure polars python3 benches/peers/job_polars.py "$work/wave.csv")")
python3 -c "import pandas, statsmodels" 2>/dev/null && results+=("$(measure pandas+statsmodels python3 benches/peers/job_pandas.py "$work/wave.csv")")
Rscript -e 'library(data.table)' >/dev/null 2>&1 && results+=("$(measure "R data.table" Rscript benches/peers/job_datatable.R "$work/wave.csv")")
Rscript -e 'library(survey)' >/dev/null 2>&1 && results+=("$(measure "R survey ($survey_rows rows)" Rscript benches/peers/job_survey.R "$work/small.csv")")
print_table tool "${results[@]}"
rm -rf "$work"
