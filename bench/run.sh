#!/usr/bin/env bash
# orgtoken against the `rg -l` floor and a peer (ast-grep) on the same trees
# (see bench/README.md).
#
#   bash bench/run.sh [--quick] [--large] [--no-mono] [--real DIR]... [-j N] [--runs N] [--table]
#
# --quick   small corpus only (1,000 files), one timed run: a smoke check.
# --large   also the large corpus (100,000 files, ~1.5 GB, generated on demand).
# --no-mono without the monorepo trees (50, 100 and 200 services).
# --real D  also the tree D (repeatable), e.g. a clone of a Zoho SDK.
# -j N      threads for every tool (default: all cores).
# --runs N  timed runs per tool and tree, after one warm-up run of rg on the
#           tree (default 5); the table shows the median run (by wall time).
# --peer-runs N  timed runs of the peer (default: as --runs; it is by far
#           the slowest of the three).
# --table   also write the table into bench/README.md (between its markers).
#
# Generated corpora go to bench/.corpus/, ripgrep (if it must be built) and
# ast-grep (npm) to bench/.tools/, results to bench/.results/: all
# git-ignored.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
quick=0 large=0 mono=1 table_out=0 runs=5 peer_runs="" threads=$(nproc)
reals=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; runs=1 ;;
    --large) large=1 ;;
    --no-mono) mono=0 ;;
    --table) table_out=1 ;;
    --real) reals+=("$(cd "$2" && pwd)"); shift ;;
    -j) threads=$2; shift ;;
    --runs) runs=$2; shift ;;
    --peer-runs) peer_runs=$2; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

peer_runs=${peer_runs:-$runs}
corpora="$here/.corpus" results="$here/.results"
mkdir -p "$corpora" "$results"
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (apt-get install -y time)" >&2; exit 2; }

# ripgrep: on PATH, else apt, else cargo install into bench/.tools.
if command -v rg >/dev/null; then
  rg=$(command -v rg)
elif [ -x "$here/.tools/bin/rg" ]; then
  rg="$here/.tools/bin/rg"
else
  echo "installing ripgrep…" >&2
  if { apt-get install -y ripgrep >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y ripgrep >/dev/null 2>&1; }; } && command -v rg >/dev/null; then
    rg=$(command -v rg)
  else
    cargo install --locked ripgrep --root "$here/.tools" >&2
    rg="$here/.tools/bin/rg"
  fi
fi

# The peer: ast-grep (npm package @ast-grep/cli) on PATH, else in
# bench/.tools (installed there on first use; skipped when npm is missing).
if command -v ast-grep >/dev/null; then
  astgrep=$(command -v ast-grep)
elif [ -x "$here/.tools/node_modules/.bin/ast-grep" ]; then
  astgrep="$here/.tools/node_modules/.bin/ast-grep"
elif command -v npm >/dev/null; then
  echo "installing ast-grep (npm)…" >&2
  (mkdir -p "$here/.tools" && cd "$here/.tools" && npm install --no-audit --no-fund @ast-grep/cli >&2) || true
  astgrep="$here/.tools/node_modules/.bin/ast-grep"
fi
[ -x "${astgrep:-}" ] || { echo "ast-grep unavailable: the peer columns stay empty" >&2; astgrep=""; }

echo "building orgtoken and gen-corpus (release)…" >&2
(cd "$root" && cargo build --release --locked --bin orgtoken -p orgtoken >&2 && cargo build --release --locked -p gen-corpus >&2)
target=${CARGO_TARGET_DIR:-$root/target}
orgtoken="$target/release/orgtoken"
gen="$target/release/gen-corpus"
triggers="$results/triggers.txt"
"$orgtoken" rules --triggers > "$triggers"

# rg gets the same exclusions orgtoken applies by default: vendored
# directories (src/walk.rs VENDORED_DIRS + the catalog's vendored_globs),
# .git, the corpus manifest; --hidden because orgtoken reads dot-files; both
# honour .gitignore, also outside a git repository (--no-require-git, as
# orgtoken). Files over orgtoken's 5M limit are read by rg only.
rg_globs=(-g '!**/node_modules/**' -g '!**/site-packages/**' -g '!**/vendor/**' -g '!**/bower_components/**'
  -g '!**/.venv/**' -g '!**/venv/**' -g '!**/__pycache__/**' -g '!**/.tox/**' -g '!**/packages/ZOHOCRMSDK*/**'
  -g '!**/com/zoho/crm/api/dc/**' -g '!.git' -g '!.corpus.json')
rg_cmd=("$rg" -l -i -F --hidden --no-require-git -j "$threads" "${rg_globs[@]}" -f "$triggers")
ot_cmd=("$orgtoken" scan --format json -j "$threads" --isolated --exclude .corpus.json)
# The peer: one rule per language it parses (bench/peer/rules/zoho.yml).
# ast-grep honours .gitignore and skips hidden files; it has no vendored-
# directory list, so it reads node_modules/ and .venv/ trees where they are
# not git-ignored.
ag_cmd=("$astgrep" scan -c "$here/peer/sgconfig.yml" --json=stream -j "$threads")

corpus() { # name files share seed [size_mb]
  local dir="$corpora/$1"
  if [ ! -f "$dir/.corpus.json" ]; then
    echo "generating $1 ($2 files, Zoho share $3)…" >&2
    rm -rf "$dir"
    local t0=$SECONDS
    "$gen" --files "$2" --zoho-share "$3" --seed "$4" ${5:+--size-mb "$5"} "$dir" > /dev/null
    echo "  generated in $((SECONDS - t0)) s" >&2
  fi
  echo "$dir"
}

mono() { # name services seed: a monorepo of 80-file services, 20% Zoho
  local dir="$corpora/$1"
  if [ ! -f "$dir/.corpus.json" ]; then
    echo "generating $1 ($2 services)…" >&2
    rm -rf "$dir"
    "$gen" --monorepo "$2" --files-per-service 80 --zoho-share 0.2 --seed "$3" "$dir" > /dev/null
  fi
  echo "$dir"
}

# measure TOOL TREE TAG: $runs timed runs (after a warm-up for rg, the first
# tool run on each tree); prints the median's
# "wall cpu rss" (seconds, seconds, MB).
measure() {
  local tool=$1 tree=$2 tag=$3 i runs=$runs
  local -n cmd="${tool}_cmd"
  [ "$tool" = ag ] && runs=$peer_runs
  # One warm-up per tree (rg reads the same files orgtoken reads, and more).
  [ "$tool" = rg ] && { "${cmd[@]}" "$tree" > /dev/null 2>&1 || true; }
  : > "$results/$tag.$tool.runs"
  for i in $(seq 1 "$runs"); do
    /usr/bin/time -v -o "$results/$tag.$tool.time" "${cmd[@]}" "$tree" \
      > "$results/$tag.$tool.out" 2> "$results/$tag.$tool.err" || true
    awk -F': ' '
      /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (k = 1; k <= n; k++) w = w * 60 + p[k] }
      /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
      END { printf "%.3f %.3f %.1f\n", w, u + s, r / 1024 }' "$results/$tag.$tool.time" >> "$results/$tag.$tool.runs"
  done
  sort -n "$results/$tag.$tool.runs" | awk -v n="$runs" 'NR == int((n + 1) / 2)'
}

table="$results/table.md"
{
  echo "| tree | files | MB | rg wall s (CPU) | rg RSS MB | orgtoken wall s (CPU) | orgtoken RSS MB | orgtoken / rg wall | ast-grep wall s (CPU) | ast-grep RSS MB | ast-grep / rg wall | files walked / analysed | findings (expected) | ast-grep matches | trigger files MB | analysis MB/s/core |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$table"
: > "$results/figures.tsv"

bench_tree() { # name dir
  local name=$1 dir=$2
  echo "benchmarking $name ($dir), $runs run(s), -j $threads…" >&2
  read -r rw rc rr < <(measure rg "$dir" "$name")
  read -r ow oc orr < <(measure ot "$dir" "$name")
  local aw=0 ac=0 ar=0 am=-1
  if [ -n "$astgrep" ]; then
    read -r aw ac ar < <(measure ag "$dir" "$name")
    am=$(grep -c '"ruleId"' "$results/$name.ag.out" || true)
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rw" "$rc" "$rr" "$ow" "$oc" "$orr" >> "$results/figures.tsv"
  cp "$results/$name.ot.out" "$results/$name.json"
  # Bytes of the files the floor lists (the files that contain a trigger).
  local trig_bytes
  trig_bytes=$(tr '\n' '\0' < "$results/$name.rg.out" | xargs -0 -r cat 2>/dev/null | wc -c)
  python3 - "$name" "$dir" "$results/$name.json" "$rw" "$rc" "$rr" "$ow" "$oc" "$orr" "$trig_bytes" "$threads" "$aw" "$ac" "$ar" "$am" >> "$table" <<'PY'
import json, os, sys
name, tree, out = sys.argv[1:4]
rw, rc, rr, ow, oc, orr = map(float, sys.argv[4:10])
trig, threads = int(sys.argv[10]), int(sys.argv[11])
aw, ac, ar, am = float(sys.argv[12]), float(sys.argv[13]), float(sys.argv[14]), int(sys.argv[15])
s = json.load(open(out))["summary"]
man = os.path.join(tree, ".corpus.json")
findings = len(json.load(open(out))["findings"])
if os.path.exists(man):
    m = json.load(open(man))
    files, mb = m["files"], m["bytes"] / 1e6
    exp = m["expected_findings_total"]
    verdict = "" if findings == exp else " ≠"
    found = f"{findings} ({exp}{verdict})"
else:
    files, mb, found = "–", "–", str(findings)
    try:
        files = sum(len(f) for _, _, f in os.walk(tree))
    except OSError:
        pass
# Meaningful only where analysis, not the walk, is the cost: on a tree with
# few Zoho files the CPU difference is within noise (or negative).
extra = oc - rc
mbps = f"{(trig / 1e6) / extra:.1f}" if extra >= 0.1 * oc and extra >= 0.5 else "–"
mb_s = f"{mb:.0f}" if isinstance(mb, float) else mb
if am >= 0:
    peer = f"{aw:.2f} ({ac:.2f}) | {ar:.0f} | {aw / max(rw, 1e-3):.2f}×"
    matches = str(am)
else:
    peer, matches = "– | – | –", "–"
print(f"| {name} | {files} | {mb_s} | {rw:.2f} ({rc:.2f}) | {rr:.0f} | {ow:.2f} ({oc:.2f}) | {orr:.0f} | {ow / max(rw, 1e-3):.2f}× "
      f"| {peer} | {s['files_walked']} / {s['files_analysed']} | {found} | {matches} | {trig / 1e6:.1f} | {mbps} |")
PY
  # Per-rule check against the manifest.
  if [ -f "$dir/.corpus.json" ]; then
    python3 - "$dir/.corpus.json" "$results/$name.json" <<'PY' >&2
import collections, json, sys
m, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = collections.Counter(f["rule"] for f in d["findings"])
exp = m["expected_findings"]
for r in sorted(set(exp) | set(got)):
    e, g = exp.get(r, 0), got.get(r, 0)
    if e != g:
        print(f"  {r}: expected {e}, found {g}")
PY
  fi
}

if [ "$quick" = 1 ]; then
  bench_tree small-20pct "$(corpus small-20pct 1000 0.2 11)"
else
  bench_tree medium-0.5pct "$(corpus medium-0.5pct 20000 0.005 21)"
  bench_tree medium-20pct "$(corpus medium-20pct 20000 0.2 22)"
  if [ "$mono" = 1 ]; then
    for n in 50 100 200; do
      bench_tree "mono-$n" "$(mono "mono-$n" "$n" 41)"
    done
  fi
  [ "$large" = 1 ] && bench_tree large-0.5pct "$(corpus large-0.5pct 100000 0.005 31)"
fi
for d in "${reals[@]}"; do
  bench_tree "real-$(basename "$d")" "$d"
done

# Monorepo growth: 200 services against 4 × 50 (1.00 = linear).
linear=$(awk -F'\t' '$1 == "mono-50" { w = $5; c = $6; r = $7 } $1 == "mono-200" { W = $5; C = $6; R = $7 }
  END { if (w > 0 && W > 0) printf "monorepo 50 -> 200 services: orgtoken wall %.2f×, CPU %.2f×, peak RSS %.2f× of linear (4 × the 50-service figure)", W / (4 * w), C / (4 * c), R / (4 * r) }' "$results/figures.tsv")
cpus=$(nproc)
load=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo
  echo "Median of $runs run(s) (ast-grep: $peer_runs) after one warm-up (rg) per tree, -j $threads on $cpus CPU(s) (load average at the end: $load); wall in seconds, CPU (user + system) in parentheses."
  echo "rg $("$rg" --version | sed -n 1p | cut -d' ' -f2): \`rg -l -i -F --hidden --no-require-git -j $threads -g '!<vendored dirs>' -f <(orgtoken rules --triggers) TREE\`;"
  echo "orgtoken: \`orgtoken scan --format json -j $threads --isolated --exclude .corpus.json TREE\`;"
  if [ -n "$astgrep" ]; then
    echo "ast-grep $("$astgrep" --version | cut -d' ' -f2): \`ast-grep scan -c bench/peer/sgconfig.yml --json=stream -j $threads TREE\` (string literals naming a Zoho host or header, per language: syntax only, no linking)."
  fi
  echo "Analysis MB/s/core = MB of the files rg lists / (orgtoken CPU s − rg CPU s); – where that difference is within noise."
  [ -n "$linear" ] && echo "$linear."
} > "$results/notes.md"
echo >&2
cat "$table" "$results/notes.md"
if [ "$table_out" = 1 ]; then
  python3 - "$here/README.md" "$table" "$results/notes.md" <<'PY'
import sys
readme, table, notes = sys.argv[1:4]
text = open(readme).read()
start, end = "<!-- bench-table:start -->", "<!-- bench-table:end -->"
body = open(table).read() + open(notes).read()
a, b = text.index(start) + len(start), text.index(end)
open(readme, "w").write(text[:a] + "\n" + body + text[b:])
PY
  echo "bench/README.md: table written" >&2
fi
