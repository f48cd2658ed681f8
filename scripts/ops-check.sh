#!/usr/bin/env bash
# `npm run ops:check`: Prometheus config/rules and Alertmanager config checked by the real tools,
# and every alert rule unit-tested (ops/prometheus/tests). Installs Debian's prometheus and
# prometheus-alertmanager packages when missing and running as root.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus prometheus-alertmanager >/dev/null
  else
    echo "promtool/amtool missing: sudo apt-get install prometheus prometheus-alertmanager" >&2
    exit 1
  fi
fi
# --syntax-only: the credential files named in the production config exist only on the servers.
promtool check config --syntax-only ops/prometheus/prometheus.yml
promtool check rules ops/prometheus/rules/haven.yml
promtool test rules ops/prometheus/tests/haven.test.yml
amtool check-config ops/alertmanager/alertmanager.yml
