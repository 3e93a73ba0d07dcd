"""Plain data shared by every layer: run snapshots, results, annotations, resource samples.

The bottom layer: imports nothing of perfconsole (see docs/architecture.md).
"""
