#!/bin/sh
# Test fixture: records its arguments (one command per line) in the file named by $1, exits 0.
log=$1
shift
printf '%s\n' "$*" >> "$log"
exit 0
