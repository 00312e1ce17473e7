#!/usr/bin/env bash
# Installs the Debian packages owndns needs to build and test, and only those that are
# missing.  Checks with dpkg-query (nothing is run to probe); runs `apt-get update` at
# most once, and only when something has to be installed.  As root it installs; as
# another user it prints the exact command to run and fails.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# build, unit tests (cmocka), integration tests (pytest, dnspython, dig, kdig, and the
# real peers unbound, nsd and dnsmasq), the daemon's libraries (libuv, OpenSSL).
packages=(
	build-essential cmake pkg-config clang
	libcmocka-dev
	python3-pytest python3-dnspython bind9-dnsutils knot-dnsutils unbound nsd dnsmasq-base
	libuv1-dev libssl-dev
)

updated=no

is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing_of() {
	local p
	for p in "$@"; do
		is_installed "$p" || printf '%s\n' "$p"
	done
}

install_missing() {
	local missing
	mapfile -t missing < <(missing_of "$@")
	[ "${#missing[@]}" -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages: ${missing[*]}" >&2
		echo "install-deps: run as root:" >&2
		echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}"
	if [ "$updated" = no ]; then
		# One broken index (e.g. a foreign architecture's) must not stop the install:
		# apt-get install below says clearly what it cannot find.
		apt-get update -q || echo "install-deps: apt-get update reported errors; trying the install anyway" >&2
		updated=yes
	fi
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# libFuzzer and the sanitizer runtimes come with clang's own runtime package, whose
# name carries clang's major version (libclang-rt-14-dev on Debian 12).
clang_runtime_package() {
	local deps major
	deps=$(dpkg-query -W -f='${Depends}' clang 2>/dev/null || true)
	major=$(printf '%s\n' "$deps" | grep -oE 'clang-[0-9]+' | head -n 1 | cut -d- -f2)
	printf 'libclang-rt-%s-dev\n' "${major:-14}"
}

install_missing "${packages[@]}"
install_missing "$(clang_runtime_package)"
echo "install-deps: all packages present"
