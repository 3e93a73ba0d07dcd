"""Worker processes: starting local workers (``local``), waiting for every expected worker to connect
(``wait``), their output for the operator (``output``) and its temp files (``logs``), a worker lost mid-run
(``loss``), and a worker process's entry point (``worker_main``, run as ``python -m``; this package imports
nothing, so that ``import locust`` stays first there)."""
