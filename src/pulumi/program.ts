/**
 * The Pulumi program: a stack's config and its presets become signing keys, tenants and applications in
 * FusionAuth. Validation comes first: with any error, nothing is registered and the diagnostics are printed as
 * `file:line:col: CODE message`.
 */
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { compareDiagnostics } from "../diagnostics/diagnostic";
import { createFusionAuthPort, type FusionAuthPort } from "../fusionauth/client-port";
import { keyId } from "../fusionauth/ids";
import { applicationShape, asJson, type KeyRefs, keyLength, tenantShape } from "../fusionauth/objects";
import { formatDuration } from "../lib/duration";
import { formatKeyName, recordedTimes } from "../rotation/key-record";
import { observeStack } from "../rotation/observe";
import type { RotationState } from "../rotation/schedule";
import { planStackRotation } from "../rotation/stack-rotation";
import type { DesiredState, TenantState } from "../stack/desired-state";
import { formatDiagnostic, loadDesiredState, stateWarnings } from "../stack/load";
import { CONFIG_NAMESPACE } from "./providers/settings";
import { Application, SigningKey, Tenant } from "./resources";
import { runTime } from "./run-time";

/** The project directory (Pulumi.yaml), where `policies/` and `stacks/` are; not this file's, which may be linked. */
function projectRoot(): string {
  // The engine passes an absolute root; under mocks (and older engines) there is none: use the working directory.
  const root = pulumi.runtime.getRootDirectory();
  return path.isAbsolute(root) ? root : process.cwd();
}

/** Groups one tenant's keys, tenant and applications so `pulumi preview` reads per tenant. */
class TenantStack extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("fusionauth-offline-kit:index:TenantStack", name, {}, opts);
    this.registerOutputs({});
  }
}

/**
 * A user-facing failure. The stack is dropped: Pulumi never shows it for a RunError, yet its run entry point
 * formats the error with util.inspect, which under ts-node's source maps costs over ten seconds of CPU.
 */
function userError(message: string): pulumi.RunError {
  const err = new pulumi.RunError(message);
  err.stack = undefined;
  return err;
}

function loadOrFail(stack: string): DesiredState {
  const loaded = loadDesiredState({ repoRoot: projectRoot(), stack });
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
 * The API key is read as plain text only to make the GET calls that observe key creation times; it is never
 * printed or exported. Providers read it again from the config in their own process.
 */
function fusionAuthPort(state: DesiredState): FusionAuthPort {
  const apiKey = pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:apiKey`);
  if (apiKey === undefined) {
    throw userError(
      `the stack has no API key: pulumi config set --secret ${CONFIG_NAMESPACE}:apiKey <key> --stack ${state.stack}`,
    );
  }
  return createFusionAuthPort({ url: state.url, apiKey });
}

function registerTenant(state: DesiredState, tenant: TenantState, rotation: RotationState) {
  const component = new TenantStack(tenant.key);
  const parent = { parent: component };
  const algorithm = tenant.policy.accessToken.algorithm;
  const length = keyLength(algorithm);
  const ids = new Map<number, pulumi.Output<string>>();
  const kids = new Map<number, pulumi.Output<string>>();
  for (const k of rotation.keys) {
    const record = { stack: state.stack, tenantKey: tenant.key, generation: k.generation, ...recordedTimes(k) };
    const key = new SigningKey(
      `${tenant.key}-key-g${k.generation}`,
      {
        keyId: keyId(state.stack, tenant.key, k.generation),
        name: formatKeyName(record),
        algorithm,
        ...(length !== undefined ? { length } : {}),
      },
      parent,
    );
    ids.set(k.generation, key.keyId);
    kids.set(k.generation, key.kid);
  }

  const signingId =
    rotation.signingGeneration !== undefined
      ? (ids.get(rotation.signingGeneration) as pulumi.Output<string>)
      : pulumi.output(rotation.adopted?.id ?? "");
  const verification = rotation.verificationGenerations
    .filter((g) => g !== rotation.signingGeneration)
    .map((g) => ids.get(g) as pulumi.Output<string>);
  if (rotation.adopted?.role === "retired") verification.push(pulumi.output(rotation.adopted.id));
  const keyRefs: pulumi.Output<KeyRefs> = pulumi
    .all([signingId, pulumi.all(verification)])
    .apply(([signingKeyId, verificationKeyIds]) => ({ signingKeyId, verificationKeyIds }));

  const tenantResource = new Tenant(
    tenant.key,
    {
      objectId: tenant.id,
      label: `tenant ${tenant.key}`,
      adopt: tenant.adopted,
      shape: keyRefs.apply((refs) => asJson(tenantShape(tenant, refs))),
    },
    parent,
  );

  const applications: Record<string, pulumi.Output<unknown>> = {};
  for (const app of tenant.applications) {
    const resource = new Application(
      `${tenant.key}-${app.key}`,
      {
        objectId: app.id,
        label: `application ${tenant.key}/${app.key}`,
        tenantId: tenantResource.objectId,
        adopt: app.adopted,
        shape: keyRefs.apply((refs) => asJson(applicationShape(app, refs))),
      },
      parent,
    );
    applications[`${tenant.key}/${app.key}`] = pulumi
      .all([resource.objectId, kids.get(rotation.signingGeneration ?? -1) ?? ""])
      .apply(([applicationId, signingKid]) => ({
        tenant: tenant.key,
        tenantId: tenant.id,
        applicationId,
        clientId: applicationId,
        issuer: tenant.issuer,
        preset: app.preset,
        figures: Object.fromEntries(
          Object.entries(app.figures).map(([k, v]) => [k.replace(/Seconds$/, ""), formatDuration(v)]),
        ),
        signingKid,
        rotation: {
          signingGeneration: rotation.signingGeneration ?? null,
          heldBack: rotation.heldBack?.message ?? null,
          horizon: new Date(rotation.horizon * 1000).toISOString(),
        },
      }));
  }
  return applications;
}

/** What `preview` and `up` say about revoked keys: which this run deletes, and an early signing switch. */
function revocationNotes(tenant: TenantState, rotation: RotationState): string[] {
  const notes = rotation.delete
    .filter((d) => d.revoked)
    .map((d) => {
      const r = tenant.revokedKeys.find((x) => x.generation === d.generation);
      return `generation ${d.generation}${d.kid ? ` (kid ${d.kid})` : ""} is revoked (${r?.reason}): this run takes it out of signing and verification and deletes it`;
    });
  const e = rotation.emergency;
  if (e !== undefined) {
    const iso = (s: number) => new Date(s * 1000).toISOString();
    notes.push(
      `generation ${e.generation} signs at once in place of revoked generation ${e.revokedGeneration}, published only since ${iso(e.publishedAt)}: every device whose last JWKS fetch was before then lacks it and refuses fresh tokens until it refreshes, at the latest ${iso(e.leadMetAt)}`,
    );
  }
  return notes;
}

/** The program's entry: validates, observes FusionAuth, registers everything, returns the stack outputs. */
export async function runProgram(): Promise<Record<string, unknown>> {
  const state = loadOrFail(pulumi.getStack());
  const port = fusionAuthPort(state);
  const at = runTime();
  let observedByTenant: Awaited<ReturnType<typeof observeStack>>;
  try {
    observedByTenant = await observeStack(state, port);
  } catch (err) {
    // FusionAuth unreachable or the key refused: the kit error says what to check; a stack trace would not help.
    throw userError((err as Error).message);
  }
  const applications: Record<string, pulumi.Output<unknown>> = {};
  const rotations: Record<string, unknown> = {};
  for (const { tenant, rotation } of planStackRotation(state, at, observedByTenant)) {
    if (rotation.heldBack !== undefined) pulumi.log.warn(`tenant ${tenant.key}: ${rotation.heldBack.message}`);
    if (rotation.deferralIgnored !== undefined)
      pulumi.log.warn(`tenant ${tenant.key}: ${rotation.deferralIgnored.message}`);
    if (rotation.deferred !== undefined) pulumi.log.info(`tenant ${tenant.key}: ${rotation.deferred.message}`);
    for (const line of revocationNotes(tenant, rotation)) pulumi.log.warn(`tenant ${tenant.key}: ${line}`);
    Object.assign(applications, registerTenant(state, tenant, rotation));
    rotations[tenant.key] = {
      signingGeneration: rotation.signingGeneration ?? null,
      publishedGenerations: rotation.keys.map((k) => k.generation),
      heldBack: rotation.heldBack ?? null,
      revokedGenerations: tenant.revokedKeys.map((r) => r.generation),
      nextChangeAt: new Date(rotation.nextChangeAt * 1000).toISOString(),
    };
  }
  // No output of the run's time: an output that changes on every run makes a no-op preview show a diff.
  return { url: state.url, applications, rotations };
}
