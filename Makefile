# beacond: plain GNU Makefile.
#
#   make                 build build/beacond and build/beaconctl
#   make run             a private redis-server under run/ and beacond in
#                        the foreground
#   make test            layout check, unit tests (plain and ASan+UBSan),
#                        integration tests, a short fuzz run
#   make fuzz            libFuzzer targets, FUZZ_SECONDS each (default 60)
#   make bench           beacond against nginx empty_gif, CPU per request;
#                        the write-ahead log's cost on the mix
#                        (bench/wal_cost.sh); the syslog ingest, CPU per line (bench/syslog.sh);
#                        the cardinality burst (bench/burst.sh, alone:
#                        make bench-burst); the flush throughput into one
#                        Redis and a 3-master cluster (bench/flush.sh,
#                        alone: make bench-flush); one report of all of it with
#                        the targets met or missed, in bench/RESULTS.md
#                        (bench/report.py)
#   make install         binaries, man pages, example configuration, systemd
#                        unit (PREFIX=/usr/local DESTDIR=)
#   make clean           removes the builds; keeps run/ (make run's Redis
#                        data and data dir)
#   make distclean       removes run/ too
#   make SANITIZER=address|undefined   instrumented build in build-<sanitizer>/
#
# Each goal first installs the Debian packages it needs and nothing more
# (scripts/install-deps.sh GROUP), then does its work in a new make: GNU
# make remembers which directories exist when it reads the rules, so a
# make that started before node-llhttp was installed would never see the
# llhttp sources in /usr/share/llhttp. DEPS=":" skips the package step.
#
# llhttp is compiled from the C sources Debian's node-llhttp installs in
# /usr/share/llhttp; nothing of it is copied into this repository.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= /etc/systemd/system
CC ?= cc
SANITIZER ?=
LLHTTP_DIR ?= /usr/share/llhttp
LLHTTP_INC ?= /usr/share/include/llhttp
FUZZ_SECONDS ?= 60
DEPS ?= scripts/install-deps.sh
SUBMAKE = $(MAKE) --no-print-directory

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifeq ($(SANITIZER),)
BUILD ?= build
SANFLAGS :=
else ifeq ($(SANITIZER),address)
BUILD ?= build-address
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(SANITIZER),undefined)
BUILD ?= build-undefined
SANFLAGS := -fsanitize=undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
$(error SANITIZER must be address or undefined)
endif

PKGS := libevent libevent_pthreads hiredis libsodium jansson libcjson inih zlib
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -I. \
              -I$(LLHTTP_INC) -DBEACON_VERSION='"$(VERSION)"' -MMD -MP
LDLIBS := -lpthread

# pkg-config answers only after the package step has run; evaluate lazily.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

LIB_SRC := $(wildcard common/*.c proto/*.c config/*.c aggregator/*.c) \
           $(filter-out collector/main.c,$(wildcard collector/*.c)) \
           $(wildcard collector/*/*.c) \
           $(filter-out dashboard/beaconctl.c,$(wildcard dashboard/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LLHTTP_OBJ := $(BUILD)/llhttp/api.o $(BUILD)/llhttp/http.o $(BUILD)/llhttp/llhttp.o
LIB := $(BUILD)/libbeacon.a
BEACOND := $(BUILD)/beacond
BEACONCTL := $(BUILD)/beaconctl

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all binaries test unit integration check-layout fuzz fuzz-smoke run \
        bench-burst bench-flush \
        bench bench-micro install clean distclean
.DEFAULT_GOAL := all

# ---- Goals: the package step, then the work in a new make ---------------
all:
	@$(DEPS) build
	@+$(SUBMAKE) binaries

run:
	@$(DEPS) run
	@+$(SUBMAKE) binaries
	scripts/run.sh $(BEACOND)

# make test: everything CI runs, within 15 minutes on two cores.
test:
	@$(DEPS) test
	@+$(SUBMAKE) check-layout
	@+$(SUBMAKE) binaries
	@+$(SUBMAKE) unit
	@+$(SUBMAKE) SANITIZER=address unit
	@+$(SUBMAKE) integration
	@+$(SUBMAKE) fuzz-smoke

fuzz:
	@$(DEPS) fuzz
	tests/fuzz/run.sh $(FUZZ_SECONDS)

bench:
	@$(DEPS) bench
	@+$(SUBMAKE) binaries bench-micro $(SYSLOG_SEND) $(NOLOG)
	rm -f $(BUILD)/bench/results.txt
	BENCH_RESULTS=$(BUILD)/bench/results.txt bench/run.sh $(BEACOND)
	BENCH_RESULTS=$(BUILD)/bench/results.txt bench/wal_cost.sh $(BEACOND) $(NOLOG)
	BENCH_RESULTS=$(BUILD)/bench/results.txt bench/syslog.sh $(BEACOND) $(SYSLOG_SEND)
	BENCH_RESULTS=$(BUILD)/bench/results.txt bench/burst.sh $(BEACOND)
	BENCH_RESULTS=$(BUILD)/bench/results.txt bench/flush.sh $(BEACOND)
	python3 bench/report.py --command 'make bench' --beacond $(BEACOND) \
	    --out bench/RESULTS.md $(BUILD)/bench/results.txt

# The cardinality burst alone: 1 000 000 visitors over 100 000 pages.
bench-burst:
	@$(DEPS) bench
	@+$(SUBMAKE) binaries
	bench/burst.sh $(BEACOND)

bench-flush:
	@$(DEPS) bench
	@+$(SUBMAKE) binaries
	bench/flush.sh $(BEACOND)

# The binaries, the man pages, the example configuration, the systemd
# unit (with the binaries' path), and, on the host itself, the system
# user and a first /etc/beacond/beacond.conf (scripts/install-service.sh).
install:
	@$(DEPS) build
	@+$(SUBMAKE) binaries
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PREFIX)/share/beacond \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	install -m 755 $(BEACOND) $(DESTDIR)$(BINDIR)/beacond
	install -m 755 $(BEACONCTL) $(DESTDIR)$(BINDIR)/beaconctl
	install -m 644 deploy/beacond.conf.example $(DESTDIR)$(PREFIX)/share/beacond/
	install -m 644 docs/beacond.8 $(DESTDIR)$(MANDIR)/man8/beacond.8
	install -m 644 docs/beaconctl.1 $(DESTDIR)$(MANDIR)/man1/beaconctl.1
	sed 's#@BINDIR@#$(BINDIR)#g' deploy/beacond.service >$(DESTDIR)$(UNITDIR)/beacond.service
	chmod 644 $(DESTDIR)$(UNITDIR)/beacond.service
	scripts/install-service.sh "$(DESTDIR)" "$(SYSCONFDIR)" "$(PREFIX)"

clean:
	rm -rf build build-address build-undefined build-fuzz

distclean: clean
	rm -rf run

# ---- Work (the packages are there) ------------------------------------------
binaries: $(BEACOND) $(BEACONCTL)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# Third-party code: its own warnings are not ours to fix.
$(LLHTTP_OBJ): $(BUILD)/llhttp/%.o: $(LLHTTP_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -g $(SANFLAGS) -I$(LLHTTP_INC) -w -c $< -o $@

$(LIB): $(LIB_OBJ) $(LLHTTP_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BEACOND): $(BUILD)/collector/main.o $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BEACONCTL): $(BUILD)/dashboard/beaconctl.o $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(CMOCKA_LIBS) $(LDLIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

integration: binaries
	tests/integration/run.sh $(BEACOND)

# The dependency lines of the layout (README, "Architecture").
check-layout:
	scripts/check-layout.sh

fuzz-smoke:
	tests/fuzz/run.sh 5

# Microbenchmarks of hit-path pieces: bench/*_bench.c, linked like tests.
MICRO_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*_bench.c))

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(LDLIBS)

# beacond with its log's write and block CRC linked out, for
# bench/wal_cost.sh only: a crash would lose every hit it did not write.
NOLOG := $(BUILD)/bench/beacond-nolog

$(NOLOG): $(BUILD)/collector/main.o $(BUILD)/bench/nolog.o $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) -Wl,--wrap=pwrite64,--wrap=walrec_block_seal \
	    -o $@ $^ $(PKG_LIBS) $(LDLIBS)

bench-micro: $(MICRO_BIN)
	@set -e; for b in $(MICRO_BIN); do echo "== $$b"; $$b; done

# The load of bench/syslog.sh: plain libc, not linked with the library.
# bench/ingest_bench.c takes the same lines.
SYSLOG_SEND := $(BUILD)/bench/syslog_send

$(BUILD)/bench/ingest_bench: bench/syslog_mix.h

$(SYSLOG_SEND): bench/syslog_send.c bench/syslog_mix.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $<

-include $(LIB_OBJ:.o=.d) $(BUILD)/collector/main.d \
         $(BUILD)/dashboard/beaconctl.d

# ---- Embedded data -----------------------------------------------------------
# Data files shipped inside the binary become C arrays under $(BUILD)/gen/
# (scripts/embed.sh: POSIX sh and od, no xxd), compiled into the library.
# share/bot-patterns.txt is the built-in bot list (botlist_default());
# share/beacon.js, minified by scripts/jsmin.sh, is /beacon.js.
# share/dash.html and share/dash.js are the dashboard page, and Chart.js
# comes from Debian's libjs-chart.js (a build dependency: never a CDN).
CHART_JS ?= /usr/share/javascript/chart.js/chart.min.js
GEN_OBJ := $(BUILD)/gen/bot_patterns.o $(BUILD)/gen/beacon_js.o \
           $(BUILD)/gen/dash_html.o $(BUILD)/gen/dash_js.o \
           $(BUILD)/gen/chart_js.o

$(BUILD)/gen/bot_patterns.c: share/bot-patterns.txt scripts/embed.sh
	@mkdir -p $(@D)
	scripts/embed.sh bot_patterns share/bot-patterns.txt >$@.tmp
	mv $@.tmp $@

$(BUILD)/gen/beacon.min.js: share/beacon.js scripts/jsmin.sh
	@mkdir -p $(@D)
	scripts/jsmin.sh share/beacon.js >$@.tmp
	mv $@.tmp $@

$(BUILD)/gen/beacon_js.c: $(BUILD)/gen/beacon.min.js scripts/embed.sh
	scripts/embed.sh beacon_js $< >$@.tmp
	mv $@.tmp $@

$(BUILD)/gen/dash_html.c: share/dash.html scripts/embed.sh
	@mkdir -p $(@D)
	scripts/embed.sh dash_html share/dash.html >$@.tmp
	mv $@.tmp $@

$(BUILD)/gen/dash_js.c: share/dash.js scripts/embed.sh
	@mkdir -p $(@D)
	scripts/embed.sh dash_js share/dash.js >$@.tmp
	mv $@.tmp $@

$(BUILD)/gen/chart_js.c: $(CHART_JS) scripts/embed.sh
	@mkdir -p $(@D)
	scripts/embed.sh chart_js $(CHART_JS) >$@.tmp
	mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(GEN_OBJ)
