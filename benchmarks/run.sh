#!/usr/bin/env bash
# All benchmarks, one after the other (about 15 minutes on 2 cores). Each prints its own figures:
# throughput.py the req/s and percentile ratios against plain Locust measured in the same run,
# hdr_cost.py the histograms' recording and merge cost, sampler_cost.py the resource sampler's own CPU
# cost, terminal_bytes.py the console's output rate, capacity_search.py a capacity search's steps and
# seconds at three resolutions and with the margin-scaled step.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing nginx-light (throughput.py's loopback target at several thousand req/s)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null || true
fi
echo "== throughput and accuracy vs locust"; $PY benchmarks/throughput.py "$@"
echo "== arrival rate: sustained rate and rate error vs locust's closed loop"; $PY benchmarks/arrival_rate.py
echo "== arrival rate: the pacer's own cost per iteration"; $PY benchmarks/pacing_cost.py
echo "== exact percentiles: recording and merge cost"; $PY benchmarks/hdr_cost.py
echo "== resource sampler cost"; $PY benchmarks/sampler_cost.py
echo "== console output rate at 80x24"; $PY benchmarks/terminal_bytes.py
echo "== print-heavy locustfile: wall time vs locust"; $PY benchmarks/print_heavy.py
echo "== URL explosion: 50,000 unique names under the endpoint cap"; $PY benchmarks/url_explosion.py
echo "== capacity search: steps and seconds against the resolution, fixed and margin-scaled steps"
$PY benchmarks/capacity_search.py
