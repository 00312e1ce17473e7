#!/usr/bin/env bash
# Cross builds for small ARM boards, behind `make armhf` and `make arm64`:
#   deps     install the cross compiler, the target's -dev packages and qemu-user
#            (scripts/install-cross-deps.sh)
#   build    configure with cmake/toolchain-ARCH.cmake and build in build-ARCH/
#   test     the unit tests through ctest, each run under qemu-user
#   figures  stripped size of owndns, and idle RSS of `owndns serve` under qemu-user
# Usage: scripts/cross.sh armhf|arm64 [step ...]   (default: deps build test)
# OWNDNS_CROSS_BUILD_DIR overrides the build folder, OWNDNS_HOST_BIN the host binary
# that figures compares with (build/owndns); JOBS the parallel jobs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

arch=${1:-}
case "$arch" in
armhf) triplet=arm-linux-gnueabihf qemu=qemu-arm ;;
arm64) triplet=aarch64-linux-gnu qemu=qemu-aarch64 ;;
*)
	echo "usage: $0 armhf|arm64 [deps|build|test|figures ...]" >&2
	exit 2
	;;
esac
shift
steps=("$@")
[ "${#steps[@]}" -eq 0 ] && steps=(deps build test)

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
dir=${OWNDNS_CROSS_BUILD_DIR:-build-$arch}

step_deps() {
	scripts/install-cross-deps.sh "$arch"
}

step_build() {
	echo "cross: building for $arch in $dir/"
	cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-$arch.cmake" \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build "$dir" -j"$JOBS"
}

step_test() {
	echo "cross: unit tests for $arch under $qemu"
	(cd "$dir" && ctest --output-on-failure --timeout 300 -j"$JOBS")
}

# stripped_size FILE STRIP: bytes of a stripped copy (the build keeps its symbols).
stripped_size() {
	local copy
	copy=$(mktemp)
	"$2" -o "$copy" "$1"
	stat -c %s "$copy"
	rm -f "$copy"
}

# A port nobody else is likely to use, picked from the PID so two runs do not collide.
idle_port() {
	echo $((40000 + $$ % 20000))
}

# measure_serve BINARY EMULATOR: starts `serve` with one tiny zone on 127.0.0.1, waits
# until it answers, and prints two figures in KiB: the process's VmRSS and the guest's
# share of it (guest_rss; "-" for a native binary).
measure_serve() {
	local bin=$1 emulator=$2 work port pid rss guest
	work=$(mktemp -d)
	port=$(idle_port)
	cat >"$work/tiny.zone" <<'ZONE'
$ORIGIN tiny.test.
$TTL 3600
@	IN SOA ns hostmaster 1 7200 3600 1209600 300
	IN NS ns
ns	IN A 127.0.0.1
ZONE
	# shellcheck disable=SC2086 # the emulator word is empty for the host binary
	$emulator "$bin" serve listen=127.0.0.1@"$port" zone=tiny.test:"$work/tiny.zone" \
		>"$work/log" 2>&1 &
	pid=$!
	local tries=0
	until dig +short +time=1 +tries=1 -p "$port" @127.0.0.1 tiny.test SOA 2>/dev/null | grep -q hostmaster; do
		tries=$((tries + 1))
		if [ "$tries" -gt 50 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "cross: $bin serve did not answer; its log:" >&2
			cat "$work/log" >&2
			kill "$pid" 2>/dev/null
			rm -rf "$work"
			return 1
		fi
		sleep 0.2
	done
	sleep 1
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
	guest=-
	[ -n "$emulator" ] && guest=$(guest_rss "$pid")
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	rm -rf "$work"
	echo "$rss $guest"
}

# guest_rss PID: under qemu-user, VmRSS is the emulator's: qemu's own binary, its x86-64
# libraries, its heap and translated-code cache (about 15 MiB), plus the guest.  qemu
# places the guest's memory (guest_base 0) below 1 TiB, its 32-bit guests below 4 GiB,
# and its own mappings far above (PIE binary near 0x55..., libraries near 0x7f...), so
# the resident pages of the mappings below 1 TiB are the guest program's: its binary,
# its ARM libraries, heap and stacks, what the same process would have resident on a
# board (file pages touched by the translator rather than by execution, a near match).
guest_rss() {
	awk '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); guest = length(r[1]) <= 10 }
		/^Rss:/ { if (guest) sum += $2 }
		END { print sum + 0 }
	' "/proc/$1/smaps"
}

step_figures() {
	local bin="$dir/owndns" host_bin=${OWNDNS_HOST_BIN:-build/owndns} host size rss guest
	host=$(dpkg --print-architecture)
	size=$(stripped_size "$bin" "$triplet-strip")
	echo "cross: $arch stripped owndns: $size bytes"
	if [ -x "$host_bin" ]; then
		size=$(stripped_size "$host_bin" strip)
		echo "cross: $host stripped owndns: $size bytes ($host_bin)"
	fi
	read -r rss guest < <(measure_serve "$bin" "$qemu")
	echo "cross: $arch idle serve: guest RSS $guest KiB; VmRSS of $qemu with it: $rss KiB"
	if [ -x "$host_bin" ]; then
		read -r rss guest < <(measure_serve "$host_bin" "")
		echo "cross: $host idle serve: VmRSS $rss KiB (native)"
	fi
}

for step in "${steps[@]}"; do
	case "$step" in
	deps | build | test | figures) "step_$step" ;;
	*)
		echo "cross.sh: unknown step '$step'" >&2
		exit 2
		;;
	esac
done
