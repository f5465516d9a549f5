#!/usr/bin/env python3
"""Side-by-side benchmark of retold and MinHash-LSH peers; writes docs/benchmarks.md.

Run with the bench venv (made by scripts/setup-bench.sh):

    bash scripts/setup-bench.sh
    cargo build --release
    .venv/bin/python scripts/bench.py            # 10k corpus
    .venv/bin/python scripts/bench.py --big      # 10k and 1M corpora

Corpora are made by scripts/make_corpus.py into bench/data/ when missing (seed 7).
Each tool runs in its own subprocess, so wall time and peak RSS are per tool:
  * retold  `retold dedup CORPUS --out WORKDIR --threads N` for N = 1 and 2; reads
            WORKDIR/clusters.jsonl, pairs.jsonl and keep.txt.
  * datasketch MinHashLSH (num_perm 128) over word 5-shingles, thresholds 0.5 and 0.7.
  * rensa   RMinHash + RMinHashLSH (num_perm 128), thresholds 0.5 and 0.7.
  * text-dedup 0.4.1 `python -m text_dedup.minhash` (num_perm 128, 5-grams, threshold 0.7),
            if installed (it needs Python >= 3.12), else a row saying why not.
Peers: words are lowercased \\w+ runs (the same split as text-dedup), shingles are 5 words
joined by a space; documents are hashed in batches of 1,000 (MinHash.bulk /
RMinHash.from_token_sets), inserted into the LSH index, then queried; every candidate pair
joins one connected component (no verification of candidates, as the LSH index returns them).
A planted pair (make_corpus.py --truth) counts as found when both documents end up in one
component (peers) or one cluster of clusters.jsonl, or in a reproduced pair of pairs.jsonl
(retold). "Dropped" = documents a tool would remove (all but one per component; retold:
documents not in keep.txt, else all but one per cluster).

Peak RSS is the larger of the child's ru_maxrss (os.wait4) and the sampled sum of RSS over the
child's process tree (every 0.2 s; counts shared pages once per process).
Raw results go to bench/results-DATE.json (git-ignored); --render FILE re-writes the Markdown
from such a file.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUM_PERM = 128
BATCH = 1000
TOKEN_RE = re.compile(r"\w+")
REPRODUCED = {"duplicate", "rewrite", "translation", "partial"}


# --------------------------------------------------------------------------- shared helpers

def rel(path):
    try:
        r = os.path.relpath(path, REPO_ROOT)
        return path if r.startswith("..") else r
    except ValueError:
        return path


class UnionFind:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, x):
        p = self.p
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                self.p[rb] = ra
            else:
                self.p[ra] = rb

    def components(self):
        groups = {}
        for i in range(len(self.p)):
            r = self.find(i)
            if r != i:
                groups.setdefault(r, [r]).append(i)
        return [sorted(g) for g in groups.values()]


def optimal_params(threshold, num_perm, divisors_only=False, fp_w=0.5, fn_w=0.5):
    """(bands, rows) minimizing the weighted false positive/negative areas (as datasketch).

    divisors_only: only b*r == num_perm (rensa needs num_perm divisible by bands)."""
    def integrate(f, a, b, n=200):
        if b <= a:
            return 0.0
        h = (b - a) / n
        s = f(a) + f(b) + sum((4 if i % 2 else 2) * f(a + i * h) for i in range(1, n))
        return s * h / 3

    best, opt = float("inf"), (1, num_perm)
    for b in range(1, num_perm + 1):
        rows = [num_perm // b] if divisors_only else range(1, num_perm // b + 1)
        if divisors_only and num_perm % b:
            continue
        for r in rows:
            fp = integrate(lambda s: 1 - (1 - s ** r) ** b, 0.0, threshold)
            fn = integrate(lambda s: (1 - s ** r) ** b, threshold, 1.0)
            err = fp * fp_w + fn * fn_w
            if err < best:
                best, opt = err, (b, r)
    return opt


def shingle_set(text):
    toks = TOKEN_RE.findall(text.lower())
    if len(toks) < 5:
        return {" ".join(toks)} if toks else {""}
    return set(map(" ".join, zip(toks, toks[1:], toks[2:], toks[3:], toks[4:])))


def read_batches(path, limit):
    """Yield (ids, texts, text_bytes) in batches of BATCH lines."""
    ids, texts, nbytes, n = [], [], 0, 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if limit and n >= limit:
                break
            d = json.loads(line)
            ids.append(d["id"])
            texts.append(d["text"])
            nbytes += len(d["text"].encode("utf-8"))
            n += 1
            if len(ids) == BATCH:
                yield ids, texts, nbytes
                ids, texts, nbytes = [], [], 0
    if ids:
        yield ids, texts, nbytes


# --------------------------------------------------------------------------- workers

def join_components(n, pairs, t, t0):
    """Connected components of candidate pairs (union-find); records its time and the total."""
    a = time.perf_counter()
    uf = UnionFind(n)
    for x, y in pairs:
        uf.union(x, y)
    comps = uf.components()
    t["components"] = time.perf_counter() - a
    t["total_in_process"] = time.perf_counter() - t0
    return comps


def worker_datasketch(corpus, threshold, limit):
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    t = {"read_shingle": 0.0, "minhash": 0.0, "lsh": 0.0}
    all_ids, parents, nbytes = [], [], 0
    pairs = []
    t0 = time.perf_counter()
    for ids, texts, nb in read_batches(corpus, limit):
        a = time.perf_counter()
        sets = [[s.encode("utf-8") for s in shingle_set(x)] for x in texts]
        b = time.perf_counter()
        mhs = MinHash.bulk(sets, num_perm=NUM_PERM)
        c = time.perf_counter()
        base = len(all_ids)
        for k, m in enumerate(mhs):
            key = base + k
            lsh.insert(key, m, check_duplication=False)
            for other in lsh.query(m):
                if other != key:
                    pairs.append((other, key))
        d = time.perf_counter()
        t["read_shingle"] += b - a
        t["minhash"] += c - b
        t["lsh"] += d - c
        all_ids += ids
        nbytes += nb
    comps = join_components(len(all_ids), pairs, t, t0)
    return all_ids, comps, nbytes, t, {"bands_rows": [lsh.b, lsh.r]}


def worker_rensa(corpus, threshold, limit):
    from rensa import RMinHash, RMinHashLSH
    bands, rows = optimal_params(threshold, NUM_PERM, divisors_only=True)
    lsh = RMinHashLSH(threshold=threshold, num_perm=NUM_PERM, num_bands=bands)
    t = {"read_shingle": 0.0, "minhash": 0.0, "lsh": 0.0}
    all_ids, nbytes = [], 0
    pairs = []
    t0 = time.perf_counter()
    for ids, texts, nb in read_batches(corpus, limit):
        a = time.perf_counter()
        sets = [list(shingle_set(x)) for x in texts]
        b = time.perf_counter()
        mhs = RMinHash.from_token_sets(sets, num_perm=NUM_PERM, seed=42)
        c = time.perf_counter()
        base = len(all_ids)
        lsh.insert_many(mhs, start_key=base)
        for k, cands in enumerate(lsh.query_all(mhs)):
            key = base + k
            for other in cands:
                if other != key:
                    pairs.append((other, key))
        d = time.perf_counter()
        t["read_shingle"] += b - a
        t["minhash"] += c - b
        t["lsh"] += d - c
        all_ids += ids
        nbytes += nb
    comps = join_components(len(all_ids), pairs, t, t0)
    return all_ids, comps, nbytes, t, {"bands_rows": [bands, rows]}


def run_worker(args):
    fn = {"datasketch": worker_datasketch, "rensa": worker_rensa}[args.worker]
    ids, comps, nbytes, timings, extra = fn(args.worker_corpus, args.threshold, args.limit)
    out = {"docs": len(ids), "text_bytes": nbytes, "timings": timings,
           "components": [[ids[i] for i in c] for c in comps], **extra}
    with open(args.worker_out, "w", encoding="utf-8") as f:
        json.dump(out, f)
    return 0


# --------------------------------------------------------------------------- measuring

def tree_rss_bytes(root, include_root=True):
    """Sum of RSS over root (optionally) and its descendants (from /proc)."""
    children = {}
    try:
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % name, "rb") as f:
                    st = f.read()
                ppid = int(st[st.rindex(b")") + 2:].split()[1])
                children.setdefault(ppid, []).append(int(name))
            except (OSError, ValueError):
                continue
    except OSError:
        return 0, 0
    total, nproc, stack, page = 0, 0, [root], os.sysconf("SC_PAGE_SIZE")
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        if pid == root and not include_root:
            continue
        try:
            with open("/proc/%d/statm" % pid) as f:
                total += int(f.read().split()[1]) * page
                nproc += 1
        except (OSError, ValueError, IndexError):
            pass
    return total, nproc


# A tiny launcher between this (large) process and the measured command. On Linux a child's
# ru_maxrss starts from its parent's RSS at fork() time and survives exec(), so measuring the
# command as our own child would report at least our RSS. The launcher is a fresh small
# interpreter; its forked child's ru_maxrss is the command's own.
LAUNCHER = r"""
import json, os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except OSError as e:
        sys.stderr.write("cannot run %s: %s\n" % (sys.argv[2], e))
    os._exit(127)
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    json.dump({"maxrss_kb": ru.ru_maxrss, "cpu_s": ru.ru_utime + ru.ru_stime,
               "rc": os.waitstatus_to_exitcode(status)}, f)
"""


def measure(cmd, log_path, timeout, env=None, cwd=None):
    """Run cmd; return dict(wall_s, cpu_s, maxrss_mb, tree_rss_mb, peak_rss_mb, rc, timed_out)."""
    ru_path = log_path + ".rusage.json"
    if os.path.exists(ru_path):
        os.unlink(ru_path)
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER, ru_path] + list(cmd),
                             stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                             start_new_session=True)
        peak = [0, 0]
        done = threading.Event()

        def sample():  # RSS of the launcher's descendants (not the launcher itself)
            while not done.is_set():
                rss, n = tree_rss_bytes(p.pid, include_root=False)
                peak[0] = max(peak[0], rss)
                peak[1] = max(peak[1], n)
                done.wait(0.2)
        th = threading.Thread(target=sample, daemon=True)
        th.start()
        timed_out = False
        try:
            p.wait(timeout=timeout or None)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            p.wait()
        wall = time.perf_counter() - t0
        done.set()
        th.join()
    ru = {"maxrss_kb": 0, "cpu_s": None, "rc": p.returncode}
    try:
        with open(ru_path) as f:
            ru = json.load(f)
        os.unlink(ru_path)
    except (OSError, ValueError):
        pass
    maxrss = ru["maxrss_kb"] / 1024.0
    tree = peak[0] / 2**20
    return {"wall_s": wall, "cpu_s": ru["cpu_s"], "maxrss_mb": maxrss, "tree_rss_mb": tree,
            "peak_rss_mb": max(maxrss, tree), "max_processes": peak[1],
            "rc": ru["rc"] if not timed_out else -9,
            "timed_out": timed_out}


def tail(path, n=15):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


# --------------------------------------------------------------------------- scoring

def load_truth(path):
    truth = []
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    t = json.loads(line)
                    truth.append((t["a"], t["b"], t.get("kind", "?")))
    return truth


def score(comps, extra_pairs, truth, docs_in_scope, n_docs):
    """Recall of planted pairs, false pairs, largest component."""
    where = {}
    for ci, c in enumerate(comps):
        for d in c:
            where[d] = ci
    pairset = set()
    for a, b in extra_pairs:
        pairset.add((a, b))
        pairset.add((b, a))
    per_kind, found_total, considered = {}, 0, 0
    for a, b, kind in truth:
        if docs_in_scope is not None and (a not in docs_in_scope or b not in docs_in_scope):
            continue
        considered += 1
        ok = (a in where and where.get(a) == where.get(b)) or (a, b) in pairset
        k = per_kind.setdefault(kind, [0, 0])
        k[1] += 1
        if ok:
            k[0] += 1
            found_total += 1
    comp_pairs = sum(len(c) * (len(c) - 1) // 2 for c in comps)
    planted_in = sum(1 for a, b, _ in truth if a in where and where.get(a) == where.get(b))
    return {
        "recall": found_total / considered if considered else None,
        "planted_considered": considered,
        "recall_by_kind": {k: (v[0] / v[1] if v[1] else None) for k, v in sorted(per_kind.items())},
        "components": len(comps),
        "largest_component": max((len(c) for c in comps), default=0),
        "docs_in_components": sum(len(c) for c in comps),
        "non_planted_pairs_in_components": comp_pairs - planted_in,
    }


# --------------------------------------------------------------------------- tools

def run_retold(binary, corpus, threads, workdir, timeout, truth, n_docs, text_bytes):
    name = "retold --threads %d" % threads
    res = {"tool": "retold", "config": "threads %d" % threads, "threads": threads, "name": name}
    if not (binary and os.path.isfile(binary) and os.access(binary, os.X_OK)):
        res["skipped"] = "binary %s not found (build it: cargo build --release)" % rel(binary)
        return res
    out = os.path.join(workdir, "retold-t%d" % threads)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    cmd = [binary, "dedup", corpus, "--out", out, "--threads", str(threads), "--semantic", "off"]
    res["command"] = " ".join(rel(c) for c in cmd)
    m = measure(cmd, os.path.join(workdir, "retold-t%d.log" % threads), timeout)
    res.update(m)
    if m["rc"] != 0 or m["timed_out"]:
        res["error"] = "exit %s%s: %s" % (m["rc"], " (timeout)" if m["timed_out"] else "",
                                          tail(os.path.join(workdir, "retold-t%d.log" % threads), 5))
        return res
    comps, pairs, kept = [], [], None
    relations = {}
    try:
        with open(os.path.join(out, "clusters.jsonl"), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    c = json.loads(line)
                    docs = [str(d) for d in c.get("docs", [])]
                    if len(docs) >= 2:
                        comps.append(docs)
                        r = c.get("relation", "?")
                        relations[r] = relations.get(r, 0) + 1
    except OSError as e:
        res["error"] = "no clusters.jsonl: %s" % e
        return res
    try:
        with open(os.path.join(out, "pairs.jsonl"), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    p = json.loads(line)
                    if p.get("relation") in REPRODUCED:
                        pairs.append((str(p["a"]), str(p["b"])))
    except OSError:
        res["note"] = "no pairs.jsonl"
    keep_path = os.path.join(out, "keep.txt")
    if os.path.exists(keep_path):
        with open(keep_path, encoding="utf-8") as f:
            kept = sum(1 for l in f if l.strip())
    res["docs"] = n_docs
    res["text_bytes"] = text_bytes
    res["reproduced_pairs"] = len(pairs)
    res["cluster_relations"] = relations
    if kept is not None:
        res["dropped"] = n_docs - kept
        res["dropped_from"] = "keep.txt"
    else:
        res["dropped"] = sum(len(c) - 1 for c in comps)
        res["dropped_from"] = "clusters"
    res.update(score(comps, pairs, truth, None, n_docs))
    return res


def run_peer(tool, corpus, threshold, workdir, timeout, truth, limit):
    res = {"tool": tool, "config": "threshold %.1f" % threshold, "threads": 1,
           "name": "%s t=%.1f" % (tool, threshold), "threshold": threshold}
    out = os.path.join(workdir, "%s-%.1f.json" % (tool, threshold))
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", tool, "--worker-corpus", corpus,
           "--threshold", str(threshold), "--limit", str(limit or 0), "--worker-out", out]
    res["command"] = "%s (in-process, see scripts/bench.py worker_%s)" % (tool, tool)
    m = measure(cmd, os.path.join(workdir, "%s-%.1f.log" % (tool, threshold)), timeout)
    res.update(m)
    if m["rc"] != 0 or m["timed_out"]:
        res["error"] = "exit %s%s: %s" % (m["rc"], " (timeout)" if m["timed_out"] else "",
                                          tail(os.path.join(workdir, "%s-%.1f.log" % (tool, threshold)), 5))
        return res
    with open(out, encoding="utf-8") as f:
        w = json.load(f)
    os.unlink(out)
    res["docs"] = w["docs"]
    res["text_bytes"] = w["text_bytes"]
    res["timings"] = w["timings"]
    if w.get("bands_rows"):
        res["bands_rows"] = w["bands_rows"]
    comps = w["components"]
    res["dropped"] = sum(len(c) - 1 for c in comps)
    scope = None
    if limit:
        scope = set()
        with open(corpus, encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= limit:
                    break
                scope.add(json.loads(line)["id"])
        res["limited_to"] = limit
    res.update(score(comps, [], truth, scope, w["docs"]))
    return res


def text_dedup_status():
    try:
        from importlib import metadata
        v = metadata.version("text-dedup")
    except Exception:
        if sys.version_info < (3, 12):
            return None, "text-dedup 0.4.1 needs Python >= 3.12; this venv has %d.%d" % sys.version_info[:2]
        return None, "text-dedup not installed (run scripts/setup-bench.sh)"
    # import it in a child: it pulls in datasets/polars/pyarrow, which would bloat this process
    r = subprocess.run([sys.executable, "-c", "import text_dedup.minhash"], capture_output=True, text=True)
    if r.returncode != 0:
        return None, "text-dedup %s does not import: %s" % (v, (r.stderr.strip().splitlines() or ["?"])[-1])
    return v, None


def run_text_dedup(corpus, threshold, procs, workdir, timeout, truth, limit, ids_in_order, text_bytes):
    res = {"tool": "text-dedup", "config": "threshold %.1f, num_proc %d" % (threshold, procs),
           "threads": procs, "name": "text-dedup t=%.1f p=%d" % (threshold, procs),
           "threshold": threshold}
    version, why = text_dedup_status()
    if why:
        res["skipped"] = why
        return res
    wd = os.path.join(workdir, "text-dedup-%.1f-p%d" % (threshold, procs))
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    data = os.path.abspath(corpus)
    if limit:
        data = os.path.join(wd, "input.jsonl")
        text_bytes = 0
        with open(corpus, encoding="utf-8") as fi, open(data, "w", encoding="utf-8") as fo:
            for i, line in enumerate(fi):
                if i >= limit:
                    break
                fo.write(line)
                text_bytes += len(json.loads(line)["text"].encode("utf-8"))
    res["text_bytes"] = text_bytes
    toml = """[input]
input_type = "local_files"
file_type = "json"

[input.read_arguments]
path = "json"
data_files = %s
split = "train"

[algorithm]
algorithm_name = "minhash"
text_column = "text"
seed = 42
batch_size = 10000
num_perm = %d
threshold = %s
ngram_size = 5
min_length = 0
check_false_positive = false
num_proc = %d

[output]
output_dir = "output"
save_clusters = true
keep_index_column = true
clean_cache = true

[debug]
enable_profiling = false
""" % (json.dumps(data), NUM_PERM, threshold, procs)
    with open(os.path.join(wd, "config.toml"), "w") as f:
        f.write(toml)
    env = dict(os.environ)
    env.update({"HF_HOME": os.path.join(wd, "hf"), "HF_DATASETS_CACHE": os.path.join(wd, "hf", "datasets"),
                "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TQDM_DISABLE": "1",
                "POLARS_MAX_THREADS": str(procs)})
    cmd = [sys.executable, "-m", "text_dedup.minhash"]
    res["command"] = "cd WORKDIR && python -m text_dedup.minhash (config.toml: json input, num_perm %d, ngram_size 5, threshold %s, num_proc %d)" % (NUM_PERM, threshold, procs)
    res["version"] = version
    m = measure(cmd, os.path.join(wd, "log.txt"), timeout, env=env, cwd=wd)
    res.update(m)
    if m["rc"] != 0 or m["timed_out"]:
        res["error"] = "exit %s%s: %s" % (m["rc"], " (timeout)" if m["timed_out"] else "",
                                          tail(os.path.join(wd, "log.txt"), 5))
        return res
    import pickle
    try:
        with open(os.path.join(wd, "output", "clusters.pickle"), "rb") as f:
            mapping = pickle.load(f)
    except OSError as e:
        res["error"] = "no clusters.pickle: %s" % e
        return res
    groups = {}
    for idx, cl in mapping.items():
        groups.setdefault(cl, []).append(ids_in_order[idx])
    comps = [sorted(g) for g in groups.values() if len(g) > 1]
    n = limit or len(ids_in_order)
    res["docs"] = min(n, len(ids_in_order))
    res["dropped"] = sum(len(c) - 1 for c in comps)
    scope = set(ids_in_order[:limit]) if limit else None
    if limit:
        res["limited_to"] = limit
    res.update(score(comps, [], truth, scope, res["docs"]))
    shutil.rmtree(wd, ignore_errors=True)
    return res


# --------------------------------------------------------------------------- corpora

def corpus_meta(path):
    """docs, text bytes and ids of a corpus (cached next to it, keyed by size+mtime)."""
    st = os.stat(path)
    cache = path + ".meta.json"
    if os.path.exists(cache):
        with open(cache) as f:
            m = json.load(f)
        if m.get("size") == st.st_size and m.get("mtime") == st.st_mtime:
            return m
    docs, nbytes = 0, 0
    langs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs += 1
            nbytes += len(d["text"].encode("utf-8"))
            langs[d.get("lang", "?")] = langs.get(d.get("lang", "?"), 0) + 1
    m = {"size": st.st_size, "mtime": st.st_mtime, "docs": docs, "text_bytes": nbytes, "langs": langs}
    with open(cache, "w") as f:
        json.dump(m, f)
    return m


def read_ids(path):
    ids = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            i = line.find('"id": "')
            if i >= 0:
                j = line.index('"', i + 7)
                ids.append(line[i + 7:j])
            else:
                ids.append(json.loads(line)["id"])
    return ids


def ensure_corpus(name, ndocs, datadir, seed, shared):
    path = os.path.join(datadir, "corpus-%s.jsonl" % name)
    truth = os.path.join(datadir, "corpus-%s.truth.jsonl" % name)
    if not (os.path.exists(path) and os.path.exists(truth)):
        print("generating %s (%d docs) ..." % (rel(path), ndocs), file=sys.stderr)
        cmd = [sys.executable, os.path.join(REPO_ROOT, "scripts", "make_corpus.py"), "--docs", str(ndocs),
               "--out", path, "--truth", truth, "--seed", str(seed)]
        if shared:
            cmd += ["--shared", shared]
        subprocess.run(cmd, check=True)
    return path, truth


# --------------------------------------------------------------------------- report

def machine_info():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / 2**20)
    except OSError:
        pass
    try:
        ncpu = len(os.sched_getaffinity(0))
    except AttributeError:
        ncpu = os.cpu_count()
    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "?"
    return {"nproc": ncpu, "cpu": model, "memory": mem, "os": platform.platform(),
            "python": platform.python_version(), "loadavg_at_start": load}


def versions(retold_bin):
    from importlib import metadata
    v = {}
    for pkg in ("datasketch", "rensa", "numpy", "text-dedup"):
        try:
            v[pkg] = metadata.version(pkg)
        except Exception:
            v[pkg] = None
    v["retold"] = None
    if retold_bin and os.path.isfile(retold_bin):
        try:
            v["retold"] = subprocess.run([retold_bin, "--version"], capture_output=True, text=True,
                                         timeout=30).stdout.strip() or None
        except Exception:
            pass
    try:
        v["git"] = subprocess.run(["git", "-C", REPO_ROOT, "rev-parse", "--short", "HEAD"],
                                  capture_output=True, text=True, timeout=30).stdout.strip() or None
    except Exception:
        v["git"] = None
    return v


def fmt(x, spec="%.1f", none="–"):
    return none if x is None else spec % x


OWN_SECTIONS = ("Machine and versions", "How to reproduce", "Corpora", "Method")


def write_md(path, results):
    """Writes the report to `path`, keeping what this run does not replace: the sections of
    other scripts (bench_semantic.py, bench_extract.py) and the tables of corpora this run did
    not measure, the latter marked with the date of the run they come from."""
    kept = []
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
        m = re.search(r"Generated by `scripts/bench.py` on ([^.]+)\.", old)
        old_date = m.group(1) if m else "an earlier run"
        ran = {c["path"] for c in results["corpora"]}
        # Sections start at `## ` headings, or at the `<!-- NAME:start -->` marker that
        # another script puts above its heading.
        for sec in re.split(r"(?m)^(?=## |<!-- [\w-]+:start -->)", old)[1:]:
            if sec.startswith("<!--"):
                kept.append(sec.rstrip() + "\n")
                continue
            title = sec[3:].split("\n", 1)[0].strip()
            if title in OWN_SECTIONS:
                continue
            corpus = re.match(r"(\S+) \(\d+ docs, ", title)
            if corpus:
                if corpus.group(1) in ran:
                    continue
                if "_From the run of" not in sec:
                    head, body = sec.split("\n", 1)
                    sec = "%s\n\n_From the run of %s, not re-run on %s._\n%s" % (
                        head, old_date, results["date"], body)
            kept.append(sec.rstrip() + "\n")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(render(results).rstrip() + "\n")
        for sec in kept:
            f.write("\n" + sec)


def render(results):
    m, v = results["machine"], results["versions"]
    out = []
    out.append("# Benchmarks: retold vs MinHash-LSH deduplicators\n")
    out.append("Generated by `scripts/bench.py` on %s. Raw numbers: `%s` (not committed).\n"
               % (results["date"], results.get("results_file", "bench/results-*.json")))
    out.append("## Machine and versions\n")
    out.append("- CPU: %s, %s cores (nproc); memory %s; %s; load average at start %s"
               % (m["cpu"], m["nproc"], m["memory"], m["os"], m.get("loadavg_at_start", "?")))
    out.append("- Python %s; datasketch %s; rensa %s; numpy %s; text-dedup %s"
               % (m["python"], v.get("datasketch"), v.get("rensa"), v.get("numpy"),
                  v.get("text-dedup") or "not installed"))
    out.append("- retold: %s (git %s)\n" % (v.get("retold") or "binary not found", v.get("git")))
    out.append("## How to reproduce\n")
    out.append("```sh\nbash scripts/setup-bench.sh        # .venv with the pinned peers\n"
               "cargo build --release\n%s\n```\n" % results["command"])
    out.append("## Corpora\n")
    out.append("Made by `scripts/make_corpus.py` (see its header): background documents of 5-24 "
               "sentences sampled from the sentences of `../shared/eval` (en, es, fr, tr, ar, zh) with "
               "~30 % of the words replaced by random vocabulary words (no run of 5 original words "
               "survives, so unrelated documents share no long runs), plus planted copies: ~5 % exact "
               "copies, ~5 % near-copies (2-4 words changed, a sentence dropped, whitespace changed), "
               "~2 % reposts (3-5 site chrome lines above and below).\n")
    for c in results["corpora"]:
        out.append("- `%s`: %d docs, %.1f MB of text (%.0f bytes/doc), %d planted pairs %s; languages %s"
                   % (c["path"], c["docs"], c["text_bytes"] / 1e6, c["text_bytes"] / max(1, c["docs"]),
                      c["planted"], json.dumps(c["planted_by_kind"]), json.dumps(c["langs"])))
    out.append("")
    out.append("## Method\n")
    out.append("Each tool runs in its own process, one after the other on an otherwise idle machine. "
               "Wall time covers everything from start to exit: reading the JSONL, tokenizing, "
               "hashing, indexing, grouping (and, for retold, alignment, classification and writing "
               "its output). MB/s = MB of document text (UTF-8 bytes of the `text` fields) / wall "
               "seconds; per core = MB/s / threads used. Peak RSS = max(ru_maxrss from wait4, "
               "sampled RSS sum over the process tree). Peers: word 5-shingles (lowercased `\\w+` "
               "words), 128 permutations, LSH candidates joined into connected components without "
               "verification; datasketch picks (bands, rows) itself (%s), rensa needs bands dividing "
               "128 and uses the best such pair for the same objective (%s). Recall = planted pairs "
               "whose two documents end up in one component/cluster (retold: or in a reproduced "
               "pair). Dropped = documents the tool would remove; the ideal is the number of planted "
               "copies. Non-planted pairs = pairs inside components that are not planted pairs "
               "(background documents are unrelated by construction, except reposts on one site "
               "share chrome lines).\n"
               % (results.get("datasketch_params", "?"), results.get("rensa_params", "?")))
    for c in results["corpora"]:
        out.append("## %s (%d docs, %.1f MB)\n" % (c["path"], c["docs"], c["text_bytes"] / 1e6))
        out.append("| tool | config | wall s | docs/s | MB/s | MB/s per core | CPU s | peak RSS MB | recall | recall exact/near/repost | dropped (ideal %d) | non-planted pairs | largest comp. |"
                   % c["planted"])
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
        notes = []
        for r in c["runs"]:
            if r.get("skipped") or r.get("error"):
                msg = r.get("skipped") or r.get("error")
                out.append("| %s | %s | – | – | – | – | – | – | – | – | – | – | – |"
                           % (r["tool"], r.get("config", "")))
                notes.append("%s %s: %s" % (r["tool"], r.get("config", ""),
                                            msg.replace("\n", " ").strip()[:400]))
                continue
            wall = r["wall_s"]
            docs = r.get("docs") or 0
            mbs = r.get("text_bytes", 0) / 1e6 / wall if wall else None
            rk = r.get("recall_by_kind", {})
            label = r["tool"]
            if r.get("limited_to"):
                label += " †"
            rss = "%.0f" % r.get("peak_rss_mb", 0)
            if r.get("max_processes", 1) > 1 and r.get("tree_rss_mb", 0) > r.get("maxrss_mb", 0) * 1.05:
                rss += " ‡"
                notes.append("‡ %s %s: peak RSS summed over up to %d processes (largest single process "
                             "%.0f MB); memory-mapped and shared pages count once per process"
                             % (r["tool"], r.get("config", ""), r["max_processes"], r.get("maxrss_mb", 0)))
            out.append("| %s | %s | %.1f | %.0f | %s | %s | %s | %s | %s | %s | %d | %d | %d |" % (
                label, r.get("config", ""), wall, docs / wall if wall else 0, fmt(mbs, "%.2f"),
                fmt(mbs / r["threads"] if mbs else None, "%.2f"), fmt(r.get("cpu_s"), "%.1f"), rss,
                fmt(r.get("recall"), "%.3f"),
                "/".join(fmt(rk.get(k), "%.2f") for k in ("exact", "near", "repost")),
                r.get("dropped", 0), r.get("non_planted_pairs_in_components", 0),
                r.get("largest_component", 0)))
            if r.get("limited_to"):
                notes.append("† %s %s ran on the first %d documents only (%.1f MB); its recall "
                             "counts the planted pairs inside them; extrapolated wall time for all "
                             "%d docs at the same rate: ~%.0f s (EXTRAPOLATED, not measured)"
                             % (r["tool"], r["config"], r["limited_to"], r["text_bytes"] / 1e6,
                                c["docs"], wall * c["docs"] / max(1, docs)))
        out.append("")
        ratios = c.get("ratios") or []
        if ratios:
            out.append("Speed ratios (MB/s of retold / MB/s of the peer; > 1 = retold faster):\n")
            for line in ratios:
                out.append("- " + line)
            out.append("")
        if notes:
            out.append("Notes:\n")
            for n in notes:
                out.append("- " + n)
            out.append("")
    if results.get("text_dedup_note"):
        out.append("text-dedup: %s\n" % results["text_dedup_note"])
    return "\n".join(out) + "\n"


def ratios_for(runs):
    def mbs(r):
        if r.get("skipped") or r.get("error") or not r.get("wall_s"):
            return None
        return r["text_bytes"] / 1e6 / r["wall_s"]
    lines = []
    rets = [r for r in runs if r["tool"] == "retold" and mbs(r)]
    peers = [r for r in runs if r["tool"] in ("datasketch", "rensa", "text-dedup") and mbs(r)]
    for rr in rets:
        for p in peers:
            lines.append("%s vs %s %s: %.2f× (per core: %.2f×)" % (
                rr["name"], p["tool"], p["config"], mbs(rr) / mbs(p),
                (mbs(rr) / rr["threads"]) / (mbs(p) / p["threads"])))
    return lines


# --------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n", 2)[2],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--big", action="store_true", help="also run the 1M-document corpus")
    ap.add_argument("--corpus", action="append", default=[],
                    help="benchmark this JSONL instead (repeatable); truth = FILE.truth.jsonl if present")
    ap.add_argument("--small-docs", type=int, default=10000, help="size of the small corpus (default 10000)")
    ap.add_argument("--big-docs", type=int, default=1000000, help="size of the big corpus (default 1000000)")
    ap.add_argument("--retold", default=os.path.join(os.environ.get("CARGO_TARGET_DIR") or os.path.expanduser("~/.cache/retold/target"), "release", "retold"),
                    help="retold binary (default $CARGO_TARGET_DIR/release/retold, CARGO_TARGET_DIR defaulting to ~/.cache/retold/target as in scripts/test.sh)")
    ap.add_argument("--tools", default="retold,datasketch,rensa,text-dedup",
                    help="comma-separated subset of retold,datasketch,rensa,text-dedup")
    ap.add_argument("--thresholds", default="0.5,0.7", help="peer LSH thresholds (default 0.5,0.7)")
    ap.add_argument("--retold-threads", default="1,2", help="retold --threads values (default 1,2)")
    ap.add_argument("--text-dedup-procs", default="1", help="text-dedup num_proc values (default 1)")
    ap.add_argument("--text-dedup-thresholds", default="0.7", help="text-dedup thresholds (default 0.7)")
    ap.add_argument("--peer-limit", type=int, default=0,
                    help="on corpora larger than this, run the peers on the first K docs only "
                    "(labelled, with an extrapolated time); 0 = run them fully (default)")
    ap.add_argument("--timeout", type=int, default=4 * 3600, help="seconds per tool run (default 4 h)")
    ap.add_argument("--data", default=os.path.join(REPO_ROOT, "bench", "data"), help="corpus dir")
    ap.add_argument("--work", default=os.path.join(REPO_ROOT, "bench", "work"), help="scratch dir")
    ap.add_argument("--shared", default=None, help="shared data dir for make_corpus.py")
    ap.add_argument("--seed", type=int, default=7, help="make_corpus.py seed (default 7)")
    ap.add_argument("--md", default=os.path.join(REPO_ROOT, "docs", "benchmarks.md"),
                    help="Markdown report (default docs/benchmarks.md)")
    ap.add_argument("--render", metavar="RESULTS_JSON", help="only re-render the Markdown from a results file")
    # internal: worker mode
    ap.add_argument("--worker", choices=["datasketch", "rensa"], help=argparse.SUPPRESS)
    ap.add_argument("--worker-corpus", help=argparse.SUPPRESS)
    ap.add_argument("--threshold", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        return run_worker(args)
    if args.render:
        with open(args.render) as f:
            results = json.load(f)
        os.makedirs(os.path.dirname(os.path.abspath(args.md)), exist_ok=True)
        write_md(args.md, results)
        print("wrote %s" % rel(args.md), file=sys.stderr)
        return 0

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    bad = [t for t in tools if t not in ("retold", "datasketch", "rensa", "text-dedup")]
    if bad:
        ap.error("unknown tool(s): %s" % ", ".join(bad))
    import importlib.util
    for t in ("datasketch", "rensa"):
        if t in tools:
            if importlib.util.find_spec(t) is None:
                ap.error("%s is not importable: run with the bench venv (.venv/bin/python "
                         "scripts/bench.py) after bash scripts/setup-bench.sh" % t)
    thresholds = [float(x) for x in args.thresholds.split(",") if x]
    td_thresholds = [float(x) for x in args.text_dedup_thresholds.split(",") if x]
    threads = [int(x) for x in args.retold_threads.split(",") if x]
    td_procs = [int(x) for x in args.text_dedup_procs.split(",") if x]

    corpora = []
    if args.corpus:
        for c in args.corpus:
            t = (c[:-6] if c.endswith(".jsonl") else c) + ".truth.jsonl"
            corpora.append((os.path.abspath(c), t if os.path.exists(t) else None))
    else:
        names = [("10k" if args.small_docs == 10000 else str(args.small_docs), args.small_docs)]
        if args.big:
            names.append(("1m" if args.big_docs == 1000000 else str(args.big_docs), args.big_docs))
        for name, n in names:
            corpora.append(ensure_corpus(name, n, args.data, args.seed, args.shared))

    stamp = datetime.datetime.now(datetime.timezone.utc)
    results = {"date": stamp.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine_info(),
               "versions": versions(args.retold), "corpora": [],
               "command": ".venv/bin/python " + " ".join(["scripts/bench.py"] + [rel(a) if os.path.exists(a) else a for a in (argv if argv is not None else sys.argv[1:])]),
               "datasketch_params": ", ".join("t=%.1f → b=%d, r=%d" % ((t,) + optimal_params(t, NUM_PERM)) for t in thresholds),
               "rensa_params": ", ".join("t=%.1f → b=%d, r=%d" % ((t,) + optimal_params(t, NUM_PERM, True)) for t in thresholds)}
    td_version, td_why = text_dedup_status() if "text-dedup" in tools else (None, None)
    if "text-dedup" in tools and td_why:
        results["text_dedup_note"] = td_why
    results_file = os.path.join(REPO_ROOT, "bench", "results-%s.json" % stamp.strftime("%Y%m%d-%H%M%S"))
    results["results_file"] = rel(results_file)

    def save():
        os.makedirs(os.path.dirname(results_file), exist_ok=True)
        with open(results_file, "w") as f:
            json.dump(results, f, indent=1)
        write_md(args.md, results)

    for path, truth_path in corpora:
        meta = corpus_meta(path)
        truth = load_truth(truth_path)
        kinds = {}
        for _, _, k in truth:
            kinds[k] = kinds.get(k, 0) + 1
        c = {"path": rel(path), "docs": meta["docs"], "text_bytes": meta["text_bytes"],
             "langs": meta["langs"], "planted": len(truth), "planted_by_kind": kinds, "runs": []}
        results["corpora"].append(c)
        work = os.path.join(args.work, os.path.basename(path).replace(".jsonl", ""))
        os.makedirs(work, exist_ok=True)
        limit = args.peer_limit if args.peer_limit and meta["docs"] > args.peer_limit else 0
        ids = None
        print("== %s: %d docs, %.1f MB" % (rel(path), meta["docs"], meta["text_bytes"] / 1e6), file=sys.stderr)

        def log(r):
            if r.get("skipped") or r.get("error"):
                print("  %-28s %s" % (r["name"], r.get("skipped") or r.get("error")), file=sys.stderr)
            else:
                print("  %-28s %8.1f s  %7.2f MB/s  %7.0f MB RSS  recall %s  dropped %d" % (
                    r["name"], r["wall_s"], r["text_bytes"] / 1e6 / r["wall_s"], r["peak_rss_mb"],
                    fmt(r.get("recall"), "%.3f"), r.get("dropped", 0)), file=sys.stderr)
            c["runs"].append(r)
            c["ratios"] = ratios_for(c["runs"])
            save()

        if "retold" in tools:
            for n in threads:
                log(run_retold(args.retold, path, n, work, args.timeout, truth, meta["docs"], meta["text_bytes"]))
        for tool in ("datasketch", "rensa"):
            if tool in tools:
                for t in thresholds:
                    log(run_peer(tool, path, t, work, args.timeout, truth, limit))
        if "text-dedup" in tools:
            if td_why:
                log({"tool": "text-dedup", "config": "", "threads": 1, "name": "text-dedup", "skipped": td_why})
            else:
                if ids is None:
                    ids = read_ids(path)
                for t in td_thresholds:
                    for p in td_procs:
                        log(run_text_dedup(path, t, p, work, args.timeout, truth, limit, ids, meta["text_bytes"]))
    save()
    print("wrote %s and %s" % (rel(args.md), rel(results_file)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
