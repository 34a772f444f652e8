/**
 * The kit's Pulumi components: an `OfflineAuthTenant` is one tenant of a stack file, declared in code (a preset,
 * overrides, waivers, keys and applications, exactly as under `fusionauth-offline-kit:tenants`), with its
 * signing keys and their rotation, the FusionAuth tenant and one `OfflineAuthApplication` per application.
 *
 * A declaration is validated when the component is constructed, before anything is registered: with any error
 * the program stops with every diagnostic, located by component name and field path (declared.ts). FusionAuth's
 * URL and API key come from the stack config (`fusionauth-offline-kit:url`, the secret
 * `fusionauth-offline-kit:apiKey`), which the providers read too.
 *
 * The kit's own program (program.ts) builds the same components from a stack file it compiled itself
 * ({@link OfflineAuthTenant.fromCompiled}); its components carry aliases to the URNs its resources had before
 * the components existed, so a stack made then upgrades without a replace.
 */
import * as pulumi from "@pulumi/pulumi";
import { rpcKeepAlive } from "@pulumi/pulumi/runtime/settings";
import { hasErrors } from "../../diagnostics/diagnostic";
import { createFusionAuthPort } from "../../fusionauth/client-port";
import { keyId, PROJECT_NAME } from "../../fusionauth/ids";
import { applicationShape, asJson, keyLength, tenantShape } from "../../fusionauth/objects";
import { formatKeyName, recordedTimes } from "../../rotation/key-record";
import { observeStack } from "../../rotation/observe";
import type { RotationState } from "../../rotation/schedule";
import type { ApplicationState, TenantState } from "../../stack/desired-state";
import { findRepoRoot, loadPolicySources } from "../../stack/load";
import { planStackRotation } from "../../stack/rotation";
import type { ApplicationOutput, TenantOutput } from "../outputs";
import { API_KEY_ENV, apiKeyOr } from "../providers/settings";
import { Application, SigningKey, Tenant } from "../resources";
import { runTime } from "../run-time";
import { compileDeclaredTenant, type DeclaredTenant, declarationLabel, formatComponentDiagnostic } from "./declared";
import {
  applicationOutputOf,
  formatFigures,
  type IssuerUrls,
  issuerUrls,
  keyRefsOf,
  rotationLog,
  tenantOutputOf,
} from "./tenant-outputs";

export const TENANT_TYPE = `${PROJECT_NAME}:index:OfflineAuthTenant`;
export const APPLICATION_TYPE = `${PROJECT_NAME}:index:OfflineAuthApplication`;
/** The component the kit's program grouped a tenant's resources in before these components: old states hold it. */
const LEGACY_TENANT_TYPE = `${PROJECT_NAME}:index:TenantStack`;

/**
 * An `OfflineAuthTenant`'s arguments: one entry of a stack file's `fusionauth-offline-kit:tenants`, whose `key`
 * is the component's name (given, it must be the same).
 */
export type OfflineAuthTenantArgs = Omit<DeclaredTenant, "key"> & { key?: string };

/** The rotation of a tenant's signing keys, as the outputs show it (instants ISO 8601). */
export type RotationOutput = Pick<
  TenantOutput,
  "signingGeneration" | "publishedGenerations" | "heldBack" | "revokedGenerations" | "horizon" | "nextChangeAt"
>;

/** A tenant compiled from a stack file, with its rotation planned: what the kit's own program hands over. */
export interface CompiledTenant {
  stack: string;
  /** FusionAuth's base URL. */
  url: string;
  tenant: TenantState;
  rotation: RotationState;
}

/**
 * A user-facing failure: Pulumi prints a RunError's message without a stack trace (the stack is dropped too, as
 * formatting it under source maps is slow).
 */
export function userError(message: string): pulumi.RunError {
  const err = new pulumi.RunError(message);
  err.stack = undefined;
  return err;
}

/** The arguments objects of components the kit's program builds from a compiled stack file. */
const compiledArgs = new WeakMap<object, CompiledTenant>();

/** The FusionAuth application resource of `app`, after its tenant. */
function applicationResource(
  name: string,
  compiled: CompiledTenant,
  app: ApplicationState,
  tenantResource: Tenant,
  opts: pulumi.CustomResourceOptions,
): Application {
  const { tenant, rotation } = compiled;
  return new Application(
    name,
    {
      objectId: app.id,
      label: `application ${tenant.key}/${app.key}`,
      tenantId: tenant.id,
      adopt: app.adopted,
      shape: asJson(applicationShape(app, keyRefsOf(compiled.stack, tenant, rotation))),
    },
    { ...opts, dependsOn: [tenantResource] },
  );
}

/** One application of an `OfflineAuthTenant`: its FusionAuth application (a public native OAuth client). */
export class OfflineAuthApplication extends pulumi.ComponentResource {
  /** The OAuth client id (FusionAuth's application id). */
  readonly clientId: pulumi.Output<string>;
  /** The application's own preset, or its tenant's. */
  readonly preset: pulumi.Output<string>;
  /** The derived figures of the application's effective policy, e.g. `revocationLag: "24h15m"`. */
  readonly figures: pulumi.Output<Record<string, string>>;
  /** The FusionAuth application resource. */
  readonly application: Application;

  /** Created by {@link OfflineAuthTenant} from its `applications`. */
  constructor(
    name: string,
    args: { compiled: CompiledTenant; app: ApplicationState; tenantResource: Tenant },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(APPLICATION_TYPE, name, {}, opts);
    const { compiled, app } = args;
    this.application = applicationResource(name, compiled, app, args.tenantResource, { parent: this });
    this.clientId = pulumi.output(app.id);
    this.preset = pulumi.output(app.preset);
    this.figures = pulumi.output(formatFigures(app.figures));
    this.registerOutputs({ clientId: this.clientId, preset: this.preset, figures: this.figures });
  }
}

/** What a tenant registered, once its keys were observed. */
interface Registered {
  compiled: CompiledTenant;
  signingKid: pulumi.Output<string>;
  applications: Record<string, OfflineAuthApplication>;
}

/**
 * A FusionAuth tenant for offline-capable apps: its signing keys with their declarative rotation, the tenant and
 * its applications, from a preset and overrides validated as `fakit validate` validates a stack file.
 */
export class OfflineAuthTenant extends pulumi.ComponentResource {
  /** FusionAuth's tenant id (derived from the stack and the key, or the adopted `id`). */
  readonly tenantId: pulumi.Output<string>;
  /** The `iss` claim of the tenant's tokens. */
  readonly issuer: pulumi.Output<string>;
  readonly preset: pulumi.Output<string>;
  /** The derived figures of the tenant's effective policy, e.g. `revocationLag: "24h15m"`. */
  readonly figures: pulumi.Output<Record<string, string>>;
  /** The JWK `kid` of the key that signs now ("" while an adopted key signs). */
  readonly signingKid: pulumi.Output<string>;
  readonly rotation: pulumi.Output<RotationOutput>;
  readonly discoveryUrl: pulumi.Output<string>;
  readonly tokenUrl: pulumi.Output<string>;
  readonly jwksUrl: pulumi.Output<string>;
  /** Per application key, what the kit's program exports for it. */
  readonly applications: pulumi.Output<Record<string, ApplicationOutput>>;
  /** All of the above in the kit program's stack-output form (`tenants.<key>`). */
  readonly summary: pulumi.Output<TenantOutput>;

  constructor(name: string, args: OfflineAuthTenantArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const given = compiledArgs.get(args);
    // Validated before anything is registered: with an error the program stops here.
    const declared = given === undefined ? compileDeclaration(name, args) : undefined;
    super(
      TENANT_TYPE,
      name,
      // The declaration is the component's input (a policy pack reads it there); the kit's program has none.
      given === undefined ? args : {},
      given === undefined ? opts : { ...opts, aliases: [...(opts.aliases ?? []), { type: LEGACY_TENANT_TYPE }] },
    );
    let registered: Promise<Registered>;
    if (given !== undefined) {
      registered = Promise.resolve(this.register(given, pulumi.createUrn(name, LEGACY_TENANT_TYPE)));
    } else {
      for (const w of declared?.warnings ?? []) pulumi.log.warn(w, this);
      // Observing FusionAuth's keys is asynchronous: keep the program alive until the children are registered.
      const done = rpcKeepAlive();
      registered = this.observeAndRegister(declared as Declared).finally(done);
    }
    // Small values only: pulumi.output() walks whatever it is given, and a compiled tenant is large.
    const tenant = registered.then((r) => r.compiled.tenant);
    this.tenantId = pulumi.output(tenant.then((t) => t.id));
    this.issuer = pulumi.output(tenant.then((t) => t.issuer));
    this.preset = pulumi.output(tenant.then((t) => t.preset));
    this.figures = pulumi.output(tenant.then((t) => formatFigures(t.figures)));
    // The kid is an output of the signing key resource: unknown in a preview that creates the key.
    this.signingKid = pulumi.output(registered.then((r) => r.signingKid));
    this.summary = this.signingKid.apply(async (kid) => {
      const { compiled } = await registered;
      return tenantOutputOf(compiled.tenant, compiled.rotation, kid);
    });
    this.rotation = this.summary.apply(
      ({ signingGeneration, publishedGenerations, heldBack, revokedGenerations, horizon, nextChangeAt }) => ({
        signingGeneration,
        publishedGenerations,
        heldBack,
        revokedGenerations,
        horizon,
        nextChangeAt,
      }),
    );
    const url = pulumi.output(registered.then((r) => r.compiled.url));
    const urls = pulumi.all([url, this.tenantId]).apply(([u, id]): IssuerUrls => issuerUrls(u, id));
    this.discoveryUrl = urls.apply((u) => u.discoveryUrl);
    this.tokenUrl = urls.apply((u) => u.tokenUrl);
    this.jwksUrl = urls.apply((u) => u.jwksUrl);
    this.applications = pulumi.output(
      tenant.then((t) => Object.fromEntries(t.applications.map((a) => [a.key, applicationOutputOf(t, a)]))),
    );
    this.registerOutputs({
      // The declaration, for the policy pack, which sees a component's outputs (policy.ts).
      ...(given === undefined ? { declaration: args } : {}),
      tenantId: this.tenantId,
      issuer: this.issuer,
      signingKid: this.signingKid,
      discoveryUrl: this.discoveryUrl,
      tokenUrl: this.tokenUrl,
      jwksUrl: this.jwksUrl,
    });
  }

  /**
   * The kit's program: a tenant of a stack file it compiled, whose keys it observed and whose rotation it
   * planned. Its resources keep the URNs they had under the kit's former `TenantStack` component (aliases).
   */
  static fromCompiled(compiled: CompiledTenant, opts?: pulumi.ComponentResourceOptions): OfflineAuthTenant {
    const args = {} as OfflineAuthTenantArgs;
    compiledArgs.set(args, compiled);
    return new OfflineAuthTenant(compiled.tenant.key, args, opts);
  }

  private async observeAndRegister(declared: Declared): Promise<Registered> {
    const { tenant, url, stack } = declared;
    let observed: Awaited<ReturnType<typeof observeStack>>;
    try {
      observed = await observeStack(
        { stack, tenants: [tenant] },
        createFusionAuthPort({ url, apiKey: declared.apiKey }),
      );
    } catch (err) {
      // FusionAuth unreachable or the key refused: the kit's error says what to check.
      throw userError(`${declarationLabel(tenant.key)}: ${(err as Error).message}`);
    }
    const [planned] = planStackRotation({ tenants: [tenant] }, runTime(), observed);
    if (planned === undefined) throw new Error("no rotation planned");
    for (const line of rotationLog(tenant, planned.rotation))
      if (line.level === "warn") pulumi.log.warn(line.text, this);
      else pulumi.log.info(line.text, this);
    return this.register({ stack, url, tenant, rotation: planned.rotation });
  }

  /** Registers the keys, the tenant and the applications; `legacyParent` aliases them to the old component. */
  private register(compiled: CompiledTenant, legacyParent?: pulumi.Input<string>): Registered {
    const { stack, tenant, rotation } = compiled;
    const aliases = legacyParent === undefined ? {} : { aliases: [{ parent: legacyParent }] };
    const algorithm = tenant.policy.accessToken.algorithm;
    const length = keyLength(algorithm);
    const keys = new Map<number, SigningKey>();
    for (const k of rotation.keys) {
      const record = { stack, tenantKey: tenant.key, generation: k.generation, ...recordedTimes(k) };
      const key = new SigningKey(
        `${tenant.key}-key-g${k.generation}`,
        {
          keyId: keyId(stack, tenant.key, k.generation),
          name: formatKeyName(record),
          algorithm,
          ...(length !== undefined ? { length } : {}),
        },
        { parent: this, ...aliases },
      );
      keys.set(k.generation, key);
    }
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
        shape: asJson(tenantShape(tenant, keyRefsOf(stack, tenant, rotation))),
      },
      { parent: this, dependsOn: keyDeps, ...aliases },
    );
    // The kit's own program keeps its applications directly under the tenant, where its stacks have always had
    // them: a component per application would add a resource per application to every state (1,000 at the
    // benchmark's largest size). A program that declares tenants in code gets the OfflineAuthApplication handles.
    const applications: Record<string, OfflineAuthApplication> = {};
    for (const app of tenant.applications) {
      const name = `${tenant.key}-${app.key}`;
      if (legacyParent === undefined)
        applications[app.key] = new OfflineAuthApplication(name, { compiled, app, tenantResource }, { parent: this });
      else applicationResource(name, compiled, app, tenantResource, { parent: this, ...aliases });
    }
    const signingKid = keys.get(rotation.signingGeneration ?? -1)?.kid ?? pulumi.output("");
    return { compiled, signingKid, applications };
  }
}

/** A declaration compiled, with what observing FusionAuth needs. */
interface Declared {
  stack: string;
  url: string;
  apiKey: string;
  tenant: TenantState;
  /** Formatted warnings. */
  warnings: string[];
}

/** The presets, floors and schemas: the checkout's, or the installed package's copy (packages/pulumi). */
function policyRoot(): string {
  const root = findRepoRoot(__dirname);
  if (root === undefined) throw userError(`cannot find policies/presets above ${__dirname}`);
  return root;
}

/** Validates a declaration against the presets and floors; throws every error at once, nothing registered. */
function compileDeclaration(name: string, args: OfflineAuthTenantArgs): Declared {
  const label = declarationLabel(name);
  const url = pulumi.runtime.getConfig(`${PROJECT_NAME}:url`);
  const apiKey = apiKeyOr(pulumi.runtime.getConfig(`${PROJECT_NAME}:apiKey`));
  if (url === undefined || apiKey === undefined) {
    throw userError(
      `${label}: the stack config needs ${PROJECT_NAME}:url and the secret ${PROJECT_NAME}:apiKey ` +
        `(pulumi config set ${PROJECT_NAME}:url https://auth.example.com; pulumi config set --secret ${PROJECT_NAME}:apiKey <key>), or ${API_KEY_ENV} in the environment`,
    );
  }
  if (args === null || typeof args !== "object" || Array.isArray(args))
    throw userError(`${label}: the arguments must be an object, as one entry of ${PROJECT_NAME}:tenants`);
  if (args.key !== undefined && args.key !== name)
    throw userError(`${label}: key is "${args.key}"; a tenant's key and its component name must be the same`);
  const stack = pulumi.getStack();
  const result = compileDeclaredTenant({
    name,
    stackName: stack,
    url,
    tenant: { ...args, key: name },
    sources: loadPolicySources(policyRoot()),
  });
  if (hasErrors(result.diagnostics) || result.state === undefined) {
    const lines = result.diagnostics.filter((d) => d.severity === "error").map(formatComponentDiagnostic);
    throw userError(`${label} is invalid; nothing was applied:\n${lines.join("\n")}`);
  }
  const [tenant] = result.state.tenants;
  if (tenant === undefined) throw new Error("a declared tenant compiled to no tenant");
  const warnings = result.diagnostics.filter((d) => d.severity === "warning").map(formatComponentDiagnostic);
  return { stack, url: result.state.url, apiKey, tenant, warnings };
}
