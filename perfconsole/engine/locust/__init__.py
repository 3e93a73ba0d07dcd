"""Every place perfconsole reaches into Locust beyond its public API, and why; nothing else in perfconsole
does. Check these modules when upgrading Locust (the version pinned in pyproject.toml).

- ``runner``: a load shape switched on and off during a run (the runner's ``shape_greenlet`` and
  ``shape_last_tick``): Locust only starts a shape with a fresh run and leaves it only by stopping, while the
  live controls (taking over a staged profile, a spike drill, a profile switch) need both mid-run.
- ``event_hooks``: an ``EventHook``'s handler list (``_handlers``): the endpoint fold must see a worker report
  before Locust's own listener merges it (Locust only appends), and a finished session takes out the
  listeners its locustfiles and runner left in the process-wide ``locust.events``.
- ``stats``: a ``StatsEntry``'s ``response_times`` and the newest ``response_times_cache`` copy rewritten
  to the histograms' figures, and ``RequestStats.log_request``/``log_error`` wrapped for the endpoint fold,
  so that every Locust-derived output (CSV, HTML report, its tables) agrees with perfconsole's.
- ``task_gate``: ``TaskSet.execute_next_task`` and ``wait`` patched while arrival-rate mode is on, and a
  user's ``_state`` set while it waits for its turn: Locust has no hook between a user's tasks, and an idle
  user must be stoppable as during its ``wait_time``.
- ``csv_rows``: Locust's private CSV row writers (``StatsCSV._requests_data_rows`` and its siblings), so that
  a saved run's CSVs are Locust's own rows while Locust writes its files only on its own clock.
- ``users``: a user class's pacing interval, read from the closure ``constant_pacing`` returns, and the user
  a greenlet runs (its first argument), for the histograms' coordinated-omission correction.

This package has Locust's name but imports only ``locust`` itself (absolute imports): ``import locust``
elsewhere still means Locust.
"""
