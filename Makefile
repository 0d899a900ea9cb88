# kshim: make (build), make test, make demo, make bench, make soak, make install PREFIX=...
CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
CFLAGS  ?= -O2 -g
SAN     ?=
PKGS     = libcurl libcjson rdkafka libcares
WARN     = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE
SANFLAGS = $(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer,)
PKGCFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALLCFLAGS = $(WARN) -Iinclude $(PKGCFLAGS) $(CFLAGS) $(SANFLAGS)

SHIM_SRC     = $(wildcard shim/*.c)
LAUNCHER_SRC = $(wildcard launcher/*.c) shim/table.c
HEADERS      = $(wildcard include/kshim/*.h shim/*.h launcher/*.h)

.PHONY: all install deps dockerd kafka-image test unit shim-test e2e matrix demo bench soak fuzz clean

all: $(BUILD)/kshim $(BUILD)/libkshim.so

$(BUILD)/libkshim.so: $(SHIM_SRC) $(HEADERS)
	@mkdir -p $(BUILD)
	$(CC) $(ALLCFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $(SHIM_SRC) -ldl -lpthread

$(BUILD)/kshim: $(LAUNCHER_SRC) $(HEADERS)
	@mkdir -p $(BUILD)
	$(CC) $(ALLCFLAGS) -o $@ $(LAUNCHER_SRC) $(PKGLIBS) -lpthread

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/kshim
	install -m 0755 $(BUILD)/kshim $(DESTDIR)$(PREFIX)/bin/kshim
	install -m 0644 $(BUILD)/libkshim.so $(DESTDIR)$(PREFIX)/lib/kshim/libkshim.so

deps:
	@bash scripts/deps.sh

dockerd: deps
	@bash scripts/dockerd.sh

kafka-image: dockerd
	@bash scripts/kafka-image.sh

# The README's test command: everything, against the real daemon and image.
test: deps
	@bash tests/run.sh all

matrix: deps
	@bash tests/run.sh matrix

demo: deps
	@bash scripts/demo.sh

bench: kafka-image
	@bash bench/run.sh

soak: deps
	@bash tests/soak.sh

fuzz: deps
	@bash tests/fuzz.sh long

clean:
	rm -rf build tests/out bench/out
