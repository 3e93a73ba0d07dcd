"""View models of the console's widget regions: pure functions from engine snapshots and resource
samples to rows, cells, lines and chart data (no Textual; tested without an app). One module per region."""
