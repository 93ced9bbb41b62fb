# kaigo - thin wrapper over CMake presets. The two set-up commands are `make run` and `make test`.
.PHONY: all deps build run test test-deps test-default test-release test-debian package test-package install test-asan asan tsan test-tsan fuzz fuzz-smoke bench-import bench-http bench-disclose bench-verify bench-sheet7 bench-exchange bench-print bench-pages bench-people bench-plan7 bench-stats bench-backup bench-idle bench-syscalls bench-layers clean

DB ?= demo/kaigo.db
LISTEN ?= 127.0.0.1:8080
PERSONS ?= 3000
INSURERS ?= 3

all: build

deps:
	@scripts/deps.sh

build: deps
	@[ -f build/default/build.ninja ] || cmake --preset default >/dev/null
	@cmake --build --preset default

run: build
	@scripts/demo-db.sh build/default/kaigo $(DB) $(INSURERS) $(PERSONS)
	@scripts/run-banner.sh $(DB) $(LISTEN)
	@exec build/default/kaigo serve --db $(DB) --listen $(LISTEN) --codes $(DB).codes.csv

test: test-deps test-default test-asan

# what only the tests need: Debian's chromium and tests/browser's npm packages
test-deps:
	@scripts/deps.sh --test

test-default: build test-deps
	@ctest --preset default

asan: deps
	@[ -f build/asan/build.ninja ] || cmake --preset asan >/dev/null
	@cmake --build --preset asan

test-asan: asan test-deps
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  ctest --preset asan

# A user's or packager's builds (issue #20): no -Werror in them. Release as it comes, and Debian's dpkg-buildflags
# (hardening=+all: FORTIFY, stack protector, PIE, RELRO and BIND_NOW) - kept warning-free here by -Werror in CI.
test-release: deps test-deps
	@[ -f build/release/build.ninja ] || cmake --preset release >/dev/null
	@cmake --build --preset release
	@ctest --test-dir build/release --output-on-failure -j2 -E browser

# build/debian: Debian's flags and the prefix /usr - the tree make test-debian tests and make package packs
DEBIAN_CONFIGURE = [ -f build/debian/build.ninja ] || (eval "$$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"; \
	  CFLAGS="$$CFLAGS $$CPPFLAGS" cmake -S . -B build/debian -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_INSTALL_PREFIX=/usr \
	  -DKAIGO_WERROR=ON >/dev/null)

test-debian: deps test-deps
	@$(DEBIAN_CONFIGURE)
	@cmake --build build/debian
	@ctest --test-dir build/debian --output-on-failure -j2

# the Debian package (docs/package.md): cpack over build/debian, only the installed targets built; prints the .deb.
# A tree configured before the prefix was part of the line is moved to /usr first (the package's paths come from it).
package: deps
	@$(DEBIAN_CONFIGURE)
	@grep -qx 'CMAKE_INSTALL_PREFIX:PATH=/usr' build/debian/CMakeCache.txt || cmake -DCMAKE_INSTALL_PREFIX=/usr build/debian >/dev/null
	@cmake --build build/debian --target kaigo kaigo_audit_ext
	@rm -f build/debian/package/kaigo_*.deb
	@cd build/debian && cpack --config CPackConfig.cmake >/dev/null
	@ls build/debian/package/kaigo_*.deb

# the package installed into a throw-away root, its unit verified and scored, the service started as the unit says
test-package: package test-deps
	@tests/package/run.sh build/debian/package/kaigo_*.deb

# make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]: the binary, the audit log's SQLite extension, both man pages
# and the shipped data (an installed binary finds it beside itself, in ../share/kaigo)
PREFIX ?= /usr/local
install: build
	@DESTDIR=$(DESTDIR) cmake --install build/default --prefix $(PREFIX)

tsan: deps
	@[ -f build/tsan/build.ninja ] || cmake --preset tsan >/dev/null
	@cmake --build --preset tsan

# ThreadSanitizer over the whole suite (the audit writer, suspend/resume, the import pipeline).
test-tsan: tsan test-deps
	@TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/tests/tsan.supp" ctest --preset tsan

fuzz: deps
	@[ -f build/fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz

# Each fuzzer for FUZZ_SECONDS (default 20) from its seed corpus.
fuzz-smoke: fuzz
	@scripts/fuzz-smoke.sh build/fuzz $${FUZZ_SECONDS:-20}

bench-backup: build
	@bench/backup.sh

bench-import: build
	@bench/import.sh

bench-http: build
	@bench/http.sh

# what one system call and one durable write cost here: the floor under a card read (issue #21)
bench-syscalls: build
	@mkdir -p bench/out && build/default/bench_syscalls bench/out

# 10,000 idle keep-alive connections: memory each, and whether a fresh address still gets in (issue #21)
bench-idle: build
	@bench/idle.sh

# four HTTP layers side by side with the card read's hand-off shape (issue #21); needs only the
# libraries, not kaigo: H2O and libevent are installed here if missing (benchmark only, never linked into kaigo)
bench-layers:
	@bash scripts/deps.sh --layers
	@bench/layers.sh

# 第7表 computation on one core against parsing the same input (issue #5).
bench-sheet7: build
	@taskset -c 0 build/default/bench_sheet7 $${PERSONS:-200000} $${RUNS:-3}

# ケアプラン連携 send unit ingest (50,000 persons x 30 lines) against iconv + CSV splitting.
bench-exchange: build
	@bench/exchange.sh

# batch printing of 被保険者証 against single-document printing (issue #6).
bench-print: build
	@bench/print.sh

# the web pages: the card page against the JSON card, bytes per page, time to paint (issue #14).
bench-pages: build test-deps
	@bench/pages.sh

# the care manager's 利用者一覧 for 49 people against one card page (issue #18 §4).
bench-people: build
	@bench/people.sh

# the plan page with the 第7表 recomputed for a 30-line 第6表 against the card page (issue #18 §1).
bench-plan7: build
	@bench/plan7.sh

bench-stats: build
	@bench/stats.sh

# kaigo audit verify on a 1M-entry log (written once by bench_auditgen).
bench-verify: build
	@bench/verify.sh

# The pipeline without HTTP, on one core (needs the database of bench/http.sh).
bench-disclose: build
	@[ -f bench/out/http/k.db.bench-token ] || DURATION=1 bench/http.sh >/dev/null
	@taskset -c 0 build/default/bench_disclose bench/out/http/k.db $${SECONDS_PER_PHASE:-5} 1 64

clean:
	rm -rf build
