# The two commands of the README, and a few more for developers.
.PHONY: demo test architecture test-contracts test-ledger setup bench clean port-free slither gas coverage

# brownie's local anvil listens here (brownie-config.yaml); a stale chain on
# it would be silently reused, so the tests refuse to start.
TEST_PORT := 18545

setup:
	@tools/bootstrap

demo: setup
	@tools/env waico demo $(ARGS)

# The ledger suite runs in JOBS processes (pytest-xdist; JOBS=1: in this one), a test file's
# tests together in one: the README's blocks run in order, and a file's fixtures start once.
JOBS ?= $(shell n=$$(nproc); echo $$((n < 2 ? 2 : n > 4 ? 4 : n)))
# The contract suite in CONTRACT_JOBS processes, as many by default (brownie's own xdist
# support, files whole to each process; tests/brownie_receipts.py closes a race between
# brownie's receipt wait and anvil that the load of two processes made visible).
CONTRACT_JOBS ?= $(JOBS)
# pytest-xdist's option for N processes: none for one
xdist = $(if $(filter 1,$(1)),,-n $(1))
# brownie's process k (of CONTRACT_JOBS) starts its anvil on TEST_PORT + k
TEST_PORTS = $(shell seq $(TEST_PORT) $$(($(TEST_PORT) + $(CONTRACT_JOBS) - 1)))

port-free:
	@for port in $(TEST_PORTS); do \
	  if (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null; then \
	    echo "port $$port is in use: stop the process on it (a stale anvil?) before testing" >&2; exit 1; fi; done

# The whole suite: the contracts (and the brownie scripts) under brownie on its
# anvil, then the ledger package under plain pytest (its tests start their own chains).
test: architecture test-contracts test-ledger

# The import rules of ARCHITECTURE.md (import-linter, configured in pyproject.toml).
architecture: setup
	@tools/env lint-imports --no-cache

# Part of either suite: make test-contracts ARGS="tests/contracts/governance -x"
CONTRACT_TESTS := tests/contracts tests/scripts
# The contracts are compiled first, once: brownie's processes would each compile what is
# missing on start, into the same build/ (a fresh clone's processes read each other's
# half-written files).
test-contracts: setup port-free
	@log=$$(mktemp); tools/env brownie compile > $$log 2>&1 || { cat $$log; rm -f $$log; exit 1; }; rm -f $$log
	@tools/env brownie test $(or $(ARGS),$(CONTRACT_TESTS)) --network anvil $(call xdist,$(CONTRACT_JOBS))

# make test-ledger ARGS="tests/ledger/mirror -x"
# (tools/browser: Debian's chromium and chromium-driver for the site's tests, installed if missing)
test-ledger: setup
	@tools/browser
	@tools/env pytest -p no:pytest-brownie $(call xdist,$(JOBS)) $(if $(call xdist,$(JOBS)),--dist loadfile) $(or $(ARGS),tests/ledger)

# Contract assurance (README, "Assurance"). Slither: fails on a high or medium
# finding; its own venv, .venv-slither; JSON in reports/slither.json.
slither: setup
	@tools/slither

# Gas per function over the example-based tests, into docs/gas-report.txt.
gas: setup port-free
	@tools/gas_report

# Branch coverage of our contracts: reports/coverage.json, then the summary
# (also in reports/coverage.txt); fails below 95% branches on a contract.
# build/tests.json caches results from runs without coverage: it goes first.
coverage: setup port-free
	@rm -f build/tests.json
	@tools/env python tools/brownie_coverage.py test $(ARGS) --coverage --network anvil
	@tools/env python tools/coverage_summary.py > reports/coverage.txt; rc=$$?; cat reports/coverage.txt; exit $$rc

clean:
	rm -rf build .venv .venv-slither node_modules reports
