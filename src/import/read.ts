/**
 * The network edge of `fakit import`: reads a live FusionAuth's tenants, applications and keys with a read-only
 * API key (GET on /api/tenant, /api/application and /api/key; see docs/least-privilege.md), saying which
 * endpoint failed and why: unreachable, a key FusionAuth refuses, or a key lacking one permission.
 */
import { FusionAuthClient } from "@fusionauth/typescript-client";
import type { LiveApplication, LiveInstance, LiveKey, LiveTenant } from "./map";

/** Why reading failed, in words a user can act on; `code` is stable for scripts and tests. */
export class ImportReadError extends Error {
  constructor(
    readonly code: "KIT_IMPORT_UNREACHABLE" | "KIT_IMPORT_FORBIDDEN" | "KIT_IMPORT_FAILED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The endpoints the import reads, each a GET. */
export const IMPORT_API_KEY_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  "/api/tenant": ["GET"],
  "/api/application": ["GET"],
  "/api/key": ["GET"],
};

async function read<T>(url: string, endpoint: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 401 || status === 403) {
      throw new ImportReadError(
        "KIT_IMPORT_FORBIDDEN",
        `FusionAuth at ${url} refused the API key for GET ${endpoint} (HTTP ${status}): the key is wrong, or lacks GET on ${endpoint}; the import needs GET on ${Object.keys(IMPORT_API_KEY_PERMISSIONS).join(", ")}`,
        { cause: err },
      );
    }
    if (status === undefined) {
      const detail = (err as { exception?: Error }).exception?.message ?? (err as Error).message ?? String(err);
      throw new ImportReadError(
        "KIT_IMPORT_UNREACHABLE",
        `cannot reach FusionAuth at ${url} (GET ${endpoint}: ${detail}); check the URL and that it is up`,
        { cause: err },
      );
    }
    throw new ImportReadError("KIT_IMPORT_FAILED", `GET ${endpoint} at ${url} answered HTTP ${status}`, { cause: err });
  }
}

/** Reads everything the import needs; throws {@link ImportReadError}. Only GET requests. */
export async function readLiveInstance(url: string, apiKey: string): Promise<LiveInstance> {
  const base = url.replace(/\/+$/, "");
  const client = new FusionAuthClient(apiKey, base);
  const tenants = await read(base, "/api/tenant", async () => (await client.retrieveTenants()).response.tenants ?? []);
  const applications = await read(
    base,
    "/api/application",
    async () => (await client.retrieveApplications()).response.applications ?? [],
  );
  const keys = await read(base, "/api/key", async () => (await client.retrieveKeys()).response.keys ?? []);
  return {
    url: base,
    tenants: tenants as LiveTenant[],
    applications: applications as LiveApplication[],
    keys: keys as LiveKey[],
  };
}
