#!/usr/bin/env bash
# Installs what the order saga needs on Debian 12, builds librdkafka from source and resolves the
# Apache Kafka jars. Idempotent and fast (< 1 s) when everything is already present. Called by ./saga.
#
#   deploy/install-deps.sh            install missing packages + librdkafka + resolve Kafka jars
#
# Environment:
#   SAGA_SKIP_APT=1     do not install Debian packages (only report missing ones)
#   SAGA_MVN_TIMEOUT    seconds allowed for the Maven download (default 600)
#   SAGA_DEPS_DIR       where built dependencies are cached, outside the clone so that every
#                       checkout shares them (default ${XDG_CACHE_HOME:-~/.cache}/saga-deps;
#                       cmake/Dependencies.cmake looks in the same place)
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

# --- librdkafka, from source (deploy/vendor/librdkafka.env) -------------------------
# Debian's librdkafka (2.0.2) cannot authenticate with SASL/SCRAM against Kafka 4.x, so the
# project builds a pinned release: the source comes from the crates.io package rdkafka-sys
# (fetched with cargo, checked against the pinned sha256), it is built once with ccache into
# $SAGA_DEPS_DIR/librdkafka-<version> and linked statically. A stamp (version, source sha256,
# configure flags) makes a second run, from any clone, skip it.
install_librdkafka() {
    local env_file="$ROOT/deploy/vendor/librdkafka.env"
    local RDKAFKA_VERSION RDKAFKA_CRATE RDKAFKA_CRATE_VERSION RDKAFKA_CRATE_SHA256 RDKAFKA_CONFIGURE_FLAGS
    eval "$(grep -E '^RDKAFKA_[A-Z0-9_]+=' "$env_file" | sed -E 's/^([A-Z0-9_]+)=(.*)$/\1=\x27\2\x27/')"
    [[ -n "${RDKAFKA_VERSION:-}" && -n "${RDKAFKA_CRATE_SHA256:-}" ]] || die "incomplete $env_file"

    local deps="${SAGA_DEPS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/saga-deps}"
    local prefix="$deps/librdkafka-$RDKAFKA_VERSION"
    local stamp="$RDKAFKA_VERSION $RDKAFKA_CRATE_SHA256 $RDKAFKA_CONFIGURE_FLAGS"
    [[ -f "$prefix/.stamp" && "$(cat "$prefix/.stamp")" == "$stamp" ]] && return 0

    mkdir -p "$deps"
    exec 8>"$deps/.librdkafka.lock"
    flock -w 1200 8 || die "timed out waiting for another install of librdkafka ($deps/.librdkafka.lock)"
    if [[ -f "$prefix/.stamp" && "$(cat "$prefix/.stamp")" == "$stamp" ]]; then exec 8>&-; return 0; fi

    # 1. The source package, from the crate cache or through cargo (the registry's own client).
    local crate="$deps/src/$RDKAFKA_CRATE-$RDKAFKA_CRATE_VERSION.crate"
    mkdir -p "$deps/src"
    if [[ ! -f "$crate" ]] || ! sha256sum -c --status <<<"$RDKAFKA_CRATE_SHA256  $crate"; then
        command -v cargo >/dev/null \
            || die "cargo not found: it fetches the librdkafka source ($RDKAFKA_CRATE $RDKAFKA_CRATE_VERSION from crates.io); install Rust (rustup) or put that .crate file at $crate"
        local cargo_home="${CARGO_HOME:-$HOME/.cargo}" fetch_dir
        fetch_dir="$(mktemp -d)"
        mkdir -p "$fetch_dir/src" && : >"$fetch_dir/src/lib.rs"
        printf '%s\n' '[package]' 'name = "saga-fetch-librdkafka"' 'version = "0.0.0"' 'edition = "2021"' \
            '[dependencies]' "$RDKAFKA_CRATE = { version = \"=$RDKAFKA_CRATE_VERSION\", default-features = false }" \
            >"$fetch_dir/Cargo.toml"
        say "fetching the librdkafka $RDKAFKA_VERSION source ($RDKAFKA_CRATE $RDKAFKA_CRATE_VERSION) with cargo ..."
        (cd "$fetch_dir" && timeout 600 cargo fetch -q) || { rm -rf "$fetch_dir"; die "cargo fetch of $RDKAFKA_CRATE $RDKAFKA_CRATE_VERSION failed (is crates.io reachable?)"; }
        rm -rf "$fetch_dir"
        local found
        found="$(find "$cargo_home/registry/cache" -name "$RDKAFKA_CRATE-$RDKAFKA_CRATE_VERSION.crate" -print -quit 2>/dev/null)"
        [[ -n "$found" ]] || die "cargo fetched, but $RDKAFKA_CRATE-$RDKAFKA_CRATE_VERSION.crate is not in $cargo_home/registry/cache"
        cp "$found" "$crate.tmp" && mv "$crate.tmp" "$crate"
    fi
    sha256sum -c --status <<<"$RDKAFKA_CRATE_SHA256  $crate" \
        || die "$crate does not match the pinned sha256 $RDKAFKA_CRATE_SHA256 (deploy/vendor/librdkafka.env): refusing to build it"

    # 2. Build in a fixed directory (ccache hits need stable paths), install into a temporary
    #    prefix, then move it into place.
    local build="$deps/build/librdkafka-$RDKAFKA_VERSION" log="$deps/build/librdkafka-$RDKAFKA_VERSION.log"
    local src="$build/$RDKAFKA_CRATE-$RDKAFKA_CRATE_VERSION/librdkafka" cc="${CC:-gcc}" started=$SECONDS
    command -v ccache >/dev/null && cc="ccache $cc"
    rm -rf "$build" "$prefix" "$prefix.tmp"
    mkdir -p "$build"
    tar -xzf "$crate" -C "$build" "$RDKAFKA_CRATE-$RDKAFKA_CRATE_VERSION/librdkafka" || die "cannot unpack $crate"
    say "building librdkafka $RDKAFKA_VERSION into $prefix (once; log: $log) ..."
    # shellcheck disable=SC2086 # the flags are words
    if ! ( cd "$src" && CC="$cc" ./configure --prefix="$prefix" $RDKAFKA_CONFIGURE_FLAGS \
            && make -C src -j"$(nproc)" lib && make -C src install DESTDIR="$prefix.tmp" ) >"$log" 2>&1; then
        tail -n 30 "$log" >&2 || true
        die "building librdkafka $RDKAFKA_VERSION failed; see $log"
    fi
    # SCRAM is compiled in only with OpenSSL: check, rather than find out at the broker.
    grep -q '^#define WITH_SASL_SCRAM 1' "$src/config.h" || die "librdkafka was configured without SASL/SCRAM (OpenSSL missing? libssl-dev); see $log"
    mv "$prefix.tmp$prefix" "$prefix"
    rm -rf "$prefix.tmp" "$build"
    printf '%s\n' "$stamp" >"$prefix/.stamp"
    exec 8>&-
    say "librdkafka $RDKAFKA_VERSION ready in $prefix ($((SECONDS - started)) s)"
}
install_librdkafka

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
