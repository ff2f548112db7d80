#!/usr/bin/env bash
# The main job: set everything up, then start JupyterLab on 127.0.0.1 in notebooks/ and print its URL.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ "${IW_SKIP_SETUP:-}" == 1 ]] || bash scripts/setup.sh  # the test suite has set up already
port="${PORT:-8888}"
token="${JUPYTER_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(16))')}"
# A workspace of its own, fresh each run: JupyterLab would otherwise reopen the tabs of earlier sessions (a 404 for
# a notebook that is not in notebooks/).
workspaces="$PWD/.demo-workspaces"
rm -rf "${workspaces}"
mkdir -p "${workspaces}"
echo
echo "==> JupyterLab: http://127.0.0.1:${port}/lab/tree/index.ipynb?token=${token}"
echo
exec .venv/bin/python -m jupyter lab --no-browser --allow-root \
  --ServerApp.ip=127.0.0.1 --ServerApp.port="${port}" --ServerApp.token="${token}" \
  --ServerApp.root_dir="${IW_NOTEBOOK_DIR:-$PWD/notebooks}" --LabApp.workspaces_dir="${workspaces}"
