"""Exact percentiles: HdrHistogram recording in every load process, merged on the master.

``layout`` is the bucket layout (the ``hdrhistogram`` package's, 3 significant digits, 1 µs to 1 h),
``recorder`` records requests per endpoint and second where users run, ``codec`` carries interval
histograms in worker reports, ``histogram`` and ``window`` hold them on the master, ``merge`` merges the
reports and ``hooks`` wires it all to a Locust environment.
"""
