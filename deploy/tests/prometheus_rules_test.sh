#!/usr/bin/env bash
# Static checks of deploy/prometheus with promtool (CTest test prometheus_rules_test, label unit):
#   1. render prometheus.yml.in as ./saga does (fake targets, the repository's rules dir; scrape
#      interval 1s over plain http as the tests scrape, 5s over https with a CA as ./saga up
#      scrapes) and run `promtool check config` on it (this also loads the rules it globs);
#   2. `promtool check rules` on every rule file of deploy/prometheus/rules/;
#   3. `promtool test rules` on every unit test file deploy/prometheus/tests/*.test.yml;
#   4. every rule file is loaded by a test file, and every alert has a case where it fires and
#      a case where it stays quiet (an `alertname:` with `exp_alerts: []`).
# promtool missing is a failure, not a skip: it comes with the Debian package `prometheus`
# (deploy/packages.txt; deploy/install-deps.sh installs it).
#
# Usage: prometheus_rules_test.sh [repository root]   (default: two levels above this script)
#        SAGA_PROMTOOL=/path/to/promtool overrides the promtool found on PATH.
set -euo pipefail

ROOT="${1:-$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)}"
PROM_DIR="$ROOT/deploy/prometheus"
PROMTOOL="${SAGA_PROMTOOL:-promtool}"

failures=0
fail() { printf 'prometheus_rules_test: FAILED: %s\n' "$*" >&2; failures=$((failures + 1)); }
step() { printf '\n== %s\n' "$*"; }

if ! command -v "$PROMTOOL" >/dev/null 2>&1; then
    printf 'prometheus_rules_test: FAILED: promtool not found (looked for "%s" on PATH). Install the Debian package\n' "$PROMTOOL" >&2
    printf "'prometheus' (listed in deploy/packages.txt; deploy/install-deps.sh installs it) or set SAGA_PROMTOOL.\n" >&2
    exit 1
fi
[[ -f "$PROM_DIR/prometheus.yml.in" ]] || { fail "$PROM_DIR/prometheus.yml.in not found (repository root: $ROOT)"; exit 1; }
printf 'promtool: %s (%s)\n' "$(command -v "$PROMTOOL")" "$("$PROMTOOL" --version 2>&1 | head -n1)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
rule_files=("$PROM_DIR"/rules/*.yml)
test_files=("$PROM_DIR"/tests/*.test.yml)
shopt -u nullglob
(( ${#rule_files[@]} > 0 )) || fail "no rule files in $PROM_DIR/rules/"
(( ${#test_files[@]} > 0 )) || fail "no unit test files (*.test.yml) in $PROM_DIR/tests/"

# 1. The scrape configuration, rendered the way ./saga renders it (plain text substitution).
for variant in "1s http" "5s https"; do
    read -r interval scheme <<<"$variant"
    step "promtool check config (scrape interval $interval, $scheme)"
    out="$tmp/prometheus-$interval.yml"
    ca=""
    if [[ "$scheme" == https ]]; then
        ca="$tmp/ca.crt"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=test CA" \
            -keyout "$tmp/ca.key" -out "$ca" >/dev/null 2>&1 || fail "openssl could not make a test CA"
    fi
    sed -e "s#@SCRAPE_INTERVAL@#$interval#g" \
        -e "s#@RULES_DIR@#$PROM_DIR/rules#g" \
        -e "s#@SCHEME@#$scheme#g" -e "s#@CA_FILE@#$ca#g" \
        -e "s#@ORDER_TARGETS@#'127.0.0.1:18081', '127.0.0.1:18091'#g" \
        -e "s#@INVENTORY_TARGETS@#'127.0.0.1:18082'#g" \
        -e "s#@PAYMENT_TARGETS@#'127.0.0.1:18083'#g" \
        "$PROM_DIR/prometheus.yml.in" >"$out"
    if grep -n '@[A-Z_]*@' "$out"; then fail "placeholders left in the rendered configuration (above)"; fi
    for job in order inventory payment; do
        grep -qE "^[[:space:]]*- job_name: $job\$" "$out" || fail "the rendered configuration has no job '$job'"
        grep -qE "^[[:space:]]*service: $job\$" "$out" || fail "the rendered configuration sets no service label '$job'"
    done
    grep -qE "^[[:space:]]*scheme: $scheme\$" "$out" || fail "the rendered configuration does not scrape over $scheme"
    if ! "$PROMTOOL" check config "$out"; then fail "promtool check config (scrape interval $interval, $scheme)"; fi
done

# 2. Every rule file on its own.
for f in "${rule_files[@]}"; do
    step "promtool check rules ${f#"$ROOT"/}"
    if ! "$PROMTOOL" check rules "$f"; then fail "promtool check rules ${f#"$ROOT"/}"; fi
done

# 3. The unit tests (promtool resolves their rule_files relative to the test file).
for f in "${test_files[@]}"; do
    step "promtool test rules ${f#"$ROOT"/}"
    if ! (cd "$(dirname "$f")" && "$PROMTOOL" test rules "$(basename "$f")"); then
        fail "promtool test rules ${f#"$ROOT"/}"
    fi
done

# 4. Coverage of the tests: every rule file is loaded by a test, every alert fires in one case
#    and stays quiet in another.
step "every alert has a firing and a quiet case"
for f in "${rule_files[@]}"; do
    name="$(basename "$f")"
    grep -qE "^[[:space:]]*-[[:space:]]*['\"]?(\.\./rules/)?${name}['\"]?[[:space:]]*\$" "${test_files[@]}" \
        || fail "rule file rules/$name is not in the rule_files of any test in deploy/prometheus/tests/"
done
# alertname -> "fires" / "quiet" from the test files (exp_alerts: [] is quiet, a list fires).
cases="$(awk '
    /^[[:space:]]*alertname:/ { name = $2; next }
    /^[[:space:]]*exp_alerts:[[:space:]]*\[\][[:space:]]*$/ { if (name != "") print name, "quiet"; name = ""; next }
    /^[[:space:]]*exp_alerts:[[:space:]]*$/ { if (name != "") print name, "fires"; name = ""; next }
' "${test_files[@]}" | sort -u)"
alerts="$(sed -nE 's/^[[:space:]]*-[[:space:]]*alert:[[:space:]]*([A-Za-z0-9_]+).*/\1/p' "${rule_files[@]}" | sort -u)"
[[ -n "$alerts" ]] || fail "no alerting rules found in $PROM_DIR/rules/"
before=$failures
for a in $alerts; do
    grep -qxF "$a fires" <<<"$cases" || fail "alert $a has no test case where it fires"
    grep -qxF "$a quiet" <<<"$cases" || fail "alert $a has no test case where it stays quiet (exp_alerts: [])"
done
if (( failures == before )); then
    printf '%s alerts, each with a firing and a quiet case\n' "$(wc -w <<<"$alerts" | tr -d ' ')"
fi

if (( failures > 0 )); then
    printf '\nprometheus_rules_test: %d check(s) FAILED\n' "$failures" >&2
    exit 1
fi
printf '\nprometheus_rules_test: all checks passed\n'
