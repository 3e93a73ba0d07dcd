"""Verdicts: pure functions over the model that judge a run (thresholds, spike-drill recovery)."""
