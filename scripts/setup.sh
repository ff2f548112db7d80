#!/usr/bin/env bash
# Create .venv and install interpretwidgets into it (editable; `pip install` runs npm to build js/).
# Safe to run again: it only installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  "${PYTHON:-python3}" -m venv .venv
fi
# constraints.txt pins torch to the CPU wheel, so pip never pulls a multi-GB CUDA build.
echo "==> installing interpretwidgets and its test tools (builds the JavaScript views)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
if [[ ! -d js/node_modules ]]; then
  (cd js && npm ci --no-audit --no-fund)
fi
