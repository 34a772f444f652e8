/**
 * The Pulumi program: a stack's config and its presets become signing keys, tenants and applications in
 * FusionAuth, one `OfflineAuthTenant` component per tenant (components/tenant.ts), and the resources of the kinds
 * a stack declares on their own (kinds/registry.ts). Validation comes first: with
 * any error, nothing is registered and the diagnostics are printed as `file:line:col: CODE message`.
 */
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { compareDiagnostics } from "../diagnostics/diagnostic";
import { localEmulatorPort } from "../emulator/lifecycle";
import { createFusionAuthPort, type FusionAuthPort } from "../fusionauth/client-port";
import { isKitError, KitError } from "../lib/errors";
import { observeStack } from "../rotation/observe";
import type { DesiredState } from "../stack/desired-state";
import { formatDiagnostic, loadDesiredState, stateWarnings } from "../stack/load";
import { planStackRotation } from "../stack/rotation";
import { OfflineAuthTenant, userError } from "./components/tenant";
import { applicationOutputOf, rotationLog } from "./components/tenant-outputs";
import type { ResourceKind } from "./kinds/kind";
import { KINDS } from "./kinds/registry";
import type { ApplicationOutput, TenantOutput } from "./outputs";
import { codedMessage } from "./providers/coded-errors";
import { API_KEY_ENV, apiKeyOr, CONFIG_NAMESPACE } from "./providers/settings";
import { runTime } from "./run-time";

/** The project directory (Pulumi.yaml), where `policies/` and `stacks/` are; not this file's, which may be linked. */
function projectRoot(): string {
  // The engine passes an absolute root; under mocks (and older engines) there is none: use the working directory.
  const root = pulumi.runtime.getRootDirectory();
  return path.isAbsolute(root) ? root : process.cwd();
}

function loadOrFail(stack: string): DesiredState {
  const repoRoot = projectRoot();
  const localPort = () => localEmulatorPort(process.env, path.join(repoRoot, ".fakit"));
  const loaded = loadDesiredState({ repoRoot, stack, localPort });
  if ("diagnostics" in loaded) {
    const lines = loaded.diagnostics.map(formatDiagnostic).join("\n");
    throw userError(`the stack config is invalid; nothing was applied:\n${lines}`);
  }
  for (const w of [...loaded.warnings, ...stateWarnings(loaded.state)].sort(compareDiagnostics)) {
    pulumi.log.warn(formatDiagnostic(w));
  }
  return loaded.state;
}

/**
 * The stack's secret API key, else FUSIONAUTH_API_KEY. It is read as plain text only to make the GET calls that observe key creation times; it is never
 * printed or exported. Providers read it again from the config in their own process.
 */
function fusionAuthPort(state: DesiredState): FusionAuthPort {
  const apiKey = apiKeyOr(pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:apiKey`));
  if (apiKey === undefined) {
    throw new KitError(
      "KIT_API_KEY_MISSING",
      `the stack has no API key: pulumi config set --secret ${CONFIG_NAMESPACE}:apiKey <key> --stack ${state.stack}, or set ${API_KEY_ENV}`,
    );
  }
  return createFusionAuthPort({ url: state.url, apiKey });
}

/**
 * The program's entry: validates, observes FusionAuth, registers everything, returns the stack outputs. A kit
 * error (a missing API key, a `FAKIT_NOW` that is no time) is the user's to fix: the engine shows its code and
 * message, as `fakit` does, not the unhandled-exception report with a stack trace it gives any other error.
 */
export async function runProgram(): Promise<Record<string, unknown>> {
  try {
    return await registerStack();
  } catch (err) {
    if (isKitError(err)) throw userError(codedMessage(err));
    throw err;
  }
}

async function registerStack(): Promise<Record<string, unknown>> {
  const state = loadOrFail(pulumi.getStack());
  const port = fusionAuthPort(state);
  const at = runTime();
  let observedByTenant: Awaited<ReturnType<typeof observeStack>>;
  try {
    observedByTenant = await observeStack(state, port);
  } catch (err) {
    // FusionAuth unreachable or the key refused: the kit error says what to check; a stack trace would not help.
    throw userError(codedMessage(err));
  }
  const applications: Record<string, ApplicationOutput> = {};
  const tenants: Record<string, pulumi.Output<TenantOutput>> = {};
  const components: Record<string, pulumi.Resource> = {};
  for (const { tenant, rotation } of planStackRotation(state, at, observedByTenant)) {
    for (const line of rotationLog(tenant, rotation))
      if (line.level === "warn") pulumi.log.warn(line.text);
      else pulumi.log.info(line.text);
    const component = OfflineAuthTenant.fromCompiled({ stack: state.stack, url: state.url, tenant, rotation });
    tenants[tenant.key] = component.summary;
    components[tenant.key] = component;
    for (const app of tenant.applications) applications[`${tenant.key}/${app.key}`] = applicationOutputOf(tenant, app);
  }
  // The kinds a stack declares on their own register themselves and add their outputs (kinds/registry.ts).
  const more = KINDS.map((kind: ResourceKind) => kind.register?.({ state, tenants: components }));
  // No output of the run's time: an output that changes on every run makes a no-op preview show a diff.
  return Object.assign({ url: state.url, tenants, applications }, ...more);
}
