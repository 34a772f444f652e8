/**
 * The emulator's whole state: what a FusionAuth database would hold for the API subset it serves. It is
 * plain JSON so it can be written to the data file as is.
 */

/** A JSON object as FusionAuth stores it: fields the emulator does not interpret are kept verbatim. */
// biome-ignore lint/suspicious/noExplicitAny: FusionAuth objects carry arbitrary nested configuration.
export type Json = any;

/** A Key Master key, with its private half (which the API never returns). */
export interface StoredKey {
  id: string;
  algorithm: string;
  type: "EC" | "RSA" | "OKP" | "HMAC";
  name: string;
  kid: string;
  length?: number;
  issuer?: string;
  publicKey?: string;
  /** PKCS#8 PEM of the private half; absent for imported public keys. */
  privateKey?: string;
  /** HMAC secret, base64. */
  secret?: string;
  certificate?: string;
  certificateInformation?: Record<string, unknown>;
  expirationInstant?: number;
  insertInstant: number;
  lastUpdateInstant: number;
}

/** A user with its password hash and registrations. */
export interface StoredUser {
  user: Json;
  /** scrypt hash `salt:hash`, both hex. */
  passwordHash?: string;
}

/** A refresh token (session). Under `OneTimeUse` its value changes on each refresh; the id stays. */
export interface StoredRefreshToken {
  id: string;
  token: string;
  userId: string;
  applicationId: string;
  tenantId: string;
  /** When this value was issued. */
  insertInstant: number;
  /** When the session began (the login); fixed and maximum lifetimes count from here. */
  startInstant: number;
  /** Last use (sliding windows count from here). */
  lastUsedInstant: number;
  /** Seconds since epoch of the original authentication, for `auth_time`. */
  authTime: number;
  /** Values this session had before (one-time use): reuse detection and the grace period. */
  retired: { token: string; retiredInstant: number }[];
  metaData: Json;
  authenticationType: string;
}

/**
 * An API key created through the API Key API (`/api/api-key`), as FusionAuth returns it.
 * @see https://fusionauth.io/docs/apis/api-keys
 */
export interface StoredApiKey {
  id: string;
  /** The value sent in `Authorization`. */
  key: string;
  /** May manage other API keys (only a key manager may call `/api/api-key`). */
  keyManager: boolean;
  /** Endpoint → allowed methods; none: every endpoint (a super key). */
  permissions?: { endpoints?: Record<string, string[]> };
  /** Locks the key to one tenant. */
  tenantId?: string;
  metaData?: { attributes?: Record<string, string> };
  insertInstant: number;
  lastUpdateInstant: number;
}

export interface EmulatorState {
  version: 1;
  keys: Record<string, StoredKey>;
  tenants: Record<string, Json>;
  applications: Record<string, Json>;
  users: Record<string, StoredUser>;
  refreshTokens: Record<string, StoredRefreshToken>;
  /** Absent from data files written before the API Key API: read as empty. */
  apiKeys: Record<string, StoredApiKey>;
}

export const STATE_VERSION = 1;

/** The collections of records, keyed by id. */
export const COLLECTIONS = ["keys", "tenants", "applications", "users", "refreshTokens", "apiKeys"] as const;
export type Collection = (typeof COLLECTIONS)[number];

/**
 * Moves each collection into an object without a prototype, so that an id taken from a request, such as
 * `__proto__`, `constructor` or `toString`, is only ever a missing record, never an inherited property.
 */
export function withoutPrototypes(state: EmulatorState): EmulatorState {
  for (const c of COLLECTIONS) {
    const records: Record<string, unknown> = Object.create(null);
    for (const [id, value] of Object.entries(state[c] ?? {})) records[id] = value;
    (state as unknown as Record<string, unknown>)[c] = records;
  }
  return state;
}
