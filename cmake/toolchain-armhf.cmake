# Cross build for 32-bit ARM (ARMv7 hard-float: Raspberry Pi 2/3 with a 32-bit OS, BeagleBone,
# many small boards) with Debian's cross compiler and
# multiarch armhf -dev packages: scripts/install-cross-deps.sh armhf installs them and
# scripts/cross.sh armhf (`make armhf`) builds with this file in build-armhf/.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(OWNDNS_TRIPLET arm-linux-gnueabihf)
set(CMAKE_C_COMPILER ${OWNDNS_TRIPLET}-gcc)
set(CMAKE_AR ${OWNDNS_TRIPLET}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${OWNDNS_TRIPLET}-ranlib CACHE FILEPATH "")
set(CMAKE_STRIP ${OWNDNS_TRIPLET}-strip CACHE FILEPATH "")

# Debian 12's armhf ABI still has 32-bit off_t, ino_t and time_t.  Without these, stat()
# and readdir() fail with EOVERFLOW on 64-bit inode numbers or directory offsets (XFS,
# btrfs, NFS; ext4 under qemu-user or a 64-bit kernel) and time() stops in 2038.
# Debian 13 builds armhf this way throughout.  (Belongs in CMakeLists.txt for any
# 32-bit build; harmless where these types are already 64-bit.)
set(CMAKE_C_FLAGS_INIT "-D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64")

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
# (libc6:armhf and the rest), one consistent set as on a real board, rather than the
# cross package's older ld.so mixed with the multiarch libc.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm)
