# SPDX-License-Identifier: Apache-2.0
# kshim: make (build), make check (unit and shim suites: no root, Docker or network), make test (every suite), make install, make demo/bench/soak/fuzz.
CC      ?= cc
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
# The shim goes in $(LIBDIR)/kshim; a Debian package sets the multiarch directory.
LIBDIR  ?= $(PREFIX)/lib
PKGLIBDIR = $(LIBDIR)/kshim
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
BUILD   ?= build
CFLAGS  ?= -O2 -g
SAN     ?=
# Warnings are errors for development and CI; WERROR=0 for packagers.
WERROR  ?= 1
# The shim needs c-ares' header; kshim-full links libcurl, cJSON, librdkafka,
# libcrypto and libyaml (kubeconfig files); kshim links none of them.
SHIM_PKGS     = libcares
LAUNCHER_PKGS = libcurl libcjson rdkafka libcrypto yaml-0.1
WARN     = -std=c11 -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
	-Wundef -Wvla $(if $(filter 1,$(WERROR)),-Werror,)
SANFLAGS = $(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer,)
ALLCPPFLAGS = -D_GNU_SOURCE -Iinclude -I$(BUILD) -DKSHIM_PKGLIBDIR='"$(PKGLIBDIR)"' $(CPPFLAGS)
ALLCFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS)
# Each object lists the headers it includes in a .d file beside it.
DEPFLAGS = -MMD -MP
# kshim --version: in a git checkout, the tag (v1.2.3 -> 1.2.3) or VERSION_BASE
# and the commit; elsewhere (a release tarball) VERSION_BASE.
VERSION_BASE = 0.1.0
KSHIM_VERSION ?= $(shell d=$$(git describe --tags --always --dirty 2>/dev/null); \
	case $$d in (v[0-9]*) echo "$$d" | cut -c2- ;; ("") echo $(VERSION_BASE) ;; (*) echo "$(VERSION_BASE)-g$$d" ;; esac)
# pkg-config runs inside the recipes: a missing package stops the build with
# pkg-config's own message, then this one.
NODEPS = { echo "kshim: a build dependency is missing (pkg-config said why, above);" \
	"'make deps' installs the Debian packages (as root)" >&2; exit 1; }
LAUNCHER_FLAGS = cflags=$$(pkg-config --cflags $(LAUNCHER_PKGS)) && libs=$$(pkg-config --libs $(LAUNCHER_PKGS)) || $(NODEPS)

# common/table.c implements include/kshim/table.h for both binaries.
SHIM_SRC = $(wildcard shim/*.c) common/table.c
# The launcher's modules (launcher/lib, with the engine client and the seccomp
# supervisor in folders of their own, and the Kubernetes client in kube/) form one static library, like crun's
# libcrun; launcher/ holds main and one file per subcommand, doctor's layers
# in launcher/doctor.
LIB_DIRS = launcher/lib launcher/lib/engine launcher/lib/seccomp launcher/lib/kube

# The header rule, for every C file outside a folder of its own (tests included):
# - launcher/lib/engine (the Docker/Podman client), launcher/lib/seccomp (the
#   supervisor) and launcher/lib/kube (the Kubernetes client) are reached only
#   through their public headers, PUBLIC_HEADERS below. Their other headers
#   (docker_priv.h, internal.h, forwarder.h, ssh_bridge.h, seccomp's notify.h,
#   table.h, ...) belong to the files beside them.
# - A unit test named for the folder (tests/unit/engine_*.c, seccomp_*.c,
#   kube_*.c) tests it from inside and may include any of its headers.
# - shim/'s headers are the shim's own; its interface is libc's, through the
#   hooks. shim/core.h is also the test interface of the fuzzers in tests/fuzz/:
#   fuzz_gai looks arbitrary names up with core_lookup_name, because through
#   getaddrinfo every name the table does not map would go to DNS.
# tests/unit-style.sh checks this on every .c and .h file.
PUBLIC_HEADERS = launcher/lib/engine/docker.h launcher/lib/engine/engine.h launcher/lib/seccomp/supervise.h launcher/lib/kube/kube.h launcher/lib/kube/record.h launcher/lib/kube/forward.h launcher/lib/kube/health.h
LIB_SRC  = $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)) common/table.c
LIB_OBJ  = $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
CLI_OBJ  = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard launcher/*.c launcher/doctor/*.c))
SHIM_OBJ = $(patsubst %.c,$(BUILD)/pic/%.o,$(SHIM_SRC))
# kshim itself: run, env and table, and kshim-full for the rest (launcher/kshim.c).
# Linked static-pie: with no loader to run, 'kshim run -- true' costs about 0.1 ms
# of CPU and 90,000 instructions less than linked dynamically (measured with
# callgrind and /usr/bin/time); the sanitizers need the dynamic loader.
LEAN_OBJ = $(patsubst %,$(BUILD)/obj/launcher/%.o,kshim-lean run env table cli)
LEAN_LDFLAGS = $(if $(SAN),,-static-pie)

.PHONY: all install uninstall deb FORCE deps dockerd podman kafka-image debug-image kubernetes kubernetes-down check test unit shim fuzz e2e matrix demo bench soak clean clean-state

all: $(BUILD)/kshim $(BUILD)/kshim-full $(BUILD)/libkshim.so

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	cflags=$$(pkg-config --cflags $(SHIM_PKGS)) || $(NODEPS); \
	$(CC) $(ALLCPPFLAGS) $(ALLCFLAGS) $(DEPFLAGS) $$cflags -fPIC -fvisibility=hidden -c -o $@ $<

# shim/libkshim.lds keeps the exports to the hooks, whatever else is visible.
$(BUILD)/libkshim.so: $(SHIM_OBJ) shim/libkshim.lds
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -shared -Wl,--version-script=shim/libkshim.lds -o $@ \
		$(SHIM_OBJ) -ldl -lpthread

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(LAUNCHER_FLAGS); $(CC) $(ALLCPPFLAGS) $(ALLCFLAGS) $(DEPFLAGS) $$cflags -c -o $@ $<

# Rewritten only when the version changes, so that kshim is relinked then only.
$(BUILD)/version.h: FORCE
	@mkdir -p $(BUILD)
	@v='#define KSHIM_VERSION "$(KSHIM_VERSION)"'; \
	[ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" >$@
$(BUILD)/obj/launcher/kshim.o: $(BUILD)/version.h
$(BUILD)/obj/launcher/kshim-lean.o: launcher/kshim.c $(BUILD)/version.h
	@mkdir -p $(dir $@)
	$(LAUNCHER_FLAGS); $(CC) $(ALLCPPFLAGS) $(ALLCFLAGS) $(DEPFLAGS) $$cflags -DKSHIM_LEAN -c -o $@ $<

$(BUILD)/libkshim-launcher.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/kshim-full: $(CLI_OBJ) $(BUILD)/libkshim-launcher.a
	$(LAUNCHER_FLAGS); $(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libkshim-launcher.a $$libs -lpthread

$(BUILD)/kshim: $(LEAN_OBJ) $(BUILD)/libkshim-launcher.a
	$(CC) $(ALLCFLAGS) $(LDFLAGS) $(LEAN_LDFLAGS) -o $@ $(LEAN_OBJ) $(BUILD)/libkshim-launcher.a -lpthread

# A C unit test under tests/unit, linked with the subcommands (all but main) and
# the library; tests/lib.sh's unit_test builds it with sanitizers.
$(BUILD)/unit/%: tests/unit/%.c $(CLI_OBJ) $(BUILD)/libkshim-launcher.a
	@mkdir -p $(dir $@)
	$(LAUNCHER_FLAGS); $(CC) $(ALLCPPFLAGS) $(ALLCFLAGS) $(DEPFLAGS) $(LDFLAGS) -Ilauncher $$cflags -o $@ $< \
		$(filter-out %/kshim.o,$(CLI_OBJ)) $(BUILD)/libkshim-launcher.a $$libs -lpthread

# A program a suite drives, under tests/helpers: make build/helpers/NAME, with SAN= and BUILD=
# as the suite's shim is built. Those that link more than libc say what below.
HELPER_CFLAGS = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -g -Iinclude -Ilauncher
LAUNCHER_LINK = $(filter-out %/kshim.o,$(CLI_OBJ)) $(BUILD)/libkshim-launcher.a
$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(LAUNCHER_FLAGS); $(CC) $(HELPER_CFLAGS) $(HELPER_OPT) $(SANFLAGS) $(DEPFLAGS) $$cflags $(LDFLAGS) \
		-o $@ $< $(HELPER_LIBS) -lpthread
$(BUILD)/helpers/ares_repeat: HELPER_LIBS = -lcares
$(BUILD)/helpers/seqclient: HELPER_OPT = -O2
$(BUILD)/helpers/seqclient: HELPER_LIBS = -lrdkafka
# selfbind links the shim's objects into itself, with dlsym wrapped.
$(BUILD)/helpers/selfbind: $(SHIM_OBJ)
$(BUILD)/helpers/selfbind: HELPER_LIBS = $(SHIM_OBJ) -Wl,--wrap=dlsym -ldl
$(BUILD)/helpers/tables_race $(BUILD)/helpers/kube_probe: $(CLI_OBJ) $(BUILD)/libkshim-launcher.a
$(BUILD)/helpers/tables_race $(BUILD)/helpers/kube_probe: HELPER_LIBS = $(LAUNCHER_LINK) $$libs
# A shared library under tests/helpers (tests/shim-exports.sh): make build/helpers/NAME.so, and
# build/helpers/NAME-lds.so, linked with the shim's version script.
$(BUILD)/helpers/%.so: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -fPIC -shared -o $@ $<
$(BUILD)/helpers/%-lds.so: tests/helpers/%.c shim/libkshim.lds
	@mkdir -p $(dir $@)
	$(CC) -fPIC -shared -Wl,--version-script=shim/libkshim.lds -o $@ $<

# A libFuzzer target under tests/fuzz (tests/fuzz.sh): make build/fuzz/fuzz_table, with clang,
# ASan and UBSan, compiled with the sources it fuzzes.
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -std=c11 -D_GNU_SOURCE -Iinclude -Ilauncher/lib \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(BUILD)/fuzz/%: tests/fuzz/%.c common/table.c
	@mkdir -p $(dir $@)
	$(LAUNCHER_FLAGS); $(FUZZ_CC) $(FUZZ_FLAGS) $$cflags -o $@ $(filter %.c,$^) $(FUZZ_LIBS) -ldl -lpthread
$(BUILD)/fuzz/fuzz_gai: $(addprefix shim/,core.c hooks_resolve.c hooks_socket.c hooks_hostent.c real.c)
$(BUILD)/fuzz/fuzz_docker: $(wildcard launcher/lib/engine/*.c) $(addprefix launcher/lib/,cluster.c \
	attached.c watch.c flavor.c error.c paths.c table_store.c file.c origin.c owner.c)
$(BUILD)/fuzz/fuzz_docker: FUZZ_LIBS = $$libs

# A static test program under tests/clients, for the supervisor's suites (no
# libc kshim's preload could hook): make build/tests/edges; build/tests/probe-musl with musl.
$(BUILD)/tests/%: tests/clients/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -static -pthread -o $@ $<
$(BUILD)/tests/%-musl: tests/clients/%.c
	@mkdir -p $(dir $@)
	musl-gcc -std=c11 -Wall -Wextra -Werror -O1 -static -o $@ $<

# A test client under tests/clients linked as clients are, for the shim to be preloaded into
# (tests/shim-clients.sh): make build/clients/connect.
$(BUILD)/clients/%: tests/clients/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -g -o $@ $< $(CLIENT_LIBS)
$(BUILD)/clients/ares_client: CLIENT_LIBS = -lcares

# The matrix's C client (tests/matrix-clients.sh): make build/matrix/my_client, on librdkafka;
# build/matrix/my_client_static, with glibc, librdkafka and its libraries static, and
# tests/matrix/sasl_none.c in place of Cyrus SASL.
MATRIX_CFLAGS = -std=c11 -Wall -Wextra -Werror -O1
$(BUILD)/matrix/my_client: tests/matrix/my_client.c
	@mkdir -p $(dir $@)
	flags=$$(pkg-config --cflags --libs rdkafka) || $(NODEPS); \
	$(CC) $(MATRIX_CFLAGS) -g -o $@ $< $$flags
$(BUILD)/matrix/my_client_static: tests/matrix/my_client.c tests/matrix/sasl_none.c
	@mkdir -p $(dir $@)
	cflags=$$(pkg-config --cflags rdkafka) && libs=$$(pkg-config --static --libs rdkafka) || $(NODEPS); \
	$(CC) $(MATRIX_CFLAGS) -static -o $@ $^ $$cflags $$(echo "$$libs" | sed 's/-lsasl2//g')

# A benchmark program under bench (bench/run.sh): make build/bench/hooks, build/bench/kperf;
# build/bench/hooks-static is hooks linked static, for the supervisor's section.
BENCH_CFLAGS = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -g
BENCH_LIBS = -lpthread
$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(BENCH_LIBS)
$(BUILD)/bench/kperf: BENCH_LIBS = -lrdkafka -lpthread -lm
$(BUILD)/bench/%-static: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $< $(BENCH_LIBS)

# make install [DESTDIR=/staging] [PREFIX=/usr] [LIBDIR=...]: the command (kshim,
# and kshim-full next to the shim), the shim, the man page and the bash
# completion; make uninstall removes them.
INSTALLED = $(BINDIR)/kshim $(PKGLIBDIR)/kshim-full $(PKGLIBDIR)/libkshim.so \
	$(MANDIR)/man1/kshim.1 $(BASHCOMPDIR)/kshim
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BUILD)/kshim $(DESTDIR)$(BINDIR)/kshim
	install -m 0755 $(BUILD)/kshim-full $(DESTDIR)$(PKGLIBDIR)/kshim-full
	install -m 0644 $(BUILD)/libkshim.so $(DESTDIR)$(PKGLIBDIR)/libkshim.so
	install -m 0644 kshim.1 $(DESTDIR)$(MANDIR)/man1/kshim.1
	install -m 0644 completions/kshim.bash $(DESTDIR)$(BASHCOMPDIR)/kshim

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(PKGLIBDIR) 2>/dev/null

# make deb: build/deb/kshim_<version>_amd64.deb, built by dpkg-buildpackage (debian/rules) from
# a copy of the tree in build/deb/kshim, whose parent gets what it writes; built again only when
# a file it is made from changed.
DEBTREE = $(BUILD)/deb/kshim
DEB_INPUTS = Makefile kshim.1 completions/kshim.bash LICENSE $(wildcard debian/* debian/source/* \
	include/kshim/*.h shim/* common/* launcher/*.[ch] launcher/doctor/*.[ch] $(addsuffix /*.[ch],$(LIB_DIRS)))
deb: $(BUILD)/deb/built
$(BUILD)/deb/built: $(DEB_INPUTS)
	rm -rf $(BUILD)/deb
	mkdir -p $(DEBTREE)
	tar -c --exclude=./.git --exclude=./build --exclude=./$(BUILD) --exclude=./tests/out . | tar -x -C $(DEBTREE)
	cd $(DEBTREE) && dpkg-buildpackage -b -us -uc || { echo "kshim: the package did not build" \
		"(dpkg-buildpackage said why, above); 'apt-get build-dep ./' installs what debian/control" \
		"names (as root)" >&2; exit 1; }
	touch $@

deps:
	@bash scripts/deps.sh

dockerd: deps
	@bash scripts/dockerd.sh

# Podman's Docker-compatible API, rootful, on /run/podman/podman.sock.
podman: deps
	@bash scripts/podman.sh

# kshim/kafka:4.4.0 (also :local); KAFKA_VERSION=3.9.1 make kafka-image builds kshim/kafka:3.9.1.
# Into the engine DOCKER_HOST names (Podman: DOCKER_HOST=unix:///run/podman/podman.sock).
kafka-image: $(if $(DOCKER_HOST),deps,dockerd)
	@bash scripts/kafka-image.sh

# kshim/debug:local, the tools image of kshim debug (DOCKER_HOST as for kafka-image).
debug-image: $(if $(DOCKER_HOST),deps,dockerd)
	@bash scripts/debug-image.sh

# A single-node Kubernetes with kshim/kafka:local in it, built from sources (cached under
# /var/cache/kshim/kubernetes). Prints only `export KUBECONFIG=...` and `export PATH=...` on stdout:
#   eval "$(make -s kubernetes)"
kubernetes: kafka-image
	@bash scripts/kubernetes.sh up

kubernetes-down:
	@bash scripts/kubernetes.sh down

# The everyday loop: the unit and shim suites as any user, with no Docker and
# no network (tests/run.sh --local leaves out scripts that say they need them).
# Their linters come first: installed when missing as root, named when missing otherwise.
check:
	@bash scripts/deps.sh --lint
	@bash tests/run.sh --local unit shim

# The README's test command: every suite, against the real daemon and image.
test: deps
	@bash tests/run.sh all

# One suite each (fuzz is the long libFuzzer run; make test runs the short one).
unit shim:
	@bash tests/run.sh $@

e2e matrix: deps
	@bash tests/run.sh $@

fuzz: deps
	@bash tests/fuzz.sh long

demo: deps
	@bash scripts/demo.sh

bench: kafka-image
	@bash bench/run.sh

soak: deps
	@bash tests/soak.sh

clean:
	rm -rf build tests/out bench/out

# A fresh machine's state, as far as kshim goes: its images, containers and caches outside
# the clone, Podman's service and tests/out (scripts/clean-state.sh says what stays).
clean-state:
	@bash scripts/clean-state.sh

FORCE:

-include $(SHIM_OBJ:.o=.d) $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(BUILD)/obj/launcher/kshim-lean.d $(wildcard $(BUILD)/unit/*.d) \
	$(wildcard $(BUILD)/helpers/*.d)
