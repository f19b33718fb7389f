#!/usr/bin/env bash
# Installs what the order saga needs on Debian 12 and resolves the Apache Kafka jars.
# Idempotent and fast (< 1 s) when everything is already present. Called by ./saga.
#
#   deploy/install-deps.sh            install missing packages + resolve Kafka jars
#
# Environment:
#   SAGA_SKIP_APT=1     do not install Debian packages (only report missing ones)
#   SAGA_MVN_TIMEOUT    seconds allowed for the Maven download (default 600)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG_FILE="$ROOT/deploy/packages.txt"
POM="$ROOT/deploy/kafka/pom.xml"
KAFKA_DEPS="$ROOT/.deps/kafka"
KAFKA_LIBS="$KAFKA_DEPS/libs"

say() { printf 'install-deps: %s\n' "$*" >&2; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

# --- Debian packages ---------------------------------------------------------
mapfile -t PACKAGES < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$PKG_FILE")
[[ ${#PACKAGES[@]} -gt 0 ]] || die "no packages listed in $PKG_FILE"

missing=()
declare -A installed=()
command -v dpkg-query >/dev/null || die "dpkg-query not found: this script supports Debian 12 only"
# One dpkg-query call for all packages; unknown packages only produce a message on stderr.
while read -r name status; do
    [[ "$status" == "install ok installed" ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
for p in "${PACKAGES[@]}"; do
    [[ -n "${installed[$p]:-}" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ "${SAGA_SKIP_APT:-0}" == 1 ]]; then
        die "missing Debian packages (SAGA_SKIP_APT=1, not installing): ${missing[*]}"
    fi
    SUDO=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || die "missing packages (${missing[*]}) and not root and no sudo: install them as root"
        SUDO=(sudo)
    fi
    say "installing missing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -q || die "apt-get update failed (is a Debian mirror reachable?)"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" \
        || die "apt-get install failed for: ${missing[*]}"
fi

# --- Java and Maven ----------------------------------------------------------
command -v java >/dev/null || die "java not found in PATH (need Java >= 17: apt-get install openjdk-17-jre-headless)"
java_line="$(java -version 2>&1 | grep -m1 -i 'version' || true)"
java_ver="$(sed -nE 's/.*version "([0-9]+)(\.([0-9]+))?.*/\1 \3/p' <<<"$java_line")"
read -r java_major java_minor <<<"$java_ver" || true
[[ "${java_major:-}" == 1 ]] && java_major="${java_minor:-0}"   # "1.8.0" style
if [[ -z "${java_major:-}" || "$java_major" -lt 17 ]]; then
    die "Java >= 17 is required, but 'java' in PATH reports: ${java_line:-nothing} ($(command -v java)); select it with update-alternatives --config java or set PATH"
fi

command -v mvn >/dev/null || die "mvn not found in PATH (apt-get install maven)"
mvn -v >/dev/null 2>&1 || die "'mvn -v' fails; check the Maven installation (JAVA_HOME=${JAVA_HOME:-unset})"

# --- Kafka jars from Maven Central --------------------------------------------
stamp="$(sha256sum "$POM" | cut -d' ' -f1)"
if [[ -f "$KAFKA_LIBS/.stamp" && "$(cat "$KAFKA_LIBS/.stamp")" == "$stamp" ]]; then
    exit 0
fi


mkdir -p "$KAFKA_DEPS"
log="$KAFKA_DEPS/mvn.log"
tmp="$(mktemp -d "$KAFKA_DEPS/libs.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
say "resolving Apache Kafka jars from Maven Central (log: $log) ..."
if ! timeout "${SAGA_MVN_TIMEOUT:-600}" mvn -B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$log" 2>&1; then
    tail -n 20 "$log" >&2 || true
    die "could not resolve Kafka from Maven Central: is it reachable? see $log"
fi
compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || die "Maven succeeded but no kafka_2.13 jar in the output; see $log"
chmod 755 "$tmp"   # mktemp -d creates it 0700
printf '%s\n' "$stamp" >"$tmp/.stamp"
rm -rf "$KAFKA_LIBS"
mv "$tmp" "$KAFKA_LIBS"
trap - EXIT
say "Kafka jars ready in $KAFKA_LIBS ($(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars)"
