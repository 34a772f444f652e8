/**
 * Users, registrations and password change.
 * @see https://fusionauth.io/docs/apis/users
 * @see https://fusionauth.io/docs/apis/registrations
 */
import { randomUUID } from "node:crypto";
import { ok, queryParam, type RequestContext, type Route } from "../context";
import { fieldError, notFound } from "../errors";
import { assertJsonTypes, REGISTRATION, USER } from "../json-types";
import { patchedObject } from "../patch-request";
import { tenantForCreate, visible } from "../scope";
import type { Json, StoredUser } from "../state";
import { createRefreshToken, issueAccessToken, revokeRefreshTokens } from "../tokens";
import { applyRevocationTriggers, buildRegistration, buildUser, findByLoginId, hashPassword } from "../user-model";

function scopedUser(ctx: RequestContext, id = ctx.params.userId as string): StoredUser {
  const stored = ctx.emu.state.users[id];
  visible(ctx, stored?.user);
  return stored as StoredUser;
}

function createUser(ctx: RequestContext, userInput: Json): StoredUser {
  assertJsonTypes(ctx.body, { user: USER, registration: REGISTRATION, sendSetPasswordEmail: "boolean" });
  const { state } = ctx.emu;
  const id = ctx.params.userId ?? userInput?.id?.toLowerCase() ?? randomUUID();
  if (state.users[id] !== undefined) fieldError("userId", "duplicate", `A user with id [${id}] already exists.`);
  const tenant = tenantForCreate(ctx);
  const { stored } = buildUser(
    userInput,
    id,
    tenant.id,
    undefined,
    state,
    ctx.emu.clock.now(),
    ctx.body?.sendSetPasswordEmail === true,
  );
  return stored;
}

function update(ctx: RequestContext, merge: boolean) {
  const { state } = ctx.emu;
  const existing = scopedUser(ctx);
  if (!merge) assertJsonTypes(ctx.body, { user: USER });
  const input = merge ? patchedObject(ctx, "user", { ...existing.user, password: undefined }, USER) : ctx.body?.user;
  const { stored, passwordChanged } = buildUser(
    input,
    existing.user.id,
    existing.user.tenantId,
    existing,
    state,
    ctx.emu.clock.now(),
    true,
  );
  if (input?.active === false || input?.active === true) stored.user.active = input.active;
  state.users[existing.user.id] = stored;
  applyRevocationTriggers(state, existing.user, stored.user, passwordChanged);
  return ok({ user: stored.user });
}

/** `PUT /api/user/{userId}?reactivate=true`: no body; the user becomes active again. */
function reactivate(ctx: RequestContext) {
  const stored = scopedUser(ctx);
  stored.user.active = true;
  stored.user.lastUpdateInstant = ctx.emu.clock.now();
  return ok({ user: stored.user });
}

async function register(ctx: RequestContext) {
  const { state } = ctx.emu;
  const now = ctx.emu.clock.now();
  let stored: StoredUser;
  assertJsonTypes(ctx.body, { user: USER, registration: REGISTRATION });
  const combined = ctx.body?.user !== undefined && ctx.body?.user !== null;
  if (combined) stored = createUser(ctx, ctx.body.user);
  else stored = scopedUser(ctx);
  const app = state.applications[ctx.body?.registration?.applicationId];
  const registration = buildRegistration(ctx.body?.registration, stored.user, app, now);
  state.users[stored.user.id] = stored;
  stored.user.registrations = [...(stored.user.registrations ?? []), registration];
  const body: Json = { registration, user: stored.user };
  if (combined && app !== undefined) {
    const tenant = state.tenants[stored.user.tenantId];
    const rt = app.loginConfiguration.generateRefreshTokens
      ? createRefreshToken(ctx.emu, stored.user, app, "USER_CREATE", {})
      : undefined;
    const at = await issueAccessToken(ctx.emu, {
      user: stored.user,
      tenant,
      app,
      registered: true,
      authenticationType: "USER_CREATE",
      authTime: Math.floor(now / 1000),
      refreshTokenId: rt?.id,
    });
    Object.assign(body, { token: at.token, tokenExpirationInstant: at.expiresAt });
    if (rt !== undefined) Object.assign(body, { refreshToken: rt.token, refreshTokenId: rt.id });
  }
  return ok(body);
}

const base = { endpoint: "/api/user", auth: "apiKey" } as const;
const reg = { endpoint: "/api/user/registration", auth: "apiKey" } as const;

export const userRoutes: Route[] = [
  {
    ...base,
    method: "POST",
    template: "/api/user/change-password",
    endpoint: "/api/user/change-password",
    kind: "write",
    handle: (ctx) => {
      const { state } = ctx.emu;
      assertJsonTypes(ctx.body, { loginId: "string", password: "string" });
      const { loginId, password } = ctx.body ?? {};
      if (!loginId) fieldError("loginId", "blank", "You must specify the [loginId] property.");
      if (typeof password !== "string" || password.length < 8)
        fieldError("password", "tooShort", "The [password] must be at least 8 characters long.");
      const [stored] = findByLoginId(state, ctx.tenantId, loginId);
      if (stored === undefined) return notFound();
      const before = structuredClone(stored.user);
      stored.passwordHash = hashPassword(password);
      stored.user.passwordLastUpdateInstant = ctx.emu.clock.now();
      // The Change Password API revokes a user's refresh tokens (onPasswordChanged, default true).
      applyRevocationTriggers(state, before, stored.user, true);
      return ok();
    },
  },
  ...["/api/user/registration", "/api/user/registration/{userId}"].map(
    (template): Route => ({ ...reg, method: "POST", template, kind: "write", handle: register }),
  ),
  {
    ...reg,
    method: "GET",
    template: "/api/user/registration/{userId}/{applicationId}",
    kind: "read",
    handle: (ctx) => {
      const stored = scopedUser(ctx);
      const r = (stored.user.registrations ?? []).find((x: Json) => x.applicationId === ctx.params.applicationId);
      return r === undefined ? notFound() : ok({ registration: r });
    },
  },
  {
    ...reg,
    method: "DELETE",
    template: "/api/user/registration/{userId}/{applicationId}",
    kind: "write",
    handle: (ctx) => {
      const stored = scopedUser(ctx);
      const before = stored.user.registrations ?? [];
      stored.user.registrations = before.filter((x: Json) => x.applicationId !== ctx.params.applicationId);
      if (stored.user.registrations.length === before.length) return notFound();
      revokeRefreshTokens(ctx.emu.state, { userId: stored.user.id, applicationId: ctx.params.applicationId });
      return ok();
    },
  },
  ...["/api/user", "/api/user/{userId}"].map(
    (template): Route => ({
      ...base,
      method: "POST",
      template,
      kind: "write",
      handle: (ctx) => {
        const stored = createUser(ctx, ctx.body?.user);
        ctx.emu.state.users[stored.user.id] = stored;
        return ok({ user: stored.user });
      },
    }),
  ),
  {
    ...base,
    method: "GET",
    template: "/api/user/{userId}",
    kind: "read",
    handle: (ctx) => ok({ user: scopedUser(ctx).user }),
  },
  {
    ...base,
    method: "PUT",
    template: "/api/user/{userId}",
    kind: "write",
    handle: (ctx) => (queryParam(ctx, "reactivate") === "true" ? reactivate(ctx) : update(ctx, false)),
  },
  { ...base, method: "PATCH", template: "/api/user/{userId}", kind: "write", handle: (ctx) => update(ctx, true) },
  {
    ...base,
    method: "DELETE",
    template: "/api/user/{userId}",
    kind: "write",
    handle: (ctx) => {
      const { state } = ctx.emu;
      const stored = scopedUser(ctx);
      if (queryParam(ctx, "hardDelete") === "true") {
        delete state.users[stored.user.id];
        revokeRefreshTokens(state, { userId: stored.user.id });
      } else {
        const before = structuredClone(stored.user);
        stored.user.active = false;
        applyRevocationTriggers(state, before, stored.user, false);
      }
      return ok();
    },
  },
];
