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
measure() { # name, command...
  local name=$1; shift
  local best=""; local mem=""
  for _ in 1 2 3; do
    if ! /usr/bin/time -o "$work/time" -f "%e %M" "$@" >/dev/null 2>"$work/stderr"; then
      echo "$name|failed: $(tail -1 "$work/stderr")|"; return
    fi
    local out t m
    out=$(tail -1 "$work/time"); t=$(echo "$out" | cut -d' ' -f1); m=$(echo "$out" | cut -d' ' -f2)
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; mem=$m; fi
  done
  echo "$name|$best|$mem"
}
out=(--out "$work/report" --format csv --force)
results=()
results+=("$(measure "invitestat, no design" "$bin" analyze "$work/clustered.csv" --codebook $dir/codebook.toml "${out[@]}")")
results+=("$(measure "invitestat, 2,000 clusters" "$bin" analyze "$work/clustered.csv" --codebook $dir/codebook-clustered.toml "${out[@]}")")
results+=("$(measure "invitestat, 80 replicates" "$bin" analyze "$work/replicates.csv" --codebook $dir/codebook-replicates.toml "${out[@]}")")
if Rscript -e 'library(survey); library(data.table)' >/dev/null 2>&1; then
  results+=("$(measure "R survey clusters ($survey_rows)" Rscript $dir/job_survey_design.R "$work/clustered-small.csv" clustered)")
  results+=("$(measure "R survey replicates ($survey_rows)" Rscript $dir/job_survey_design.R "$work/replicates-small.csv" replicates)")
fi
base=$(echo "${results[0]}" | cut -d'|' -f2)
basemem=$(echo "${results[0]}" | cut -d'|' -f3)
printf "%-34s %10s %12s %10s %10s\n" job "wall (s)" "peak RSS" "time x" "memory x"
for r in "${results[@]}"; do
  IFS='|' read -r name t m <<<"$r"
  [ -z "${t:-}" ] && { echo "$r"; continue; }
  printf "%-34s %10s %9s MB %10.1f %10.1f\n" "$name" "$t" "$((m / 1024))" "$(awk "BEGIN{print $t / $base}")" "$(awk "BEGIN{print $m / $basemem}")"
done
rm -rf "$work"
