"""retold's ``dedup`` as a Spark job: the same Rust stages as the CLI, spread over a cluster.

    python -m retold.spark --input PATH --out DIR [--master URL] [--id-col id] [--text-col text]

reads JSONL or Parquet (a file or a directory of them), and writes ``DIR/pairs``,
``DIR/clusters`` and ``DIR/keep`` as Parquet with the fields of ``retold dedup``'s
``pairs.jsonl``, ``clusters.jsonl`` and ``keep.txt`` (column ``id``), each sorted as the CLI
sorts them, plus ``DIR/stats.json`` (counts and seconds per stage). With the lexical layer
the answers equal ``retold dedup --semantic off`` on the same documents in the same order (a
test runs both on a standalone cluster).

Stages (each a Rust function of ``retold::stages`` called on Arrow batches; see
docs/scale-out.md for what each shuffles):

1. sketch every document where it is read (``mapInArrow``); its candidate keys and line keys
   leave the sketch as postings packed in blocks, one row per batch and target partition;
2. learn boilerplate lines: line-key blocks shuffled by key, each partition's keys counted in
   Rust with their 16 smallest document numbers, the near-copy test on those documents'
   signatures, the learned keys broadcast;
3. candidate pairs: candidate-key blocks (exact hash, LSH band, passage seed, sentence key)
   shuffled by key and grouped in Rust; small buckets give all pairs, huge LSH buckets and
   exact-hash groups only consecutive pairs, seeds above the document-frequency cap none; the
   lists of seeds and sentence keys go on to the partitions of their pairs' smaller
   documents, where shared keys are counted against their minimum;
4. verify each pair with both texts, joined to it by document number;
5. connected components of the verified pairs by the Large-Star/Small-Star algorithm (no
   collect to the driver), then each component grouped alone (clusters with the chaining
   guard, stories, provenance, keep-list), and clusters and stories named in corpus order.

Documents are numbered in input order: files by path, then line (row) within the file.
The wheel must be importable by the executors' Python: in local mode and on a standalone
cluster on one machine that is the driver's interpreter; on a real cluster ship the
environment the ordinary way (e.g. ``--archives retold-env.tar.gz#env`` with
``PYSPARK_PYTHON=./env/bin/python``, the tarball made by ``venv-pack``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from typing import Any, Dict, Iterator, List, Optional

import pyarrow as pa

from . import _retold
from ._retold import InputError

_MODEL: Dict[str, Any] = {}

# Candidate pairs up to which verification broadcasts them (two longs each: 80 MB).
BROADCAST_PAIRS = 5_000_000


def _model(bc) -> Any:
    """The learned boilerplate model of broadcast ``bc``, built once per Python worker."""
    token, r, w, s = bc.value
    if token not in _MODEL:
        _MODEL.clear()
        _MODEL[token] = _retold.StageModel(r, w, s)
    return _MODEL[token]


class _Max:
    """An accumulator parameter: the largest value added."""

    def zero(self, value: int) -> int:
        return 0

    def addInPlace(self, a: int, b: int) -> int:  # noqa: N802 (pyspark's name)
        return max(a, b)


def _spark_schema(arrow_schema: pa.Schema):
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema)


def read_documents(spark, path: str, fmt: str, cols: Dict[str, Optional[str]], skip_bad: bool,
                   skipped: Dict[str, Any]):
    """The documents with columns ``idx`` (input order), ``id``, ``text``, ``lang``, ``date``,
    ``source`` (a view of a persisted copy), their number, and the persisted copy. Order: files by path, then rows within a file. Bad records raise
    :class:`InputError`, or with ``skip_bad`` are left out and counted in ``skipped``
    (``count``, ``first``: where the first one is)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
    from pyspark.sql.window import Window

    id_col, text_col = cols["id"], cols["text"]
    if fmt == "auto":
        probe = path if os.path.isfile(path) else next(
            (os.path.join(r, f) for r, _, fs in sorted(os.walk(path)) for f in sorted(fs)
             if not f.startswith((".", "_"))), path)
        fmt = "parquet" if probe.endswith(".parquet") else "jsonl"
    optional = [c for c in (cols["lang"], cols["date"], cols["source"]) if c]
    if fmt == "jsonl":
        schema = T.StructType(
            [T.StructField(c, T.StringType()) for c in [id_col, text_col] + optional]
            + [T.StructField("_corrupt", T.StringType())]
        )
        df = (spark.read.schema(schema)
              .option("mode", "PERMISSIVE")
              .option("columnNameOfCorruptRecord", "_corrupt")
              .json(path))
    else:
        df = spark.read.parquet(path)
        for c in [id_col, text_col]:
            if c not in df.columns:
                raise InputError(f"{path}: no column {c!r} (columns: {df.columns})")
    df = df.select(
        "*",
        F.col("_metadata.file_path").alias("_file"),
        F.col("_metadata.file_block_start").alias("_block"),
        F.spark_partition_id().alias("_part"),
        F.monotonically_increasing_id().alias("_mono"),
    )
    bad = F.col(id_col).isNull() | F.col(text_col).isNull()
    if "_corrupt" in df.columns:
        bad = bad | F.col("_corrupt").isNotNull()
    # Parsed once and kept (the fields the job needs, the numbering's columns): the numbering
    # needs a pass over the rows first, and the numbered documents below are a view of this copy.
    df = df.select(
        "_file", "_block", "_part", "_mono", bad.alias("_bad"),
        F.col(id_col).cast("string").alias(id_col),
        F.col(text_col).cast("string").alias(text_col),
        *[F.col(c).cast("string").alias(c) for c in optional if c in df.columns],
    ).persist(StorageLevel.MEMORY_AND_DISK)
    kept = df
    # Number rows in input order without sorting the texts: each (file, block) is read
    # contiguously by one task, so its rows' positions there are consecutive; the blocks'
    # starting numbers come from their counts in path order (one row per block).
    df, start, extra = _place(spark, df, "_file string, _block long, _part int", "_row",
                              F.sum(F.col("_bad").cast("long")).alias("_bad_n"))
    bad_rows = sum(e["_bad_n"] or 0 for e in extra)
    if bad_rows:
        first = (df.where("_bad").orderBy("_row").select("_file", "_row").first())
        where = f"{first['_file']}, record {first['_row'] + 1}"
        if not skip_bad:
            raise InputError(
                f"{bad_rows} bad record(s) (malformed JSON or no {id_col!r}/"
                f"{text_col!r}); the first at {where}. --skip-bad leaves them out.")
        skipped.update(count=bad_rows, first=where)
        # Good rows keep their order; numbers close up as the CLI's do when it skips.
        good = df.where(~F.col("_bad"))
        blocks = (good.groupBy("_file", "_block", "_part")
                  .agg(F.min("_row").alias("_f"), F.count("*").alias("_n"))
                  .orderBy("_file", "_block").collect())
        start, rows = 0, []
        for b in blocks:
            rows.append((b["_file"], b["_block"], b["_part"], start))
            start += b["_n"]
        offsets2 = spark.createDataFrame(rows, "_file string, _block long, _part int, _s long")
        w = Window.partitionBy("_file", "_block", "_part").orderBy("_row")
        df = (good.join(F.broadcast(offsets2), ["_file", "_block", "_part"])
              .withColumn("_row", F.col("_s") + F.row_number().over(w) - 1))
    out = df.select(
        F.col("_row").alias("idx"),
        F.col(id_col).cast("string").alias("id"),
        F.col(text_col).cast("string").alias("text"),
        *[(F.col(c).cast("string") if c and c in df.columns else F.lit(None).cast("string"))
          .alias(name) for name, c in (("lang", cols["lang"]), ("date", cols["date"]),
                                       ("source", cols["source"]))],
    )
    if bad_rows:
        # The window above is not worth computing again for every use.
        out = out.persist(StorageLevel.MEMORY_AND_DISK)
        out.count()
        kept.unpersist()
        kept = out
    return out, start, kept


def _learn(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for b in batches:
        yield _retold.learn_batch(b)


def _place(spark, df, keys: str, name: str, *extra):
    """``df`` with column ``name``: each row's place (from 0) when the groups of ``keys`` (a
    schema string, e.g. ``"_p int"``) follow each other in key order and, within a group, the
    rows follow ``_mono`` (consecutive within a group: it was read contiguously by one task).
    Numbers rows without sorting them: one count per group is collected. Also returns the number
    of rows and the collected groups, with the ``extra`` aggregates."""
    from pyspark.sql import functions as F

    cols = [k.split()[0] for k in keys.split(",")]
    groups = (df.groupBy(*cols)
              .agg(F.min("_mono").alias("_first"), F.count("*").alias("_n"), *extra)
              .orderBy(*cols).collect())
    rows, start = [], 0
    for g in groups:
        rows.append(tuple(g[c] for c in cols) + (g["_first"], start))
        start += g["_n"]
    offsets = spark.createDataFrame(rows, f"{keys}, _first long, _start long")
    placed = (df.join(F.broadcast(offsets), cols)
              .withColumn(name, F.col("_start") + F.col("_mono") - F.col("_first"))
              .drop("_first", "_start"))
    return placed, start, groups


def _numbered(spark, df, by: str, name: str):
    """``df`` with column ``name``: each row's place (from 1) in ``by`` order (unique values).
    Sorted by ``by``, then numbered by :func:`_place` per sorted partition, as
    ``zipWithIndex`` would, without leaving the JVM."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    s = (df.orderBy(by).withColumn("_p", F.spark_partition_id())
         .withColumn("_mono", F.monotonically_increasing_id())
         .persist(StorageLevel.MEMORY_AND_DISK))
    placed, _, _ = _place(spark, s, "_p int", name)
    return placed.withColumn(name, F.col(name) + 1).drop("_p", "_mono")


def components(spark, edges, max_rounds: int = 64):
    """Connected components of an undirected edge list (columns ``a``, ``b``): each node's
    ``comp`` is the smallest node of its component. The alternating Large-Star / Small-Star
    algorithm (Kiveris et al., "Connected Components in MapReduce and Beyond", 2014):
    O(log² n) rounds on any graph, every round a few joins and aggregations, no collect to the
    driver; it ends with every node linked to its component's smallest node."""
    from pyspark.sql import functions as F

    def undirected(e):
        return e.select("a", "b").unionByName(e.select(F.col("b").alias("a"), F.col("a").alias("b")))

    def large_star(e):
        both = undirected(e)
        m = both.groupBy("a").agg(F.least(F.min("b"), F.col("a")).alias("m"))
        return (both.join(m, "a").where(F.col("b") > F.col("a"))
                .select(F.col("b").alias("a"), F.col("m").alias("b")))

    def small_star(e):
        both = undirected(e).where(F.col("b") < F.col("a"))
        m = both.groupBy("a").agg(F.min("b").alias("m"))
        return (both.join(m, "a").select(F.col("b").alias("a"), F.col("m").alias("b"))
                .unionByName(m.select("a", F.col("m").alias("b"))))

    def canonical(e):
        return (e.where(F.col("a") != F.col("b"))
                .select(F.least("a", "b").alias("a"), F.greatest("a", "b").alias("b")).distinct())

    cur = canonical(edges).localCheckpoint()
    for _ in range(max_rounds):
        nxt = canonical(small_star(canonical(large_star(cur)))).localCheckpoint()
        changed = (nxt.exceptAll(cur).limit(1).count() + cur.exceptAll(nxt).limit(1).count())
        cur = nxt
        if changed == 0:
            # Stars around each component's smallest node: a node's component is the smaller
            # end of its edges.
            both = undirected(cur)
            return (both.groupBy("a").agg(F.least(F.min("b"), F.col("a")).alias("comp"))
                    .select(F.col("a").alias("node"), "comp"))
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")


def run(spark, input_path: str, out_dir: str, *, fmt: str = "auto", id_col: str = "id",
        text_col: str = "text", lang_col: Optional[str] = "lang",
        date_col: Optional[str] = "date", source_col: Optional[str] = "source",
        keep: str = "original", skip_bad: bool = False,
        broadcast_pairs: int = BROADCAST_PAIRS) -> Dict[str, Any]:
    """Runs the job on ``spark``; returns the counters written to ``DIR/stats.json``."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    params = json.loads(_retold.stage_params())
    stats: Dict[str, Any] = {"seconds": {}}
    clock = [time.time()]

    sc = spark.sparkContext
    batch_rows = spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch")

    def lap(name: str, following: Optional[str] = None) -> None:
        now = time.time()
        stats["seconds"][name] = round(now - clock[0], 3)
        clock[0] = now
        if following:
            sc.setJobDescription(f"retold {following}")

    sc.setJobDescription("retold read")

    cols = {"id": id_col, "text": text_col, "lang": lang_col, "date": date_col,
            "source": source_col}
    skipped: Dict[str, Any] = {"count": 0}
    docs, n, kept = read_documents(spark, input_path, fmt, cols, skip_bad, skipped)
    stats["docs"] = n
    stats["skipped"] = skipped
    lap("read", "sketch")

    # 1. Sketch: a row per document, and its candidate keys and line keys as postings in
    # blocks by key (one row per batch and partition, not one per key), so the shuffles below
    # move few large rows.
    parts = int(spark.conf.get("spark.sql.shuffle.partitions"))
    block = "part int, data binary"

    def sketch(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            yield _retold.sketch_batch(b, parts)

    sketched = (docs.select("idx", "text", "source", "lang")
                .mapInArrow(sketch, _spark_schema(_retold.sketch_batch_schema()))
                .persist(StorageLevel.MEMORY_AND_DISK))
    sketched.count()
    sk = sketched.where("block = 0").select("idx", "tokens", "same_sig")
    lap("sketch", "learn")

    # 2. Learn boilerplate lines.
    size = params["sample_size"]
    least = {ps: min(d["threshold"] for d in params["decisions"] if d["per_source"] == ps)
             for ps in (False, True)}
    # Each partition of line-key blocks counts its keys and keeps those held by enough
    # documents, with their smallest document numbers.
    def line_counts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield _retold.line_counts(list(batches), least[False], least[True], size)

    wanted = (sketched.where("block = 2").select("part", "data")
              .repartition(parts, "part")
              .mapInArrow(line_counts, "per_source boolean, key long, count long, sample array<long>"))
    with_sigs = (wanted.select("per_source", "key", "count", F.posexplode("sample").alias("pos", "idx"))
                 .join(sk.select("idx", "same_sig"), "idx")
                 .groupBy("per_source", "key", "count")
                 .agg(F.array_sort(F.collect_list(F.struct("pos", "idx", "same_sig"))).alias("xs"))
                 .select("per_source", "key", "count", F.col("xs.idx").alias("sample"),
                         F.col("xs.same_sig").alias("sigs")))
    learn_schema = "key long, per_source boolean, recurring boolean, recurring_wide boolean, in_source boolean"
    learned = (with_sigs.mapInArrow(_learn, learn_schema)
               .where("recurring or recurring_wide or in_source").collect())
    keys = ([r["key"] for r in learned if r["recurring"]],
            [r["key"] for r in learned if r["recurring_wide"]],
            [r["key"] for r in learned if r["in_source"]])
    stats["learned_lines"] = len(keys[0]) + len(keys[2])
    model = spark.sparkContext.broadcast((uuid.uuid4().hex,) + keys)
    lap("learn", "candidates")

    # 3. Candidate pairs. Each partition of candidate-key blocks groups and pairs its keys in
    # Rust. Direct pairs, and the document lists of seeds and sentence keys (not their pairs:
    # a list of 64 makes 2,016), go on in blocks to the partitions of the pairs' smaller
    # documents, where each pair's shared keys are all seen, counted and held against
    # `min_shared`. A block holds a batch's postings for one partition (~0.5 MB at 8
    # partitions), so arrow batches of 256 blocks stay far below arrow's 2 GB per column.
    blocks_per_batch = "256"

    def key_pairs(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        out, most = _retold.pair_blocks(list(batches), parts)
        largest.add(most)
        yield out

    def candidates(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield _retold.candidate_batch(list(batches), parts)

    largest = sc.accumulator(0, _Max())
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", blocks_per_batch)
    keyed = (sketched.where("block = 1").select("part", "data")
             .repartition(parts, "part").mapInArrow(key_pairs, block))
    pairs = (keyed.repartition(parts, "part").mapInArrow(candidates, "a long, b long")
             .persist(StorageLevel.MEMORY_AND_DISK))
    stats["candidates"] = pairs.count()
    stats["largest_key_df"] = largest.value
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", batch_rows)
    lap("candidates", "verify")

    # 4. Verify: each pair meets both texts. Up to `broadcast_pairs` candidates the pairs are
    # broadcast, one scan of the documents picks out and keeps the pairs' ends, each side is
    # joined from those, and only the candidates' texts are shuffled (to join the two sides);
    # beyond, two sort-merge joins shuffle the documents.
    few_pairs = stats["candidates"] <= broadcast_pairs
    needed = docs
    if few_pairs:
        ends = pairs.select(F.col("a").alias("idx")).union(pairs.select(F.col("b").alias("idx")))
        needed = (docs.join(F.broadcast(ends), "idx", "left_semi")
                  .persist(StorageLevel.MEMORY_AND_DISK))
    side = lambda s: needed.select(*[F.col(c).alias(f"{c}_{s}") for c in  # noqa: E731
                                     ("idx", "id", "text", "source", "lang", "date")])
    if few_pairs:
        few = F.broadcast(pairs)
        with_a = few.join(side("a"), few.a == F.col("idx_a")).drop("idx_a")
        with_b = few.join(side("b"), few.b == F.col("idx_b")).drop("idx_b")
        joined = with_a.join(with_b, ["a", "b"]).sortWithinPartitions("a")
    else:
        joined = (pairs.join(side("a"), pairs.a == F.col("idx_a"))
                  .join(side("b"), pairs.b == F.col("idx_b"))
                  .drop("idx_a", "idx_b").sortWithinPartitions("a"))
    verify_arrow = _retold.verify_batch_schema()

    def verify(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        m = _model(model)
        for b in batches:
            yield _retold.verify_batch(m, b)

    verified = joined.mapInArrow(verify, _spark_schema(verify_arrow)).persist(
        StorageLevel.MEMORY_AND_DISK)
    stats["pairs"] = verified.count()
    if few_pairs:
        needed.unpersist()
    lap("verify", "components")

    # 5. Components, groups, names.
    comp = components(spark, verified.select(F.col("a_idx").alias("a"), F.col("b_idx").alias("b")))
    stats["largest_component"] = comp.groupBy("comp").count().agg(F.max("count")).first()[0] or 0
    lap("components", "group")
    # Only the documents in a component: far fewer than all. Kept, as both sides of the pairs
    # read it (else each side would scan the documents and sketches again).
    nodes = comp.select(F.col("node").alias("idx"))
    meta = (docs.select("idx", "date", "lang").join(nodes, "idx")
            .join(sk.select("idx", "tokens").join(nodes, "idx"), "idx")
            .persist(StorageLevel.MEMORY_AND_DISK))
    sided = lambda s: meta.select(*[F.col(c).alias(f"{c}_{s}") for c in  # noqa: E731
                                    ("idx", "date", "lang", "tokens")])
    gin = (verified.select("a_idx", "b_idx", F.col("a").alias("id_a"), F.col("b").alias("id_b"),
                           "relation", "exact", "weight", "a_in_b", "b_in_a", "a_head",
                           "b_head", "evidence_a", "evidence_b")
           .join(comp, F.col("a_idx") == comp.node).drop("node")
           .join(sided("a"), F.col("a_idx") == F.col("idx_a"))
           .join(sided("b"), F.col("b_idx") == F.col("idx_b")).drop("idx_a", "idx_b"))

    # Each partition holds whole components (shuffled by component) and groups them in one
    # call; a partition's pairs are a small share of the verified pairs.
    def group(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield _retold.group_batch(list(batches), keep=keep)

    groups = (gin.repartition("comp")
              .mapInArrow(group, _spark_schema(_retold.group_batch_schema()))
              .persist(StorageLevel.MEMORY_AND_DISK))
    stats["clusters"] = groups.count()
    lap("group", "write")
    # Names: clusters by first member; stories by their first cluster.
    story_first = groups.groupBy("comp", "story").agg(F.min("first").alias("sf"))
    story_rank = _numbered(spark, story_first, "sf", "srank").drop("sf")
    named = (_numbered(spark, groups, "first", "rank").join(story_rank, ["comp", "story"])
             .persist(StorageLevel.MEMORY_AND_DISK))
    # The members' and originals' ids came with the pairs (no join with the documents).
    clusters = (named.orderBy("rank")
                .select(F.concat(F.lit("c"), F.col("rank").cast("string")).alias("cluster"),
                        F.col("doc_ids").alias("docs"), "relation",
                        F.col("original_id").alias("original"), "original_reason",
                        F.concat(F.lit("s"), F.col("srank").cast("string")).alias("story")))
    dropped = named.select(F.explode("dropped").alias("idx"))
    keep_df = (docs.select("idx", "id").join(dropped, "idx", "left_anti").orderBy("idx")
               .select("id"))
    pair_fields = [f.name for f in pa.schema(verify_arrow)][: -9]
    (verified.orderBy("a_idx", "b_idx").select(*pair_fields)
     .write.mode("overwrite").parquet(os.path.join(out_dir, "pairs")))
    clusters.write.mode("overwrite").parquet(os.path.join(out_dir, "clusters"))
    keep_df.write.mode("overwrite").parquet(os.path.join(out_dir, "keep"))
    stats["kept"] = n - dropped.count()
    lap("write")
    sc.setJobDescription(None)
    stats["documents_per_second"] = round(n / max(sum(stats["seconds"].values()), 1e-9), 1)
    with open(os.path.join(out_dir, "stats.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2)
    for d in (kept, sketched, pairs, verified, meta, groups, named):
        d.unpersist()
    return stats


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m retold.spark",
        description="retold dedup as a Spark job: pairs, clusters and keep-list as Parquet, "
                    "equal to `retold dedup --semantic off` on the same input.")
    p.add_argument("--input", required=True, help="JSONL or Parquet file, or a directory of them")
    p.add_argument("--out", required=True, help="output directory (pairs/, clusters/, keep/, stats.json)")
    p.add_argument("--format", choices=["auto", "jsonl", "parquet"], default="auto")
    p.add_argument("--id-col", default="id")
    p.add_argument("--text-col", default="text")
    p.add_argument("--lang-col", default="lang")
    p.add_argument("--date-col", default="date")
    p.add_argument("--source-col", default="source")
    p.add_argument("--keep", choices=["original", "first", "longest"], default="original",
                   help="which copy of a cluster the keep-list holds (as `retold dedup --keep`)")
    p.add_argument("--master", default=None,
                   help="Spark master (default: spark-submit's, else local[*])")
    p.add_argument("--driver-memory", default="4g")
    p.add_argument("--shuffle-partitions", type=int, default=None,
                   help="spark.sql.shuffle.partitions (default: 4 × the default parallelism)")
    p.add_argument("--broadcast-pairs", type=int, default=BROADCAST_PAIRS, metavar="N",
                   help="verification broadcasts the candidate pairs when there are at most N, "
                        "so that only the candidates' texts are shuffled (default %(default)s; "
                        "0: never, two sort-merge joins over all documents)")
    p.add_argument("--skip-bad", action="store_true",
                   help="leave out malformed records (reported) instead of stopping")
    a = p.parse_args(argv)
    if not os.path.exists(a.input):
        print(f"retold.spark: {a.input}: no such file or directory", file=sys.stderr)
        return 2
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    b = (SparkSession.builder.appName("retold")
         .config("spark.driver.memory", a.driver_memory)
         .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2000")
         .config("spark.ui.showConsoleProgress", str(sys.stderr.isatty()).lower()))
    if a.master:
        b = b.master(a.master)
    elif "SPARK_MASTER" not in os.environ and not os.environ.get("SPARK_HOME_SUBMIT"):
        b = b.master(os.environ.get("RETOLD_SPARK_MASTER", "local[*]"))
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    spark.conf.set("spark.sql.shuffle.partitions",
                   str(a.shuffle_partitions or 4 * spark.sparkContext.defaultParallelism))
    try:
        stats = run(spark, a.input, a.out, fmt=a.format, id_col=a.id_col, text_col=a.text_col,
                    lang_col=a.lang_col or None, date_col=a.date_col or None,
                    source_col=a.source_col or None, keep=a.keep, skip_bad=a.skip_bad,
                    broadcast_pairs=a.broadcast_pairs)
    except InputError as e:
        print(f"retold.spark: {e}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    sk = stats["skipped"]
    if sk["count"]:
        print(f"retold.spark: skipped {sk['count']} bad record(s), the first at {sk['first']}",
              file=sys.stderr)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
