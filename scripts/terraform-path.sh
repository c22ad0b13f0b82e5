#!/usr/bin/env bash
# Prints the path of a Terraform >= 1.5 to use: the one on PATH if it is new enough, otherwise
# ./bin/terraform, installed with `go install` (newer versions than 1.5.7 cannot be go-installed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

version_ok() {
	local v
	v=$("$1" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9.]*\)".*/\1/p' | head -n1)
	[ -n "$v" ] || return 1
	local major minor
	major=${v%%.*}
	minor=${v#*.}; minor=${minor%%.*}
	[ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 5 ]; }
}

if tf=$(command -v terraform 2>/dev/null) && version_ok "$tf"; then
	echo "$tf"
	exit 0
fi
if [ -x "$root/bin/terraform" ] && version_ok "$root/bin/terraform"; then
	echo "$root/bin/terraform"
	exit 0
fi
echo "terraform >= 1.5 not found on PATH; installing 1.5.7 into ./bin (takes a few minutes the first time)" >&2
GOBIN="$root/bin" go install github.com/hashicorp/terraform@v1.5.7 >&2
echo "$root/bin/terraform"
