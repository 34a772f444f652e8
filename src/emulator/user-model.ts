/**
 * Users and registrations: validation, password hashing (scrypt, node crypto) and the revocation triggers
 * a user change fires.
 * @see https://fusionauth.io/docs/apis/users
 */

import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from "node:crypto";
import { isPlainObject as isObj } from "../lib/plain-object";
import { ErrorCollector } from "./errors";
import type { EmulatorState, Json, StoredUser } from "./state";
import { revokeRefreshTokens } from "./tokens";

// A low scrypt cost: the emulator stores test users, and logins must stay fast on a shared 2-core machine.
const SCRYPT = { N: 1024, r: 8, p: 1 };

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `${salt.toString("hex")}:${scryptSync(password, salt, 32, SCRYPT).toString("hex")}`;
}

export function checkPassword(stored: StoredUser, password: string): boolean {
  if (stored.passwordHash === undefined) return false;
  const [salt, hash] = stored.passwordHash.split(":") as [string, string];
  const actual = scryptSync(password, Buffer.from(salt, "hex"), 32, SCRYPT);
  return timingSafeEqual(actual, Buffer.from(hash, "hex"));
}

/** Finds a user of `tenantId` by email (case-insensitive) or username. */
export function findByLoginId(state: EmulatorState, tenantId: string | undefined, loginId: string): StoredUser[] {
  const id = loginId.toLowerCase();
  return Object.values(state.users).filter(
    (u) =>
      (tenantId === undefined || u.user.tenantId === tenantId) &&
      (u.user.email?.toLowerCase() === id || u.user.username?.toLowerCase() === id),
  );
}

/**
 * Builds the stored user from a request's `user`. `password` is required on create (unless
 * `sendSetPasswordEmail`), optional on update; minimum length 8 (FusionAuth's default rule).
 */
export function buildUser(
  input: unknown,
  id: string,
  tenantId: string,
  existing: StoredUser | undefined,
  state: EmulatorState,
  now: number,
  passwordOptional: boolean,
): { stored: StoredUser; passwordChanged: boolean } {
  const errors = new ErrorCollector();
  const u: Json = isObj(input) ? structuredClone(input) : {};
  const password = u.password;
  for (const f of [
    "id",
    "password",
    "insertInstant",
    "lastUpdateInstant",
    "tenantId",
    "registrations",
    "passwordLastUpdateInstant",
  ])
    delete u[f];
  if (!u.email && !u.username && !u.phoneNumber) {
    errors.field("user.email", "blank", "You must specify either the [email], [username] or [phoneNumber] property.");
  }
  for (const field of ["email", "username"]) {
    if (!u[field]) continue;
    const clash = Object.values(state.users).find(
      (o) =>
        o.user.id !== id &&
        o.user.tenantId === tenantId &&
        String(o.user[field]).toLowerCase() === String(u[field]).toLowerCase(),
    );
    if (clash !== undefined)
      errors.field(`user.${field}`, "duplicate", `A User with ${field} = [${u[field]}] already exists.`);
  }
  if (password === undefined || password === null || password === "") {
    if (!passwordOptional) errors.field("user.password", "blank", "You must specify the [password] property.");
  } else if (typeof password !== "string" || password.length < 8) {
    errors.field("user.password", "tooShort", "The [password] must be at least 8 characters long.");
  }
  errors.throwIfAny();
  const passwordChanged = typeof password === "string" && password !== "";
  const prev = existing?.user;
  const user = {
    active: prev?.active ?? true,
    verified: prev?.verified ?? true,
    passwordChangeRequired: false,
    data: {},
    twoFactor: { methods: [] },
    ...u,
    id,
    tenantId,
    registrations: prev?.registrations ?? [],
    insertInstant: prev?.insertInstant ?? now,
    lastUpdateInstant: now,
    passwordLastUpdateInstant: passwordChanged ? now : (prev?.passwordLastUpdateInstant ?? now),
  };
  return {
    stored: { user, passwordHash: passwordChanged ? hashPassword(password) : existing?.passwordHash },
    passwordChanged,
  };
}

/**
 * Applies the tenant's refresh-token revocation policy to a user change: password changed, first MFA method
 * enabled, login prevented (deactivated).
 */
export function applyRevocationTriggers(
  state: EmulatorState,
  before: Json | undefined,
  after: Json,
  passwordChanged: boolean,
): void {
  const policy = state.tenants[after.tenantId]?.jwtConfiguration?.refreshTokenRevocationPolicy ?? {};
  const hadMfa = (before?.twoFactor?.methods ?? []).length > 0;
  const hasMfa = (after.twoFactor?.methods ?? []).length > 0;
  const prevented = before !== undefined && before.active !== false && after.active === false;
  if (
    (passwordChanged && before !== undefined && policy.onPasswordChanged) ||
    (!hadMfa && hasMfa && before !== undefined && policy.onMultiFactorEnable) ||
    (prevented && policy.onLoginPrevented)
  ) {
    revokeRefreshTokens(state, { userId: after.id });
  }
}

/** Builds a registration for `user` in `app`; roles must exist on the application. */
export function buildRegistration(input: unknown, user: Json, app: Json | undefined, now: number): Json {
  const errors = new ErrorCollector();
  const r: Json = isObj(input) ? structuredClone(input) : {};
  if (!r.applicationId)
    errors.field("registration.applicationId", "blank", "You must specify the [applicationId] property.");
  else if (app === undefined || app.tenantId !== user.tenantId) {
    errors.field(
      "registration.applicationId",
      "invalid",
      `The application [${r.applicationId}] does not exist in the user's tenant.`,
    );
  } else if ((user.registrations ?? []).some((x: Json) => x.applicationId === r.applicationId)) {
    errors.field("registration.applicationId", "duplicate", "The user is already registered for the application.");
  }
  const roles: unknown[] = Array.isArray(r.roles) ? r.roles : [];
  const known = new Set((app?.roles ?? []).map((x: Json) => x.name));
  for (const role of roles)
    if (app !== undefined && !known.has(role))
      errors.field("registration.roles", "invalid", `The role [${String(role)}] does not exist in the application.`);
  errors.throwIfAny();
  return {
    verified: true,
    data: {},
    ...r,
    roles,
    id: r.id ?? randomUUID(),
    insertInstant: now,
    lastUpdateInstant: now,
  };
}
