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
import type { PolicyFigures } from "../policy/types";
import { formatKeyName, recordedTimes } from "../rotation/key-record";
import { observeStack } from "../rotation/observe";
import type { RotationState } from "../rotation/schedule";
import { planStackRotation } from "../rotation/stack-rotation";
import type { DesiredState, TenantState } from "../stack/desired-state";
import { formatDiagnostic, loadDesiredState, stateWarnings } from "../stack/load";
import type { ApplicationOutput, TenantOutput } from "./outputs";
import { CONFIG_NAMESPACE } from "./providers/settings";
import { Application, SigningKey, Tenant } from "./resources";
import { runTime } from "./run-time";

/** The project directory (Pulumi.yaml), where `policies/` and `stacks/` are; not this file's, which may be linked. */
function projectRoot(): string {
  // The engine passes an absolute root; under mocks (and older engines) there is none: use the working directory.
  const root = pulumi.runtime.getRootDirectory();
  return path.isAbsolute(root) ? root : process.cwd();
}

/** Derived figures as the outputs show them: `revocationLagSeconds: 87300` becomes `revocationLag: "24h15m"`. */
function formatFigures(figures: PolicyFigures): Record<string, string> {
  return Object.fromEntries(
    Object.entries(figures).map(([k, v]) => [k.replace(/Seconds$/, ""), v === null ? "unbounded" : formatDuration(v)]),
  );
}

/** Instants as the program exports and logs them: ISO 8601 with milliseconds, as they have always been. */
const outputInstant = (s: number) => new Date(s * 1000).toISOString();

function sameFigures(a: PolicyFigures, b: PolicyFigures): boolean {
  return Object.entries(a).every(([k, v]) => b[k as keyof PolicyFigures] === v);
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

/**
 * The keys the tenant references: the signing key and the other verification keys. Key ids are deterministic
 * (`keyId`), so they are plain values, not outputs of the key resources: `preview` shows the tenants' and
 * applications' real shapes even when this run creates the keys, and the state records no per-property
 * dependency lists. The create order comes from `dependsOn` instead.
 */
function keyRefsOf(state: DesiredState, tenant: TenantState, rotation: RotationState): KeyRefs {
  const idOf = (generation: number) => keyId(state.stack, tenant.key, generation);
  const verificationKeyIds = rotation.verificationGenerations.filter((g) => g !== rotation.signingGeneration).map(idOf);
  if (rotation.adopted?.role === "retired") verificationKeyIds.push(rotation.adopted.id);
  const signingKeyId =
    rotation.signingGeneration !== undefined ? idOf(rotation.signingGeneration) : (rotation.adopted?.id ?? "");
  return { signingKeyId, verificationKeyIds };
}

function registerTenant(state: DesiredState, tenant: TenantState, rotation: RotationState) {
  const component = new TenantStack(tenant.key);
  const parent = { parent: component };
  const algorithm = tenant.policy.accessToken.algorithm;
  const length = keyLength(algorithm);
  const keys = new Map<number, SigningKey>();
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
    keys.set(k.generation, key);
  }

  const refs = keyRefsOf(state, tenant, rotation);
  // The tenant points at the signing and verification keys (the verification generations, signing one first):
  // they must exist first. Applications only point at keys the tenant points at, so depending on the tenant
  // orders them after those keys too.
  const keyDeps = rotation.verificationGenerations.flatMap((g) => keys.get(g) ?? []);
  const tenantResource = new Tenant(
    tenant.key,
    {
      objectId: tenant.id,
      label: `tenant ${tenant.key}`,
      adopt: tenant.adopted,
      shape: asJson(tenantShape(tenant, refs)),
    },
    { ...parent, dependsOn: keyDeps },
  );
  const signingKid = keys.get(rotation.signingGeneration ?? -1)?.kid ?? pulumi.output("");

  const applications: Record<string, ApplicationOutput> = {};
  for (const app of tenant.applications) {
    new Application(
      `${tenant.key}-${app.key}`,
      {
        objectId: app.id,
        label: `application ${tenant.key}/${app.key}`,
        tenantId: tenant.id,
        adopt: app.adopted,
        shape: asJson(applicationShape(app, refs)),
      },
      { ...parent, dependsOn: [tenantResource] },
    );
    applications[`${tenant.key}/${app.key}`] = {
      tenant: tenant.key,
      clientId: app.id,
      preset: app.preset,
      ...(sameFigures(app.figures, tenant.figures) ? {} : { figures: formatFigures(app.figures) }),
    };
  }
  const tenantOutput = signingKid.apply(
    (kid): TenantOutput => ({
      tenantId: tenant.id,
      issuer: tenant.issuer,
      preset: tenant.preset,
      figures: formatFigures(tenant.figures),
      signingKid: kid,
      signingGeneration: rotation.signingGeneration ?? null,
      publishedGenerations: rotation.keys.map((k) => k.generation),
      heldBack: rotation.heldBack ?? null,
      revokedGenerations: tenant.revokedKeys.map((r) => r.generation),
      horizon: outputInstant(rotation.horizon),
      nextChangeAt: outputInstant(rotation.nextChangeAt),
    }),
  );
  return { tenantOutput, applications };
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
    notes.push(
      `generation ${e.generation} signs at once in place of revoked generation ${e.revokedGeneration}, published only since ${outputInstant(e.publishedAt)}: every device whose last JWKS fetch was before then lacks it and refuses fresh tokens until it refreshes, at the latest ${outputInstant(e.leadMetAt)}`,
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
  const applications: Record<string, ApplicationOutput> = {};
  const tenants: Record<string, pulumi.Output<TenantOutput>> = {};
  for (const { tenant, rotation } of planStackRotation(state, at, observedByTenant)) {
    if (rotation.heldBack !== undefined) pulumi.log.warn(`tenant ${tenant.key}: ${rotation.heldBack.message}`);
    if (rotation.deferralIgnored !== undefined)
      pulumi.log.warn(`tenant ${tenant.key}: ${rotation.deferralIgnored.message}`);
    if (rotation.deferred !== undefined) pulumi.log.info(`tenant ${tenant.key}: ${rotation.deferred.message}`);
    for (const line of revocationNotes(tenant, rotation)) pulumi.log.warn(`tenant ${tenant.key}: ${line}`);
    const registered = registerTenant(state, tenant, rotation);
    tenants[tenant.key] = registered.tenantOutput;
    Object.assign(applications, registered.applications);
  }
  // No output of the run's time: an output that changes on every run makes a no-op preview show a diff.
  return { url: state.url, tenants, applications };
}
