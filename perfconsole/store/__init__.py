"""Run snapshots, baselines and regression comparison on disk (no Textual, no Locust import).

Modules: ``atomic`` (crash-safe writes), ``redact`` (secrets never reach disk), ``names`` (safe names),
``codec`` (plain-data forms), ``runs`` (run directories), ``baselines`` (named baselines) and
``compare`` (regression verdicts, pure).
"""
