#!/bin/sh
# Fixture for ExecRunnerTest: writes about 1 MB to stdout (more than any test's output bound) and exits 0.
i=0
while [ $i -lt 16384 ]; do
  echo "0123456789012345678901234567890123456789012345678901234567890123"
  i=$((i+1))
done
