#!/usr/bin/env bash
# orgtoken against the `rg -l` floor on the same trees (see bench/README.md).
#
#   bash bench/run.sh [--quick] [--large] [--real DIR]... [-j N] [--runs N]
#
# --quick   small corpus only (1,000 files), one timed run: a smoke check.
# --large   also the large corpus (100,000 files, ~1.5 GB, generated on demand).
# --real D  also the tree D (repeatable), e.g. a clone of a big public repo.
# -j N      threads for both tools (default: all cores).
# --runs N  timed runs per tool and tree, after one warm-up run of rg on the
#           tree (default 3);
#           the table shows the median run (by wall time).
#
# Generated corpora go to bench/.corpus/, ripgrep (if it must be built) to
# bench/.tools/, results to bench/.results/: all git-ignored.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
quick=0 large=0 runs=3 threads=$(nproc)
reals=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; runs=1 ;;
    --large) large=1 ;;
    --real) reals+=("$(cd "$2" && pwd)"); shift ;;
    -j) threads=$2; shift ;;
    --runs) runs=$2; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

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

echo "building orgtoken and gen-corpus (release)…" >&2
(cd "$root" && cargo build --release --locked --bin orgtoken -p orgtoken >&2 && cargo build --release --locked -p gen-corpus >&2)
orgtoken="$root/target/release/orgtoken"
gen="$root/target/release/gen-corpus"
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

# measure TOOL TREE TAG: $runs timed runs (after a warm-up for rg, the first
# tool run on each tree); prints the median's
# "wall cpu rss" (seconds, seconds, MB).
measure() {
  local tool=$1 tree=$2 tag=$3 i
  local -n cmd="${tool}_cmd"
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
  echo "| tree | files | MB | rg wall s | rg CPU s | rg RSS MB | orgtoken wall s | orgtoken CPU s | orgtoken RSS MB | wall ratio | files walked / analysed | findings (expected) | trigger files MB | analysis MB/s/core |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$table"

bench_tree() { # name dir
  local name=$1 dir=$2
  echo "benchmarking $name ($dir), $runs run(s), -j $threads…" >&2
  read -r rw rc rr < <(measure rg "$dir" "$name")
  read -r ow oc orr < <(measure ot "$dir" "$name")
  cp "$results/$name.ot.out" "$results/$name.json"
  # Bytes of the files the floor lists (the files that contain a trigger).
  local trig_bytes
  trig_bytes=$(tr '\n' '\0' < "$results/$name.rg.out" | xargs -0 -r cat 2>/dev/null | wc -c)
  python3 - "$name" "$dir" "$results/$name.json" "$rw" "$rc" "$rr" "$ow" "$oc" "$orr" "$trig_bytes" "$threads" >> "$table" <<'PY'
import json, os, sys
name, tree, out = sys.argv[1:4]
rw, rc, rr, ow, oc, orr = map(float, sys.argv[4:10])
trig, threads = int(sys.argv[10]), int(sys.argv[11])
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
print(f"| {name} | {files} | {mb_s} | {rw:.2f} | {rc:.2f} | {rr:.0f} | {ow:.2f} | {oc:.2f} | {orr:.0f} | {ow / max(rw, 1e-3):.2f}× "
      f"| {s['files_walked']} / {s['files_analysed']} | {found} | {trig / 1e6:.1f} | {mbps} |")
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
  [ "$large" = 1 ] && bench_tree large-0.5pct "$(corpus large-0.5pct 100000 0.005 31)"
fi
for d in "${reals[@]}"; do
  bench_tree "real-$(basename "$d")" "$d"
done

echo >&2
echo "threads: $threads; median of $runs run(s) after one warm-up (rg) per tree; rg: $("$rg" --version | sed -n 1p)" >&2
echo "rg: rg -l -i -F --hidden --no-require-git -j $threads -g '!<vendored dirs>' -f <(orgtoken rules --triggers) TREE" >&2
echo "orgtoken: orgtoken scan --format json -j $threads --isolated --exclude .corpus.json TREE" >&2
echo "analysis MB/s/core = MB of the files rg lists / (orgtoken CPU s - rg CPU s); – where that difference is within noise" >&2
cat "$table"
