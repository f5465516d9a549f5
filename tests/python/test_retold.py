"""The Python package gives the CLI's answers (pytest; run by scripts/test.sh).

The CLI binary is $RETOLD_BIN, else the test build's ($CARGO_TARGET_DIR/debug/retold)."""
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pyarrow as pa
import pytest

import retold

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("RETOLD_SHARED", REPO.parent / "shared"))
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/retold/target"))
BIN = os.environ.get("RETOLD_BIN", str(TARGET / "debug" / "retold"))


def cli(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def corpus():
    """60 OneStop documents (three levels of 20 articles), 20 SemEval ones, and planted exact
    copies and site-wrapped reposts after their originals."""
    docs = []
    for name, n in (("onestop", 60), ("semeval", 20)):
        with open(SHARED / "eval" / name / "docs.jsonl", encoding="utf-8") as f:
            for line in list(f)[:n]:
                d = json.loads(line)
                docs.append({"id": d["id"], "text": d["text"]})
    out = []
    for k, d in enumerate(docs):
        out.append(d)
        if k % 7 == 2:
            out.append({"id": "copy-%d" % k, "text": d["text"]})
        elif k % 7 == 5:
            out.append({"id": "repost-%d" % k, "source": "wire.example",
                        "text": "Home | World\nShare this\n\n%s\n\nMore from the wire\n" % d["text"]})
    return out


@pytest.fixture(scope="module")
def dedup_cli(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dedup")
    src = tmp / "docs.jsonl"
    src.write_text("".join(json.dumps(d) + "\n" for d in corpus()), encoding="utf-8")
    cli("dedup", str(src), "--out", str(tmp / "out"), "-q", "--semantic", "off")
    read = lambda n: [json.loads(l) for l in (tmp / "out" / n).read_text().splitlines() if l]
    return read("pairs.jsonl"), read("clusters.jsonl"), (tmp / "out" / "keep.txt").read_text().split()


def test_compare_is_the_cli_json_on_the_seed_pair():
    a, b = sorted((SHARED / "seeds").glob("0*.txt"))
    got = retold.compare(a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8"))
    want = json.loads(cli("compare", str(a), str(b), "--json"))
    assert got == want
    assert got["relation"] != "unrelated" and got["passages"]


def test_deduper_lists_give_dedups_pairs_clusters_and_keep(dedup_cli):
    pairs, clusters, keep = dedup_cli
    d = retold.Deduper(semantic="off")
    assert d.add_many(corpus()) == len(corpus()) == len(d)
    r = d.run()
    assert isinstance(r.pairs, pa.Table) and isinstance(r.clusters, pa.Table)
    assert r.pairs.to_pylist() == pairs
    assert r.clusters.to_pylist() == clusters
    assert r.keep == keep
    assert len(pairs) > 40 and any(p["relation"] == "duplicate" for p in pairs)
    # The fields are those of pairs.jsonl / clusters.jsonl, in order.
    assert r.pairs.column_names == list(pairs[0].keys())
    assert r.clusters.column_names == list(clusters[0].keys())


def test_arrow_tables_and_batches_give_the_same_answer(dedup_cli):
    pairs, clusters, _ = dedup_cli
    docs = corpus()
    table = pa.table({"doc_id": [d["id"] for d in docs], "body": [d["text"] for d in docs],
                      "source": [d.get("source") for d in docs]})
    d = retold.Deduper(semantic="off")
    assert d.add_arrow(table.slice(0, 30), id_col="doc_id", text_col="body") == 30
    for b in table.slice(30).to_batches(max_chunksize=17):
        d.add_arrow(b, id_col="doc_id", text_col="body")
    r = d.run()
    assert r.pairs.to_pylist() == pairs and r.clusters.to_pylist() == clusters


def test_a_small_memory_budget_gives_the_same_answer(dedup_cli):
    # 1 MiB: the texts (a quarter of it) go to a temporary file, as `dedup --memory 1M` does.
    pairs, clusters, keep = dedup_cli
    d = retold.Deduper(semantic="off", memory=1 << 20)
    d.add_many(corpus())
    r = d.run()
    assert r.pairs.to_pylist() == pairs and r.clusters.to_pylist() == clusters and r.keep == keep
    with pytest.raises(retold.InputError, match="at least 1 MiB"):
        retold.Deduper(memory=1000)


def test_empty_input_gives_empty_tables_with_the_fields():
    r = retold.Deduper(semantic="off").run()
    assert r.pairs.num_rows == 0 and "passages" in r.pairs.column_names
    assert r.clusters.num_rows == 0 and "original" in r.clusters.column_names
    assert r.keep == []


def test_errors_are_typed():
    with pytest.raises(retold.InputError, match="semantic"):
        retold.compare("a", "b", semantic="maybe")
    with pytest.raises(retold.InputError):
        retold.Deduper(keep="newest")
    d = retold.Deduper(semantic="off")
    with pytest.raises(retold.InputError, match="no column"):
        d.add_arrow(pa.table({"id": ["x"]}))
    with pytest.raises(retold.InputError, match="row 1"):
        d.add_arrow(pa.table({"id": ["x", "y"], "text": ["t", None]}))
    with pytest.raises(retold.InputError, match="no 'text'"):
        d.add_many([{"id": "z"}])
    assert issubclass(retold.ModelError, retold.RetoldError)
    assert issubclass(retold.ExtractError, retold.RetoldError)


def test_extract_is_the_cli_json_without_path():
    page = sorted((SHARED / "eval" / "extraction" / "html").iterdir())[0]
    got = retold.extract(page.read_bytes())
    want = json.loads(cli("extract", str(page), "--json"))
    want.pop("path")
    assert got == want and got["article"]


def test_run_releases_the_gil():
    d = retold.Deduper(semantic="off")
    for k in range(4):
        d.add_many({"id": "%s-%d" % (x["id"], k), "text": x["text"]} for x in corpus())
    ticks = 0
    t = threading.Thread(target=d.run)
    start = time.perf_counter()
    t.start()
    while t.is_alive():
        ticks += 1
        time.sleep(0.001)
    took = time.perf_counter() - start
    # The main thread kept running while the engine worked (with the GIL held it would
    # have ticked about once).
    assert took > 0.05 and ticks > 10, (took, ticks)
