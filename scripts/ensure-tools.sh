#!/usr/bin/env bash
# Installs the Debian packages some tests drive for real: Chromium (the browser test) and JMeter 2.13 with a
# JDK (the small seat-conflict plan). Runs in CI (CI=true) or when asked (ENSURE_TOOLS=1); elsewhere it only
# says what is missing, and the tests that need a tool skip with that reason.
set -euo pipefail

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v jmeter >/dev/null || missing+=(jmeter jmeter-http)
[ -e /usr/share/jmeter/lib/ext/ApacheJMeter_http.jar ] || missing+=(jmeter-http)
command -v javac >/dev/null || missing+=(default-jdk-headless)
# The Redis Cluster tests start redis-server processes of their own and join them with redis-cli.
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-server redis-tools)

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "${CI:-}" != "true" ] && [ "${ENSURE_TOOLS:-}" != "1" ]; then
  echo "ensure-tools: not installed: ${missing[*]} (ENSURE_TOOLS=1 npm test installs them; their tests skip)"
  exit 0
fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null; then
  echo "ensure-tools: cannot install ${missing[*]} without root; their tests skip" >&2
  exit 0
fi
SUDO=$([ "$(id -u)" = "0" ] || echo sudo)
echo "ensure-tools: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
