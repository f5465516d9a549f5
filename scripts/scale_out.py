#!/usr/bin/env python3
"""Measures how retold's Spark job scales and writes the measured table of docs/scale-out.md.

    .venv-py/bin/python scripts/scale_out.py bench/data/corpus-100k.jsonl [bench/data/corpus-1m.jsonl ...]
        [--master local[2]] [--executor-memory 4g]

Per corpus, one run of `retold.spark.run` in this process with Spark's own metrics (REST API
of the driver's UI): bytes shuffled per document in each step (Spark's shuffle-write bytes of
the jobs the step ran), candidate and verified pairs per document, the largest candidate-key
bucket and the largest component, seconds per step (and per Spark job, in the raw results),
documents/s, the peak memory of the executors' JVMs (Spark's peak metrics) and the peak
summed RSS of the whole process tree (driver JVM, Python workers; sampled every 0.2 s from
/proc). Raw numbers go to
bench/results-scale-<timestamp>.json; the section between the markers in docs/scale-out.md
is replaced.
"""

import argparse
import json
import os
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from md_section import write_section  # noqa: E402

START = "<!-- scale-out:measured:start -->"
END = "<!-- scale-out:measured:end -->"


def tree_rss(pid: int) -> int:
    """Summed RSS (bytes) of `pid` and all its descendants."""
    kids = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(p))
        except (OSError, ValueError, IndexError):
            pass
    total, todo = 0, [pid]
    while todo:
        q = todo.pop()
        todo.extend(kids.get(q, []))
        try:
            with open(f"/proc/{q}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


class Peak(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.stop = 0, False

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, tree_rss(os.getpid()))
            time.sleep(0.2)


def rest(port: int, path: str):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/{path}", timeout=30) as r:
        return json.load(r)


def _seconds(stamp: str) -> float:
    """Seconds since the epoch of a REST API time such as ``2026-12-01T15:37:29.123GMT``."""
    from datetime import datetime, timezone

    t = datetime.strptime(stamp.removesuffix("GMT"), "%Y-%m-%dT%H:%M:%S.%f")
    return t.replace(tzinfo=timezone.utc).timestamp()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(corpus: str, master: str, executor_memory: str, work: Path) -> dict:
    from pyspark.sql import SparkSession

    import retold.spark as rs

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    ui = free_port()
    spark = (SparkSession.builder.appName("retold-scale").master(master)
             .config("spark.driver.memory", executor_memory)
             .config("spark.ui.port", str(ui))
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.executor.processTreeMetrics.enabled", "true")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2000")
             .config("spark.sql.shuffle.partitions", "16")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    peak = Peak()
    peak.start()
    t = time.time()
    stats = rs.run(spark, corpus, str(work / Path(corpus).stem))
    wall = time.time() - t
    peak.stop = True
    app = rest(ui, "applications")[0]["id"]
    jobs = rest(ui, f"applications/{app}/jobs")
    stages = {s["stageId"]: s for s in rest(ui, f"applications/{app}/stages?status=complete")}
    shuffle, job_seconds = {}, []
    for j in jobs:
        if j.get("submissionTime") and j.get("completionTime"):
            job_seconds.append([(j.get("description") or "").removeprefix("retold ") or "other",
                                j["jobId"], round(_seconds(j["completionTime"])
                                                  - _seconds(j["submissionTime"]), 3)])
        step = (j.get("description") or "").removeprefix("retold ") or "other"
        for sid in j["stageIds"]:
            s = stages.pop(sid, None)
            if s:
                shuffle[step] = shuffle.get(step, 0) + s.get("shuffleWriteBytes", 0)
    execs = rest(ui, f"applications/{app}/allexecutors")
    jvm_peak = max((e.get("peakMemoryMetrics", {}).get("JVMHeapMemory", 0) for e in execs),
                   default=0)
    spark.stop()
    n = stats["docs"]
    size = os.path.getsize(corpus) if os.path.isfile(corpus) else sum(
        p.stat().st_size for p in Path(corpus).rglob("*") if p.is_file())
    return {
        "corpus": corpus, "master": master, "docs": n, "bytes": size, "wall_s": round(wall, 1),
        "docs_per_s": round(n / wall, 1), "seconds": stats["seconds"],
        "shuffle_bytes": shuffle, "job_seconds": sorted(job_seconds, key=lambda x: x[1]), "shuffle_bytes_per_doc": round(sum(shuffle.values()) / n, 1),
        "candidates_per_doc": round(stats["candidates"] / n, 3),
        "pairs_per_doc": round(stats["pairs"] / n, 3), "stats": stats,
        "peak_tree_rss_mb": round(peak.peak / 2**20), "peak_jvm_heap_mb": round(jvm_peak / 2**20),
    }


def table(results) -> list:
    steps = ["read", "sketch", "learn", "candidates", "verify", "components", "group", "write"]
    out = [START, "", "| corpus | docs | wall (s) | docs/s | candidate pairs/doc | verified pairs/doc "
           "| shuffle bytes/doc | largest key bucket | largest component | peak RSS, all processes "
           "(MB) | peak JVM heap (MB) |", "|" + "---|" * 11]
    for r in results:
        s = r["stats"]
        out.append(f"| {Path(r['corpus']).name} | {r['docs']:,} | {r['wall_s']} | {r['docs_per_s']:,} "
                   f"| {r['candidates_per_doc']} | {r['pairs_per_doc']} | {r['shuffle_bytes_per_doc']:,.0f} "
                   f"| {s['largest_key_df']:,} | {s['largest_component']:,} | {r['peak_tree_rss_mb']:,} "
                   f"| {r['peak_jvm_heap_mb']:,} |")
    out += ["", "Shuffle-write bytes per document, by step:", "",
            "| corpus | " + " | ".join(steps) + " |", "|" + "---|" * (len(steps) + 1)]
    for r in results:
        sb = r["shuffle_bytes"]
        out.append(f"| {Path(r['corpus']).name} | " + " | ".join(
            f"{sb.get(k, 0) / r['docs']:,.0f}" for k in steps) + " |")
    timed = ["read", "sketch", "learn", "candidates", "verify", "components", "group", "write"]
    out += ["", "Seconds per step:", "", "| corpus | " + " | ".join(timed) + " |",
            "|" + "---|" * (len(timed) + 1)]
    for r in results:
        sec = r["seconds"]
        out.append(f"| {Path(r['corpus']).name} | " + " | ".join(
            str(sec.get(k, "")) for k in timed) + " |")
    out += ["", f"Measured by `scripts/scale_out.py` on {time.strftime('%Y-%m-%d')}, "
            f"Spark `{results[0]['master']}` on this machine ({os.cpu_count()} cores).", "", END]
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("corpus", nargs="*")
    p.add_argument("--also", action="append", default=[], metavar="RESULTS_JSON",
                   help="include the results of an earlier run (a bench/results-scale-*.json "
                        "file, or one JSON result per line)")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--executor-memory", default="6g")
    p.add_argument("--md", default=str(ROOT / "docs/scale-out.md"))
    a = p.parse_args()
    work = ROOT / "bench/work/scale-out"
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for path in a.also:
        text = Path(path).read_text()
        try:
            got = json.loads(text)
            results.extend(got if isinstance(got, list) else [got])
        except json.JSONDecodeError:
            results.extend(json.loads(line) for line in text.splitlines() if line.strip())
    for c in a.corpus:
        r = measure(c, a.master, a.executor_memory, work)
        print(json.dumps(r), flush=True)
        results.append(r)
    if not results:
        p.error("no corpus to measure")
    results.sort(key=lambda r: r["docs"])
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (ROOT / f"bench/results-scale-{stamp}.json").write_text(json.dumps(results, indent=2))
    write_section(a.md, START, END, table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
