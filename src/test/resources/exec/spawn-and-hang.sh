#!/bin/sh
# Fixture for ExecRunnerTest: starts a grandchild that holds stdout open, records its pid in $1,
# prints a line, then waits forever for it (so only a tree-killing watchdog can end both).
sleep 60 &
echo $! > "$1"
echo started
wait
