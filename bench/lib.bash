# Shared by the bench/ scripts: medians, peak memory, and the result lines bench/run collects.
# Sourced; expects $T (the script's temp dir).

# median FILE: the median of the numbers in FILE, one a line.
median() { sort -g "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# peak_kb CMD...: runs CMD once (output dropped) and prints its peak resident memory in kB
# (GNU time's maximum RSS over the process and the children it waited for); "-" without
# /usr/bin/time or when CMD fails.
peak_kb() {
  if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$T/peak" "$@" >/dev/null 2>&1; then
    tail -1 "$T/peak"
  else
    echo -
  fi
}

# emit SCENARIO TOOL SECONDS [PEAK_KB]: one result line for bench/run, appended to $RESULTS
# (tab-separated) when it is set.
emit() {
  [ -n "${RESULTS:-}" ] || return 0
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:--}" >>"$RESULTS"
}
