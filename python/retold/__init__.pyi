from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Union

import pyarrow as pa

__version__: str

class RetoldError(Exception): ...
class InputError(RetoldError): ...
class ModelError(RetoldError): ...
class ExtractError(RetoldError): ...

def compare(
    a: str,
    b: str,
    *,
    semantic: str = ...,
    model_dir: Optional[str] = ...,
    date_a: Optional[str] = ...,
    date_b: Optional[str] = ...,
    source_a: Optional[str] = ...,
    source_b: Optional[str] = ...,
    lang_a: Optional[str] = ...,
    lang_b: Optional[str] = ...,
) -> Dict[str, Any]: ...
def extract(html: Union[str, bytes], content_type: Optional[str] = ...) -> Dict[str, Any]: ...

class DedupResult(NamedTuple):
    pairs: pa.Table
    clusters: pa.Table
    keep: List[str]

class Deduper:
    def __init__(
        self,
        *,
        semantic: str = ...,
        model_dir: Optional[str] = ...,
        keep: str = ...,
        memory: Optional[int] = ...,
    ) -> None: ...
    def __len__(self) -> int: ...
    def add(
        self,
        id: str,
        text: str,
        *,
        lang: Optional[str] = ...,
        date: Optional[str] = ...,
        source: Optional[str] = ...,
        url: Optional[str] = ...,
        title: Optional[str] = ...,
    ) -> None: ...
    def add_many(self, docs: Iterable[Union[Dict[str, Any], tuple]]) -> int: ...
    def add_arrow(
        self,
        data: Union[pa.Table, pa.RecordBatch],
        *,
        id_col: str = ...,
        text_col: str = ...,
        lang_col: Optional[str] = ...,
        date_col: Optional[str] = ...,
        source_col: Optional[str] = ...,
    ) -> int: ...
    def run(self) -> DedupResult: ...
