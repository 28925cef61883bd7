#!/usr/bin/env bash
# Times the test suite the way CI runs it and says where the time went: wall time per module (Maven's reactor
# summary), tests and summed test-class time per module (Surefire/Failsafe reports), the slowest classes, and the CPU
# seconds of everything the build started (Maven, the test JVMs, and what they start: PostgreSQL, Redis, Chromium,
# Asterisk), which depend much less on what else runs on the machine than wall time does.
#
#   benchmarks/suite-time.sh                                   # ./mvnw -B verify, as .ci/run (the whole suite)
#   benchmarks/suite-time.sh -pl interaction-hub/hub-app       # one module (its dependencies installed before)
#   benchmarks/suite-time.sh --out /tmp/run1 -- -o -pl routing-rules -Dtest=MatcherTest
#   benchmarks/suite-time.sh --out /tmp/run1 --print                # the figures of that run again
#
# The script's own options come first (a '--' ends them); everything else goes to Maven: './mvnw -B <args> verify'.
#   --out DIR   keep the log, the CPU samples, a copy of the reports and summary.txt in DIR (default: a new /tmp folder)
#   --print     print the figures of the run kept in DIR (with --out) again, run nothing
#
# CPU time: every process the build starts inherits SUITE_TIME_RUN=<id> in its environment. The CPU of Maven and of
# every process it (indirectly) waited for comes from the kernel's accounting of this script's children (bash's
# 'times'); servers that detach from their parent (PostgreSQL's postmaster and its backends) are sampled from
# /proc every 2 s, their last sample counting. Needs Linux (/proc).
set -euo pipefail
cd "$(dirname "$0")/.."

out="" only_print=false
while (($#)); do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --print) only_print=true; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[[ -n "$out" ]] || out=$(mktemp -d /tmp/suite-time.XXXXXX)
mkdir -p "$out"

run() {
  local id="suite-$$-$(date +%s)"
  rm -f "$out/stop" "$out/roots.tsv"
  : >"$out/samples.tsv"
  cat /proc/loadavg >"$out/load-start"
  date -u +%FT%TZ >"$out/started"
  git rev-parse --short HEAD >"$out/commit" 2>/dev/null || echo unknown >"$out/commit"
  touch "$out/marker"
  echo $$ >"$out/script-pid"

  # Sampler: every 2 s, the CPU ticks (own + waited-for children) of each process of this run whose parent is not
  # of this run (Maven itself, and servers that detached); the last sample of each such root counts.
  (
    export -n SUITE_TIME_RUN
    tck=$(getconf CLK_TCK)
    while [[ ! -e "$out/stop" ]]; do
      mapfile -t pids < <(grep -lzF "SUITE_TIME_RUN=$id" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3)
      if ((${#pids[@]})); then
        declare -A ours=()
        for p in "${pids[@]}"; do ours[$p]=1; done
        for p in "${pids[@]}"; do
          { read -r stat <"/proc/$p/stat"; } 2>/dev/null || continue
          rest=${stat##*) }
          read -r -a f <<<"$rest"
          ppid=${f[1]}
          [[ -n "${ours[$ppid]:-}" ]] && continue
          comm=${stat#*(}; comm=${comm%%)*}
          echo -e "$(date +%s)\t$p\t$comm\t$(( (f[11] + f[12] + f[13] + f[14]) * 100 / tck ))\t$ppid"
        done >>"$out/samples.tsv"
        unset ours
      fi
      read -r l1 _ </proc/loadavg
      echo -e "$(date +%s)\tload\t$l1" >>"$out/samples.tsv"
      sleep 2
    done
  ) &
  local sampler=$!

  local start end rc=0
  start=$(date +%s)
  SUITE_TIME_RUN=$id ./mvnw -B "$@" verify >"$out/mvn.log" 2>&1 || rc=$?
  end=$(date +%s)
  # CPU seconds of Maven and everything it waited for (user + system of the children of this shell).
  # ('times' in this shell, not in a pipeline: a subshell has no children of its own yet.)
  times >"$out/times.txt"
  tail -1 "$out/times.txt" | awk '{
      n = split($0, a, " "); s = 0
      for (i = 1; i <= n; i++) { v = a[i]; sub(/s$/, "", v); m = v; sub(/m.*/, "", m); sec = v; sub(/.*m/, "", sec); s += m * 60 + sec }
      printf "%.1f\n", s }' >"$out/maven-cpu"
  touch "$out/stop"
  wait "$sampler" 2>/dev/null || true
  echo $((end - start)) >"$out/wall"
  echo "$rc" >"$out/rc"
  cat /proc/loadavg >"$out/load-end"

  # A copy of the reports this run wrote.
  rm -rf "$out/reports"
  while IFS= read -r -d '' f; do
    dest="$out/reports/${f#./}"
    mkdir -p "$(dirname "$dest")"
    cp "$f" "$dest"
  done < <(find . -path ./.git -prune -o \( -path '*/target/surefire-reports/TEST-*.xml' -o -path '*/target/failsafe-reports/TEST-*.xml' \) -newer "$out/marker" -print0)
}

report() {
  echo "== $(cat "$out/started" 2>/dev/null) commit $(cat "$out/commit" 2>/dev/null), exit code $(cat "$out/rc" 2>/dev/null)"
  echo "load average at start: $(cut -d' ' -f1-3 "$out/load-start"), at end: $(cut -d' ' -f1-3 "$out/load-end")"
  awk -F'\t' '$2 == "load" { s += $3; n++ } END { if (n) printf "load average (1 min) over the run: mean %.1f over %d samples\n", s / n, n }' "$out/samples.tsv"
  echo
  echo "Wall time per module (Maven's reactor summary):"
  if grep -q 'Reactor Summary' "$out/mvn.log"; then
    sed -n '/Reactor Summary/,/BUILD/p' "$out/mvn.log" | grep -E 'SUCCESS|FAILURE|SKIPPED' | sed 's/^\[INFO\] //' || true
  else
    # One module: Maven prints no summary, only the total.
    { grep -E '^\[INFO\] Building ' "$out/mvn.log" | tail -1; grep -E 'Total time' "$out/mvn.log"; } | sed 's/^\[INFO\] //' || true
  fi
  echo
  echo "Tests per module (Surefire + Failsafe reports of this run; class time summed):"
  printf '%-44s %6s %5s %5s %9s\n' module tests fail skip class_s
  local tot_t=0
  while IFS= read -r dir; do
    awk -v m="$dir" '
      /<testsuite / {
        t = 0; n = 0; f = 0; e = 0; s = 0
        if (match($0, / time="[^"]*"/)) t = substr($0, RSTART + 7, RLENGTH - 8)
        if (match($0, / tests="[^"]*"/)) n = substr($0, RSTART + 8, RLENGTH - 9)
        if (match($0, / failures="[^"]*"/)) f = substr($0, RSTART + 11, RLENGTH - 12)
        if (match($0, / errors="[^"]*"/)) e = substr($0, RSTART + 9, RLENGTH - 10)
        if (match($0, / skipped="[^"]*"/)) s = substr($0, RSTART + 10, RLENGTH - 11)
        gsub(",", "", t); T += t; N += n; F += f + e; S += s
      }
      END { printf "%-44s %6d %5d %5d %9.1f\n", m, N, F, S, T }' $(find "$out/reports/$dir" -name 'TEST-*.xml')
  done < <(cd "$out/reports" 2>/dev/null && find . -type d -name target -printf '%h\n' | sed 's|^\./||' | sort)
  find "$out/reports" -name 'TEST-*.xml' -print0 2>/dev/null | xargs -0 -r awk '
    /<testsuite / {
      t = 0; n = 0
      if (match($0, / time="[^"]*"/)) t = substr($0, RSTART + 7, RLENGTH - 8)
      if (match($0, / tests="[^"]*"/)) n = substr($0, RSTART + 8, RLENGTH - 9)
      gsub(",", "", t); T += t; N += n; C++
    }
    END { printf "%-44s %6d %21.1f   (%d classes)\n", "all", N, T, C }'
  echo
  echo "Slowest classes (seconds, tests):"
  find "$out/reports" -name 'TEST-*.xml' -print0 2>/dev/null | xargs -0 -r awk '
    /<testsuite / {
      t = 0; n = 0; name = ""
      if (match($0, / time="[^"]*"/)) t = substr($0, RSTART + 7, RLENGTH - 8)
      if (match($0, / tests="[^"]*"/)) n = substr($0, RSTART + 8, RLENGTH - 9)
      if (match($0, / name="[^"]*"/)) name = substr($0, RSTART + 7, RLENGTH - 8)
      gsub(",", "", t); printf "%8.1f %4d  %s\n", t, n, name
    }' | sort -rn | head -"${TOP:-15}"
  echo
  local maven detached
  maven=$(cat "$out/maven-cpu" 2>/dev/null || echo 0)
  # Detached roots (not Maven, a child of this script that 'times' counts): the last sample of each.
  detached=$(awk -F'\t' -v me="$(cat "$out/script-pid")" '$2 != "load" && $5 != me { last[$2] = $4 }
      END { for (p in last) s += last[p]; printf "%.1f", s / 100 }' "$out/samples.tsv")
  echo "CPU seconds: $(awk -v a="$maven" -v b="$detached" 'BEGIN { printf "%.1f", a + b }') (Maven and the processes it waited for: $maven; detached servers such as PostgreSQL: $detached)"
  echo "Wall time: $(cat "$out/wall") s"
}

if ! $only_print; then
  run "$@"
fi
report | tee "$out/summary.txt"
