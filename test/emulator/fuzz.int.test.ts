/**
 * A seeded, bounded fuzz of the emulator's routes: malformed JSON, wrong types, huge and odd ids, bad
 * percent-encodings, prototype keys, JSON Patch documents, wrong content types, forged tenants and keys.
 * Whatever comes in, the emulator never answers 5xx, never dies, and every error body it sends is FusionAuth's
 * error shape (`fieldErrors`/`generalErrors` of `{code, message}`; OAuth's `{error, error_description}` on
 * `/oauth2/`). Each request is awaited, so the event loop turns between cases. Reproduce a failure with the
 * seed and case number printed in its message.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_API_KEY, DEFAULT_TENANT_ID, type RunningEmulator, startEmulator } from "../../src/emulator";
import { seededRandom } from "../../src/lib/seeded-random";
import { type RawRequest, type RawResponse, raw } from "./support/raw-http";

const SEEDS = [1, 2, 3, 4, 5];
const CASES_PER_SEED = 300;

/** The kit's seeded generator, with the picks the cases need. */
function prng(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const TEMPLATES = [
  "/api/tenant",
  "/api/tenant/{id}",
  "/api/tenant/search",
  "/api/application",
  "/api/application/{id}",
  "/api/application/{id}/oauth-configuration",
  "/api/application/search",
  "/api/key",
  "/api/key/{id}",
  "/api/key/generate",
  "/api/key/generate/{id}",
  "/api/key/import/{id}",
  "/api/key/search",
  "/api/user",
  "/api/user/{id}",
  "/api/user/search",
  "/api/user/registration",
  "/api/user/registration/{id}",
  "/api/user/registration/{id}/{id}",
  "/api/user/change-password",
  "/api/login",
  "/api/jwt/refresh",
  "/api/jwt/refresh/{id}",
  "/api/jwt/validate",
  "/api/jwt/public-key",
  "/oauth2/token",
  "/.well-known/jwks.json",
  "/.well-known/openid-configuration",
  "/{id}/.well-known/openid-configuration",
  "/api/nothing/{id}",
  "/{id}",
];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];
const CONTENT_TYPES = [
  "application/json",
  "application/json",
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/x-www-form-urlencoded",
  "text/plain",
];
const FIELDS = [
  "name",
  "id",
  "tenantId",
  "issuer",
  "jwtConfiguration",
  "accessTokenKeyId",
  "timeToLiveInSeconds",
  "oauthConfiguration",
  "enabledGrants",
  "authorizedRedirectURLs",
  "roles",
  "email",
  "password",
  "username",
  "active",
  "data",
  "algorithm",
  "length",
  "loginId",
  "applicationId",
  "refreshToken",
  "registration",
  "search",
  "numberOfResults",
  "startRow",
  "__proto__",
  "constructor",
  "prototype",
];

function oddId(rng: Rng, ids: string[]): string {
  switch (rng.int(10)) {
    case 0:
      return "not-a-uuid";
    case 1:
      return "%E0%A4%A";
    case 2:
      return "x".repeat(3000);
    case 3:
      return "__proto__";
    case 4:
      return "%00%2F..";
    case 5:
      return encodeURIComponent("ü🙂\u202e");
    case 6:
      return randomUUID().toUpperCase();
    case 7:
      return randomUUID();
    default:
      return rng.pick(ids);
  }
}

function value(rng: Rng, depth: number, ids: string[]): unknown {
  switch (rng.int(depth > 3 ? 8 : 11)) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return rng.pick([0, -1, 1e308, 2 ** 53 + 1, 3.5, 43200]);
    case 3:
      return rng.pick(["", "x", "RS256", "ES256", "Fixed", "a@b.c", "password1", "x".repeat(10_000)]);
    case 4:
      return rng.pick(ids);
    case 5:
      return "__proto__";
    case 6:
      return rng.pick(["authorization_code", "refresh_token", "OneTimeUse", "Required"]);
    case 7:
      return [];
    case 8:
      return Array.from({ length: rng.int(4) }, () => value(rng, depth + 1, ids));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) o[rng.pick(FIELDS)] = value(rng, depth + 1, ids);
      return o;
    }
  }
}

function body(rng: Rng, contentType: string, ids: string[]): string | undefined {
  switch (rng.int(12)) {
    case 0:
      return undefined;
    case 1:
      return "{ not json";
    case 2:
      return rng.pick(["[]", "1", '"x"', "null", "true"]);
    case 3: {
      const depth = rng.pick([200, 5000, 100_000]);
      const deep = `${"[".repeat(depth)}${"]".repeat(depth)}`;
      return rng.next() < 0.3
        ? deep
        : `{"${rng.pick(["tenant", "application", "user"])}":{"name":"deep","data":{"d":${deep}}}}`;
    }
    case 4:
      return '{"tenant":{"__proto__":{"polluted":1},"name":"p"},"constructor":{"prototype":{"polluted":1}}}';
    case 5:
      return JSON.stringify(
        Array.from({ length: rng.int(4) }, () => ({
          op: rng.pick(["add", "remove", "replace", "move", "copy", "test", "nope"]),
          path: rng.pick([
            "/tenant/name",
            "/application/roles/-",
            "/user/email",
            "/x/y",
            "",
            "bad",
            "/tenant/__proto__/x",
          ]),
          from: rng.pick(["/tenant/name", "/nope", undefined]),
          value: value(rng, 2, ids),
        })),
      );
    case 6:
      return contentType.includes("form") ? "grant_type=refresh_token&refresh_token=x&client_id=%E0%A4%A" : "a=b";
    default: {
      const wrapper = rng.pick(["tenant", "application", "user", "key", "registration", "search", "x"]);
      const inner: Record<string, unknown> = {};
      for (let i = rng.int(6); i > 0; i--) inner[rng.pick(FIELDS)] = value(rng, 1, ids);
      const top: Record<string, unknown> = { [wrapper]: inner };
      if (rng.next() < 0.3) top[rng.pick(FIELDS)] = value(rng, 1, ids);
      return JSON.stringify(top);
    }
  }
}

function request(rng: Rng, ids: string[]): RawRequest {
  const template = rng.pick(TEMPLATES);
  const path = template.replace(/\{id\}/g, () => oddId(rng, ids));
  const query = rng.pick([
    "",
    "",
    "?reactivate=true",
    "?hardDelete=true",
    "?name=%E0%A4%A",
    "?kid=x&applicationId=nope",
    "?userId=__proto__",
    "?applicationId=__proto__",
    "?applicationId=toString",
    "?tenantId=constructor",
    "?kid=hasOwnProperty",
    "?name=(*[&numberOfResults=-1&startRow=1e400",
    "?orderBy=__proto__%20DESC&name=%5C",
  ]);
  const contentType = rng.pick(CONTENT_TYPES);
  const headers: Record<string, string> = { "Content-Type": contentType };
  const key = rng.int(10);
  if (key < 8) headers.Authorization = DEFAULT_API_KEY;
  else if (key === 8)
    headers.Authorization = rng.pick(["wrong", `Basic ${Buffer.from("%E0%A4%A:x").toString("base64")}`]);
  if (rng.int(6) === 0) headers["X-FusionAuth-TenantId"] = rng.pick([DEFAULT_TENANT_ID, "junk", randomUUID()]);
  return { method: rng.pick(METHODS), path: `${path}${query}`, headers, body: body(rng, contentType, ids) };
}

/** The problem with an answer, or undefined when it is acceptable. */
function problemWith(r: RawRequest, res: RawResponse): string | undefined {
  // 501 is the one documented answer for a FusionAuth route the emulator does not serve (docs/emulator.md).
  if (res.status === 501 && /^\{"generalErrors":\[\{"code":"\[NotImplemented\]"/.test(res.text)) return undefined;
  if (res.status >= 500) return `status ${res.status}`;
  if (res.text === "" || r.method === "HEAD") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    return `a body that is not JSON: ${res.text.slice(0, 100)}`;
  }
  if (res.status < 400) return undefined;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return "an error body that is not an object";
  const b = parsed as Record<string, unknown>;
  // The OAuth endpoints answer in OAuth's shape; a request refused before them (a bad tenant header) in FusionAuth's.
  if (r.path.startsWith("/oauth2/") && typeof b.error === "string" && typeof b.error_description === "string")
    return undefined;
  const entry = (e: unknown) =>
    typeof e === "object" &&
    e !== null &&
    typeof (e as { code?: unknown }).code === "string" &&
    typeof (e as { message?: unknown }).message === "string";
  const keys = Object.keys(b);
  if (keys.length === 0 || keys.some((k) => k !== "fieldErrors" && k !== "generalErrors")) return `error keys ${keys}`;
  if (b.generalErrors !== undefined && !(Array.isArray(b.generalErrors) && b.generalErrors.every(entry)))
    return "bad generalErrors";
  if (b.fieldErrors !== undefined) {
    const f = b.fieldErrors as Record<string, unknown>;
    if (typeof f !== "object" || Object.values(f).some((list) => !Array.isArray(list) || !list.every(entry)))
      return "bad fieldErrors";
  }
  return undefined;
}

describe("emulator route fuzz", { timeout: 30_000 }, () => {
  let emu: RunningEmulator;
  const dataFile = join(mkdtempSync(join(tmpdir(), "fakit-fuzz-")), "emulator.json");
  const ids: string[] = [DEFAULT_TENANT_ID];
  const internalErrors: unknown[] = [];

  beforeAll(async () => {
    emu = await startEmulator({ dataFile, onInternalError: (e) => internalErrors.push(e) });
    const headers = { Authorization: DEFAULT_API_KEY, "Content-Type": "application/json" };
    const post = async (path: string, b: unknown) =>
      JSON.parse((await raw(emu.url, { method: "POST", path, headers, body: JSON.stringify(b) })).text);
    ids.push(
      (await post("/api/application", { application: { name: "fuzz", roles: [{ name: "r" }] } })).application.id,
    );
    ids.push((await post("/api/user", { user: { email: "fuzz@example.com", password: "password1" } })).user.id);
    ids.push((await post("/api/key/generate", { key: { algorithm: "ES256", name: "fuzz" } })).key.id);
  });
  let closed = false;
  afterAll(async () => {
    if (!closed) await emu.close();
  });

  it.each(SEEDS)("seed %i: never a 5xx, never a crash, every error in FusionAuth's shape", async (seed) => {
    const rng = prng(seed);
    internalErrors.length = 0;
    for (let i = 0; i < CASES_PER_SEED; i++) {
      const r = request(rng, ids);
      const res = await raw(emu.url, r);
      const problem = problemWith(r, res);
      if (problem !== undefined)
        throw new Error(
          `seed ${seed} case ${i}: ${r.method} ${r.path.slice(0, 120)} gave ${problem}\nbody: ${String(r.body).slice(0, 300)}`,
        );
    }
    expect(internalErrors.map((e) => (e instanceof Error ? e.stack : String(e)))).toEqual([]);
    expect(
      (await raw(emu.url, { method: "GET", path: "/api/tenant", headers: { Authorization: DEFAULT_API_KEY } })).status,
    ).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("leaves a data file that loads again, with what the fuzz created", async () => {
    const before = (
      await raw(emu.url, { method: "GET", path: "/api/tenant", headers: { Authorization: DEFAULT_API_KEY } })
    ).text;
    closed = true;
    await emu.close();
    const again = await startEmulator({ dataFile });
    try {
      const after = await raw(again.url, {
        method: "GET",
        path: "/api/tenant",
        headers: { Authorization: DEFAULT_API_KEY },
      });
      expect(after.text).toBe(before);
    } finally {
      await again.close();
    }
  });
});
