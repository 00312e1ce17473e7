# The two commands of the README, and a few more.  The logic lives in scripts/.
#   make / make build   install missing packages, configure and build in build/
#   make run            build, then run `build/owndns serve`
#   make test           build and run every test stage (scripts/test.sh)
#   make fuzz           only the fuzz stage (FUZZ_SECONDS per target, default 20)
#   make install        install to $(DESTDIR)$(PREFIX) (default /usr/local)
#   make doc            regenerate doc/owndns.md from the option tables
#   make armhf / arm64  cross-build in build-armhf/ or build-arm64/ and run the unit
#                       tests under qemu-user (scripts/cross.sh)
#   make clean          remove build/, build-asan/, build-fuzz/ and the cross builds

PREFIX ?= /usr/local
DESTDIR ?=
FUZZ_SECONDS ?= 20
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD_DIR := build

.PHONY: all build deps run test fuzz install doc bench clean armhf arm64

all: build

deps:
	scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	$(BUILD_DIR)/owndns serve

test: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) scripts/test.sh

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) scripts/test.sh fuzz

install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR)

doc: build
	scripts/gen-doc.sh $(BUILD_DIR)/owndns

armhf arm64:
	JOBS=$(JOBS) scripts/cross.sh $@

bench: build
	/usr/bin/python3 bench/bench.py

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz build-armhf build-arm64
