# The two commands of the README, and a few more for developers.
.PHONY: demo test setup bench clean

# brownie's local anvil listens here (brownie-config.yaml); a stale chain on
# it would be silently reused, so the tests refuse to start.
TEST_PORT := 18545

setup:
	@tools/bootstrap

demo: setup
	@tools/env waico demo $(ARGS)

test: setup
	@if (exec 3<>/dev/tcp/127.0.0.1/$(TEST_PORT)) 2>/dev/null; then \
	  echo "port $(TEST_PORT) is in use: stop the process on it (a stale anvil?) before testing" >&2; exit 1; fi
	@tools/env brownie test $(ARGS) --network anvil

clean:
	rm -rf build .venv node_modules reports
