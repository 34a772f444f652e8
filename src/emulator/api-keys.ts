/**
 * API keys the emulator accepts. FusionAuth keys may be restricted to endpoints and methods
 * (`permissions.endpoints`) and locked to a tenant; a key with no endpoint permissions is a super key.
 * @see https://fusionauth.io/docs/apis/api-keys
 */

/** The documented default key of a local emulator (`fakit emulator`, the `local` stack, `npm start`). */
export const DEFAULT_API_KEY = "fakit-local-api-key";

export interface ApiKeySpec {
  /** The key value sent in `Authorization`. */
  key: string;
  /** Locks the key to one tenant, like a FusionAuth tenant-scoped key. */
  tenantId?: string;
  /** Endpoint (`/api/tenant`) → allowed methods (`["GET", "PATCH"]`). Empty or absent: every endpoint. */
  permissions?: { endpoints?: Record<string, string[]> };
}

/** Normalizes `startEmulator`'s `apiKeys` option. */
export function toApiKeySpecs(keys: (string | ApiKeySpec)[] | undefined): ApiKeySpec[] {
  if (keys === undefined || keys.length === 0) return [{ key: DEFAULT_API_KEY }];
  return keys.map((k) => (typeof k === "string" ? { key: k } : k));
}

/** Finds the key sent in an `Authorization` header (raw key, no scheme). */
export function findApiKey(specs: ApiKeySpec[], header: string | undefined): ApiKeySpec | undefined {
  if (header === undefined || header === "") return undefined;
  return specs.find((s) => s.key === header);
}

/** Whether a key may call `method` on `endpoint`. */
export function isPermitted(spec: ApiKeySpec, endpoint: string, method: string): boolean {
  const endpoints = spec.permissions?.endpoints;
  if (endpoints === undefined || Object.keys(endpoints).length === 0) return true;
  const methods = endpoints[endpoint];
  return (methods ?? []).map((m) => m.toUpperCase()).includes(method);
}
