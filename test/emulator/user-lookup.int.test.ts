// Users as apps and FusionAuth's own client tests look them up (by email, username, login id; search by ids),
// and the one answer for a FusionAuth route the emulator does not serve. Before #26: retrieve by email or login
// id was an empty 405, search by ids a 400 `[couldNotConvert]userId`, and
// GET /api/tenant/password-validation-rules/{id} a 400 blaming the id.
import { randomUUID } from "node:crypto";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_API_KEY, DEFAULT_TENANT_ID, type RunningEmulator, startEmulator } from "../../src/emulator";
import { json, raw } from "./support/raw-http";

let emu: RunningEmulator;
let client: FusionAuthClient;
let other: string;
const ids: string[] = [];

beforeAll(async () => {
  emu = await startEmulator();
  client = new FusionAuthClient(DEFAULT_API_KEY, emu.url, DEFAULT_TENANT_ID);
  for (const [email, username] of [
    ["ana@example.com", "ana"],
    ["bo@example.com", "bo"],
    ["cy@example.com", undefined],
  ] as const) {
    const r = await client.createUser(null as never, { user: { email, username, password: "password-123" } });
    ids.push(r.response.user?.id as string);
  }
  other = randomUUID();
  await new FusionAuthClient(DEFAULT_API_KEY, emu.url).createTenant(other, { tenant: { name: "Other" } });
  await new FusionAuthClient(DEFAULT_API_KEY, emu.url, other).createUser(null as never, {
    user: { email: "ana@example.com", password: "password-123" },
  });
});
afterAll(() => emu.close());

const status = async (call: Promise<unknown>) =>
  call.then(
    () => 200,
    (e: { statusCode: number }) => e.statusCode,
  );

describe("retrieve a user", () => {
  it("by email, username or login id, within the tenant of the header", async () => {
    expect((await client.retrieveUserByEmail("ANA@example.com")).response.user?.id).toBe(ids[0]);
    expect((await client.retrieveUserByUsername("bo")).response.user?.id).toBe(ids[1]);
    expect((await client.retrieveUserByLoginId("bo")).response.user?.id).toBe(ids[1]);
    expect((await client.retrieveUserByLoginId("cy@example.com")).response.user?.id).toBe(ids[2]);
    expect(await status(client.retrieveUserByEmail("nobody@example.com"))).toBe(404);
  });

  it("with loginIdTypes, only those fields match", async () => {
    expect((await client.retrieveUserByLoginIdWithLoginIdTypes("ana", ["username"])).response.user?.id).toBe(ids[0]);
    expect(await status(client.retrieveUserByLoginIdWithLoginIdTypes("ana", ["email"]))).toBe(404);
  });

  it("without a tenant, an email held in two tenants asks for the tenant", async () => {
    const global = new FusionAuthClient(DEFAULT_API_KEY, emu.url);
    const r = await raw(emu.url, {
      method: "GET",
      path: "/api/user?email=ana%40example.com",
      headers: { Authorization: DEFAULT_API_KEY },
    });
    expect(r.status).toBe(400);
    expect(json(r).generalErrors[0].code).toBe("[TenantIdRequired]");
    expect((await global.retrieveUserByEmail("bo@example.com")).response.user?.id).toBe(ids[1]);
  });
});

describe("search users", () => {
  it("by ids (GET, as the client's searchUsersByIds sends them) and by POST", async () => {
    const byGet = await client.searchUsersByIds([ids[0] as string, ids[2] as string]);
    expect(byGet.response.total).toBe(2);
    expect(byGet.response.users?.map((u) => u.id).sort()).toEqual([ids[0], ids[2]].sort());
    const byPost = await client.searchUsersByQuery({ search: { ids: [ids[1] as string] } });
    expect(byPost.response.users?.map((u) => u.id)).toEqual([ids[1]]);
    const all = await client.searchUsersByQuery({ search: { queryString: "*" } });
    expect(all.response.total).toBe(3);
  });

  it("a search the emulator does not serve is a 501 that says so, not a validation error", async () => {
    const r = await raw(emu.url, {
      method: "POST",
      path: "/api/user/search",
      headers: { Authorization: DEFAULT_API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ search: { queryString: "email:ana*" } }),
    });
    expect(r.status).toBe(501);
    expect(json(r).generalErrors[0].code).toBe("[NotImplemented]");
  });
});

describe("a FusionAuth route the emulator does not serve", () => {
  it.each([
    [
      "GET",
      `/api/tenant/password-validation-rules/${DEFAULT_TENANT_ID}`,
      "/api/tenant/password-validation-rules/{tenantId}",
    ],
    ["GET", "/api/system-configuration", "/api/system-configuration"],
    ["POST", "/oauth2/introspect", "/oauth2/introspect"],
    ["POST", "/api/user/import", "/api/user/import"],
  ])("%s %s answers 501 [NotImplemented] naming FusionAuth's route", async (method, path, template) => {
    const r = await raw(emu.url, { method, path, headers: { Authorization: DEFAULT_API_KEY } });
    expect(r.status).toBe(501);
    expect(json(r)).toEqual({
      generalErrors: [
        {
          code: "[NotImplemented]",
          message: `The FusionAuth emulator does not implement ${method} ${template}. docs/emulator.md lists the routes it serves.`,
        },
      ],
    });
  });

  it("a path no FusionAuth has stays a 404, and a bad id on a served route stays FusionAuth's 400", async () => {
    expect((await raw(emu.url, { method: "GET", path: "/api/nothing" })).status).toBe(404);
    const bad = await raw(emu.url, {
      method: "GET",
      path: "/api/user/not-a-uuid",
      headers: { Authorization: DEFAULT_API_KEY },
    });
    expect(json(bad).fieldErrors.userId[0].code).toBe("[couldNotConvert]userId");
  });
});
