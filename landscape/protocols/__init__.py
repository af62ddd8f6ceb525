"""The experiments of the chapters: one module per chapter, named after it.

Each holds the chapter's settings once, as a frozen dataclass with a ``quick`` and a ``full``
instance in ``PROFILES``, that the chapter, its benchmarks and its tests all read, and the
protocol functions that are specific to that experiment.
"""
