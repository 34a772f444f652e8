/**
 * API keys the emulator accepts: those it was started with, and those created through the API Key API
 * (routes/api-keys.ts, kept in the state). FusionAuth keys may be restricted to endpoints and methods
 * (`permissions.endpoints`) and locked to a tenant; a key with no endpoint permissions is a super key; only a key
 * manager may call the API Key API.
 * @see https://fusionauth.io/docs/apis/api-keys
 */
import type { EmulatorState } from "./state";

/** The documented default key of a local emulator (`fakit emulator`, the `local` stack, `npm start`). */
export const DEFAULT_API_KEY = "fakit-local-api-key";

export interface ApiKeySpec {
  /** The key value sent in `Authorization`. */
  key: string;
  /** Locks the key to one tenant, like a FusionAuth tenant-scoped key. */
  tenantId?: string;
  /** Endpoint (`/api/tenant`) → allowed methods (`["GET", "PATCH"]`). Empty or absent: every endpoint. */
  permissions?: { endpoints?: Record<string, string[]> };
  /** May manage other API keys through `/api/api-key` (FusionAuth's "Key manager"). */
  keyManager?: boolean;
}

/**
 * Normalizes `startEmulator`'s `apiKeys` option. The default key is a key manager, as a Kickstart file's first key
 * is: a local stack can create the kit's own keys (docs/least-privilege.md).
 */
export function toApiKeySpecs(keys: (string | ApiKeySpec)[] | undefined): ApiKeySpec[] {
  if (keys === undefined || keys.length === 0) return [{ key: DEFAULT_API_KEY, keyManager: true }];
  return keys.map((k) => (typeof k === "string" ? { key: k } : k));
}

/** Finds the key sent in an `Authorization` header (raw key, no scheme): a start-up key or one created since. */
export function findApiKey(
  specs: ApiKeySpec[],
  state: EmulatorState,
  header: string | undefined,
): ApiKeySpec | undefined {
  if (header === undefined || header === "") return undefined;
  return specs.find((s) => s.key === header) ?? Object.values(state.apiKeys).find((s) => s.key === header);
}

/** Whether a key may call `method` on `endpoint`. */
export function isPermitted(spec: ApiKeySpec, endpoint: string, method: string): boolean {
  const endpoints = spec.permissions?.endpoints;
  if (endpoints === undefined || Object.keys(endpoints).length === 0) return true;
  const methods = endpoints[endpoint];
  return (methods ?? []).map((m) => m.toUpperCase()).includes(method);
}
