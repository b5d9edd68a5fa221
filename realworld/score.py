#!/usr/bin/env python3
"""Score an orgtoken binary against the real-world manifest (issue 13, section 6).

Usage:
    python3 realworld/score.py --checkouts DIR --bin PATH [--manifest FILE]
                               [--results DIR] [--repo OWNER/NAME ...] [--verbose]

DIR holds one checkout per repository, named `<owner>+<name>` (see README.md).
For every repository of the manifest that has a checkout, the script runs
`orgtoken scan --format json --fail-on never .` from the checkout's root and
compares the results with the manifest's expectations:

* a breaking expectation (rule `OTxxx`, or alternatives `OT001|OT002`) is
  *found* when a result of an accepted rule has its primary location in the
  expectation's file and line range; it is *off-root* when a result of an
  accepted rule exists but elsewhere (its related locations touch the range,
  it sits in the same file outside the range, or it matches no expectation
  of the repository); otherwise it is *missed*. Off-root does not count as
  found;
* a `quiet` expectation is *flagged* when any result has its primary location
  in the file and line range;
* results vs root causes: the number of results against the number of
  results the breaking expectations allow (one each, or `results = N` for a
  root cause that legitimately yields N results, e.g. N committed literals).
  A repository "has more results than root causes" when it exceeds that, or
  when one root cause collects more results than it allows, or when results
  match no expectation at all (duplicates at request sites); the extra
  results are counted.

It prints one line per repository and the totals. It is a measurement: it
always exits 0, also when a checkout is missing or the binary fails.
Python 3.11+ (tomllib), standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import time

try:
    import tomllib
except ImportError:  # pragma: no cover - Python < 3.11
    tomllib = None

HERE = os.path.dirname(os.path.abspath(__file__))


def load_manifest(path):
    if tomllib is None:
        print("score.py needs Python 3.11+ (tomllib)", file=sys.stderr)
        sys.exit(0)
    with open(path, "rb") as f:
        return tomllib.load(f)


def line_range(exp):
    if "lines" in exp:
        lo, hi = exp["lines"]
    else:
        lo = hi = exp["line"]
    return int(lo), int(hi)


def rules_of(exp):
    return [r.strip() for r in exp["rule"].split("|")]


def norm(p):
    p = p.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p


def run_scan(binary, checkout, out_file, timeout):
    t0 = time.time()
    try:
        proc = subprocess.run(
            [binary, "scan", "--format", "json", "--fail-on", "never", "."],
            cwd=checkout,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None, "timeout after %ds" % timeout, time.time() - t0
    except OSError as e:
        return None, str(e), time.time() - t0
    dt = time.time() - t0
    if out_file:
        with open(out_file, "wb") as f:
            f.write(proc.stdout)
    try:
        doc = json.loads(proc.stdout.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, "exit %d, no JSON (%s)" % (proc.returncode, err[-1] if err else ""), dt
    if proc.returncode not in (0, 1):
        return doc, "exit %d" % proc.returncode, dt
    return doc, None, dt


def places(exp):
    """The root place and any `also` places: [(file, lo, hi)]."""
    lo, hi = line_range(exp)
    out = [(norm(exp["file"]), lo, hi)]
    for a in exp.get("also", []):
        f, _, rng = a.rpartition(":")
        a_lo, _, a_hi = rng.partition("-")
        out.append((norm(f), int(a_lo), int(a_hi or a_lo)))
    return out


def in_range(path, line, exp):
    p, n = norm(path), int(line)
    return any(p == f and lo <= n <= hi for f, lo, hi in places(exp))


def score_repo(repo, findings):
    exps = repo.get("expect", [])
    breaking = [e for e in exps if e["rule"] != "quiet"]
    quiet = [e for e in exps if e["rule"] == "quiet"]
    rows = []
    found = 0
    for e in breaking:
        accepted = rules_of(e)
        status = "missed"
        for f in findings:
            if f.get("rule") in accepted and in_range(f["path"], f["line"], e):
                status = "found"
                break
        if status == "missed":
            for f in findings:
                if f.get("rule") not in accepted:
                    continue
                rel = [r for r in f.get("related", []) if "line" in r and "path" in r]
                same_file = any(norm(f["path"]) == pf for pf, _, _ in places(e))
                unclaimed = not any(in_range(f["path"], f["line"], x) for x in exps)
                if any(in_range(r["path"], r["line"], e) for r in rel) or same_file or unclaimed:
                    # reported, but not at the root place
                    status = "off-root"
                    break
        if status == "found":
            found += 1
        rows.append((status, e))
    flagged = 0
    for e in quiet:
        hit = [f for f in findings if in_range(f["path"], f["line"], e)]
        if hit:
            flagged += 1
            rows.append(("FLAGGED", e, hit[0].get("rule")))
        else:
            rows.append(("quiet-ok", e))
    # Results beyond what the root causes allow: a breaking expectation that
    # collects more results than its `results`, and results that match no
    # expectation at all (duplicates at request sites, unlabelled places).
    extra = 0
    for e in breaking:
        claimed = sum(1 for f in findings
                      if f.get("rule") in rules_of(e) and in_range(f["path"], f["line"], e))
        extra += max(0, claimed - int(e.get("results", 1)))
    extra += sum(1 for f in findings if not any(in_range(f["path"], f["line"], x) for x in exps))
    at_quiet = sum(1 for f in findings if any(in_range(f["path"], f["line"], q) for q in quiet))
    return {
        "at_quiet": at_quiet,
        "extra": extra,
        "roots": sum(int(e.get("results", 1)) for e in breaking),
        "breaking": len(breaking),
        "found": found,
        "quiet": len(quiet),
        "flagged": flagged,
        "results": len(findings),
        "rows": rows,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkouts", required=True, help="directory of <owner>+<name> checkouts")
    ap.add_argument("--bin", required=True, help="orgtoken binary to measure")
    ap.add_argument("--manifest", default=os.path.join(HERE, "manifest.toml"))
    ap.add_argument("--results", help="write each repository's JSON report here")
    ap.add_argument("--repo", action="append", help="only this repository (repeatable)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per repository")
    ap.add_argument("--verbose", "-v", action="store_true", help="one line per expectation")
    args = ap.parse_args()

    manifest = load_manifest(args.manifest)
    binary = os.path.abspath(args.bin)
    if args.results:
        os.makedirs(args.results, exist_ok=True)

    by_rule = {}
    tot = {"repos": 0, "extra": 0, "breaking": 0, "roots": 0, "found": 0, "quiet": 0, "flagged": 0,
           "results": 0, "over": 0, "missing": 0, "failed": 0}
    print("%-52s %9s %8s %9s  %s" % ("repository", "found", "flagged", "res/root", "notes"))
    for repo in manifest.get("repo", []):
        name = repo["repo"]
        if args.repo and name not in args.repo:
            continue
        checkout = os.path.join(args.checkouts, name.replace("/", "+"))
        if not os.path.isdir(checkout):
            print("%-52s %s" % (name, "no checkout at %s (see README.md)" % checkout))
            tot["missing"] += 1
            continue
        out_file = None
        if args.results:
            out_file = os.path.join(args.results, name.replace("/", "+") + ".json")
        doc, err, dt = run_scan(binary, checkout, out_file, args.timeout)
        findings = doc.get("findings", []) if doc else []
        if doc is None:
            tot["failed"] += 1
        s = score_repo(repo, findings)
        tot["repos"] += 1
        for k in ("breaking", "roots", "found", "quiet", "flagged", "results", "extra"):
            tot[k] += s[k]
        for row in s["rows"]:
            if row[0] in ("found", "off-root", "missed"):
                b = by_rule.setdefault("|".join(sorted(rules_of(row[1]))), {"found": 0, "off-root": 0, "missed": 0})
                b[row[0]] += 1
        over = s["results"] > s["roots"] or s["extra"] > 0
        if over:
            tot["over"] += 1
        note = []
        if err:
            note.append("scan: " + err)
        if over:
            note.append("more results than root causes (%d extra, %d at quiet places)" % (s["extra"], s["at_quiet"]))
        note.append("%.1fs" % dt)
        print("%-52s %4d/%-4d %4d/%-3d %4d/%-4d  %s" % (
            name, s["found"], s["breaking"], s["flagged"], s["quiet"],
            s["results"], s["roots"], "; ".join(note)))
        if args.verbose:
            for row in s["rows"]:
                e = row[1]
                lo, hi = line_range(e)
                loc = "%s:%d" % (e["file"], lo) if lo == hi else "%s:%d-%d" % (e["file"], lo, hi)
                extra = (" (by %s)" % row[2]) if len(row) > 2 else ""
                print("    %-9s %-12s %s%s" % (row[0], e["rule"], loc, extra))
            if s["results"]:
                for f in findings:
                    print("    result    %-12s %s:%s" % (f.get("rule"), f.get("path"), f.get("line")))

    print()
    print("repositories scored:              %d (missing checkouts: %d, failed scans: %d)"
          % (tot["repos"], tot["missing"], tot["failed"]))
    print("breaking places found:            %d/%d" % (tot["found"], tot["breaking"]))
    for rule in sorted(by_rule):
        b = by_rule[rule]
        print("    %-12s found %d, off-root %d, missed %d" % (rule, b["found"], b["off-root"], b["missed"]))
    print("quiet places flagged:             %d/%d" % (tot["flagged"], tot["quiet"]))
    print("results / expected results:       %d/%d (breaking places with legitimate multiple results,"
          " e.g. several committed literals, count for each)" % (tot["results"], tot["roots"]))
    print("repos with more results than root causes: %d (extra results: %d)" % (tot["over"], tot["extra"]))
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a measurement never fails the caller
        print("score.py: %s" % e, file=sys.stderr)
    sys.exit(0)
