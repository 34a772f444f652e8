/**
 * The FusionAuth port: every call the kit makes to FusionAuth, over @fusionauth/typescript-client, with retries
 * for idempotent calls and errors translated in one place. Creates take a deterministic id and look before they
 * write, so a create that is retried (or replayed after a crash, or whose response was lost) finds its own
 * object instead of failing or making a twin.
 *
 * Plain functions only: the dynamic providers serialize this module by value into the Pulumi state, and the API
 * key is passed in at call time, never captured.
 *
 * @see https://fusionauth.io/docs/apis/ for the endpoints; docs/least-privilege.md lists the ones used here.
 */

import type { Application, JSONWebKey, Key, KeyAlgorithm, Tenant, User } from "@fusionauth/typescript-client";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { type FusionAuthError, statusOf, toFusionAuthError } from "./fusionauth-error";
import { DEFAULT_RETRY, type RetryOptions, withRetry } from "./retry";

export type { Application, JSONWebKey, Key, Tenant, User };

export interface FusionAuthSettings {
  url: string;
  apiKey: string;
  retry?: RetryOptions;
}

export interface KeySpec {
  algorithm: string;
  name: string;
  length?: number;
}

export interface CreateResult<T> {
  object: T;
  /** True when the object already existed (a replayed create) and was adopted instead of created. */
  existed: boolean;
}

/**
 * The port's call wrappers (retries, errors translated, look-before-create), for the calls a resource kind
 * declares in its own module (src/pulumi/kinds/): each gets the port's client.
 */
export interface ObjectCalls {
  /** GET that answers undefined for 404. */
  retrieve<T>(resource: string, call: (client: FusionAuthClient) => Promise<T | undefined>): Promise<T | undefined>;
  /** Look (`look`), then create with the given id; a retried or replayed create finds its own object. */
  create<T>(
    resource: string,
    look: () => Promise<T | undefined>,
    call: (client: FusionAuthClient) => Promise<T>,
  ): Promise<CreateResult<T>>;
  /** An idempotent write (a whole-object `PUT`). */
  update<T>(resource: string, call: (client: FusionAuthClient) => Promise<T>): Promise<T>;
  /** DELETE that treats an object already gone as deleted. */
  remove(resource: string, call: (client: FusionAuthClient) => Promise<unknown>): Promise<void>;
}

export interface FusionAuthPort {
  /** The wrappers for calls declared by resource kinds outside this module. */
  objects: ObjectCalls;
  retrieveKey(id: string): Promise<Key | undefined>;
  retrieveKeys(): Promise<Key[]>;
  generateKey(id: string, spec: KeySpec): Promise<CreateResult<Key>>;
  renameKey(id: string, name: string): Promise<Key>;
  deleteKey(id: string, label: string): Promise<void>;
  retrieveTenant(id: string): Promise<Tenant | undefined>;
  createTenant(id: string, tenant: Tenant): Promise<CreateResult<Tenant>>;
  updateTenant(id: string, tenant: Tenant): Promise<Tenant>;
  deleteTenant(id: string, label: string): Promise<void>;
  retrieveApplication(id: string): Promise<Application | undefined>;
  createApplication(id: string, tenantId: string, application: Application): Promise<CreateResult<Application>>;
  updateApplication(id: string, application: Application): Promise<Application>;
  deleteApplication(id: string, label: string): Promise<void>;
  retrieveJwks(): Promise<JSONWebKey[]>;
  retrieveUser(id: string): Promise<User | undefined>;
  /**
   * Revokes refresh tokens: a user's (optionally for one application) or an application's.
   * @see https://fusionauth.io/docs/apis/jwt#revoke-refresh-tokens
   */
  revokeRefreshTokens(target: { userId: string; applicationId?: string } | { applicationId: string }): Promise<void>;
}

/** What every call of one port shares: the client factory and the retry settings. */
interface PortContext {
  client(tenantId?: string): FusionAuthClient;
  retry: RetryOptions;
}

/** Statuses no retry can fix (the request itself is wrong, or the object is not there), else the status. */
function retryStatus(err: unknown): number | undefined | "fatal" {
  const s = statusOf(err);
  return s === 400 || s === 401 || s === 404 ? "fatal" : s;
}

/** A call that may be repeated; its rejection becomes a FusionAuthError. */
async function idempotent<T>(ctx: PortContext, action: string, resource: string, call: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(call, retryStatus, ctx.retry);
  } catch (err) {
    throw toFusionAuthError(err, action, resource);
  }
}

/** GET that answers undefined for 404. */
async function retrieve<T>(
  ctx: PortContext,
  resource: string,
  call: () => Promise<T | undefined>,
): Promise<T | undefined> {
  try {
    return await idempotent(ctx, "retrieve", resource, call);
  } catch (err) {
    if ((err as FusionAuthError).status === 404) return undefined;
    throw err;
  }
}

/** DELETE that treats an object already gone as deleted. */
async function remove(ctx: PortContext, resource: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await idempotent(ctx, "delete", resource, call);
  } catch (err) {
    if ((err as FusionAuthError).status === 404) return;
    throw err;
  }
}

/**
 * Look, then create with the given id. A failed or lost create is retried from the look, so an object that the
 * lost request did create is found and adopted.
 */
async function createOnce<T>(
  ctx: PortContext,
  resource: string,
  look: () => Promise<T | undefined>,
  create: () => Promise<T>,
): Promise<CreateResult<T>> {
  const { retry } = ctx;
  for (let attempt = 1; ; attempt++) {
    const existing = await look();
    if (existing !== undefined) return { object: existing, existed: true };
    try {
      return { object: await create(), existed: false };
    } catch (err) {
      const status = statusOf(err);
      // A 400 may be our own earlier create that landed after all (duplicate id): look again once.
      const again =
        (status === undefined || status === 400 || retryStatus(err) !== "fatal") && attempt < retry.attempts;
      if (!again) throw toFusionAuthError(err, "create", resource);
      await new Promise<void>((r) => setTimeout(r, Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1))));
    }
  }
}

type KeyCalls = Pick<FusionAuthPort, "retrieveKey" | "retrieveKeys" | "generateKey" | "renameKey" | "deleteKey">;
type TenantCalls = Pick<FusionAuthPort, "retrieveTenant" | "createTenant" | "updateTenant" | "deleteTenant">;
type SessionCalls = Pick<FusionAuthPort, "retrieveUser" | "revokeRefreshTokens">;
type ApplicationCalls = Pick<
  FusionAuthPort,
  "retrieveApplication" | "createApplication" | "updateApplication" | "deleteApplication"
>;

/** Signing keys: generated inside FusionAuth under the kit's deterministic ids. */
function keyCalls(ctx: PortContext): KeyCalls {
  const label = (id: string) => `signing key ${id}`;
  const calls: KeyCalls = {
    retrieveKey: (id) => retrieve(ctx, label(id), async () => (await ctx.client().retrieveKey(id)).response.key),
    retrieveKeys: () =>
      idempotent(ctx, "retrieve", "all keys", async () => (await ctx.client().retrieveKeys()).response.keys ?? []),
    generateKey: (id, spec) =>
      createOnce(
        ctx,
        label(id),
        () => calls.retrieveKey(id),
        async () => {
          const key: Key = {
            algorithm: spec.algorithm as KeyAlgorithm,
            name: spec.name,
            ...(spec.length !== undefined ? { length: spec.length } : {}),
          };
          const res = await ctx.client().generateKey(id, { key });
          return res.response.key as Key;
        },
      ),
    renameKey: (id, name) =>
      idempotent(
        ctx,
        "rename",
        label(id),
        async () => (await ctx.client().updateKey(id, { key: { name } })).response.key as Key,
      ),
    deleteKey: (id, text) => remove(ctx, text || label(id), () => ctx.client().deleteKey(id)),
  };
  return calls;
}

/** Tenants: created under deterministic ids, updated whole (PUT). */
function tenantCalls(ctx: PortContext): TenantCalls {
  const label = (id: string) => `tenant ${id}`;
  const calls: TenantCalls = {
    retrieveTenant: (id) =>
      retrieve(ctx, label(id), async () => (await ctx.client().retrieveTenant(id)).response.tenant),
    createTenant: (id, tenant) =>
      createOnce(
        ctx,
        label(id),
        () => calls.retrieveTenant(id),
        async () => (await ctx.client().createTenant(id, { tenant })).response.tenant as Tenant,
      ),
    updateTenant: (id, tenant) =>
      idempotent(
        ctx,
        "update",
        label(id),
        async () => (await ctx.client().updateTenant(id, { tenant })).response.tenant as Tenant,
      ),
    deleteTenant: (id, text) => remove(ctx, text || label(id), () => ctx.client().deleteTenant(id)),
  };
  return calls;
}

/** Applications: created inside their tenant (the tenant id header), updated whole (PUT). */
function applicationCalls(ctx: PortContext): ApplicationCalls {
  const label = (id: string) => `application ${id}`;
  const calls: ApplicationCalls = {
    retrieveApplication: (id) =>
      retrieve(ctx, label(id), async () => (await ctx.client().retrieveApplication(id)).response.application),
    createApplication: (id, tenantId, application) =>
      createOnce(
        ctx,
        label(id),
        () => calls.retrieveApplication(id),
        async () =>
          (await ctx.client(tenantId).createApplication(id, { application })).response.application as Application,
      ),
    updateApplication: (id, application) =>
      idempotent(
        ctx,
        "update",
        label(id),
        async () => (await ctx.client().updateApplication(id, { application })).response.application as Application,
      ),
    deleteApplication: (id, text) => remove(ctx, text || label(id), () => ctx.client().deleteApplication(id)),
  };
  return calls;
}

/** Sessions: a user looked up, and refresh tokens revoked (a stolen device, a bad release). */
function sessionCalls(ctx: PortContext): SessionCalls {
  const userLabel = (id: string) => `user ${id}`;
  const appLabel = (id: string) => `application ${id}`;
  return {
    retrieveUser: (id) => retrieve(ctx, userLabel(id), async () => (await ctx.client().retrieveUser(id)).response.user),
    revokeRefreshTokens: (target) => {
      const userId = "userId" in target ? target.userId : undefined;
      const appId = target.applicationId;
      const what = `the refresh tokens of ${userId === undefined ? "" : `${userLabel(userId)}${appId === undefined ? "" : " in "}`}${appId === undefined ? "" : appLabel(appId)}`;
      // A repeated revoke revokes nothing more: safe to retry.
      return idempotent(ctx, "revoke", what, async () => {
        if (userId === undefined) await ctx.client().revokeRefreshTokensByApplicationId(appId as string);
        else if (appId === undefined) await ctx.client().revokeRefreshTokensByUserId(userId);
        else await ctx.client().revokeRefreshTokensByUserIdForApplication(userId, appId);
      });
    },
  };
}

/** Creates the port for one FusionAuth: the key, tenant, application and session calls and the JWKS, sharing one context. */
export function createFusionAuthPort(settings: FusionAuthSettings): FusionAuthPort {
  const ctx: PortContext = {
    client: (tenantId) => new FusionAuthClient(settings.apiKey, settings.url, tenantId),
    retry: settings.retry ?? DEFAULT_RETRY,
  };
  return {
    objects: {
      retrieve: (resource, call) => retrieve(ctx, resource, () => call(ctx.client())),
      create: (resource, look, call) => createOnce(ctx, resource, look, () => call(ctx.client())),
      update: (resource, call) => idempotent(ctx, "update", resource, () => call(ctx.client())),
      remove: (resource, call) => remove(ctx, resource, () => call(ctx.client())),
    },
    ...keyCalls(ctx),
    ...tenantCalls(ctx),
    ...applicationCalls(ctx),
    ...sessionCalls(ctx),
    retrieveJwks: () =>
      idempotent(
        ctx,
        "retrieve",
        "the JWKS (/.well-known/jwks.json)",
        async () => (await ctx.client().retrieveJsonWebKeySet()).response.keys ?? [],
      ),
  };
}
