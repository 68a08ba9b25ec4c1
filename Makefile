# Stationmaster — the only build entry point (docs/coding.md).
# Non-recursive: libcommon, every services/<name>/ and tests/ are found by
# wildcard; a services/<name>/module.mk may add flags or extra sources.

VARIANT ?= debug
BUILD   := build/$(VARIANT)
CC      ?= cc

PKGS    := libczmq libzmq jansson hiredis libsodium
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wundef -Werror \
           -Wno-missing-field-initializers
CFLAGS_COMMON := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
           $(WARN) -MMD -MP -Ilibcommon -pthread
ifeq ($(VARIANT),asan)
  CFLAGS_VARIANT := -O1 -g -fno-omit-frame-pointer \
           -fsanitize=address,undefined -fno-sanitize-recover=all
  LDFLAGS_VARIANT := -fsanitize=address,undefined
else ifeq ($(VARIANT),release)
  CFLAGS_VARIANT := -O2 -g
  LDLIBS_VARIANT := -lmimalloc
else
  CFLAGS_VARIANT := -O0 -g
  LDLIBS_VARIANT := -lmimalloc
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
CFLAGS  += $(CFLAGS_COMMON) $(CFLAGS_VARIANT) $(PKG_CFLAGS)
LDFLAGS += -pthread $(LDFLAGS_VARIANT)
# mimalloc (Debian's libmimalloc) serves every malloc of the program and of
# the libraries it loads, being the first library on the line: 13 % less CPU
# per request than glibc's malloc (docs/architecture.md §12). Not under
# ASan, which brings its own allocator.
LDLIBS  += $(LDLIBS_VARIANT) $(PKG_LIBS) -lnng -lm

# `make V=1` shows full command lines.
ifeq ($(V),1)
  Q :=
else
  Q := @
endif

.DEFAULT_GOAL := all
BINS  :=
TESTS :=
LIBCOMMON := $(BUILD)/libcommon.a

# ---- libcommon -------------------------------------------------------------
LIBCOMMON_SRC  := $(wildcard libcommon/*.c)
LIBCOMMON_OBJ  := $(LIBCOMMON_SRC:%.c=$(BUILD)/%.o)
LIBCOMMON_TSRC := $(wildcard libcommon/tests/*.c)

$(LIBCOMMON): $(LIBCOMMON_OBJ)
	@mkdir -p $(@D)
	$(Q)$(AR) rcs $@ $^

ifneq ($(LIBCOMMON_TSRC),)
$(BUILD)/tests/libcommon_tests: $(LIBCOMMON_TSRC:%.c=$(BUILD)/%.o) $(LIBCOMMON)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)
TESTS += $(BUILD)/tests/libcommon_tests
endif

# ---- services ----------------------------------------------------------------
# A service is a directory under services/ with a main.c. Its other .c files
# are linked into both the binary and its tests/run_tests binary.
define SERVICE_template
$(1)_SRC  := $$(filter-out services/$(1)/main.c,$$(wildcard services/$(1)/*.c)) $$($(1)_EXTRA_SRC)
$(1)_OBJ  := $$($(1)_SRC:%.c=$(BUILD)/%.o)
$(1)_TSRC := $$(wildcard services/$(1)/tests/*.c)
$(BUILD)/bin/$(1): $(BUILD)/services/$(1)/main.o $$($(1)_OBJ) $(LIBCOMMON)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LINK    $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
BINS += $(BUILD)/bin/$(1)
ifneq ($$($(1)_TSRC),)
$(BUILD)/tests/$(1)_tests: $$($(1)_TSRC:%.c=$(BUILD)/%.o) $$($(1)_OBJ) $(LIBCOMMON)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LINK    $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $(CHECK_LIBS) $$(LDLIBS)
TESTS += $(BUILD)/tests/$(1)_tests
endif
endef

SERVICES := $(patsubst services/%/main.c,%,$(wildcard services/*/main.c))
-include $(wildcard services/*/module.mk)
$(foreach s,$(SERVICES),$(eval $(call SERVICE_template,$(s))))

# ---- integration tests (tests/*.c: real redis-server and real binaries) ----
ITEST_SRC := $(wildcard tests/*.c)
ifneq ($(ITEST_SRC),)
$(BUILD)/tests/integration_tests: $(ITEST_SRC:%.c=$(BUILD)/%.o) $(LIBCOMMON)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) -lcsv $(LDLIBS)
ITESTS := $(BUILD)/tests/integration_tests
endif

# ---- benchmarks (bench/<name>/*.c → build/<v>/bench-bin/<name>) ----------
# A bench may link a service's objects: BENCH_<name>_OBJ in its module.mk.
# bench/lib holds what several benchmarks share (linked into each).
BENCHES := $(filter-out lib,$(patsubst bench/%/,%,$(sort $(dir $(wildcard bench/*/*.c)))))
BENCH_LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard bench/lib/*.c))
define BENCH_template
$(BUILD)/bench-bin/$(1): $$(patsubst %.c,$(BUILD)/%.o,$$(wildcard bench/$(1)/*.c)) $$(BENCH_$(1)_OBJ) $(BENCH_LIB_OBJ) $(LIBCOMMON)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LINK    $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
BENCH_BINS += $(BUILD)/bench-bin/$(1)
endef
$(foreach b,$(BENCHES),$(eval $(call BENCH_template,$(b))))

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# ---- targets -----------------------------------------------------------------
.PHONY: all deps run test unit itest asan check format format-check lint tidy lint-api \
        lint-events bench compose-check compose-smoke compose-faults clean

all: $(LIBCOMMON) $(BINS) $(TESTS) $(ITESTS) $(BENCH_BINS)

deps:
	@scripts/install-deps

# `make run` runs optimised binaries (-O2 -g) unless VARIANT is given.
RUN_VARIANT := $(if $(filter command line environment,$(origin VARIANT)),$(VARIANT),release)
run: deps
	@$(MAKE) --no-print-directory VARIANT=$(RUN_VARIANT) all
	@scripts/run-local build/$(RUN_VARIANT)

# Unit suites first, then the integration suite against real processes.
# The e2e and authz suites check their traffic against docs/openapi.yaml
# through Prism (scripts/contract-proxy), installed once into .cache/prism.
test: deps
	@scripts/contract-proxy --install
	@$(MAKE) --no-print-directory all
	@scripts/run-tests $(BUILD) $(TESTS) $(ITESTS)

asan: deps
	@$(MAKE) --no-print-directory VARIANT=asan test

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $(shell git ls-files '*.c' '*.h')

# varFuncNullUB: our variadic (key, value, ..., NULL) APIs read pointers, and
# glibc's NULL is ((void *)0), so the NULL sentinel is well defined here.
lint:
	cppcheck --enable=warning,style,performance,portability --std=c11 \
	  --error-exitcode=1 --inline-suppr --quiet \
	  --suppress=missingIncludeSystem --suppress=unusedFunction \
	  --suppress=varFuncNullUB \
	  -D_POSIX_C_SOURCE=200809L -Ilibcommon libcommon services tests

# clang-tidy (docs/coding.md) is slow (seconds per file): run it by hand or on
# the files you touched: `make tidy FILES="libcommon/cm_ctx.c"`.
FILES ?= $(shell git ls-files '*.c')
tidy:
	clang-tidy --quiet $(FILES) -- -std=c11 -D_POSIX_C_SOURCE=200809L \
	  -D_DEFAULT_SOURCE -Ilibcommon $(PKG_CFLAGS)

lint-api:
	@scripts/lint-api

# docs/asyncapi.yaml is valid AsyncAPI, and it and libcommon/events/*.h name
# the same event types (docs/events.md, "Contracts"). `make test` then
# validates every event the integration suites produce against it.
lint-events:
	@scripts/lint-events

compose-check:
	@if [ -f docker/compose.yml ]; then \
	  docker-compose -f docker/compose.yml config -q && echo "compose: ok"; fi

# Run docker/compose.yml for real (docs/deploy.md, "Smoke test"): engine,
# images, the README walk-through through nginx. Root, network for apt.
compose-smoke:
	@scripts/compose-smoke

# Scaling and container faults under load; prints a table (docs/deploy.md).
compose-faults:
	@scripts/compose-faults

check: deps
	@scripts/install-deps --all
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory compose-check
	@$(MAKE) --no-print-directory lint-api
	@$(MAKE) --no-print-directory lint-events
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory asan

bench: deps
	@$(MAKE) --no-print-directory VARIANT=release all
	@scripts/run-bench build/release $(BENCH)

clean:
	rm -rf build

-include $(shell find build/$(VARIANT) -name '*.d' 2>/dev/null)
