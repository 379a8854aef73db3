#!/usr/bin/env bash
# The second half of `make demo`: start the local Twilio emulator, send the passing example
# campaign to the example audience, print the summary and the delivery status, stop the emulator.
# Everything it writes goes to a temporary folder; the credentials are demo values.
set -euo pipefail
BIN=${BIN:-.venv/bin}
work=$(mktemp -d)
trap 'kill "$emu" 2>/dev/null || true; wait "$emu" 2>/dev/null || true; rm -rf "$work"' EXIT

export TWILIO_ACCOUNT_SID=ACdemo0000000000000000000000000000
export TWILIO_AUTH_TOKEN=demo-auth-token-not-a-secret
port=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/smskit" emulator --port "$port" --db "$work/emulator.sqlite" >"$work/emulator.log" 2>&1 &
emu=$!
for _ in $(seq 100); do
  "$BIN/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.1
done
export SMSKIT_TWILIO_BASE_URL="http://127.0.0.1:$port"

echo "== smskit send campaigns/examples/elisa-kiitos.yml (to the local emulator)"
"$BIN/smskit" send campaigns/examples/elisa-kiitos.yml --yes --journal "$work/journal.sqlite"
echo
echo "== the same command again: nothing is sent twice"
"$BIN/smskit" send campaigns/examples/elisa-kiitos.yml --yes --journal "$work/journal.sqlite"
echo
sleep 2  # the emulator moves messages to "delivered" after a moment, as Twilio does
echo "== smskit status campaigns/examples/elisa-kiitos.yml"
"$BIN/smskit" status campaigns/examples/elisa-kiitos.yml --journal "$work/journal.sqlite"
