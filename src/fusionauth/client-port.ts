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

import type { Application, JSONWebKey, Key, Tenant, User } from "@fusionauth/typescript-client";
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

export interface FusionAuthPort {
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

/** Creates the port for one FusionAuth. */
export function createFusionAuthPort(settings: FusionAuthSettings): FusionAuthPort {
  const retry = settings.retry ?? DEFAULT_RETRY;
  const client = (tenantId?: string) => new FusionAuthClient(settings.apiKey, settings.url, tenantId);
  const retryStatus = (err: unknown) => {
    const s = statusOf(err);
    return s === 400 || s === 401 || s === 404 ? "fatal" : s;
  };

  /** A call that may be repeated; its rejection becomes a FusionAuthError. */
  async function idempotent<T>(action: string, resource: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(call, retryStatus, retry);
    } catch (err) {
      throw toFusionAuthError(err, action, resource);
    }
  }

  /** GET that answers undefined for 404. */
  async function retrieve<T>(resource: string, call: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await idempotent("retrieve", resource, call);
    } catch (err) {
      if ((err as FusionAuthError).status === 404) return undefined;
      throw err;
    }
  }

  /** DELETE that treats an object already gone as deleted. */
  async function remove(resource: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await idempotent("delete", resource, call);
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
    resource: string,
    look: () => Promise<T | undefined>,
    create: () => Promise<T>,
  ): Promise<CreateResult<T>> {
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
        await new Promise<void>((r) =>
          setTimeout(r, Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1))),
        );
      }
    }
  }

  const keyLabel = (id: string) => `signing key ${id}`;
  const tenantLabel = (id: string) => `tenant ${id}`;
  const appLabel = (id: string) => `application ${id}`;
  const userLabel = (id: string) => `user ${id}`;

  const port: FusionAuthPort = {
    retrieveKey: (id) => retrieve(keyLabel(id), async () => (await client().retrieveKey(id)).response.key),
    retrieveKeys: () =>
      idempotent("retrieve", "all keys", async () => (await client().retrieveKeys()).response.keys ?? []),
    generateKey: (id, spec) =>
      createOnce(
        keyLabel(id),
        () => port.retrieveKey(id),
        async () => {
          const res = await client().generateKey(id, { key: spec as Key });
          return res.response.key as Key;
        },
      ),
    renameKey: (id, name) =>
      idempotent(
        "rename",
        keyLabel(id),
        async () => (await client().updateKey(id, { key: { name } })).response.key as Key,
      ),
    deleteKey: (id, label) => remove(label || keyLabel(id), () => client().deleteKey(id)),

    retrieveTenant: (id) => retrieve(tenantLabel(id), async () => (await client().retrieveTenant(id)).response.tenant),
    createTenant: (id, tenant) =>
      createOnce(
        tenantLabel(id),
        () => port.retrieveTenant(id),
        async () => (await client().createTenant(id, { tenant })).response.tenant as Tenant,
      ),
    updateTenant: (id, tenant) =>
      idempotent(
        "update",
        tenantLabel(id),
        async () => (await client().updateTenant(id, { tenant })).response.tenant as Tenant,
      ),
    deleteTenant: (id, label) => remove(label || tenantLabel(id), () => client().deleteTenant(id)),

    retrieveApplication: (id) =>
      retrieve(appLabel(id), async () => (await client().retrieveApplication(id)).response.application),
    createApplication: (id, tenantId, application) =>
      createOnce(
        appLabel(id),
        () => port.retrieveApplication(id),
        async () => (await client(tenantId).createApplication(id, { application })).response.application as Application,
      ),
    updateApplication: (id, application) =>
      idempotent(
        "update",
        appLabel(id),
        async () => (await client().updateApplication(id, { application })).response.application as Application,
      ),
    deleteApplication: (id, label) => remove(label || appLabel(id), () => client().deleteApplication(id)),

    retrieveUser: (id) => retrieve(userLabel(id), async () => (await client().retrieveUser(id)).response.user),
    revokeRefreshTokens: (target) => {
      const userId = "userId" in target ? target.userId : undefined;
      const appId = target.applicationId;
      const what = `the refresh tokens of ${userId === undefined ? "" : `${userLabel(userId)}${appId === undefined ? "" : " in "}`}${appId === undefined ? "" : appLabel(appId)}`;
      // A repeated revoke revokes nothing more: safe to retry.
      return idempotent("revoke", what, async () => {
        if (userId === undefined) await client().revokeRefreshTokensByApplicationId(appId as string);
        else if (appId === undefined) await client().revokeRefreshTokensByUserId(userId);
        else await client().revokeRefreshTokensByUserIdForApplication(userId, appId);
      });
    },
    retrieveJwks: () =>
      idempotent("retrieve", "the JWKS (/.well-known/jwks.json)", async () => {
        return (await client().retrieveJsonWebKeySet()).response.keys ?? [];
      }),
  };
  return port;
}
