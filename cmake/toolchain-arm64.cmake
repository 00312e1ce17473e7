# Cross build for 64-bit ARM (Raspberry Pi 3/4/5 with a 64-bit OS and
# most current boards) with Debian's cross compiler and
# multiarch arm64 -dev packages: scripts/install-cross-deps.sh arm64 installs them and
# scripts/cross.sh arm64 (`make arm64`) builds with this file in build-arm64/.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(OWNDNS_TRIPLET aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${OWNDNS_TRIPLET}-gcc)
set(CMAKE_AR ${OWNDNS_TRIPLET}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${OWNDNS_TRIPLET}-ranlib CACHE FILEPATH "")
set(CMAKE_STRIP ${OWNDNS_TRIPLET}-strip CACHE FILEPATH "")

# The cross C library lives in /usr/${OWNDNS_TRIPLET}; multiarch -dev packages put the
# target's libraries in /usr/lib/${OWNDNS_TRIPLET} and their headers in /usr/include,
# which "/" as a second root finds (CMAKE_LIBRARY_ARCHITECTURE picks the target's
# folder, never the host's).  Programs are the host's.
set(CMAKE_FIND_ROOT_PATH /usr/${OWNDNS_TRIPLET} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config must describe the target's libuv, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${OWNDNS_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# ctest (and add_test) run the target's executables through qemu-user.  No -L prefix:
# the loader and every shared library then come from the multiarch packages
# (libc6:arm64 and the rest), one consistent set as on a real board, rather than the
# cross package's older ld.so mixed with the multiarch libc.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
