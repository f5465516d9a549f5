#!/usr/bin/env python3
"""Sum the fuzzing ledger (docs/fuzz-runs.tsv) into the table of docs/reliability.md.

The ledger has one line per target run, appended by `RETOLD_FUZZ_LEDGER=docs/fuzz-runs.tsv
bash scripts/fuzz.sh SECONDS`: UTC date, commit, target, seconds, executions, new corpus units,
exit code (0: no failure). This script rewrites the part of docs/reliability.md between
`<!-- fuzz-table:start -->` and `<!-- fuzz-table:end -->` with, per target, the number of runs,
total time, executions, the share of the issue's one hour reached, and the runs that failed.
Standard library only.

    python3 scripts/fuzz_table.py [--ledger docs/fuzz-runs.tsv] [--doc docs/reliability.md]
"""

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = ["jsonl", "csv", "warc", "extract", "normalize", "sentences", "compare"]
GOAL_S = 3600
START, END = "<!-- fuzz-table:start -->", "<!-- fuzz-table:end -->"


def read_ledger(path):
    runs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 7:
                raise SystemExit("%s:%d: expected 7 tab-separated fields, got %d" % (path, n, len(parts)))
            date, commit, target, secs, execs, added, rc = parts
            runs.append({"date": date, "commit": commit, "target": target, "secs": int(secs),
                         "execs": int(execs), "added": int(added), "rc": int(rc)})
    return runs


def hms(s):
    h, m = divmod(s // 60, 60)
    return "%d h %02d min" % (h, m) if h else "%d min %02d s" % (m, s % 60)


def table(runs):
    names = TARGETS + sorted({r["target"] for r in runs} - set(TARGETS))
    out = ["| Target | Runs | Total time | Executions | Of the 1 h goal | Failing runs |",
           "|---|---:|---:|---:|---:|---:|"]
    for t in names:
        rs = [r for r in runs if r["target"] == t]
        secs = sum(r["secs"] for r in rs)
        out.append("| %s | %d | %s | %s | %d %% | %d |" % (
            t, len(rs), hms(secs), format(sum(r["execs"] for r in rs), ","), min(100, 100 * secs // GOAL_S),
            sum(1 for r in rs if r["rc"] != 0)))
    if runs:
        out.append("")
        out.append("From %d ledger lines, %s to %s (commits %s)." % (
            len(runs), runs[0]["date"], runs[-1]["date"], ", ".join(sorted({r["commit"] for r in runs}))))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ledger", default=os.path.join(ROOT, "docs", "fuzz-runs.tsv"))
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "reliability.md"))
    args = ap.parse_args()
    runs = read_ledger(args.ledger)
    with open(args.doc, encoding="utf-8") as f:
        doc = f.read()
    if START not in doc or END not in doc:
        print("error: %s has no %s ... %s markers" % (args.doc, START, END), file=sys.stderr)
        return 1
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    with open(args.doc, "w", encoding="utf-8") as f:
        f.write(head + START + "\n" + table(runs) + "\n" + END + tail)
    print("wrote %s (%d runs)" % (os.path.relpath(args.doc), len(runs)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
