# Shared by run.sh and design.sh (sourced; needs $work, a scratch folder).
# measure NAME COMMAND...: the best wall time of three runs and its peak RSS, as
# "NAME|seconds|kilobytes" (or "NAME|failed: ...|").
measure() {
  local name=$1; shift
  local best=""; local mem=""
  for _ in 1 2 3; do
    local out t m
    if ! /usr/bin/time -o "$work/time" -f "%e %M" "$@" >/dev/null 2>"$work/stderr"; then
      echo "$name|failed: $(tail -1 "$work/stderr")|"; return
    fi
    out=$(tail -1 "$work/time"); t=$(echo "$out" | cut -d' ' -f1); m=$(echo "$out" | cut -d' ' -f2)
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; mem=$m; fi
  done
  echo "$name|$best|$mem"
}

# print_table HEADING RESULT...: the results side by side, with ratios to the first.
print_table() {
  local heading=$1; shift
  local base basemem
  base=$(echo "$1" | cut -d'|' -f2)
  basemem=$(echo "$1" | cut -d'|' -f3)
  printf "%-34s %10s %12s %10s %10s\n" "$heading" "wall (s)" "peak RSS" "time x" "memory x"
  for r in "$@"; do
    IFS='|' read -r name t m <<<"$r"
    [ -z "${t:-}" ] && { echo "$r"; continue; }
    printf "%-34s %10s %9s MB %10.1f %10.1f\n" "$name" "$t" "$((m / 1024))" "$(awk "BEGIN{print $t / $base}")" "$(awk "BEGIN{print $m / $basemem}")"
  done
}
