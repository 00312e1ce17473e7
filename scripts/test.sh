#!/usr/bin/env bash
# The whole test run behind `make test` and CI (.ci/run):
#   build     configure and build in build/ (RelWithDebInfo, -Werror)
#   unit      cmocka unit tests through ctest
#   integration  pytest tests in tests/integration against the binaries in build/
#   doc       doc/owndns.md matches what the binary's --help prints
#   asan      ASan+UBSan build in build-asan/ and the unit tests again
#   asan-integration  the daemon integration tests in ASAN_INTEGRATION_TESTS against
#             build-asan/owndns; any sanitizer report (one log file per process) fails it
#   armhf     32-bit ARM cross build in build-armhf/ and the unit tests under qemu-user
#             (scripts/cross.sh; installs the cross packages when missing)
#   fuzz      libFuzzer build in build-fuzz/ (clang) and every fuzz/fuzz_*.c target for
#             FUZZ_SECONDS (default 20) on a copy of fuzz/corpus/<target>/
# Usage: scripts/test.sh [stage ...]   (default: all, in that order)
# Every stage runs even after an earlier one failed, unless it needs what failed.  The
# last line is "summary: N passed, N failed"; the exit status is 1 on any failure.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
PYTHON=/usr/bin/python3
# build/, build-asan/, build-fuzz/ unless OWNDNS_BUILD_BASE names another base.
B=${OWNDNS_BUILD_BASE:-build}
case "$B" in /*) ;; *) B="$B" ;; esac

passed=0
failed=0
breakdown=()
failures=()

note() { printf '\n=== %s\n' "$*"; }

# record STAGE PASSED FAILED
record() {
	passed=$((passed + $2))
	failed=$((failed + $3))
	breakdown+=("$1 $2/$(($2 + $3))")
	[ "$3" -gt 0 ] && failures+=("$1")
	return 0
}

cmake_build() { # DIR [cmake args...]
	local dir=$1
	shift
	cmake -S . -B "$dir" "$@" && cmake --build "$dir" -j"$JOBS"
}

# run_ctest STAGE DIR: runs the unit tests and records their counts.
run_ctest() {
	local stage=$1 dir=$2 log
	log="$dir/ctest.log"
	(cd "$dir" && ctest --output-on-failure --timeout 300 -j"$JOBS") 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		local bad total
		bad=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
		total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
		[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
		record "$stage" $((total - bad)) "$bad"
	elif [ "$rc" -ne 0 ]; then
		record "$stage" 0 1
	else
		echo "$stage: no unit tests found"
		record "$stage" 0 0
	fi
}

# yes/no once the build stage ran; otherwise whatever $B/ already holds.
built=unknown
have_build() {
	[ "$built" = unknown ] && { [ -x "$B/owndns" ] && built=yes || built=no; }
	[ "$built" = yes ]
}

stage_build() {
	note "build ($B/)"
	if cmake_build "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
		built=yes
		record build 1 0
	else
		record build 0 1
	fi
}

stage_unit() {
	note "unit tests ($B/)"
	if ! have_build; then
		echo "unit: skipped, the build failed"
		return
	fi
	run_ctest unit "$B"
}

# junit_counts XML: prints "passed failed" of a pytest --junitxml report.
junit_counts() {
	"$PYTHON" - "$1" <<'PY' 2>/dev/null
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
get = lambda k: sum(int(s.get(k, 0)) for s in suites)
bad = get("failures") + get("errors")
print(get("tests") - bad - get("skipped"), bad)
PY
}

integration_test_files() {
	find tests/integration -name 'test_*.py' -o -name '*_test.py' 2>/dev/null | head -n 1
}

stage_integration() {
	note "integration tests (tests/integration)"
	if [ -z "$(integration_test_files)" ]; then
		echo "integration: no test files yet"
		record integration 0 0
		return
	fi
	if ! have_build; then
		echo "integration: skipped, the build failed"
		record integration 0 1
		return
	fi
	local xml
	xml=$(mktemp)
	OWNDNS_BIN="$B/owndns" OWNDNS_BUILD_DIR="$B" \
		"$PYTHON" -m pytest -q -p no:cacheprovider --junitxml="$xml" tests/integration
	local rc=$?
	local counts
	counts=$(junit_counts "$xml")
	rm -f "$xml"
	local good=0 bad=0
	[ -n "$counts" ] && read -r good bad <<<"$counts"
	# exit 5 is "no tests collected": with test files present, that is a failure.
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	record integration "$good" "$bad"
}

stage_doc() {
	note "doc/owndns.md against owndns --help"
	if ! have_build; then
		echo "doc: skipped, the build failed"
		return
	fi
	if scripts/gen-doc.sh --check "$B/owndns"; then
		record doc 1 0
	else
		record doc 0 1
	fi
}

# yes/no once the asan stage built $B-asan/; unknown when that stage did not run.
asan_built=unknown

build_asan() {
	if cmake_build "$B-asan" -DCMAKE_BUILD_TYPE=Debug -DOWNDNS_SANITIZE=ON; then
		asan_built=yes
	else
		asan_built=no
		record asan-build 0 1
	fi
	[ "$asan_built" = yes ]
}

stage_asan() {
	note "ASan+UBSan build ($B-asan/) and unit tests"
	build_asan || return
	ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_ctest asan "$B-asan"
}

# The daemon tests that cover the most of `owndns serve` per second under ASan (about
# 2 minutes in all).  RSS budgets mean nothing under ASan: those tests skip themselves
# when the binary is sanitized (counting_upstream.owndns_is_sanitized).
ASAN_INTEGRATION_TESTS=(
	tests/integration/test_serve_net.py
	tests/integration/test_forward_cache.py
	tests/integration/test_forward_bailiwick.py
	tests/integration/test_serve_fuzz_replay.py
	tests/integration/test_auth_vs_nsd.py
	tests/integration/asan_serve_stress.py
)

stage_asan_integration() {
	note "daemon integration tests under ASan+UBSan ($B-asan/owndns)"
	if [ "$asan_built" = unknown ]; then
		build_asan || return
	elif [ "$asan_built" = no ]; then
		echo "asan-integration: skipped, the ASan build failed"
		return
	fi
	# Each process writes its report to a file of its own: a daemon that dies only
	# shows the test a closed socket, and its stderr may never be printed.
	local logs xml rc
	logs=$(mktemp -d)
	xml=$(mktemp)
	OWNDNS_BIN="$B-asan/owndns" OWNDNS_BUILD_DIR="$B-asan" \
	ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:log_path=$logs/owndns" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/owndns" \
		"$PYTHON" -m pytest -q -p no:cacheprovider --junitxml="$xml" "${ASAN_INTEGRATION_TESTS[@]}"
	rc=$?
	local counts good=0 bad=0 reports
	counts=$(junit_counts "$xml")
	rm -f "$xml"
	[ -n "$counts" ] && read -r good bad <<<"$counts"
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	record asan-integration "$good" "$bad"
	# A report fails the run even when the test that caused it passed: one failure per
	# process that wrote one.
	local report
	reports=0
	for report in "$logs"/*; do
		[ -f "$report" ] || continue
		reports=$((reports + 1))
		echo "asan-integration: sanitizer report ${report##*/}:"
		cat "$report"
	done
	rm -rf "$logs"
	if [ "$reports" -gt 0 ]; then
		echo "asan-integration: $reports sanitizer report(s) above"
		record asan-reports 0 "$reports"
	fi
}

stage_armhf() {
	note "armhf cross build ($B-armhf/) and unit tests under qemu-user"
	if ! scripts/install-cross-deps.sh armhf; then
		record armhf-deps 0 1
		return
	fi
	if ! OWNDNS_CROSS_BUILD_DIR="$B-armhf" JOBS="$JOBS" scripts/cross.sh armhf build; then
		record armhf-build 0 1
		return
	fi
	run_ctest armhf "$B-armhf"
}

fuzz_targets() {
	local src
	for src in fuzz/fuzz_*.c; do
		[ -e "$src" ] && basename "$src" .c
	done
}

# run_fuzzer NAME: one target on a scratch copy of its corpus; a crash fails it.
run_fuzzer() {
	local name=$1 work rc
	work=$(mktemp -d)
	mkdir -p "$work/corpus" "$B-fuzz/artifacts"
	rm -f "$B-fuzz/artifacts/$name-"*
	[ -d "fuzz/corpus/$name" ] && cp -R "fuzz/corpus/$name/." "$work/corpus/"
	echo "fuzz: $name for ${FUZZ_SECONDS}s on $(find "$work/corpus" -type f | wc -l) corpus files"
	"$B-fuzz/$name" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$B-fuzz/artifacts/$name-" \
		"$work/corpus" >"$work/log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		grep -E '^(stat::number_of_executed_units|Done )' "$work/log" | sed "s/^/  $name: /"
	else
		echo "fuzz: $name FAILED (exit $rc); last lines of its log:"
		tail -n 60 "$work/log"
		echo "fuzz: reproducer(s) in $B-fuzz/artifacts/:"
		ls "$B-fuzz/artifacts/" | grep "^$name-" | sed 's/^/  /'
	fi
	rm -rf "$work"
	return "$rc"
}

stage_fuzz() {
	note "fuzz targets ($B-fuzz/, ${FUZZ_SECONDS}s each)"
	local targets
	mapfile -t targets < <(fuzz_targets)
	if [ "${#targets[@]}" -eq 0 ]; then
		echo "fuzz: no fuzz targets yet"
		record fuzz 0 0
		return
	fi
	if ! cmake_build "$B-fuzz" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DOWNDNS_FUZZ=ON -DOWNDNS_SANITIZE=ON -DOWNDNS_TESTS=OFF; then
		record fuzz-build 0 1
		return
	fi
	local name good=0 bad=0
	for name in "${targets[@]}"; do
		if run_fuzzer "$name"; then
			good=$((good + 1))
		else
			bad=$((bad + 1))
		fi
	done
	record fuzz "$good" "$bad"
}

stages=("$@")
[ "${#stages[@]}" -eq 0 ] && stages=(build unit integration doc asan asan-integration armhf fuzz)
for stage in "${stages[@]}"; do
	case "$stage" in
	build | unit | integration | doc | asan | asan-integration | armhf | fuzz) "stage_${stage//-/_}" ;;
	*)
		echo "test.sh: unknown stage '$stage'" >&2
		exit 2
		;;
	esac
done

note "results"
echo "per stage (passed/total): ${breakdown[*]}"
[ "${#failures[@]}" -gt 0 ] && echo "failed stages: ${failures[*]}"
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
