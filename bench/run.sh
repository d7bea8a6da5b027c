#!/usr/bin/env bash
# bench/run.sh [-r RUNS] [-w REGEX] [-a]
#
# Times workloads natively, under strace and under interpose configurations, interleaved
# round by round (every workload x configuration once per round, so background load hits
# them alike; the order of the configurations rotates from round to round, so none is
# always the first to touch cold caches), and prints the median wall time of each with its
# ratio to native, then the ratios the project's targets are stated in. Full traces
# (strace, interpose) of the long workloads take minutes each; -a includes them.
# Needs: cargo, gcc, strace, python3, find, tar.
#
# Configurations:
#   native           the program alone
#   strace           strace -f (every call, two stops each)
#   strace_openat    strace -f --seccomp-bpf -e trace=openat
#   interpose        interpose -o /dev/null (every call traced, like strace -f)
#   ebpf             interpose --backend ebpf -o /dev/null (every call traced, no stops;
#                    root only: left out, saying so, where eBPF cannot load). After the
#                    rounds each workload runs once more under it with the trace kept, to
#                    check that no record was lost at the default ring size.
#   json             interpose --json -o /dev/null (the same trace as JSON lines)
#   count            interpose -c -o /dev/null (the -c table only)
#   strace_count     strace -f -c -o /dev/null
#   never            a handler overriding kexec_load, which no workload calls: no stops
#   openat           a handler overriding openat, deciding at entry: one stop per openat
#   floor_openat     bench/floor.c trapping openat: the cheapest possible one-stop tracer
#   floor_trace      bench/floor.c -x trapping openat: the cheapest possible trace of it (a
#                    seccomp stop reading the path, an exit stop for the result, a line each)
#   trace_openat     interpose -e trace=openat -o /dev/null: the CLI's selection, prefiltered
#   emulate          (getppid) a handler answering getppid itself: one stop per call
#   forward          (getppid) a handler forwarding getppid and awaiting it: two stops
#   floor_getppid    (getppid) bench/floor.c trapping getppid
set -euo pipefail
RUNS=5
FILTER=.
ALL=
while getopts "r:w:ah" opt; do
  case $opt in
    r) RUNS=$OPTARG ;;
    w) FILTER=$OPTARG ;;
    a) ALL=1 ;;
    *) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 2 ;;
  esac
done
[ -n "${EPOCHREALTIME:-}" ] || { echo "bash >= 5 required" >&2; exit 2; }
for tool in cargo gcc strace python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 2; }
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
(cd "$ROOT" && cargo build --quiet --release --bin interpose --example bench_handlers)
gcc -O2 -o "$TMPD/floor" "$ROOT/bench/floor.c"
gcc -O2 -o "$TMPD/getppid_loop" "$ROOT/bench/getppid_loop.c"
gcc -O2 -pthread -o "$TMPD/getppid_threads" "$ROOT/bench/getppid_threads.c"
PY=$(python3 -c 'import sys; print(sys.executable)')
INTERPOSE="$ROOT/target/release/interpose"
HANDLERS="$ROOT/target/release/examples/bench_handlers"
EBPF=()
if "$INTERPOSE" --backend ebpf -o /dev/null /bin/true 2>"$TMPD/err"; then
  EBPF=("ebpf|$INTERPOSE --backend ebpf -o /dev/null")
else
  echo "# no ebpf configuration: $(head -1 "$TMPD/err")" >&2
fi
GETPPID_CALLS=200000

# name|argv   (sh: prefix = run through sh -c, so the tracer follows the shell's children)
WORKLOADS=(
  "find_usr_h|sh:find /usr -name '*.h' >/dev/null"
  "tar_doc_pipe|sh:tar cf - /usr/share/doc 2>/dev/null | cat >/dev/null"
  "python_stat_100k|sh:$PY -c 'import os; [os.stat(\"/\") for _ in range(100000)]'"
  "getppid_200k|$TMPD/getppid_loop $GETPPID_CALLS"
  "getppid_threads_4x500k|$TMPD/getppid_threads 4 500000"
)
COMMON=(
  "native|"
  "strace_openat|strace -f --seccomp-bpf -e trace=openat -o /dev/null"
  "never|$HANDLERS never"
  "openat|$HANDLERS openat"
  "floor_openat|$TMPD/floor 257"
  "floor_trace|$TMPD/floor -x 257"
  "trace_openat|$INTERPOSE -e trace=openat -o /dev/null"
  "${EBPF[@]}"
)
[ -n "$ALL" ] && COMMON+=("strace|strace -f -o /dev/null" "interpose|$INTERPOSE -o /dev/null"
  "json|$INTERPOSE --json -o /dev/null" "count|$INTERPOSE -c -o /dev/null"
  "strace_count|strace -f -c -o /dev/null")
GETPPID=(
  "native|"
  "strace|strace -f -o /dev/null"
  "interpose|$INTERPOSE -o /dev/null"
  "${EBPF[@]}"
  "json|$INTERPOSE --json -o /dev/null"
  "count|$INTERPOSE -c -o /dev/null"
  "strace_count|strace -f -c -o /dev/null"
  "never|$HANDLERS never"
  "emulate|$HANDLERS getppid-emulate"
  "forward|$HANDLERS getppid-forward"
  "floor_getppid|$TMPD/floor 110"
  "strace_openat|strace -f --seccomp-bpf -e trace=openat -o /dev/null"
  "trace_openat|$INTERPOSE -e trace=openat -o /dev/null"
  "floor_openat|$TMPD/floor 257"
  "floor_trace|$TMPD/floor -x 257"
)
# The threaded loop: only the prefiltered configurations (a full strace takes minutes).
THREADS=(
  "native|"
  "strace_openat|strace -f --seccomp-bpf -e trace=openat -o /dev/null"
  "trace_openat|$INTERPOSE -e trace=openat -o /dev/null"
  "openat|$HANDLERS openat"
  "floor_openat|$TMPD/floor 257"
  "floor_trace|$TMPD/floor -x 257"
)

RAW="$TMPD/raw.tsv"
run_one() { # $1 = prefix, $2 = workload; prints wall seconds
  local -a pre=() argv=()
  [ -n "$1" ] && read -r -a pre <<< "$1"
  local t0 t1 rc=0
  if [[ $2 == sh:* ]]; then
    t0=$EPOCHREALTIME; "${pre[@]}" sh -c "${2#sh:}" >/dev/null 2>"$TMPD/err" || rc=$?; t1=$EPOCHREALTIME
  else
    read -r -a argv <<< "$2"
    t0=$EPOCHREALTIME; "${pre[@]}" "${argv[@]}" >/dev/null 2>"$TMPD/err" || rc=$?; t1=$EPOCHREALTIME
  fi
  [ "$rc" = 0 ] || echo "!! exit $rc: $1 $2: $(head -c 200 "$TMPD/err")" >&2
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
}

# The configurations of workload $1, rotated by $2 places.
configs_for() {
  local -a list
  if [[ $1 == getppid_threads* ]]; then list=("${THREADS[@]}")
  elif [[ $1 == getppid* ]]; then list=("${GETPPID[@]}"); else list=("${COMMON[@]}"); fi
  local n=${#list[@]} i
  for ((i = 0; i < n; i++)); do printf '%s\n' "${list[(i + $2) % n]}"; done
}

echo "# $(uname -srm), $(nproc) CPUs, $(strace -V | head -1), $RUNS runs, interleaved" >&2
echo "# warm-up: every workload once, natively (file caches)" >&2
for w in "${WORKLOADS[@]}"; do
  [[ ${w%%|*} =~ $FILTER ]] && run_one "" "${w#*|}" >/dev/null
done
for ((round = 1; round <= RUNS; round++)); do
  echo "# round $round/$RUNS (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  for w in "${WORKLOADS[@]}"; do
    [[ ${w%%|*} =~ $FILTER ]] || continue
    while IFS= read -r c; do
      printf '%s\t%s\t%s\n' "${w%%|*}" "${c%%|*}" "$(run_one "${c#*|}" "${w#*|}")" >> "$RAW"
    done < <(configs_for "${w%%|*}" "$round")
  done
done

# Lost records: each workload once more under the eBPF backend, its trace kept.
if [ ${#EBPF[@]} -gt 0 ]; then
  for w in "${WORKLOADS[@]}"; do
    [[ ${w%%|*} =~ $FILTER && ${w%%|*} != getppid_threads* ]] || continue
    run_one "$INTERPOSE --backend ebpf -o $TMPD/ebpf.trace" "${w#*|}" >/dev/null
    lost=$(tail -1 "$TMPD/ebpf.trace" | awk '/records lost/ { print $3; exit } { print 0 }')
    printf '%s\tlost\t%s\n' "${w%%|*}" "$lost" >> "$TMPD/lost.tsv"
  done
fi
touch "$TMPD/lost.tsv"

# Medians, ratios to native, and the target ratios.
sort -t$'\t' -k1,1 -k2,2 -k3,3g "$RAW" | awk -F'\t' -v calls="$GETPPID_CALLS" -v lostf="$TMPD/lost.tsv" '
  BEGIN { while ((getline line < lostf) > 0) { split(line, f, "\t"); lost[f[1]] = f[3] } }
  { k = $1 SUBSEP $2; n[k]++; v[k, n[k]] = $3; if (!($1 in seen)) { seen[$1] = 1; W[++nw] = $1 }
    if (!(($1, $2) in cs)) { cs[$1, $2] = 1; C[$1, ++nc[$1]] = $2 } }
  END {
    for (k in n) { m = n[k]; med[k] = (m % 2) ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2 }
    for (i = 1; i <= nw; i++) {
      w = W[i]; base = med[w, "native"]
      printf "\n%s (median of %d runs)\n", w, n[w, "native"]
      for (j = 1; j <= nc[w]; j++) { c = C[w, j]; printf "  %-16s %9.3f s  %7.2fx native\n", c, med[w, c], med[w, c] / base }
      if ((w, "openat") in med) {
        printf "  never / native          = %.3f  (target <= 1.05)\n", med[w, "never"] / base
        printf "  openat / floor_openat   = %.3f  (target <= 1.10)\n", med[w, "openat"] / med[w, "floor_openat"]
        printf "  openat / strace_openat  = %.3f  (target < 1)\n", med[w, "openat"] / med[w, "strace_openat"]
      }
      if ((w, "json") in med && (w, "interpose") in med) {
        printf "  json / interpose        = %.3f  (target <= 1.10)\n", med[w, "json"] / med[w, "interpose"]
        printf "  interpose / strace      = %.3f\n", med[w, "interpose"] / med[w, "strace"]
      }
      if ((w, "ebpf") in med) {
        printf "  ebpf / native           = %.3f%s\n", med[w, "ebpf"] / base, (w ~ /getppid/) ? "" : "  (target <= 2)"
        if ((w, "strace") in med)
          printf "  ebpf / strace           = %.3f  (target <= 0.1)\n", med[w, "ebpf"] / med[w, "strace"]
        if (w in lost) printf "  ebpf records lost       = %d  (target 0)\n", lost[w]
      }
      if ((w, "count") in med && (w, "strace_count") in med) {
        printf "  count / strace_count    = %.3f  (target <= 1.0)\n", med[w, "count"] / med[w, "strace_count"]
      }
      if ((w, "trace_openat") in med) {
        printf "  trace_openat / native   = %.3f%s\n", med[w, "trace_openat"] / base, (w ~ /threads/) ? "  (target <= 1.5)" : ""
        printf "  trace_openat / floor_openat  = %.3f  (one stop, no result: below what a trace can do)\n", med[w, "trace_openat"] / med[w, "floor_openat"]
        printf "  trace_openat / floor_trace   = %.3f  (target <= 1.15)\n", med[w, "trace_openat"] / med[w, "floor_trace"]
        printf "  trace_openat / strace_openat = %.3f  (target < 1)\n", med[w, "trace_openat"] / med[w, "strace_openat"]
      }
      if ((w, "emulate") in med) {
        for (j = 1; j <= nc[w]; j++) { c = C[w, j]; if (c != "native" && c != "never")
          printf "  %-16s %6.2f us per call over native\n", c, (med[w, c] - base) / calls * 1e6 }
      }
    }
  }'
