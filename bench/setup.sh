#!/usr/bin/env bash
# Installs what the benchmarks need beyond the bootstrap: Debian's nginx (the baseline
# reverse proxy) and wrk (the load generator). Idempotent.
set -euo pipefail
need=()
for pkg in nginx wrk; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "bench: missing ${need[*]}; run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts nginx as a service on install; the benchmark runs its own.
(service nginx stop || true) >/dev/null 2>&1
