# beacond: plain GNU Makefile.
#
#   make                 build build/beacond and build/beaconctl (installs
#                        missing Debian packages first)
#   make test            unit tests (plain and ASan+UBSan), integration tests, fuzz smoke
#   make run             private redis-server under run/ and beacond in the foreground
#   make fuzz            libFuzzer targets, FUZZ_SECONDS each (default 60)
#   make bench           beacond against nginx empty_gif, CPU per request
#   make install         PREFIX=/usr/local DESTDIR=
#   make SANITIZER=address|undefined   instrumented build in build-<sanitizer>/
#
# llhttp is compiled from the C sources Debian's node-llhttp installs in
# /usr/share/llhttp; nothing of it is copied into this repository.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
SANITIZER ?=
LLHTTP_DIR ?= /usr/share/llhttp
LLHTTP_INC ?= /usr/share/include/llhttp
FUZZ_SECONDS ?= 60

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

PKGS := libevent libevent_pthreads hiredis libsodium jansson inih zlib
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -I. \
              -I$(LLHTTP_INC) -DBEACON_VERSION='"$(VERSION)"' -MMD -MP
LDLIBS := -lpthread

# pkg-config answers only after install-deps.sh has run; evaluate lazily.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

LIB_SRC := $(wildcard common/*.c) $(wildcard proto/*.c) $(wildcard aggregator/*.c) \
           $(filter-out collector/main.c,$(wildcard collector/*.c)) \
           $(filter-out dashboard/beaconctl.c,$(wildcard dashboard/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LLHTTP_OBJ := $(BUILD)/llhttp/api.o $(BUILD)/llhttp/http.o $(BUILD)/llhttp/llhttp.o
LIB := $(BUILD)/libbeacon.a
BEACOND := $(BUILD)/beacond
BEACONCTL := $(BUILD)/beaconctl

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all deps test unit integration fuzz fuzz-smoke run bench bench-micro install clean
.DEFAULT_GOAL := all

all: deps $(BEACOND) $(BEACONCTL)

# One dpkg-query per package when everything is present; apt-get otherwise.
deps:
	@scripts/install-deps.sh

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# Third-party code: its own warnings are not ours to fix.
$(BUILD)/llhttp/%.o: $(LLHTTP_DIR)/%.c | deps
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -g $(SANFLAGS) -I$(LLHTTP_INC) -w -c $< -o $@

$(LIB): $(LIB_OBJ) $(LLHTTP_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BEACOND): $(BUILD)/collector/main.o $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BEACONCTL): $(BUILD)/dashboard/beaconctl.o $(LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(CMOCKA_LIBS) $(LDLIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

integration: all
	tests/integration/run.sh $(BEACOND)

# make test: everything CI runs, within 15 minutes on two cores.
test: all
	$(MAKE) unit
	$(MAKE) SANITIZER=address unit
	$(MAKE) integration
	$(MAKE) fuzz-smoke

fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke:
	tests/fuzz/run.sh 5

run: all
	scripts/run.sh $(BEACOND)

bench: all bench-micro
	bench/run.sh $(BEACOND)

# Microbenchmarks of hit-path pieces: bench/*_bench.c, linked like tests.
MICRO_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*_bench.c))

$(BUILD)/bench/%: bench/%.c $(LIB) | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(LDLIBS)

bench-micro: $(MICRO_BIN)
	@set -e; for b in $(MICRO_BIN); do echo "== $$b"; $$b; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/beacond
	install -m 755 $(BEACOND) $(DESTDIR)$(PREFIX)/bin/beacond
	install -m 755 $(BEACONCTL) $(DESTDIR)$(PREFIX)/bin/beaconctl
	install -m 644 deploy/beacond.conf.example $(DESTDIR)$(PREFIX)/share/beacond/

clean:
	rm -rf build build-address build-undefined build-fuzz

-include $(LIB_OBJ:.o=.d) $(BUILD)/collector/main.d \
         $(BUILD)/dashboard/beaconctl.d

# ---- Embedded data (review: added with collector/botlist.c) ----------------
# Data files shipped inside the binary become C arrays under $(BUILD)/gen/
# (scripts/embed.sh: POSIX sh and od, no xxd), compiled into the library.
# share/bot-patterns.txt is the built-in bot list (botlist_default());
# share/beacon.js, minified by scripts/jsmin.sh, is /beacon.js.
GEN_OBJ := $(BUILD)/gen/bot_patterns.o $(BUILD)/gen/beacon_js.o

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

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c | deps
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(GEN_OBJ)
