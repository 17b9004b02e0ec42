#!/usr/bin/env bash
# The design benchmark: the benchmark job (see run.sh) on a seeded wave of ROWS
# respondents in 50 strata of 40 clusters (2,000 clusters), analysed with no design
# declared (today's unclustered job), with the stratified clustered design, and with 80
# bootstrap replicate weights; R survey runs the same designs on SURVEY_ROWS rows. Prints
# wall time and peak RSS side by side, and ratios to the unclustered job.
#
# Needs: a release build (cargo build --release), GNU time; R with data.table and survey
# (skipped when missing). Usage: bash benches/peers/design.sh [ROWS] [SURVEY_ROWS]
set -uo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
survey_rows=${2:-100000}
work=$(mktemp -d)
bin=target/release/invitestat
dir=benches/peers
draw() { # codebook, rows, file
  $bin generate "$1" --rows "$2" --seed 2026 --missing 0.03 --group-shares 0.15,0.85 \
    --strata 50 --clusters 40 --out "$3" >/dev/null
}
draw $dir/codebook-clustered.toml "$rows" "$work/clustered.csv"
draw $dir/codebook-replicates.toml "$rows" "$work/replicates.csv"
draw $dir/codebook-clustered.toml "$survey_rows" "$work/clustered-small.csv"
draw $dir/codebook-replicates.toml "$survey_rows" "$work/replicates-small.csv"
echo "waves: $rows rows ($(du -h "$work/clustered.csv" | cut -f1) clustered, $(du -h "$work/replicates.csv" | cut -f1) with replicates); R survey on $survey_rows rows"
source benches/peers/measure.sh
out=(--out "$work/report" --format csv --force)
results=()
results+=("$(measure "invitestat, no design" "$bin" analyze "$work/clustered.csv" --codebook $dir/codebook.toml "${out[@]}")")
results+=("$(measure "invitestat, 2,000 clusters" "$bin" analyze "$work/clustered.csv" --codebook $dir/codebook-clustered.toml "${out[@]}")")
results+=("$(measure "invitestat, 80 replicates" "$bin" analyze "$work/replicates.csv" --codebook $dir/codebook-replicates.toml "${out[@]}")")
if Rscript -e 'library(survey); library(data.table)' >/dev/null 2>&1; then
  results+=("$(measure "R survey clusters ($survey_rows)" Rscript $dir/job_survey_design.R "$work/clustered-small.csv" clustered)")
  results+=("$(measure "R survey replicates ($survey_rows)" Rscript $dir/job_survey_design.R "$work/replicates-small.csv" replicates)")
fi
print_table job "${results[@]}"
rm -rf "$work"
