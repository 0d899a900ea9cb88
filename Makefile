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

SHIM_SRC = $(wildcard shim/*.c)
# The launcher's modules (launcher/lib) form a static library, like crun's
# libcrun; launcher/ holds main and one file per subcommand.
LIB_SRC  = $(wildcard launcher/lib/*.c) shim/table_format.c
LIB_OBJ  = $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
CLI_SRC  = $(wildcard launcher/*.c)
HEADERS  = $(wildcard include/kshim/*.h shim/*.h launcher/*.h launcher/lib/*.h)

.PHONY: all install deps dockerd kafka-image test unit shim-test e2e matrix demo bench soak fuzz clean

all: $(BUILD)/kshim $(BUILD)/libkshim.so

$(BUILD)/libkshim.so: $(SHIM_SRC) $(HEADERS)
	@mkdir -p $(BUILD)
	$(CC) $(ALLCFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $(SHIM_SRC) -ldl -lpthread

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/libkshim-launcher.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/kshim: $(CLI_SRC) $(HEADERS) $(BUILD)/libkshim-launcher.a
	$(CC) $(ALLCFLAGS) -Ilauncher -o $@ $(CLI_SRC) $(BUILD)/libkshim-launcher.a $(PKGLIBS) -lpthread

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
