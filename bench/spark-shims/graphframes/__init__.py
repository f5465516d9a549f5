"""A stand-in for `graphframes.GraphFrame.connectedComponents`, for scripts/bench_spark.py.

text-dedup 0.4.0's Spark MinHash script (`text_dedup.minhash_spark`, the last release that
ships one) imports `from graphframes import GraphFrame` and calls
`GraphFrame(vertices, edges).connectedComponents()`. GraphFrames' algorithms live in a JVM
jar that is only published on Maven/Spark Packages (the PyPI `graphframes-py` has the
Python side only), and this workplace reaches PyPI and crates.io only. So for the benchmark
this package is put first on PYTHONPATH and gives the same result with plain Spark DataFrame
operations: every vertex gets `component` = the smallest vertex id of its connected
component (as GraphFrames does), computed by min-label propagation until no label changes
(a few rounds: text-dedup links every member of an LSH bucket to the bucket's smallest id,
so components are stars joined by shared members). Each round is checkpointed (text-dedup
sets the checkpoint directory) so that the lineage stays short. Nothing else of text-dedup
changes. Written for this benchmark; not GraphFrames code.
"""
import sys
import time

from pyspark import StorageLevel
from pyspark.sql import functions as F

__all__ = ["GraphFrame"]


class GraphFrame:
    def __init__(self, v, e):
        self.vertices = v
        self.edges = e

    def connectedComponents(self, maxIter=100, **_ignored):
        t0 = time.perf_counter()
        e = self.edges.select(F.col("src").alias("a"), F.col("dst").alias("b"))
        # undirected: each vertex hears its neighbours' labels
        links = e.union(e.select(F.col("b").alias("a"), F.col("a").alias("b"))).distinct()
        links = links.persist(StorageLevel.DISK_ONLY)
        labels = self.vertices.select("id", F.col("id").alias("component"))
        for rnd in range(1, maxIter + 1):
            heard = (links.join(labels, links.a == labels.id)
                     .groupBy(links.b.alias("id")).agg(F.min("component").alias("heard")))
            new = (labels.join(heard, "id", "left")
                   .select("id", F.least("component", F.coalesce("heard", "component"))
                           .alias("component"), (F.col("heard") < F.col("component"))
                           .alias("changed"))
                   .checkpoint())
            changed = new.filter("changed").count()
            labels = new.select("id", "component")
            print("graphframes-shim: round %d, %d labels changed, %.1f s" % (
                rnd, changed, time.perf_counter() - t0), file=sys.stderr, flush=True)
            if changed == 0:
                break
        links.unpersist()
        print("graphframes-shim: connected components %.1f s" % (time.perf_counter() - t0),
              file=sys.stderr, flush=True)
        return labels
