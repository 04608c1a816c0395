#!/usr/bin/env bash
# Brings the system up on this machine: dependencies, services (Redis, RabbitMQ, MySQL; DynamoDB as a
# dynalite process unless DYNAMODB_ENDPOINT points elsewhere), build, migrations, then the API and the
# worker in the foreground (Ctrl-C stops everything this script started).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/node ] || npm ci --no-audit --no-fund
export PATH="$PWD/node_modules/.bin:$PATH"
[ -f .env ] || cp .env.example .env
bash scripts/ensure-services.sh
npm run build --silent

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

endpoint="${DYNAMODB_ENDPOINT:-$(sed -n 's/^DYNAMODB_ENDPOINT=//p' .env)}"
if [ -z "$endpoint" ]; then
  endpoint=http://127.0.0.1:8000
  echo "DYNAMODB_ENDPOINT=$endpoint" >> .env
fi
if [ "$endpoint" = http://127.0.0.1:8000 ] && ! listening 8000; then
  mkdir -p .data
  node dist/write-store/dynalite.main.js --port 8000 --path .data/dynalite &
  pids+=($!)
  for _ in $(seq 1 50); do listening 8000 && break; sleep 0.1; done
fi
export DYNAMODB_ENDPOINT="$endpoint"

node dist/main.migrate.js
node dist/main.worker.js &
pids+=($!)
node dist/main.api.js &
pids+=($!)
wait -n "${pids[@]}"
