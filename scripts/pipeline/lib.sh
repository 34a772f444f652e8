# shellcheck shell=bash
# What every pipeline script shares (sourced, not run): the checkout's root as the working directory, the Pulumi
# CLI on PATH, the checks of the environment a fresh CI runner must provide, and selecting (or creating) a stack
# with its FusionAuth URL and API key taken from environment variables. See docs/pipeline.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

say() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
fail() {
  say "$*"
  exit 2
}

# One state write per command instead of one per resource (docs/pipeline.md, "State checkpoints").
export PULUMI_SKIP_CHECKPOINTS="${PULUMI_SKIP_CHECKPOINTS:-true}"
export PULUMI_SKIP_UPDATE_CHECK=true

# The stack name argument: a Pulumi stack of this repository (stacks/Pulumi.<name>.yaml).
stack_arg() {
  local name="${1:-}"
  [[ "$name" =~ ^[a-z0-9][a-z0-9-]*$ ]] || fail "usage: $(basename "$0") <stack>, e.g. prod"
  [ -f "stacks/Pulumi.$name.yaml" ] || fail "no stacks/Pulumi.$name.yaml in $root"
  printf '%s' "$name"
}

# The Pulumi CLI: the one on PATH (pulumi/actions in CI), else the kit's cached build (scripts/ensure-pulumi).
ensure_pulumi() {
  if ! command -v pulumi >/dev/null 2>&1; then
    local bin
    bin="$(bash scripts/ensure-pulumi)"
    export PATH="$bin:$PATH"
  fi
}

# A pipeline keeps its state and secrets where the team keeps them: never the kit's local defaults.
require_backend() {
  if [ -z "${PULUMI_BACKEND_URL:-}" ] && [ -z "${PULUMI_ACCESS_TOKEN:-}" ]; then
    fail "set PULUMI_BACKEND_URL (e.g. s3://acme-pulumi-state, or file:///path) or PULUMI_ACCESS_TOKEN (Pulumi Cloud)"
  fi
  if [ -z "${PULUMI_SECRETS_PROVIDER:-}" ]; then
    if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
      fail "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), or PULUMI_SECRETS_PROVIDER (e.g. awskms://alias/pulumi)"
    fi
    if [ "${PULUMI_CONFIG_PASSPHRASE:-}" = "fakit-local-only" ]; then
      fail "PULUMI_CONFIG_PASSPHRASE is the kit's local-only passphrase, which protects nothing; use the pipeline's own secret"
    fi
  fi
}

# Selects the stack, creating it on a fresh backend, and stores the environment's FusionAuth URL and API keys in
# its config (the keys as secrets, read from stdin so that they never appear in a process list).
select_stack() {
  local stack="$1"
  local provider=()
  if [ -n "${PULUMI_SECRETS_PROVIDER:-}" ]; then provider=(--secrets-provider "$PULUMI_SECRETS_PROVIDER"); fi
  pulumi stack select --create "$stack" "${provider[@]}" --non-interactive
  if [ -n "${FUSIONAUTH_URL:-}" ]; then
    pulumi config set fusionauth-offline-kit:url "$FUSIONAUTH_URL" --stack "$stack" --non-interactive
  fi
  if [ -n "${FUSIONAUTH_API_KEY:-}" ]; then
    printf '%s' "$FUSIONAUTH_API_KEY" |
      pulumi config set --secret fusionauth-offline-kit:apiKey --stack "$stack" --non-interactive
  fi
  if [ -n "${FUSIONAUTH_REVOKE_API_KEY:-}" ]; then
    printf '%s' "$FUSIONAUTH_REVOKE_API_KEY" |
      pulumi config set --secret fusionauth-offline-kit:revokeApiKey --stack "$stack" --non-interactive
  fi
}
