#!/usr/bin/env bash
# Proves the committed JSON Schema serves client codegen: installs the pinned tools, converts
# schema/json into TypeScript under .ci/codegen/generated/, type-checks client.ts against it, and
# type-checks the committed schema/typescript tree.
# Run from the repository root: bash .ci/codegen/check.sh
set -euo pipefail

codegen_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${codegen_dir}/../.." && pwd)"

cd "${codegen_dir}"
# --prefer-offline: the pinned packages come from npm's cache when they are there, so a slow registry
# does not fail the check.
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
rm -rf generated
node generate.mjs "${repo_root}/schema/json" generated
npx --no-install tsc --noEmit -p "${codegen_dir}"
# The committed ts-rs output must type-check on its own as well.
npx --no-install tsc --noEmit -p "${codegen_dir}/tsconfig.schema.json"
echo "codegen check passed" >&2
