#!/usr/bin/env bash
# The whole test suite: type check, lint, then unit, integration and end-to-end tests against the real
# services (started by ensure-services.sh when they are not running).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/node ] || npm ci --no-audit --no-fund
export PATH="$PWD/node_modules/.bin:$PATH"
bash scripts/ensure-services.sh
bash scripts/ensure-tools.sh
echo "== type check"; tsc --noEmit -p tsconfig.json && tsc --noEmit -p tsconfig.harness.json
echo "== lint"; eslint . && prettier --check . >/dev/null && depcruise src --output-type err
echo "== build"; npm run build --silent
echo "== tests"
mkdir -p test-output
status=0
NODE_OPTIONS=--experimental-vm-modules jest --runInBand --json --outputFile=test-output/jest.json "$@" || status=$?
# One plain closing line for whoever reads the log.
node -e 'const r=require("./test-output/jest.json"); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' || true
exit $status
