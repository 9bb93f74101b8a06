"""Helpers the benchmarks share: where things are (paths), processes and their memory
(processes, memory), servers under test (servers), the PostgreSQL databases they run on
(database), percentiles, results files (reporting) and the statistics window (quarters).

Each module imports only what it needs: `bench/floor.py` runs in every worker of the
floor server and imports `bench.common.database` alone.
"""
