#!/usr/bin/env bash
# The project's commands. Each first installs what it needs (scripts/bootstrap.sh): the Debian
# packages when missing, then the Python environment in .venv/.
#   ./run.sh demo     a whole lobby on this machine (private broker, hub, apps)
#   ./run.sh test     ruff, mypy and the whole test suite (what CI runs)
#   ./run.sh bench    every benchmark in bench/ (figures for docs/performance.md)
#   ./run.sh docs     regenerate docs/mqtt-api.md from the contract registry
#   ./run.sh screens  redraw the screen gallery in docs/screens/
set -euo pipefail
cd "$(dirname "$0")"
command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  demo)  bash scripts/bootstrap.sh; exec .venv/bin/lobby demo "$@" ;;
  test)  bash scripts/bootstrap.sh
         .venv/bin/ruff check .
         .venv/bin/mypy
         exec .venv/bin/python -m pytest "$@" ;;
  bench) bash scripts/bootstrap.sh
         for script in bench/*_bench.py; do echo "== $script"; .venv/bin/python "$script"; done ;;
  docs)  bash scripts/bootstrap.sh; exec .venv/bin/lobby mqtt-docs --out docs/mqtt-api.md ;;
  screens) bash scripts/bootstrap.sh; exec .venv/bin/python scripts/screens.py ;;
  *)     sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
