#!/usr/bin/env python3
"""retold's Spark job beside text-dedup's Spark MinHash and datatrove's MinHash dedup, in one
run on one corpus with planted copies; writes its section of docs/benchmarks.md.

    bash scripts/setup-spark.sh                      # bench/.venv-spark: pyspark + the peers
    nice -n 10 bench/.venv-spark/bin/python scripts/bench_spark.py \\
        --corpus bench/data/corpus-1m.jsonl [--tools retold,text-dedup,datatrove]

The truth file is the corpus path with .jsonl -> .truth.jsonl (scripts/make_corpus.py --truth).
Each tool runs as its own process tree, one after the other, on `--master` (default local[2])
or, for datatrove (not Spark), its LocalPipelineExecutor with `--workers` (2) processes:

  retold      `.venv-py/bin/python -m retold.spark --input CORPUS --out DIR --master local[2]`
              (see retold_command()); reads DIR/pairs and DIR/clusters (Parquet). Skipped with a
              note when `import retold.spark` fails in that interpreter.
  text-dedup  0.4.0 from PyPI (0.4.1, the latest, no longer ships a Spark script):
              `python -m text_dedup.minhash_spark --input PARQUET_DIR --output OUT --column text
              --index num --num_perm 128 --threshold 0.7 --debug` (its defaults but num_perm,
              250 -> 128 as retold's). Its input must be Parquet: the JSONL is converted first
              (num = line number, id, text; row groups of 2,000 documents so that Spark splits
              it), untimed. It imports GraphFrames, whose JVM jar is not on PyPI:
              bench/spark-shims/graphframes stands in for GraphFrame.connectedComponents (same
              result, plain DataFrame operations; its time is reported). --debug makes it write
              the component of every document with a duplicate, which the scoring needs.
  datatrove   0.10.1: MinhashDedupSignature (tasks = workers, one JSONL shard each) ->
              MinhashDedupBuckets (one task per bucket) -> MinhashDedupCluster (1 task,
              save_cluster_id) -> MinhashDedupFilter writing kept and removed documents
              (JsonlWriter, datatrove's defaults), as in datatrove's MinHash example. MinhashConfig
              n_grams 5, 16 buckets x 8 hashes = 128 (the default is 14 x 8 = 112),
              threshold ~ (1/16)^(1/8) = 0.71; English word tokenizer (datatrove's default:
              spaCy's blank "en"). The corpus is split into `--workers` JSONL shards first,
              untimed.

Found, per tool (a planted pair a-b of the truth file):
  retold      a and b are in one cluster of DIR/clusters, or DIR/pairs has (a, b) with a
              relation that says the text is reproduced (duplicate, rewrite, translation,
              partial).
  text-dedup  a and b have the same component in OUT-assignment (every document that shares
              an LSH bucket with another is linked; the script keeps the smallest `num` of each
              component and drops the rest).
  datatrove   a and b have the same cluster id in stage 3's .clusters files (union-find of the
              bucket matches; stage 4 keeps one document per cluster and removes the rest).
Recall = found planted pairs / planted pairs (overall and per kind exact/near/repost).
Reported pairs = every pair inside a cluster/component (n(n-1)/2 per cluster) plus, for
retold, reproduced pairs of DIR/pairs whose documents are not in one cluster. A reported pair
is true when its documents are one component of the truth graph (the planted pair itself, or
two copies of one original). Precision = true reported pairs / reported pairs.
Wall time: the tool's process from start to exit (JVM start-up included; the untimed input
conversion is listed apart). Peak memory: the largest sum of RSS over the tool's whole process
tree (Python driver, JVM, Python workers), sampled every 0.2 s from /proc (pages shared by
several processes count once per process).
Raw results: bench/results-spark-DATE.json (git-ignored); --render FILE re-writes the Markdown
from one. The section between <!-- spark:start --> and <!-- spark:end --> is replaced; a tool
that `--tools` leaves out keeps its row from the section's previous run, marked * and with a
note naming that run (its times compare only with that run's).
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import struct
import subprocess
import sys
import time

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(SCRIPTS)
sys.path.insert(0, SCRIPTS)
from bench import load_truth, measure, rel, tail  # noqa: E402  (standard library only)
from md_section import write_section  # noqa: E402

def markers(corpus_path):
    """The markers of one corpus's section of docs/benchmarks.md (one section per corpus)."""
    stem = os.path.basename(corpus_path).replace(".jsonl", "")
    return "<!-- spark:%s:start -->" % stem, "<!-- spark:%s:end -->" % stem
TOOLS = ("retold", "text-dedup", "datatrove")
REPRODUCED = {"duplicate", "rewrite", "translation", "partial"}
SHIMS = os.path.join(REPO, "bench", "spark-shims")
VENV_PY = sys.executable  # bench/.venv-spark's python (the peers run with it)
PARQUET_ROW_GROUP = 2000


# --------------------------------------------------------------------------- retold

def retold_command(python, corpus, out, master):
    """The command line of retold's Spark job (adjust here when its CLI changes)."""
    return [python, "-m", "retold.spark", "--input", corpus, "--out", out, "--master", master]


def read_parquet_dir(path, columns=None):
    import pyarrow.parquet as pq
    return pq.read_table(path, columns=columns).to_pylist()


def run_retold(args, ctx):
    res = {"tool": "retold", "engine": "Spark %s" % args.master,
           "settings": "defaults (MinHash num_perm 128, LSH threshold 0.5, verification)"}
    py = args.retold_python
    if not os.path.exists(py):
        res["skipped"] = "%s not found (bash scripts/setup-python.sh --release)" % rel(py)
        return res
    p = subprocess.run([py, "-c", "import retold.spark"], capture_output=True, text=True)
    if p.returncode != 0:
        why = (p.stderr.strip().splitlines() or ["?"])[-1]
        res["skipped"] = "`import retold.spark` fails in %s: %s" % (rel(py), why)
        return res
    out = os.path.join(ctx["work"], "retold")
    shutil.rmtree(out, ignore_errors=True)
    cmd = retold_command(py, args.corpus, out, args.master)
    res["command"] = " ".join(rel(c) for c in cmd)
    env = spark_env(args, py)
    res.update(measure(cmd, os.path.join(ctx["work"], "retold.log"), args.timeout, env=env,
                       cwd=ctx["work"]))
    if not ok(res, os.path.join(ctx["work"], "retold.log")):
        return res
    clusters = []
    crow = read_parquet_dir(os.path.join(out, "clusters"))
    key = next((k for k in ("docs", "members") if crow and k in crow[0]), None)
    for r in crow:
        clusters.append(list(r[key]))
    pairs = [(r["a"], r["b"]) for r in read_parquet_dir(os.path.join(out, "pairs"),
                                                         ["a", "b", "relation"])
             if r["relation"] in REPRODUCED]
    res["dropped"] = sum(len(c) - 1 for c in clusters)
    res.update(score(clusters, pairs, ctx))
    return res


# --------------------------------------------------------------------------- text-dedup

def text_dedup_bands(threshold, num_perm):
    """(bands, rows) as text-dedup's script computes them (its own optimal_param)."""
    sys.path.insert(0, SHIMS)
    try:
        from text_dedup.minhash_spark import optimal_param
        return list(optimal_param(threshold, num_perm))
    finally:
        sys.path.remove(SHIMS)


def to_parquet(corpus, out_dir):
    """JSONL -> Parquet (num, id, text); returns the ids in order."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    os.makedirs(out_dir, exist_ok=True)
    schema = pa.schema([("num", pa.int64()), ("id", pa.string()), ("text", pa.string())])
    ids = []
    with pq.ParquetWriter(os.path.join(out_dir, "part-00000.parquet"), schema) as w:
        batch_ids, texts = [], []

        def flush():
            n0 = len(ids) - len(batch_ids)
            w.write_table(pa.table({"num": pa.array(range(n0, len(ids)), pa.int64()),
                                    "id": batch_ids, "text": texts}, schema=schema),
                          row_group_size=PARQUET_ROW_GROUP)
        with open(corpus, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                ids.append(d["id"])
                batch_ids.append(d["id"])
                texts.append(d["text"])
                if len(batch_ids) == PARQUET_ROW_GROUP:
                    flush()
                    batch_ids, texts = [], []
        if batch_ids:
            flush()
    return ids


def run_text_dedup(args, ctx):
    from importlib import metadata
    b, r = text_dedup_bands(args.td_threshold, args.td_num_perm)
    res = {"tool": "text-dedup", "engine": "Spark %s" % args.master,
           "version": metadata.version("text-dedup"),
           "settings": "num_perm %d, 5-grams, threshold %.2f (b=%d, r=%d), min_length 5"
                       % (args.td_num_perm, args.td_threshold, b, r)}
    wd = os.path.join(ctx["work"], "text-dedup")
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    t0 = time.perf_counter()
    ids = to_parquet(args.corpus, os.path.join(wd, "input"))
    res["prep_s"] = time.perf_counter() - t0
    res["prep"] = "JSONL -> Parquet"
    out = os.path.join(wd, "output")
    cmd = [VENV_PY, "-m", "text_dedup.minhash_spark", "--input", os.path.join(wd, "input"),
           "--output", out, "--column", "text", "--index", "num",
           "--num_perm", str(args.td_num_perm), "--threshold", str(args.td_threshold), "--debug"]
    res["command"] = ("cd WORK && PYTHONPATH=bench/spark-shims " + " ".join(rel(c) for c in cmd)
                      ).replace(rel(wd), "WORK")
    env = spark_env(args, VENV_PY)
    env["PYTHONPATH"] = SHIMS
    log = os.path.join(ctx["work"], "text-dedup.log")
    res.update(measure(cmd, log, args.timeout, env=env, cwd=wd))
    for line in open(log, encoding="utf-8", errors="replace"):
        if line.startswith("graphframes-shim: connected components"):
            res["connected_components_s"] = float(line.split()[-2])
        elif line.startswith("graphframes-shim: round"):
            res["cc_rounds"] = int(line.split()[2].rstrip(","))
    if not ok(res, log):
        return res
    comps = {}
    for row in read_parquet_dir(out + "-assignment/assignment.parquet"):
        comps.setdefault(row["component"], []).append(ids[row["id"]])
    clusters = list(comps.values())
    res["dropped"] = sum(len(c) - 1 for c in clusters)
    if not args.keep_work:
        shutil.rmtree(os.path.join(wd, "input"), ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(os.path.join(wd, "checkpoints"), ignore_errors=True)
    res.update(score(clusters, [], ctx))
    return res


# --------------------------------------------------------------------------- datatrove

def split_jsonl(corpus, out_dir, shards, n_docs):
    """Contiguous shards 00000.jsonl ... (datatrove gives each task whole files); returns the
    ids of each shard in order."""
    os.makedirs(out_dir, exist_ok=True)
    per = -(-n_docs // shards)
    ids = [[] for _ in range(shards)]
    files = [open(os.path.join(out_dir, "%05d.jsonl" % i), "w", encoding="utf-8")
             for i in range(shards)]
    with open(corpus, encoding="utf-8") as f:
        for n, line in enumerate(f):
            s = n // per
            files[s].write(line)
            ids[s].append(json.loads(line)["id"])
    for fh in files:
        fh.close()
    return ids


def datatrove_worker(cfg):
    """Runs datatrove's four MinHash stages (in the measured child process)."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets,
                                                  MinhashDedupCluster, MinhashDedupFilter,
                                                  MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    wd, workers = cfg["work"], cfg["workers"]
    mc = MinhashConfig(n_grams=cfg["n_grams"], num_buckets=cfg["num_buckets"],
                       hashes_per_bucket=cfg["hashes_per_bucket"])

    def reader():
        return JsonlReader(cfg["input"], glob_pattern="*.jsonl", text_key="text", id_key="id")

    stages = [
        ("signatures", [reader(), MinhashDedupSignature(output_folder=wd + "/signatures",
                                                        config=mc)], workers),
        ("buckets", [MinhashDedupBuckets(input_folder=wd + "/signatures",
                                         output_folder=wd + "/buckets", config=mc)],
         mc.num_buckets),
        ("cluster", [MinhashDedupCluster(input_folder=wd + "/buckets",
                                         output_folder=wd + "/remove_ids", config=mc,
                                         save_cluster_id=True)], 1),
        ("filter", [reader(), MinhashDedupFilter(input_folder=wd + "/remove_ids",
                                                 exclusion_writer=JsonlWriter(wd + "/removed")),
                    JsonlWriter(wd + "/output")], workers),
    ]
    times = {}
    for name, pipeline, tasks in stages:
        t0 = time.perf_counter()
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=min(workers, tasks),
                              logging_dir=wd + "/logs/" + name).run()
        times[name] = time.perf_counter() - t0
    with open(wd + "/stage_times.json", "w") as f:
        json.dump(times, f)


def run_datatrove(args, ctx):
    from importlib import metadata
    nb, hpb = args.dt_buckets, args.dt_hashes_per_bucket
    res = {"tool": "datatrove", "engine": "not Spark: LocalPipelineExecutor, %d workers"
                                          % args.workers,
           "version": metadata.version("datatrove"),
           "settings": "5-grams, %d buckets x %d hashes = %d, threshold ~%.2f, English "
                       "tokenizer" % (nb, hpb, nb * hpb, (1.0 / nb) ** (1.0 / hpb))}
    wd = os.path.join(ctx["work"], "datatrove")
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    t0 = time.perf_counter()
    shard_ids = split_jsonl(args.corpus, os.path.join(wd, "input"), args.workers, ctx["n_docs"])
    res["prep_s"] = time.perf_counter() - t0
    res["prep"] = "JSONL split into %d shards" % args.workers
    cfg = {"work": wd, "input": os.path.join(wd, "input"), "workers": args.workers,
           "n_grams": 5, "num_buckets": nb, "hashes_per_bucket": hpb}
    cmd = [VENV_PY, os.path.abspath(__file__), "--datatrove-worker", json.dumps(cfg)]
    res["command"] = "python scripts/bench_spark.py --datatrove-worker CONFIG (datatrove_worker())"
    log = os.path.join(ctx["work"], "datatrove.log")
    res.update(measure(cmd, log, args.timeout, env=dict(os.environ), cwd=wd))
    if not ok(res, log):
        return res
    with open(os.path.join(wd, "stage_times.json")) as f:
        res["stage_s"] = json.load(f)
    comps = {}
    for rank, ids in enumerate(shard_ids):
        path = os.path.join(wd, "remove_ids", "%06d.clusters" % rank)
        if not os.path.exists(path):
            continue
        data = open(path, "rb").read()
        for doc, cid in struct.iter_unpack("<2I", data):
            comps.setdefault(cid, []).append(ids[doc])
    clusters = list(comps.values())
    removed = 0
    for rank in range(len(shard_ids)):
        p = os.path.join(wd, "remove_ids", "%06d.remove" % rank)
        removed += os.path.getsize(p) // 4 if os.path.exists(p) else 0
    res["dropped"] = removed
    if not args.keep_work:
        for d in ("input", "output", "removed", "signatures", "buckets"):
            shutil.rmtree(os.path.join(wd, d), ignore_errors=True)
    res.update(score(clusters, [], ctx))
    return res


# --------------------------------------------------------------------------- shared

def spark_env(args, python):
    env = dict(os.environ)
    env["PYSPARK_PYTHON"] = python
    env["PYSPARK_DRIVER_PYTHON"] = python
    env["PYSPARK_SUBMIT_ARGS"] = ("--master %s --driver-memory %s --conf "
                                  "spark.ui.showConsoleProgress=false pyspark-shell"
                                  % (args.master, args.driver_memory))
    env["SPARK_LOCAL_DIRS"] = os.path.join(args.workdir, "spark-local")
    os.makedirs(env["SPARK_LOCAL_DIRS"], exist_ok=True)
    return env


def ok(res, log):
    # ru_utime of the launcher's child misses the JVM and the worker processes: not reported
    res.pop("cpu_s", None)
    if res.get("timed_out"):
        res["error"] = "timed out after %s s" % res.get("wall_s")
    elif res.get("rc") != 0:
        res["error"] = "exit %s: %s" % (res.get("rc"), tail(log, 8).strip()[-600:])
    else:
        return True
    print("%s failed: %s" % (res["tool"], res["error"]), file=sys.stderr)
    return False


class Dsu:
    def __init__(self):
        self.p = {}

    def find(self, x):
        p = self.p
        p.setdefault(x, x)
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[rb] = ra


def score(clusters, extra_pairs, ctx):
    """Recall per kind and precision of the reported pairs (see the module docstring)."""
    truth, tcomp = ctx["truth"], ctx["truth_comp"]
    where = {}
    for ci, c in enumerate(clusters):
        for d in c:
            where[d] = ci
    pairs = set()
    for a, b in extra_pairs:
        pairs.add((a, b) if a < b else (b, a))
    per_kind, found = {}, 0
    for a, b, kind in truth:
        hit = (a in where and where.get(a) == where.get(b)) or \
              ((a, b) if a < b else (b, a)) in pairs
        k = per_kind.setdefault(kind, [0, 0])
        k[1] += 1
        k[0] += hit
        found += hit
    reported = true_reported = 0
    for c in clusters:
        reported += len(c) * (len(c) - 1) // 2
        groups = {}
        for d in c:
            if d in tcomp:
                groups[tcomp[d]] = groups.get(tcomp[d], 0) + 1
        true_reported += sum(n * (n - 1) // 2 for n in groups.values())
    for a, b in pairs:
        if a in where and where.get(a) == where.get(b):
            continue
        reported += 1
        true_reported += a in tcomp and tcomp.get(a) == tcomp.get(b)
    return {"planted": len(truth), "found": found,
            "recall": found / len(truth) if truth else None,
            "recall_by_kind": {k: v[0] / v[1] for k, v in sorted(per_kind.items())},
            "reported_pairs": reported, "true_reported_pairs": true_reported,
            "precision": true_reported / reported if reported else None,
            "clusters": len(clusters),
            "largest_cluster": max((len(c) for c in clusters), default=0)}


# --------------------------------------------------------------------------- report

def fmt(v, f="%.3f"):
    return "–" if v is None else f % v


def render(results, md):
    c = results["corpus"]
    START, END = markers(c["path"])
    lines = [START, "", "## Spark scale-out: retold's Spark job vs text-dedup and datatrove (%s)"
             % results["date"], "",
             "`%s` — `%s` (%d documents, %.0f MB of text, %d planted pairs), one tool after "
             "the other in one run on %s (%d cores, %.0f GB RAM), Spark `%s` with driver memory "
             "%s, Java %s, PySpark %s." % (
                 results["invocation"], c["path"], c["docs"], c["text_mb"], c["planted"],
                 results["machine"]["platform"], results["machine"]["cores"],
                 results["machine"]["ram_gb"], results["master"], results["driver_memory"],
                 results["java"], results["pyspark"]), "",
             "| tool | engine | settings | wall s | docs/s | peak RSS MB (tree) | recall | "
             "recall exact / near / repost | precision | reported pairs | dropped |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
    notes = []
    ran = {r["tool"] for r in results["runs"]}
    earlier = earlier_rows(md, START, END)
    for t in TOOLS:
        if t in ran:
            continue
        if t in earlier["notes"]:  # kept from a run before the previous one
            notes.append(earlier["notes"][t])
        elif t in earlier["rows"]:
            beside = ", ".join("%s %s s" % (o, earlier["rows"][o].split("|")[4].strip())
                               for o in TOOLS if o != t and o in earlier["rows"])
            notes.append("%s: not run in this run (`--tools` left it out); its row (marked *) "
                         "is the section's previous one, from `%s` on %s, measured beside "
                         "%s in that run: compare it only with those." % (
                             t, earlier["invocation"], earlier["date"], beside or "nothing"))
        else:
            notes.append("%s: not run in this run (`--tools` left it out; see the script's "
                         "docstring for its cost)." % t)
    for r in results["runs"]:
        name = r["tool"] + (" " + r["version"] if r.get("version") else "")
        if r.get("skipped") or r.get("error"):
            lines.append("| %s | %s | %s | – | – | – | – | – | – | – | – |" % (
                name, r["engine"], r.get("skipped") or r.get("error")))
            continue
        rk = r["recall_by_kind"]
        lines.append("| %s | %s | %s | %.1f | %.0f | %.0f | %s | %s | %s | %d | %d |" % (
            name, r["engine"], r["settings"], r["wall_s"], c["docs"] / r["wall_s"],
            r["tree_rss_mb"], fmt(r["recall"]),
            " / ".join(fmt(rk.get(k)) for k in ("exact", "near", "repost")),
            fmt(r["precision"]), r["reported_pairs"], r["dropped"]))
        if r.get("prep_s") is not None:
            notes.append("%s: input prepared before the timed run (%s), %.1f s, not counted."
                         % (r["tool"], r["prep"], r["prep_s"]))
        if r.get("connected_components_s") is not None:
            notes.append("text-dedup: connected components (bench/spark-shims/graphframes, in "
                         "place of GraphFrames' jar) took %.1f s of its wall time, %d rounds."
                         % (r["connected_components_s"], r.get("cc_rounds", 0)))
        if r.get("stage_s"):
            notes.append("datatrove stages: " + ", ".join(
                "%s %.1f s" % kv for kv in r["stage_s"].items()) + ".")
    for t in TOOLS:
        if t not in ran and t in earlier["rows"]:
            cells = earlier["rows"][t].split("|")
            if not cells[1].rstrip().endswith("*"):
                cells[1] = cells[1].rstrip() + " * "
            lines.append("|".join(cells))
    by = {r["tool"]: r for r in results["runs"] if r.get("wall_s") and not r.get("error")}
    if "retold" in by and "text-dedup" in by:
        a, b = by["retold"], by["text-dedup"]
        notes.insert(0, "In this run, retold's throughput is %.2f× text-dedup's (%.1f s against "
                        "%.1f s), recall %s against %s." % (
                            b["wall_s"] / a["wall_s"], a["wall_s"], b["wall_s"],
                            fmt(a["recall"]), fmt(b["recall"])))
    lines += [""] + ["- " + n for n in notes]
    lines += ["",
              "Found: retold — same cluster of `clusters`, or a pair of `pairs` with relation "
              "duplicate/rewrite/translation/partial; text-dedup — same component of its "
              "`--debug` assignment (it keeps one document per component); datatrove — same "
              "cluster id of stage 3 (it keeps one per cluster). Precision = reported pairs "
              "(all pairs inside a cluster, plus retold's reproduced pairs across clusters) "
              "whose documents are one planted original and its copies / reported pairs. Peak "
              "RSS: largest sum over the whole process tree (driver, JVM, workers), sampled "
              "every 0.2 s. Details and exact commands: `scripts/bench_spark.py`; raw numbers: "
              "`%s`." % results.get("results_file", "bench/results-spark-*.json"), "", END]
    write_section(md, START, END, lines)
    return lines


def earlier_rows(md, start, end):
    """The table rows (by tool) of the section now between ``start`` and ``end`` in ``md``,
    with that run's invocation and date: kept for tools a run leaves out."""
    out = {"rows": {}, "notes": {}, "invocation": "?", "date": "?"}
    try:
        with open(md, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return out
    if start not in text or end not in text:
        return out
    for line in text.split(start, 1)[1].split(end, 1)[0].splitlines():
        if line.startswith("## Spark scale-out") and "(" in line:
            out["date"] = line.rsplit("(", 1)[1].rstrip(")")
        elif line.startswith("`") and "` — `" in line:
            out["invocation"] = line[1:].split("`", 1)[0]
        elif line.startswith("| ") and not line.startswith(("| tool", "| ---")):
            tool = line[2:].split("|", 1)[0].split()[0]
            if tool in TOOLS:
                out["rows"][tool] = line
        elif line.startswith("- ") and "its row (marked *)" in line:
            out["notes"][line[2:].split(":", 1)[0]] = line[2:]
    return out


def machine_info():
    ram = 0
    try:
        with open("/proc/meminfo") as f:
            ram = int(f.readline().split()[1]) / 2**20
    except OSError:
        pass
    return {"platform": "%s %s" % (platform.system(), platform.machine()),
            "cores": os.cpu_count(), "ram_gb": ram}


def java_version():
    p = subprocess.run(["java", "-version"], capture_output=True, text=True)
    first = (p.stderr or p.stdout).splitlines()
    return first[0].split('"')[1] if first and '"' in first[0] else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=os.path.join(REPO, "bench", "data", "corpus-1m.jsonl"))
    ap.add_argument("--truth", help="default: CORPUS with .jsonl -> .truth.jsonl")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="8g")
    ap.add_argument("--workers", type=int, default=2, help="datatrove's tasks/workers")
    ap.add_argument("--retold-python", default=os.path.join(REPO, ".venv-py", "bin", "python"))
    ap.add_argument("--td-num-perm", type=int, default=128)
    ap.add_argument("--td-threshold", type=float, default=0.7)
    ap.add_argument("--dt-buckets", type=int, default=16)
    ap.add_argument("--dt-hashes-per-bucket", type=int, default=8)
    ap.add_argument("--workdir", default=os.path.join(REPO, "bench", "work", "spark"))
    ap.add_argument("--timeout", type=float, default=6 * 3600, help="per tool, seconds")
    ap.add_argument("--keep-work", action="store_true", help="keep inputs and outputs")
    ap.add_argument("--md", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--no-md", action="store_true", help="do not touch docs/benchmarks.md")
    ap.add_argument("--render", metavar="RESULTS_JSON", help="only re-write the Markdown")
    ap.add_argument("--datatrove-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.datatrove_worker:
        return datatrove_worker(json.loads(args.datatrove_worker))
    if args.render:
        with open(args.render) as f:
            print("\n".join(render(json.load(f), args.md)))
        return
    tools = [t for t in args.tools.split(",") if t]
    bad = [t for t in tools if t not in TOOLS]
    if bad:
        sys.exit("unknown tool(s): %s" % ", ".join(bad))
    args.corpus = os.path.abspath(args.corpus)
    truth_path = args.truth or args.corpus[:-len(".jsonl")] + ".truth.jsonl"
    if not os.path.exists(truth_path):
        sys.exit("truth file %s not found" % truth_path)
    args.workdir = os.path.abspath(args.workdir)
    work = os.path.join(args.workdir, os.path.basename(args.corpus).replace(".jsonl", ""))
    os.makedirs(work, exist_ok=True)

    truth = load_truth(truth_path)
    dsu = Dsu()
    for a, b, _ in truth:
        dsu.union(a, b)
    n_docs, text_bytes = 0, 0
    with open(args.corpus, "rb") as f:
        for line in f:
            n_docs += 1
    text_bytes = os.path.getsize(args.corpus)
    ctx = {"work": work, "truth": truth, "n_docs": n_docs,
           "truth_comp": {d: dsu.find(d) for d in list(dsu.p)}}
    try:
        import pyspark
        pyspark_version = pyspark.__version__
    except ImportError:
        pyspark_version = "not installed"
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    results = {"date": str(datetime.date.today()), "master": args.master,
               "driver_memory": args.driver_memory, "java": java_version(),
               "pyspark": pyspark_version, "machine": machine_info(),
               "invocation": "bench/.venv-spark/bin/python scripts/bench_spark.py --corpus %s"
                             % rel(args.corpus) + ("" if args.tools == ",".join(TOOLS)
                                                   else " --tools " + args.tools),
               "corpus": {"path": rel(args.corpus), "docs": n_docs, "text_mb": text_bytes / 1e6,
                          "planted": len(truth)},
               "runs": []}
    run = {"retold": run_retold, "text-dedup": run_text_dedup, "datatrove": run_datatrove}
    engines = {"retold": "Spark " + args.master, "text-dedup": "Spark " + args.master,
               "datatrove": "not Spark"}
    for t in TOOLS:
        if t not in tools:
            continue
        print("running %s on %s ..." % (t, rel(args.corpus)), file=sys.stderr, flush=True)
        try:
            r = run[t](args, ctx)
        except ImportError as e:  # a peer missing from this interpreter
            r = {"tool": t, "engine": engines[t],
                 "skipped": "%s (run scripts/setup-spark.sh and this script with "
                            "bench/.venv-spark/bin/python)" % e}
        results["runs"].append(r)
        if r.get("skipped"):
            print("  %s skipped: %s" % (t, r["skipped"]), file=sys.stderr)
        elif not r.get("error"):
            print("  %s: %.1f s, %.0f docs/s, peak %.0f MB, recall %s, precision %s" % (
                t, r["wall_s"], n_docs / r["wall_s"], r["tree_rss_mb"], fmt(r["recall"]),
                fmt(r["precision"])), file=sys.stderr, flush=True)
    out = os.path.join(REPO, "bench", "results-spark-%s.json" % stamp)
    results["results_file"] = rel(out)
    with open(out, "w") as f:
        json.dump(results, f, indent=1)
    print("raw results: %s" % rel(out), file=sys.stderr)
    if not args.no_md:
        print("\n".join(render(results, args.md)))


if __name__ == "__main__":
    sys.exit(main())
