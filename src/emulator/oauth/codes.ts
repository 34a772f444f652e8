/**
 * Authorization codes between `/oauth2/authorize` and the token endpoint: single use, short-lived (the tenant's
 * `externalIdentifierConfiguration.authorizationGrantIdTimeToLiveInSeconds`, FusionAuth's default 30 s, on the
 * emulator clock). Kept in memory, not in the data file: a restart loses pending codes, as if they expired.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
import { randomBytes } from "node:crypto";
import type { EmulatorContext } from "../context";
import type { EmulatorState, Json } from "../state";

export interface AuthorizationCode {
  clientId: string;
  userId: string;
  /** The `redirect_uri` of the authorization request, which the token request must repeat. */
  redirectUri: string;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  authTime: number;
  expiresAt: number;
}

const DEFAULT_TTL_SECONDS = 30;
const stores = new WeakMap<EmulatorState, Map<string, AuthorizationCode>>();

function storeOf(state: EmulatorState): Map<string, AuthorizationCode> {
  let store = stores.get(state);
  if (store === undefined) {
    store = new Map();
    stores.set(state, store);
  }
  return store;
}

/** Issues a code for an authenticated user. */
export function issueCode(emu: EmulatorContext, tenant: Json, code: Omit<AuthorizationCode, "expiresAt">): string {
  const ttl = tenant.externalIdentifierConfiguration?.authorizationGrantIdTimeToLiveInSeconds ?? DEFAULT_TTL_SECONDS;
  const value = randomBytes(32).toString("base64url");
  const store = storeOf(emu.state);
  const now = emu.clock.now();
  for (const [k, c] of store) if (c.expiresAt <= now) store.delete(k);
  store.set(value, { ...code, expiresAt: now + ttl * 1000 });
  return value;
}

/** Redeems a code: returns it and forgets it (a code is used once, whatever the token request's outcome). */
export function redeemCode(emu: EmulatorContext, value: string): AuthorizationCode | undefined {
  const store = storeOf(emu.state);
  const code = store.get(value);
  store.delete(value);
  if (code === undefined || code.expiresAt <= emu.clock.now()) return undefined;
  return code;
}
