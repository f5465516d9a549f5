"""The Spark job on a real standalone cluster (one master, two workers of one core each, on
127.0.0.1, ports chosen free) gives the pairs, clusters and keep-list of ``retold dedup``.

Needs pyspark and pandas (``scripts/setup-python.sh`` installs them), Java 17 or later, the
``retold`` binary (``$RETOLD_BIN``, else the cargo build in ``$CARGO_TARGET_DIR``) and
``../shared``.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyarrow.dataset as pads
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("RETOLD_SHARED", ROOT.parent / "shared"))


def retold_bin() -> str:
    if os.environ.get("RETOLD_BIN"):
        return os.environ["RETOLD_BIN"]
    target = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/retold/target"))
    found = [p for p in (target / "debug/retold", target / "release/retold") if p.exists()]
    if not found:
        pytest.fail(f"no retold binary in {target} (set RETOLD_BIN or run cargo build)")
    return str(max(found, key=lambda p: p.stat().st_mtime))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_corpus(d: Path) -> int:
    """Dev documents (OneStop levels, SemEval stories, WMT sources) with dates on some, and
    after them planted exact copies and reposts wrapped in the lines of two named sites
    (whose lines the corpus learns as boilerplate), split over two files."""
    base = []
    for name, n in (("onestop", 60), ("semeval", 40), ("wmt", 20)):
        with open(SHARED / "eval" / name / "docs.jsonl", encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= n:
                    break
                v = json.loads(line)
                base.append({"id": v["id"], "text": v["text"]})
    rows = []
    for k, doc in enumerate(base):
        if k % 3 == 0:
            doc["date"] = f"2024-{1 + k % 12:02d}-{1 + k % 28:02d}"
        rows.append(doc)
        if k % 4 == 1:
            site = ("daily.example", "wire.example")[k % 2]
            rows.append({
                "id": f"repost-{k}", "source": site,
                "text": f"{site} | Home | World | Business\nSubscribe to the {site} newsletter "
                        f"for the morning briefing\n\n{doc['text']}\n\nMore from {site}: the "
                        "most read stories of the week, chosen by our editors\n"})
        elif k % 7 == 3:
            rows.append({"id": f"copy-{k}", "text": doc["text"]})
    d.mkdir(parents=True)
    half = len(rows) // 2
    for name, part in (("part-1.jsonl", rows[:half]), ("part-2.jsonl", rows[half:])):
        with open(d / name, "w", encoding="utf-8") as f:
            for r in part:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(rows)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A standalone Spark cluster: its master URL; stopped at the end."""
    import pyspark

    if shutil.which("java") is None:
        pytest.fail("java (17 or later) is required for the Spark tests")
    home = os.path.dirname(pyspark.__file__)
    cls = os.path.join(home, "bin", "spark-class")
    logs = tmp_path_factory.mktemp("spark-logs")
    port, ui = free_port(), free_port()
    env = dict(os.environ, SPARK_HOME=home, SPARK_LOG_DIR=str(logs),
               PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    procs = []

    def start(args, log):
        procs.append(subprocess.Popen(
            [cls, *args], env=env, stdout=open(logs / log, "w"), stderr=subprocess.STDOUT))

    start(["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
           "--webui-port", str(ui)], "master.log")
    master = f"spark://127.0.0.1:{port}"
    for i in range(2):
        start(["org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
               "--memory", "2g", "--webui-port", str(free_port()),
               "--work-dir", str(logs / f"work-{i}"), master], f"worker-{i}.log")
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=2) as r:
                    if json.load(r).get("aliveworkers", 0) >= 2:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                pytest.fail("the standalone cluster did not start: " + "".join(
                    (logs / f).read_text()[-2000:] for f in ("master.log", "worker-0.log")))
            time.sleep(1)
        yield master
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def parquet_rows(path: Path):
    # Files in name order, rows in file order: the order the job wrote them in.
    return [json.loads(json.dumps(r)) for r in pads.dataset(str(path), format="parquet")
            .to_table().to_pylist()]


def jsonl(path: Path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_spark_job_on_a_standalone_cluster_equals_dedup(cluster, tmp_path):
    corpus = tmp_path / "corpus"
    n = write_corpus(corpus)
    cli = tmp_path / "cli"
    subprocess.run([retold_bin(), "dedup", "--semantic", "off", "--out", str(cli), str(corpus)],
                   check=True, capture_output=True)
    out = tmp_path / "spark"
    job = subprocess.run(
        [sys.executable, "-m", "retold.spark", "--input", str(corpus), "--out", str(out),
         "--master", cluster, "--driver-memory", "1g", "--shuffle-partitions", "4"],
        capture_output=True, text=True, cwd=tmp_path)
    assert job.returncode == 0, job.stderr[-4000:]
    stats = json.loads((out / "stats.json").read_text())
    assert stats["docs"] == n

    want_pairs, got_pairs = jsonl(cli / "pairs.jsonl"), parquet_rows(out / "pairs")
    want_clusters, got_clusters = jsonl(cli / "clusters.jsonl"), parquet_rows(out / "clusters")
    # Not vacuous: copies, reposts and rewrites were found, boilerplate learned.
    assert len(want_pairs) > 100 and len(want_clusters) > 20, (len(want_pairs), len(want_clusters))
    assert stats["learned_lines"] > 0
    assert got_pairs == want_pairs
    assert got_clusters == want_clusters
    keep = [line.strip() for line in open(cli / "keep.txt", encoding="utf-8")]
    assert [r["id"] for r in parquet_rows(out / "keep")] == keep


def test_spark_job_reports_a_malformed_line_and_skips_it_when_asked(tmp_path):
    src = tmp_path / "docs.jsonl"
    src.write_text('{"id": "a", "text": "one two three"}\n{"id": "b", "text": \n'
                   '{"id": "c", "text": "one two three"}\n', encoding="utf-8")
    # Verification by sort-merge joins here (the equivalence test above broadcasts its pairs).
    base = [sys.executable, "-m", "retold.spark", "--input", str(src), "--master", "local[1]",
            "--driver-memory", "1g", "--shuffle-partitions", "2", "--broadcast-pairs", "0"]
    bad = subprocess.run(base + ["--out", str(tmp_path / "o1")], capture_output=True, text=True)
    assert bad.returncode != 0
    assert "docs.jsonl, record 2" in bad.stderr and "--skip-bad" in bad.stderr
    ok = subprocess.run(base + ["--out", str(tmp_path / "o2"), "--skip-bad"],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert "skipped 1 bad record" in ok.stderr
    pairs = parquet_rows(tmp_path / "o2" / "pairs")
    assert [(p["a"], p["b"], p["exact"]) for p in pairs] == [("a", "c", True)]


def test_components_by_label_propagation_match_union_find():
    """Long paths (the chains of huge buckets) converge in few rounds and give each node the
    smallest node of its component."""
    import random

    from pyspark.sql import SparkSession

    from retold.spark import components

    rng = random.Random(7)
    nodes = list(range(1000, 1400))
    rng.shuffle(nodes)
    edges = [(nodes[i], nodes[i + 1]) for i in range(299)]           # one path of 300 nodes
    edges += [(5, 9), (9, 7), (7, 5)]                                 # a triangle
    edges += [(50, x) for x in range(51, 60)]                         # a star
    edges += [(rng.randrange(2000, 2100), rng.randrange(2000, 2100)) for _ in range(60)]
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    spark = (SparkSession.builder.master("local[1]").appName("components-test")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.ui.enabled", "false").getOrCreate())
    try:
        df = spark.createDataFrame(edges, "a long, b long")
        got = {r["node"]: r["comp"] for r in components(spark, df, max_rounds=16).collect()}
    finally:
        spark.stop()
    want = {x: find(x) for x in parent}
    assert got == want
