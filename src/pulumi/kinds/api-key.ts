/**
 * The API key kind: FusionAuth API keys for the kit's own least-privilege roles, declared in a stack under
 * `fusionauth-offline-kit:apiKeys` (`policies/schema/stack.schema.json`) and created by `pulumi up`:
 * - `import`: the read-only key `fakit import` needs (GET on tenants, applications and keys), global;
 * - `revoke`: the narrow incident key `fakit revoke` needs (GET a user, DELETE refresh tokens), global or locked
 *   to one tenant of the stack.
 * FusionAuth makes the key's value; the provider's outputs hold it, marked secret, so the state keeps it
 * encrypted, and the stack output `apiKeys.<role>[/<tenant>].key` is a secret. docs/least-privilege.md shows how
 * to read it and hand it to the commands.
 *
 * @see https://fusionauth.io/docs/apis/api-keys
 */
import type { APIKey } from "@fusionauth/typescript-client";
import * as pulumi from "@pulumi/pulumi";
import { v5 as uuidv5 } from "uuid";
import type { FusionAuthPort } from "../../fusionauth/client-port";
import { KIT_ID_NAMESPACE, PROJECT_NAME } from "../../fusionauth/ids";
import { IMPORT_API_KEY_PERMISSIONS, REVOKE_API_KEY_PERMISSIONS } from "../../fusionauth/least-privilege";
import { KitError } from "../../lib/errors";
import type { ApiKeyDeclaration } from "../../stack/desired-state";
import { providerFor } from "../providers/active";
import { type Configured, configurePort, portOf } from "../providers/settings";
import { providerChanged } from "../providers/upgrade";
import { defineKind, mergePermissions, type RegisterContext, type ResourceInputs } from "./kind";

/** Each role's endpoint permissions: exactly what its command calls (docs/least-privilege.md). */
export const API_KEY_ROLES = {
  import: IMPORT_API_KEY_PERMISSIONS,
  revoke: REVOKE_API_KEY_PERMISSIONS,
} as const satisfies Record<ApiKeyDeclaration["role"], Readonly<Record<string, readonly string[]>>>;

/** Id of a role's key (locked to a tenant, or global): UUIDv5 like every id the kit derives (fusionauth/ids.ts). */
export function apiKeyId(stack: string, role: ApiKeyDeclaration["role"], tenantKey?: string): string {
  const parts = [PROJECT_NAME, stack, "api-key", role, ...(tenantKey === undefined ? [] : ["tenant", tenantKey])];
  return uuidv5(parts.join("/"), KIT_ID_NAMESPACE);
}

export interface ApiKeyInputs {
  keyId: string;
  /** For messages and the key's description in FusionAuth, e.g. `revoke/field-ops`. */
  label: string;
  /** Endpoint → methods. */
  permissions: Record<string, string[]>;
  /** The tenant the key is locked to; absent: global. */
  tenantId?: string;
}

export interface ApiKeyOutputs extends ApiKeyInputs {
  /** The key's value (a secret output). */
  key: string;
}

const describe = (label: string) => `fusionauth-offline-kit ${label}`;

/** Permissions compared as sets: FusionAuth may list endpoints and methods in any order. */
function samePermissions(a: Record<string, string[]>, b: Record<string, string[]>): boolean {
  const norm = (p: Record<string, string[]>) =>
    JSON.stringify(
      Object.keys(p)
        .sort()
        .map((e) => [e, [...(p[e] ?? [])].map((m) => m.toUpperCase()).sort()]),
    );
  return norm(a) === norm(b);
}

function matches(actual: APIKey, inputs: ApiKeyInputs): boolean {
  return (
    samePermissions(actual.permissions?.endpoints ?? {}, inputs.permissions) &&
    (actual.tenantId ?? "") === (inputs.tenantId ?? "") &&
    actual.metaData?.attributes?.description === describe(inputs.label)
  );
}

const bodyOf = (inputs: ApiKeyInputs): APIKey => ({
  permissions: { endpoints: structuredClone(inputs.permissions) },
  metaData: { attributes: { description: describe(inputs.label) } },
  ...(inputs.tenantId === undefined ? {} : { tenantId: inputs.tenantId }),
});

/** The kind's client-port calls, through the port's wrappers (retries, errors translated). */
const calls = {
  retrieve: (port: FusionAuthPort, id: string) =>
    port.objects.retrieve(`API key ${id}`, async (c) => (await c.retrieveAPIKey(id)).response.apiKey),
  create: (port: FusionAuthPort, inputs: ApiKeyInputs) =>
    port.objects.create(
      `API key ${inputs.label} (${inputs.keyId})`,
      () => calls.retrieve(port, inputs.keyId),
      async (c) => (await c.createAPIKey(inputs.keyId, { apiKey: bodyOf(inputs) })).response.apiKey as APIKey,
    ),
  update: (port: FusionAuthPort, id: string, inputs: ApiKeyInputs) =>
    port.objects.update(
      `API key ${inputs.label} (${id})`,
      async (c) => (await c.updateAPIKey(id, { apiKey: bodyOf(inputs) })).response.apiKey as APIKey,
    ),
  remove: (port: FusionAuthPort, id: string, label: string) =>
    port.objects.remove(`API key ${label} (${id})`, (c) => c.deleteAPIKey(id)),
};

function outputsOf(inputs: ApiKeyInputs, actual: APIKey, known?: string): ApiKeyOutputs {
  const key = actual.key ?? known;
  if (key === undefined)
    throw new KitError(
      "KIT_FUSIONAUTH_CONFLICT",
      `API key ${inputs.label} (${inputs.keyId}) exists in FusionAuth, which does not return its value; ` +
        "delete it there and run `pulumi up` again",
    );
  return { ...inputs, key };
}

export const apiKeyProvider: pulumi.dynamic.ResourceProvider<ApiKeyInputs, ApiKeyOutputs> & Configured = {
  async configure(req) {
    configurePort(this, req);
  },

  async diff(_id, olds, news) {
    // FusionAuth keeps a key's tenant for its life: another tenant is another key.
    const replaces = (["keyId", "tenantId"] as const).filter((k) => (olds[k] ?? "") !== (news[k] ?? ""));
    const changes =
      replaces.length > 0 ||
      olds.label !== news.label ||
      !samePermissions(olds.permissions, news.permissions) ||
      providerChanged(olds, news);
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const port = portOf(this);
    const { object } = await calls.create(port, inputs);
    // A replayed create found the key: make it what the stack says.
    const actual = matches(object, inputs) ? object : await calls.update(port, inputs.keyId, inputs);
    return { id: inputs.keyId, outs: outputsOf(inputs, actual, object.key) };
  },

  async read(id, props) {
    if (props === undefined) return {};
    const actual = await calls.retrieve(portOf(this), id);
    if (actual === undefined) return {};
    const { tenantId: _, ...rest } = props;
    const observed: ApiKeyOutputs = {
      ...rest,
      permissions: structuredClone(actual.permissions?.endpoints ?? {}),
      key: actual.key ?? props.key,
    };
    if (actual.tenantId !== undefined) observed.tenantId = actual.tenantId;
    return { id, props: observed };
  },

  async update(id, olds, news) {
    // Only the provider changed (see upgrade.ts): the key is as it was.
    if (olds.label === news.label && samePermissions(olds.permissions, news.permissions))
      return { outs: { ...news, key: olds.key } };
    const actual = await calls.update(portOf(this), id, news);
    return { outs: outputsOf(news, actual, olds.key) };
  },

  async delete(id, props) {
    await calls.remove(portOf(this), id, props.label);
  },
};

/** One of the kit's own API keys. Its value is a secret output. */
export class ApiKey extends pulumi.dynamic.Resource {
  declare readonly key: pulumi.Output<string>;

  constructor(name: string, args: ResourceInputs<ApiKeyInputs>, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor(apiKeyKind.name),
      name,
      { ...args, key: undefined },
      { ...opts, additionalSecretOutputs: ["key"] },
      "fusionauth",
      apiKeyKind.type,
    );
  }
}

/**
 * Registers the stack's declared keys (checked when the stack compiled: src/stack/api-keys.ts); the output
 * `apiKeys` maps `<role>` or `<role>/<tenant>` to id and key.
 */
function register(ctx: RegisterContext): Record<string, unknown> | undefined {
  const { state } = ctx;
  if (state.apiKeys.length === 0) return undefined;
  const apiKeys: Record<string, pulumi.Output<{ id: string; key: string }>> = {};
  for (const { role, label, tenant } of state.apiKeys) {
    const keyId = apiKeyId(state.stack, role, tenant?.key);
    const resource = new ApiKey(
      `api-key-${label.replace("/", "-")}`,
      {
        keyId,
        label,
        permissions: Object.fromEntries(Object.entries(API_KEY_ROLES[role]).map(([e, m]) => [e, [...m]])),
        ...(tenant === undefined ? {} : { tenantId: tenant.id }),
      },
      // A tenant-locked key after its tenant (and deleted before it).
      { dependsOn: tenant === undefined ? [] : [ctx.tenants[tenant.key] as pulumi.Resource] },
    );
    apiKeys[label] = pulumi.output({ id: keyId, key: resource.key });
  }
  // Secret as a whole, so `pulumi stack output` shows `apiKeys` as [secret] rather than a map with hidden leaves.
  return { apiKeys: pulumi.secret(apiKeys) };
}

export const apiKeyKind = defineKind({
  name: "apiKey",
  type: "ApiKey",
  // FusionAuth lets a key make keys of equal or lesser authority only: the kit's key needs what the roles have.
  permissions: mergePermissions([
    { "/api/api-key": ["GET", "POST", "PUT", "DELETE"] },
    ...Object.values(API_KEY_ROLES),
  ]),
  provider: apiKeyProvider,
  register,
});
