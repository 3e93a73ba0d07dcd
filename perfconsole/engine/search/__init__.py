"""The capacity search: a collaborator of the session's controls that moves one control variable (the
arrival-rate dial or the user target) step by step and judges each step on its own figures.

``driver.CapacitySearch`` holds the levels (a greenlet) and measures the steps; the decisions over the steps
(next level, the answers, the binding limit) are pure: ``perfconsole.verdicts.capacity_search``.
"""
