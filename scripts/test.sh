#!/usr/bin/env bash
# Installs everything the tests need (venv, the project with its test extra, tmux) and runs
# ruff, mypy, import-linter (the layer contracts in pyproject.toml) and pytest, which reports its slowest 20
# tests. Usage: bash scripts/test.sh [pytest args...]; `bash scripts/test.sh -m "not slow"` is the fast tier.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v tmux >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing tmux (needed by the terminal end-to-end test)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
  else
    echo "warning: tmux is missing; install it (apt-get install tmux) or the terminal test fails" >&2
  fi
fi

if ! command -v ip >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing iproute2 (the network-namespace tests need ip)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import perfconsole, locust, textual" # fails loudly if the install did not work

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== import-linter"
.venv/bin/lint-imports --no-logo
echo "== pytest"
.venv/bin/pytest --durations=20 "$@"
