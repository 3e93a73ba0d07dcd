"""perfconsole: a terminal console for operating Locust load tests.

This package's top level imports nothing heavy: entry points that use the engine import
``locust`` first (it monkey-patches with gevent) and then the rest.
"""

__version__ = "0.1.0"
