#!/usr/bin/env bash
# Installs what a cross build for one ARM architecture needs (scripts/cross.sh), and only
# what is missing: Debian's cross compiler, the target's -dev packages through multiarch
# (dpkg --add-architecture), and qemu-user to run the target's binaries.
# Usage: scripts/install-cross-deps.sh armhf|arm64
# Like install-deps.sh: checks with dpkg-query, runs `apt-get update` only when something
# has to be installed (or the architecture is new), and as another user than root prints
# the commands to run and fails.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

arch=${1:-}
case "$arch" in
armhf) compiler=gcc-arm-linux-gnueabihf libc=libc6-dev-armhf-cross ;;
arm64) compiler=gcc-aarch64-linux-gnu libc=libc6-dev-arm64-cross ;;
*)
	echo "usage: $0 armhf|arm64" >&2
	exit 2
	;;
esac

# What CMakeLists.txt links: libuv (pkg-config) for the daemon, cmocka for the unit
# tests.  OpenSSL is not linked yet, so libssl-dev is not needed for the target.
# The target's C library headers come from the cross package (only a Recommends of the
# compiler): libc6-dev:ARCH would need linux-libc-dev:ARCH at exactly the host's version,
# which a security update on the host can outrun.
# qemu-user runs the tests (ctest's CMAKE_CROSSCOMPILING_EMULATOR); binfmt-support lets
# the binaries also be started directly where the kernel allows binfmt_misc.
packages=(
	"$compiler" "$libc" cmake pkg-config
	"libuv1-dev:$arch" "libcmocka-dev:$arch"
	qemu-user binfmt-support
)

# Waits for a dpkg lock held by someone else rather than failing at once.
apt_opts=(-o DPkg::Lock::Timeout=600 -q)

is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

has_architecture() {
	[ "$(dpkg --print-architecture)" = "$1" ] || dpkg --print-foreign-architectures | grep -qx "$1"
}

missing=()
for p in "${packages[@]}"; do
	is_installed "$p" || missing+=("$p")
done
new_arch=no
has_architecture "$arch" || new_arch=yes

if [ "${#missing[@]}" -eq 0 ] && [ "$new_arch" = no ]; then
	echo "install-cross-deps: all $arch packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-cross-deps: missing for $arch: ${missing[*]}" >&2
	echo "install-cross-deps: run as root:" >&2
	[ "$new_arch" = yes ] && echo "  dpkg --add-architecture $arch" >&2
	echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

if [ "$new_arch" = yes ]; then
	echo "install-cross-deps: enabling multiarch for $arch"
	dpkg --add-architecture "$arch"
fi
echo "install-cross-deps: installing ${missing[*]}"
# A mirror caught mid-sync can fail one index (seen: bookworm-security's armhf list);
# the install below still works from the others, and fails loudly if it cannot.
apt-get "${apt_opts[@]}" update || echo "install-cross-deps: apt-get update reported errors; trying the install anyway" >&2
apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"
