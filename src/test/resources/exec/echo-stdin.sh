#!/bin/sh
# Fixture for ExecRunnerTest: copies stdin to stdout, writes its arguments and $EXTRA to stderr, exits $EXIT_WITH (default 0).
cat
echo "args: $* extra: ${EXTRA:-unset}" >&2
exit "${EXIT_WITH:-0}"
