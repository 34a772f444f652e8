/**
 * Tenants: FusionAuth's defaults and validation, applied on create, update and patch alike.
 * @see https://fusionauth.io/docs/apis/tenants
 */
import { isPlainObject as isObj } from "../lib/plain-object";
import { ErrorCollector } from "./errors";
import { defaultJwtConfiguration, validateJwtConfiguration } from "./jwt-configuration";
import type { EmulatorState, Json } from "./state";

/** The Default tenant's id in the emulator (FusionAuth picks a random one per install). */
export const DEFAULT_TENANT_ID = "9b8c6a7e-1d2f-4e3a-8b5c-0f1e2d3c4b5a";
/** The "Default signing key" (HS256) every fresh FusionAuth signs with. */
export const DEFAULT_SIGNING_KEY_ID = "5f1c7e0a-2b3d-4c5e-8f9a-0b1c2d3e4f50";
/** The RSA key pair a fresh FusionAuth (1.50+) has, so the JWKS is not empty. */
export const DEFAULT_RSA_KEY_ID = "6a2d8f1b-3c4e-4d5f-9a0b-1c2d3e4f5a61";
export const DEFAULT_ISSUER = "acme.com";

/**
 * Builds the stored tenant from a request's `tenant` (already merged for PATCH), keeping the immutable and
 * response-only fields of `existing`. Throws a 400 with every problem found.
 */
export function buildTenant(
  input: unknown,
  id: string,
  existing: Json | undefined,
  state: EmulatorState,
  now: number,
): Json {
  const errors = new ErrorCollector();
  const t: Json = isObj(input) ? structuredClone(input) : {};
  for (const f of ["id", "insertInstant", "lastUpdateInstant", "configured", "state"]) delete t[f];
  if (typeof t.name !== "string" || t.name.trim() === "") {
    errors.field("tenant.name", "blank", "You must specify the [name] of the tenant.");
  } else {
    const clash = Object.values(state.tenants).find(
      (o: Json) => o.id !== id && o.name.toLowerCase() === t.name.toLowerCase(),
    );
    if (clash !== undefined)
      errors.field("tenant.name", "duplicate", `A tenant with name = [${t.name}] already exists.`);
  }
  t.issuer ??= DEFAULT_ISSUER;
  t.httpSessionMaxInactiveInterval ??= 3600;
  t.loginConfiguration = isObj(t.loginConfiguration) ? t.loginConfiguration : {};
  t.loginConfiguration.requireAuthentication ??= true;
  t.jwtConfiguration = defaultJwtConfiguration(t.jwtConfiguration, true, DEFAULT_SIGNING_KEY_ID);
  validateJwtConfiguration(t.jwtConfiguration, "tenant.jwtConfiguration", state, errors, true);
  errors.throwIfAny();
  return {
    ...t,
    id,
    configured: true,
    state: existing?.state ?? "Active",
    insertInstant: existing?.insertInstant ?? now,
    lastUpdateInstant: now,
  };
}

/** The Default tenant of a fresh emulator. */
export function defaultTenant(state: EmulatorState, now: number): Json {
  return buildTenant({ name: "Default" }, DEFAULT_TENANT_ID, undefined, state, now);
}
