/**
 * `fakit revoke`, spawned for real against the emulator: the tenant and application of the `local` stack are
 * created as `pulumi up` would (same ids and shapes, without Pulumi), a user logs in, and the command revokes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID, type RunningEmulator, startEmulator } from "../../src/emulator";
import { applicationShape, tenantShape } from "../../src/fusionauth/objects";
import type { DesiredState } from "../../src/stack/desired-state";
import { loadDesiredState } from "../../src/stack/load";
import { runFakit } from "../helpers/kit-scenario";
import { REPO, scratchRepo } from "./cli-fixture";

const SUPER = "revoke-int-super-key";
const NARROW = "revoke-int-narrow-key";
const NO_DELETE = "revoke-int-no-delete-key";
const PASSWORD = "correct horse battery staple";
const NOW = "2026-03-01T12:00:00Z";
// biome-ignore lint/suspicious/noExplicitAny: null lets the server pick the id.
const NO_ID = null as any;

let emu: RunningEmulator;
let repo: string;
let state: DesiredState;
let userId: string;
let strangerId: string;
let refreshToken: string;
const inspector = () => state.tenants[0]?.applications[0] as DesiredState["tenants"][0]["applications"][0];

const revoke = (args: string[], key = NARROW) =>
  runFakit(["revoke", "--stack", "local", "--now", NOW, ...args], repo, { FUSIONAUTH_REVOKE_API_KEY: key });

beforeAll(async () => {
  try {
    await setUp();
  } catch (err) {
    // The client rejects with the response: show FusionAuth's errors rather than an opaque object.
    throw new Error(JSON.stringify((err as { exception?: unknown }).exception ?? String(err)));
  }
});

async function setUp() {
  emu = await startEmulator({
    apiKeys: [
      SUPER,
      { key: NARROW, permissions: { endpoints: { "/api/user": ["GET"], "/api/jwt/refresh": ["DELETE"] } } },
      { key: NO_DELETE, permissions: { endpoints: { "/api/user": ["GET"] } } },
    ],
  });
  const yaml = readFileSync(join(REPO, "stacks", "Pulumi.local.yaml"), "utf8").replaceAll(
    "http://localhost:9011",
    emu.url,
  );
  repo = scratchRepo({ "stacks/Pulumi.local.yaml": yaml });
  const loaded = loadDesiredState({ repoRoot: repo, stack: "local" });
  if (!("state" in loaded)) throw new Error("the local stack does not compile");
  state = loaded.state;
  const admin = new FusionAuthClient(SUPER, emu.url);
  for (const tenant of state.tenants) {
    const key = await admin.generateKey(NO_ID, {
      key: { algorithm: tenant.policy.accessToken.algorithm as never, name: tenant.key },
    });
    const refs = { signingKeyId: key.response.key?.id as string, verificationKeyIds: [] };
    await admin.createTenant(tenant.id, { tenant: tenantShape(tenant, refs) as never });
    for (const app of tenant.applications) {
      await new FusionAuthClient(SUPER, emu.url, tenant.id).createApplication(app.id, {
        application: applicationShape(app, refs) as never,
      });
    }
  }
  const inTenant = new FusionAuthClient(SUPER, emu.url, state.tenants[0]?.id);
  const reg = await inTenant.register(NO_ID, {
    user: { email: "crew@example.com", password: PASSWORD },
    registration: { applicationId: inspector().id },
  });
  userId = reg.response.user?.id as string;
  const login = await inTenant.login({
    loginId: "crew@example.com",
    password: PASSWORD,
    applicationId: inspector().id,
  });
  refreshToken = login.response.refreshToken as string;
  // A user of the emulator's default tenant, which the stack does not manage.
  const stranger = await new FusionAuthClient(SUPER, emu.url, DEFAULT_TENANT_ID).createUser(NO_ID, {
    user: { email: "stranger@example.com", password: PASSWORD },
  });
  strangerId = stranger.response.user?.id as string;
}

afterAll(async () => {
  await emu?.close();
});

const refreshes = async () => {
  const res = await fetch(`${emu.url}/api/jwt/refresh`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-FusionAuth-TenantId": state.tenants[0]?.id as string },
    body: JSON.stringify({ refreshToken }),
  });
  return res.status;
};

describe("fakit revoke", () => {
  it("refuses a user FusionAuth does not know, and changes nothing", async () => {
    const r = await revoke(["--user", "7d2a2a2e-0000-4000-8000-000000000000"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "fakit revoke: KIT_REVOKE_TARGET_UNKNOWN no user 7d2a2a2e-0000-4000-8000-000000000000 in FusionAuth; nothing revoked",
    );
    expect(await refreshes()).toBe(200);
  });

  it("refuses a user of a tenant the stack does not manage", async () => {
    const r = await revoke(["--user", strangerId]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^fakit revoke: KIT_REVOKE_TARGET_UNKNOWN user \S+ belongs to tenant \S+, which stack local does not manage; nothing revoked/,
    );
  });

  it("says which permission a key lacks, and changes nothing", async () => {
    const r = await revoke(["--user", userId, "--app", "field-ops/inspector"], NO_DELETE);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "fakit revoke: KIT_FUSIONAUTH_UNAUTHORIZED FusionAuth refused the revoke key (401): it needs GET /api/user and DELETE /api/jwt/refresh (docs/least-privilege.md); nothing revoked",
    );
    expect(await refreshes()).toBe(200);
  });

  it("names an unknown application before calling FusionAuth", async () => {
    const r = await revoke(["--app", "field-ops/nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "fakit revoke: KIT_REVOKE_TARGET_UNKNOWN no application field-ops/nope in stack local (applications: field-ops/inspector, clinic/ward-app); nothing revoked",
    );
  });

  it("revokes a user's sessions with the narrow key and says until when offline devices are accepted", async () => {
    const r = await revoke(["--user", userId, "--app", "field-ops/inspector"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // field: access token 30m, grace 72h, check-in 14d, degraded read-and-queue-writes.
    expect(r.stdout.trim().split("\n")).toEqual([
      `FusionAuth: ${emu.url}`,
      `revoked the refresh tokens of user ${userId} in field-ops/inspector`,
      "  field-ops/inspector: no online refresh from 2026-03-01T12:00:00Z; offline devices are accepted fully until at most 2026-03-04T12:30:00Z (access token 30m + grace 3d), then read-and-queue-writes until at most 2026-03-15T12:00:00Z (check-in deadline, check-in 14d); a device whose user reboots it with the clock held: later by the unmeasured time before each of up to 6 offline boot(s)",
    ]);
    expect(await refreshes()).toBe(400);
  });

  it("revokes every session of a tenant, per application, as JSON", async () => {
    const r = await revoke(["--tenant", "clinic", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.revoked).toEqual(["clinic/ward-app"]);
    // high: access token 10m, grace 30m, check-in 1h, degraded read-only.
    expect(out.applications).toEqual([
      {
        application: "clinic/ward-app",
        applicationId: state.tenants[1]?.applications[0]?.id,
        revokedAt: NOW,
        fullUntil: "2026-03-01T12:40:00Z",
        degradedUntil: "2026-03-01T13:00:00Z",
        degradedMode: "read-only",
        accessTokenTtlSeconds: 600,
        graceSeconds: 1800,
        checkInSeconds: 3600,
        offlineBoots: 0,
      },
    ]);
  });

  it("needs a target", async () => {
    const r = await revoke([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("name what to revoke: --user ID, --app TENANT/APP or --tenant TENANT");
  });
});
