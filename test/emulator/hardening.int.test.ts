/**
 * The emulator against malformed and hostile requests (issue #16): each case here was answered wrongly before.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_API_KEY,
  DEFAULT_TENANT_ID,
  MAX_BODY_BYTES,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator";
import { json, type RawRequest, raw, rawStreaming } from "./support/raw-http";

let emu: RunningEmulator;
const auth = { Authorization: DEFAULT_API_KEY, "Content-Type": "application/json" };
// Applications and users need a tenant once the tests have created more than one.
const inDefault = { "X-FusionAuth-TenantId": DEFAULT_TENANT_ID };
const call = (r: RawRequest) => raw(emu.url, { ...r, headers: { ...auth, ...r.headers } });
const newTenant = async (name = `t-${randomUUID()}`) =>
  json(await call({ method: "POST", path: "/api/tenant", body: JSON.stringify({ tenant: { name } }) })).tenant;

beforeAll(async () => {
  emu = await startEmulator({ publicUrl: "https://auth.example.com/" });
});
afterAll(() => emu.close());

describe("ids in paths", () => {
  it("refuses a non-UUID id with FusionAuth's [couldNotConvert] field error and creates nothing", async () => {
    const r = await call({
      method: "POST",
      path: "/api/user/not-a-uuid",
      body: '{"user":{"email":"a@b.c","password":"password1"}}',
    });
    expect(r.status).toBe(400);
    expect(json(r)).toEqual({
      fieldErrors: {
        userId: [
          {
            code: "[couldNotConvert]userId",
            message:
              "Invalid userId [not-a-uuid]. This must be a valid UUID String (e.g. 25a872da-bb44-4af8-a43d-e7bcb5351ebc).",
          },
        ],
      },
    });
    // Nothing was created: the user search (emulated since #26) finds no user.
    const search = await call({ method: "POST", path: "/api/user/search", body: '{"search":{"queryString":"*"}}' });
    expect(search.status).toBe(200);
    expect(json(search).total).toBe(0);
    // The login by that email finds no user: nothing was created.
    const login = await call({
      method: "POST",
      path: "/api/login",
      body: '{"loginId":"a@b.c","password":"password1"}',
    });
    expect(login.status).toBe(404);
  });

  it("answers 400 (not 500) for bad percent-encoding in a path id", async () => {
    const r = await call({ method: "GET", path: "/api/tenant/%E0%A4%A" });
    expect(r.status).toBe(400);
    expect(json(r).fieldErrors.tenantId[0].code).toBe("[couldNotConvert]tenantId");
  });

  it("accepts an upper-case UUID and stores it in lower case, as FusionAuth's UUID type does", async () => {
    const id = randomUUID();
    const r = await call({
      method: "POST",
      path: `/api/tenant/${id.toUpperCase()}`,
      body: '{"tenant":{"name":"upper"}}',
    });
    expect(r.status).toBe(200);
    expect(json(r).tenant.id).toBe(id);
    expect((await call({ method: "GET", path: `/api/tenant/${id}` })).status).toBe(200);
  });

  it("checks the API key before the id (401 for an anonymous bad id)", async () => {
    const r = await raw(emu.url, { method: "GET", path: "/api/tenant/nope" });
    expect(r.status).toBe(401);
  });
});

describe("JSON types", () => {
  it("reports a non-object jwtConfiguration as [invalidJSON] instead of applying defaults", async () => {
    const r = await call({
      method: "POST",
      path: "/api/tenant",
      body: '{"tenant":{"name":"x","jwtConfiguration":"x"}}',
    });
    expect(r.status).toBe(400);
    const errors = json(r).fieldErrors;
    expect(Object.keys(errors)).toEqual(["tenant.jwtConfiguration"]);
    expect(errors["tenant.jwtConfiguration"][0].code).toBe("[invalidJSON]");
    expect(errors["tenant.jwtConfiguration"][0].message).toContain(
      "The property [tenant.jwtConfiguration] was invalid",
    );
  });

  it("reports a list as a tenant name as a type error, not a blank name", async () => {
    const r = await call({ method: "POST", path: "/api/tenant", body: '{"tenant":{"name":["a"]}}' });
    expect(r.status).toBe(400);
    expect(json(r).fieldErrors).toEqual({ "tenant.name": [expect.objectContaining({ code: "[invalidJSON]" })] });
  });

  it.each([
    [
      "/api/application",
      { application: { name: "a", oauthConfiguration: { authorizedRedirectURLs: "x" } } },
      "application.oauthConfiguration.authorizedRedirectURLs",
    ],
    ["/api/application", { application: { name: 7 } }, "application.name"],
    ["/api/key/generate", { key: { name: "k", algorithm: "RS256", length: "2048" } }, "key.length"],
    ["/api/user", { user: { email: { a: 1 }, password: "password1" } }, "user.email"],
    ["/api/user", { user: { id: "not-a-uuid", email: "x@y.z", password: "password1" } }, "user.id"],
    ["/api/user/registration", { registration: { applicationId: 5 } }, "registration.applicationId"],
  ])("POST %s with a wrong type is [invalidJSON] on the field", async (path, body, field) => {
    const r = await call({ method: "POST", path, body: JSON.stringify(body) });
    expect(r.status).toBe(400);
    expect(json(r).fieldErrors[field]?.[0]?.code).toBe("[invalidJSON]");
  });

  it("refuses a body that is not a JSON object", async () => {
    const r = await call({ method: "POST", path: "/api/tenant", body: "[1,2]" });
    expect(r.status).toBe(400);
    expect(json(r).generalErrors[0].code).toBe("[invalidJSON]");
  });
});

describe("prototype keys", () => {
  it("never lets __proto__ or constructor from a PATCH reach the stored object", async () => {
    const t = await newTenant();
    const r = await call({
      method: "PATCH",
      path: `/api/tenant/${t.id}`,
      body: '{"tenant":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":1}},"data":{"__proto__":{"p":1}}}}',
    });
    expect(r.status).toBe(200);
    const stored = json(await call({ method: "GET", path: `/api/tenant/${t.id}` })).tenant;
    expect(Object.keys(stored)).not.toContain("__proto__");
    expect(Object.keys(stored)).not.toContain("constructor");
    expect(stored.polluted).toBeUndefined();
    expect(JSON.stringify(stored)).not.toMatch(/polluted|"p":1|"x":1/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a JSON Patch path through __proto__", async () => {
    const t = await newTenant();
    const r = await call({
      method: "PATCH",
      path: `/api/tenant/${t.id}`,
      headers: { "Content-Type": "application/json-patch+json" },
      body: JSON.stringify([{ op: "add", path: "/tenant/__proto__/polluted", value: "yes" }]),
    });
    expect(r.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("JSON Patch (application/json-patch+json)", () => {
  const patch = (path: string, ops: unknown) =>
    call({
      method: "PATCH",
      path,
      headers: { "Content-Type": "application/json-patch+json" },
      body: JSON.stringify(ops),
    });

  it("applies add, replace, remove, copy and move to the request form of the object", async () => {
    const t = await newTenant();
    const r = await patch(`/api/tenant/${t.id}`, [
      { op: "replace", path: "/tenant/name", value: `renamed-${t.id}` },
      { op: "add", path: "/tenant/data", value: { a: [1, 2] } },
      { op: "add", path: "/tenant/data/a/-", value: 3 },
      { op: "copy", from: "/tenant/data/a", path: "/tenant/data/b" },
      { op: "move", from: "/tenant/data/b", path: "/tenant/data/c" },
      { op: "remove", path: "/tenant/data/a/0" },
      { op: "replace", path: "/tenant/jwtConfiguration/timeToLiveInSeconds", value: 600 },
    ]);
    expect(r.status).toBe(200);
    const stored = json(await call({ method: "GET", path: `/api/tenant/${t.id}` })).tenant;
    expect(stored.name).toBe(`renamed-${t.id}`);
    expect(stored.data).toEqual({ a: [2, 3], c: [1, 2, 3] });
    expect(stored.jwtConfiguration.timeToLiveInSeconds).toBe(600);
  });

  it("rejects the whole patch with 400 when a test fails, and changes nothing", async () => {
    const t = await newTenant();
    const r = await patch(`/api/tenant/${t.id}`, [
      { op: "replace", path: "/tenant/issuer", value: "changed.example" },
      { op: "test", path: "/tenant/name", value: "something else" },
    ]);
    expect(r.status).toBe(400);
    expect(json(r).generalErrors[0].code).toBe("[invalidJSONPatch]");
    const stored = json(await call({ method: "GET", path: `/api/tenant/${t.id}` })).tenant;
    expect(stored.issuer).toBe(t.issuer);
  });

  it.each([
    [{ op: "remove", path: "/tenant/nope" }],
    [{ op: "replace", path: "tenant/name", value: "x" }],
    [{ op: "jump", path: "/tenant/name" }],
    [{ op: "add", path: "/tenant/name" }],
    [{ op: "replace", path: "/tenant/name", value: ["x"] }],
  ])("answers 400 for the bad operation %j", async (op) => {
    const t = await newTenant();
    expect((await patch(`/api/tenant/${t.id}`, [op])).status).toBe(400);
  });

  it("patches applications and users too", async () => {
    const app = json(
      await call({
        method: "POST",
        path: "/api/application",
        headers: inDefault,
        body: '{"application":{"name":"jp"}}',
      }),
    ).application;
    const r = await patch(`/api/application/${app.id}`, [
      { op: "add", path: "/application/roles/-", value: { name: "admin" } },
    ]);
    expect(r.status).toBe(200);
    expect(json(r).application.roles.map((x: { name: string }) => x.name)).toEqual(["admin"]);
    const user = json(
      await call({
        method: "POST",
        path: "/api/user",
        headers: inDefault,
        body: '{"user":{"email":"jp@example.com","password":"password1"}}',
      }),
    ).user;
    const u = await patch(`/api/user/${user.id}`, [{ op: "replace", path: "/user/email", value: "jp2@example.com" }]);
    expect(json(u).user.email).toBe("jp2@example.com");
  });
});

describe("user reactivation", () => {
  it("reactivates a deactivated user with PUT ?reactivate=true and no body", async () => {
    const user = json(
      await call({
        method: "POST",
        path: "/api/user",
        headers: inDefault,
        body: '{"user":{"email":"re@example.com","password":"password1"}}',
      }),
    ).user;
    expect((await call({ method: "DELETE", path: `/api/user/${user.id}` })).status).toBe(200);
    expect(json(await call({ method: "GET", path: `/api/user/${user.id}` })).user.active).toBe(false);
    const r = await raw(emu.url, {
      method: "PUT",
      path: `/api/user/${user.id}?reactivate=true`,
      headers: { Authorization: DEFAULT_API_KEY },
    });
    expect(r.status).toBe(200);
    expect(json(r).user.active).toBe(true);
    const login = await call({
      method: "POST",
      path: "/api/login",
      body: '{"loginId":"re@example.com","password":"password1"}',
    });
    expect(login.status).toBe(200);
  });
});

describe("discovery document", () => {
  it("takes its URLs from configuration, never from the Host header", async () => {
    for (const path of [
      "/.well-known/openid-configuration",
      `/${DEFAULT_TENANT_ID}/.well-known/openid-configuration`,
    ]) {
      const r = await raw(emu.url, { method: "GET", path, headers: { Host: "evil.example:666" } });
      expect(r.text).not.toContain("evil.example");
      const doc = json(r);
      expect(doc.token_endpoint).toBe("https://auth.example.com/oauth2/token");
      expect(doc.jwks_uri).toBe("https://auth.example.com/.well-known/jwks.json");
    }
  });

  it("defaults to http://localhost:<port>", async () => {
    const other = await startEmulator();
    try {
      const doc = json(
        await raw(other.url, {
          method: "GET",
          path: "/.well-known/openid-configuration",
          headers: { Host: "evil.example" },
        }),
      );
      expect(doc.jwks_uri).toBe(`http://localhost:${other.port}/.well-known/jwks.json`);
    } finally {
      await other.close();
    }
  });
});

describe("request body limit", () => {
  it(`answers 413 to a declared body above ${MAX_BODY_BYTES} bytes without waiting for it`, async () => {
    const r = await rawStreaming(
      emu.url,
      { method: "POST", path: "/api/tenant", headers: { ...auth, "Content-Length": MAX_BODY_BYTES + 1 } },
      (req) => req.write('{"tenant":'), // and never the rest
    );
    expect(r.status).toBe(413);
    expect(json(r)).toEqual({
      generalErrors: [{ code: "[RequestTooLarge]", message: expect.stringContaining(String(MAX_BODY_BYTES)) }],
    });
  });

  it("answers 413 to a chunked body once it passes the limit", async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const r = await rawStreaming(
      emu.url,
      { method: "POST", path: "/api/tenant", headers: { ...auth, "Transfer-Encoding": "chunked" } },
      (req) => {
        let sent = 0;
        const pump = () => {
          while (sent < 4 * MAX_BODY_BYTES && !req.destroyed) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once("drain", pump);
          }
        };
        pump();
      },
    );
    expect(r.status).toBe(413);
    expect(json(r).generalErrors[0].code).toBe("[RequestTooLarge]");
  });

  it("checks the API key before reading the body: 401 for an anonymous huge body", async () => {
    const r = await rawStreaming(
      emu.url,
      {
        method: "POST",
        path: "/api/tenant",
        headers: { "Content-Type": "application/json", "Content-Length": 50 * MAX_BODY_BYTES },
      },
      (req) => req.write("{"),
    );
    expect(r.status).toBe(401);
    expect(r.text).toBe("");
  });

  it("still serves a body just under the limit", async () => {
    const padding = "x".repeat(MAX_BODY_BYTES - 200);
    const r = await call({
      method: "POST",
      path: "/api/tenant",
      body: JSON.stringify({ tenant: { name: "big", data: { padding } } }),
    });
    expect(r.status).toBe(200);
  });
});
