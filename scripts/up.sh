#!/usr/bin/env bash
# Brings the system up on this machine: dependencies, services, build, then the API and the worker in the
# foreground (Ctrl-C stops both).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/node ] || npm ci --no-audit --no-fund
export PATH="$PWD/node_modules/.bin:$PATH"
[ -f .env ] || cp .env.example .env
bash scripts/ensure-services.sh
npm run build --silent
node dist/main.worker.js &
worker=$!
node dist/main.api.js &
api=$!
trap 'kill $api $worker 2>/dev/null; wait' INT TERM EXIT
wait -n $api $worker
