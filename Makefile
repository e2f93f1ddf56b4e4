# shopctl: the two commands a new machine needs are `make quickstart` and `make test`.
BUILD     ?= build
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
RUN_DIR   ?= $(CURDIR)/testenv/.run/default
export PATH := /usr/local/go/bin:$(PATH)

.PHONY: all deps configure build test unit e2e quickstart cluster-up cluster-down testenv install dist install-manifests bench bench-operator bench-compare fuzz test-sanitize format schema clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Builds (or finds cached) control-plane binaries for the e2e tests.
testenv: deps
	@bash testenv/build

test: build testenv
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

unit: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE "e2e|fuzz|sanitize"

e2e: build testenv
	@cd $(BUILD) && ctest --output-on-failure -L e2e -LE sanitize

# libFuzzer targets (fuzz/README.md): FUZZ_SECONDS per target, findings under build-fuzz/findings/.
FUZZ_SECONDS ?= 60
fuzz: deps
	@bash fuzz/run.sh --seconds $(FUZZ_SECONDS)

# The unit and CLI tests (no cluster) in a build with AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer, any report fatal (scripts/test-sanitize.sh; `make test` runs it too,
# as the ctest test sanitize_unit).
SANITIZE_BUILD ?= build-sanitize
test-sanitize: deps
	@bash scripts/test-sanitize.sh --build $(SANITIZE_BUILD) --jobs $(JOBS)

quickstart: build
	@bash scripts/quickstart.sh

cluster-up: testenv
	@bash testenv/up --run-dir $(RUN_DIR)

cluster-down:
	@bash testenv/down --run-dir $(RUN_DIR)

# Install (PREFIX, default /usr/local; DESTDIR for staging) and the release tarball
# (build/shopctl-VERSION-Linux-ARCH.tar.gz): binaries, man pages, completions, CRD, manifests.
PREFIX ?= /usr/local
install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

dist: build
	@cd $(BUILD) && cpack --config CPackConfig.cmake

# manifests/install.yaml and charts/shop-operator from manifests/operator and crds/.
install-manifests:
	@python3 scripts/gen-install.py

bench: build
	@bash bench/run.sh $(BUILD)

# shop-operator at scale on a local control plane of its own: figures, not a test.
# BENCH_ARGS, e.g. "--apps 1000 --sockshops 0" (default: 50 minimal apps and 2 Sock Shops).
bench-operator: build testenv
	@bash bench/operator-scale.sh --build $(BUILD) $(BENCH_ARGS)

# shopctl against helm template, kubectl kustomize, kube-score and kube-linter (whole processes,
# CPU ratios pair by pair): builds the peers through the Go module proxy first (cached).
bench-compare: build
	@bash testenv/build >/dev/null && bash testenv/helm >/dev/null
	@bash tests/peers/run.sh $(BUILD)/cli/shopctl >/dev/null
	@python3 bench/compare.py --build $(BUILD)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

# The CRD and the JSON Schema, from core/model/shopapps.crd.in.yaml and docs/shopapp.md.
schema:
	@python3 scripts/gen-schema.py
	@python3 scripts/gen-install.py

clean:
	rm -rf $(BUILD)
