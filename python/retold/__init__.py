"""retold: find reproduced text across document collections.

The same Rust engine as the ``retold`` command line, so the same answers:

* :func:`compare` gives exactly the JSON of ``retold compare --json`` as a dict;
* :class:`Deduper` runs ``retold dedup`` over documents given one by one, as lists, or as
  Arrow tables / record batches, and returns pairs and clusters as Arrow tables with the
  fields of ``pairs.jsonl`` and ``clusters.jsonl``;
* :func:`extract` gives the article text of a web page, as ``retold extract --json``.

The semantic layer (rewrites, translations) uses the embedding models installed by
``scripts/setup-models.sh`` (``~/.cache/retold/models`` or ``$RETOLD_MODEL_DIR``); without
them, ``semantic="auto"`` works lexically. Heavy work releases the GIL. Errors are
:class:`RetoldError` or one of its subclasses :class:`InputError`, :class:`ModelError`,
:class:`ExtractError`.
"""

import json
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Union

import pyarrow as pa

from . import _retold
from ._retold import ExtractError, InputError, ModelError, RetoldError

__version__ = _retold.__version__
__all__ = [
    "compare",
    "extract",
    "Deduper",
    "DedupResult",
    "RetoldError",
    "InputError",
    "ModelError",
    "ExtractError",
]


def compare(a: str, b: str, **options: Any) -> Dict[str, Any]:
    """Compares two texts: exactly the JSON object of ``retold compare --json``, as a dict.

    Options (keyword only): ``semantic`` ("auto", "on" or "off"; default "auto"),
    ``model_dir``, and per side ``date_a``/``date_b``, ``source_a``/``source_b``,
    ``lang_a``/``lang_b`` (what provenance and boilerplate use).
    """
    return json.loads(_retold.compare_json(a, b, **options))


def extract(html: Union[str, bytes], content_type: Optional[str] = None) -> Dict[str, Any]:
    """The visible and article text of a web page, as ``retold extract --json`` gives it
    (without ``path``): title, date, charset, text, article, body and boilerplate ranges
    (code points of ``text``), warnings. ``html`` may be gzip-compressed bytes."""
    data = html.encode("utf-8") if isinstance(html, str) else bytes(html)
    return json.loads(_retold.extract_json(data, content_type=content_type))


class DedupResult(NamedTuple):
    """What :meth:`Deduper.run` returns."""

    pairs: pa.Table
    """One row per verified pair: the fields of ``pairs.jsonl``."""
    clusters: pa.Table
    """One row per cluster: the fields of ``clusters.jsonl``."""
    keep: List[str]
    """The ids of ``keep.txt``: one document per cluster plus every unclustered one."""


class Deduper:
    """Collects documents, then finds copies, rewrites and translations among them.

    >>> d = Deduper(semantic="off")
    >>> d.add("a", "Some text ...")
    >>> d.add_many([{"id": "b", "text": "..."}])
    >>> d.add_arrow(table)                   # pyarrow Table or RecordBatch
    >>> result = d.run()                      # pairs, clusters (pyarrow Tables), keep

    ``semantic`` is "auto" (the installed models), "on" (require them) or "off";
    ``keep`` is the keep-list policy ("original", "longest" or "first"); ``memory`` the
    pipeline's budget in bytes, as ``retold dedup --memory`` (at least 1 MiB; default 2 GiB):
    beyond it texts and candidate keys go to temporary files, with the same answer. The
    documents added are held in memory until :meth:`run` either way.
    """

    def __init__(self, *, semantic: str = "auto", model_dir: Optional[str] = None,
                 keep: str = "original", memory: Optional[int] = None) -> None:
        self._inner = _retold.Deduper(semantic=semantic, model_dir=model_dir, keep=keep,
                                      memory=memory)

    def __len__(self) -> int:
        return len(self._inner)

    def add(self, id: str, text: str, *, lang: Optional[str] = None, date: Optional[str] = None,
            source: Optional[str] = None, url: Optional[str] = None,
            title: Optional[str] = None) -> None:
        """Adds one document."""
        self._inner.add(id, text, lang=lang, date=date, source=source, url=url, title=title)

    def add_many(self, docs: Iterable[Union[Dict[str, Any], tuple]]) -> int:
        """Adds documents given as dicts (``id``, ``text`` and optionally ``lang``, ``date``,
        ``source``, ``url``, ``title``) or ``(id, text)`` tuples. Returns how many."""
        n = 0
        for d in docs:
            if isinstance(d, dict):
                try:
                    self.add(d["id"], d["text"], **{k: d.get(k) for k in
                                                    ("lang", "date", "source", "url", "title")})
                except KeyError as e:
                    raise InputError("document %d has no %s" % (n + 1, e)) from None
            else:
                self.add(*d)
            n += 1
        return n

    def add_arrow(self, data: Union[pa.Table, pa.RecordBatch], *, id_col: str = "id",
                  text_col: str = "text", lang_col: Optional[str] = "lang",
                  date_col: Optional[str] = "date", source_col: Optional[str] = "source") -> int:
        """Adds the rows of a pyarrow Table or RecordBatch (passed to the engine through the
        Arrow C data interface). Columns other than ``id_col`` and ``text_col`` are optional.
        Returns how many rows were added."""
        batches = data.to_batches() if isinstance(data, pa.Table) else [data]
        return sum(self._inner.add_batch(b, id_col=id_col, text_col=text_col, lang_col=lang_col,
                                         date_col=date_col, source_col=source_col)
                   for b in batches)

    def run(self) -> DedupResult:
        """Runs ``dedup`` over everything added (the documents stay; add more and run again)."""
        pairs, clusters, keep = self._inner.run()
        return DedupResult(pa.Table.from_batches([pairs]), pa.Table.from_batches([clusters]), keep)
