"""Deterministic demo data: petitions with coherent histories, loaded in bulk.

`load_demo` (in `load`) cuts a load into chunks (`spec`, `chunks`); a chunk tells each
petition's story (`story`) and its history (`history`, `steps`) on the working calendar
(`schedule`, `timeline`), in words from `wording`; the rows (`rows`) go in through
`sqlite_loader` or, as COPY text (`copy_text`), through `postgres_loader`.
"""

from app.demo.load import count_petitions, load_demo

__all__ = ["count_petitions", "load_demo"]
