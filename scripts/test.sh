#!/usr/bin/env bash
# Pass every test: ruff, tsc, vitest, pytest (kernels, data model, transfer, widgets, notebooks) and the
# browser tests in a real JupyterLab + Notebook 7 driven through Debian's Chromium. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/chromium ]]; then
  echo "==> installing Debian's chromium for the browser tests"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
bash scripts/setup.sh

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> tsc --strict"
(cd js && npm run --silent typecheck)
echo "==> vitest"
(cd js && npx vitest run)
echo "==> pytest"
.venv/bin/python -m pytest "$@"
