// The local stack's test users as data: stacks/kickstart.local.json registers a test user to each application of
// the local stack (ids as the stack derives them), and `npm start` applies it after `pulumi up`, again on every
// run without failing on the users already there.
import { readFileSync } from "node:fs";
import path from "node:path";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_API_KEY, type RunningEmulator, startEmulator } from "../../src/emulator";
import { type Kickstart, parseKickstart, runKickstart, testUsersOf } from "../../src/emulator/kickstart";
import type { DesiredState } from "../../src/stack/desired-state";
import { loadDesiredState } from "../../src/stack/load";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

const FILE = path.join(REPO_ROOT, "stacks", "kickstart.local.json");
let ks: Kickstart;
let local: DesiredState;
let emu: RunningEmulator;

beforeAll(async () => {
  ks = parseKickstart(readFileSync(FILE, "utf8"), "stacks/kickstart.local.json", {});
  const loaded = loadDesiredState({ repoRoot: REPO_ROOT, stack: "local" });
  if ("diagnostics" in loaded) throw new Error("the local stack does not compile");
  local = loaded.state;
  emu = await startEmulator();
  // What `pulumi up` of the local stack creates, reduced to what the test users need.
  const client = new FusionAuthClient(DEFAULT_API_KEY, emu.url);
  for (const t of local.tenants) {
    await client.createTenant(t.id, { tenant: { name: t.name, issuer: t.issuer } });
    for (const a of t.applications)
      await new FusionAuthClient(DEFAULT_API_KEY, emu.url, t.id).createApplication(a.id, {
        application: { name: a.name, oauthConfiguration: { authorizedRedirectURLs: [...a.redirectUris] } },
      });
  }
});
afterAll(() => emu?.close());

describe("stacks/kickstart.local.json", () => {
  it("registers a test user to every application of the local stack, in the application's tenant", () => {
    const users = testUsersOf(ks);
    const apps = local.tenants.flatMap((t) => t.applications.map((a) => ({ tenantId: t.id, applicationId: a.id })));
    expect(users.map((u) => ({ tenantId: u.tenantId, applicationId: u.applicationId })).sort(byApp)).toEqual(
      apps.sort(byApp),
    );
    expect(ks.apiKeys[0]?.key).toBe(DEFAULT_API_KEY);
  });

  it("applies to the deployed stack, then again as already there (what npm start does on every run)", async () => {
    expect(await runKickstart(emu.url, ks, { duplicatesAreApplied: true })).toEqual({ applied: 2, present: 0 });
    expect(await runKickstart(emu.url, ks, { duplicatesAreApplied: true })).toEqual({ applied: 0, present: 2 });
    // Without that mode, as on FusionAuth's own first start, the second application fails on the first request.
    await expect(runKickstart(emu.url, ks)).rejects.toThrow(
      /requests\[0\] POST \/api\/user\/registration\/.* HTTP 400 .*\[duplicate\]userId/,
    );
    for (const u of testUsersOf(ks)) {
      const login = await new FusionAuthClient(DEFAULT_API_KEY, emu.url).login({
        loginId: u.loginId,
        password: u.password,
        applicationId: u.applicationId,
      });
      expect(login.statusCode).toBe(200);
    }
  });
});

const byApp = (a: { applicationId: string }, b: { applicationId: string }) =>
  a.applicationId.localeCompare(b.applicationId);
