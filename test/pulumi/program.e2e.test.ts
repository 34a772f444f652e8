// `pulumi up` of the kit's program with the real CLI against the emulator: what users run in their pipelines.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID, type RunningEmulator, startEmulator } from "../../src/emulator";
import type { EffectivePolicy } from "../../src/policy/types";
import { KIT_API_KEY_PERMISSIONS } from "../../src/pulumi/kinds/registry";
import { createKitProject, type KitProject, shippedStack } from "../../testkit/helpers/kit-project";
import { compileStackText } from "../helpers/policies";
import { createTestStack, pulumiToolchain, type TestStack, uniqueStackName } from "../helpers/pulumi";

const tc = await pulumiToolchain();
/**
 * With FUSIONAUTH_URL and FUSIONAUTH_API_KEY set, the suite runs against that FusionAuth instead of the emulator
 * (at the real time; the checks that read the emulator's request counters are skipped).
 */
const REAL = process.env.FUSIONAUTH_URL && process.env.FUSIONAUTH_API_KEY ? process.env.FUSIONAUTH_URL : undefined;
const API_KEY = REAL ? (process.env.FUSIONAUTH_API_KEY as string) : "e2e-secret-api-key-7d1c";
const NOW = REAL ? new Date().toISOString() : "2026-11-29T12:00:00Z";
const LONG = { timeout: 300_000 };

/** All files under a folder, as text (the Pulumi state and backups). */
function readTree(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
}

/** What FusionAuth must hold in a tenant's jwtConfiguration for a policy, written out field by field. */
function expectedJwt(p: EffectivePolicy) {
  return {
    timeToLiveInSeconds: p.accessToken.ttlSeconds,
    refreshTokenTimeToLiveInMinutes: p.refreshToken.lifetimeMinutes,
    refreshTokenExpirationPolicy: p.refreshToken.expirationPolicy,
    refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: p.refreshToken.maximumLifetimeMinutes },
    refreshTokenUsagePolicy: p.refreshToken.usagePolicy,
    refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds: p.refreshToken.oneTimeUseGraceSeconds },
  };
}

describe.skipIf(tc === undefined)("pulumi up of the kit's program", () => {
  let emu: RunningEmulator | undefined;
  let url: string;
  let client: FusionAuthClient;
  let project: KitProject;
  let t: TestStack;
  let stackName: string;
  const output: string[] = [];
  const run = { color: "never" as const, onOutput: (s: string) => output.push(s) };

  beforeAll(async () => {
    // The key is restricted to exactly what docs/least-privilege.md asks users to grant.
    const endpoints = Object.fromEntries(Object.entries(KIT_API_KEY_PERMISSIONS).map(([k, v]) => [k, [...v]]));
    emu = REAL
      ? undefined
      : await startEmulator({
          admin: true,
          apiKeys: [{ key: API_KEY, permissions: { endpoints } }],
          now: new Date(NOW),
        });
    url = REAL ?? (emu as RunningEmulator).url;
    client = new FusionAuthClient(API_KEY, url);
    project = createKitProject();
    stackName = uniqueStackName("example");
    project.writeStack(stackName, shippedStack("example", url));
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    t = await createTestStack(tc!, {
      workDir: project.dir,
      stackName,
      secrets: { "fusionauth-offline-kit:apiKey": API_KEY },
      env: { FAKIT_NOW: NOW },
    });
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    project?.dispose();
    await emu?.close();
  });

  it("creates exactly the expected objects, field by field from the presets", LONG, async () => {
    const before = (await client.retrieveTenants()).response.tenants?.length ?? 0;
    const res = await t.stack.up(run);
    expect(res.summary.result).toBe("succeeded");
    const desired = compileStackText(project.read(`stacks/Pulumi.${stackName}.yaml`), stackName);

    expect((await client.retrieveTenants()).response.tenants).toHaveLength(before + desired.tenants.length);
    for (const tenant of desired.tenants) {
      const got = (await client.retrieveTenant(tenant.id)).response.tenant;
      expect(got?.name).toBe(tenant.name);
      expect(got?.issuer).toBe(tenant.issuer);
      expect(got?.jwtConfiguration).toMatchObject(expectedJwt(tenant.policy));
      const revoke = tenant.policy.refreshToken.revokeOn;
      expect(got?.jwtConfiguration?.refreshTokenRevocationPolicy).toEqual({
        onLoginPrevented: revoke.loginPrevented,
        onPasswordChanged: revoke.passwordChange,
        onMultiFactorEnable: revoke.multiFactorEnable,
        onOneTimeTokenReuse: revoke.oneTimeTokenReuse,
      });
      const signing = (await client.retrieveKey(got?.jwtConfiguration?.accessTokenKeyId as string)).response.key;
      expect(signing?.algorithm).toBe(tenant.policy.accessToken.algorithm);
      expect(got?.jwtConfiguration?.idTokenKeyId).toBe(signing?.id);

      for (const app of tenant.applications) {
        const a = (await client.retrieveApplication(app.id)).response.application;
        expect(a?.tenantId).toBe(tenant.id);
        expect(a?.name).toBe(app.name);
        expect(a?.oauthConfiguration?.authorizedRedirectURLs).toEqual(app.redirectUris);
        expect(a?.oauthConfiguration?.proofKeyForCodeExchangePolicy).toBe("Required");
        expect(a?.oauthConfiguration?.enabledGrants).toEqual(["authorization_code", "refresh_token"]);
        expect(a?.jwtConfiguration?.enabled).toBe(app.ownJwtConfiguration);
        if (app.ownJwtConfiguration) {
          expect(a?.jwtConfiguration).toMatchObject(expectedJwt(app.policy));
          expect(a?.jwtConfiguration?.accessTokenKeyId).toBe(signing?.id);
        }
      }
    }
    // The example stack's inspector overrides its tenant's preset: FusionAuth holds its own configuration.
    expect(desired.tenants[0]?.applications.find((a) => a.key === "inspector")?.ownJwtConfiguration).toBe(true);
    // The outputs an app team reads: each application's client id, and its tenant's issuer and signing key once.
    const outputs = res.outputs.applications?.value as Record<
      string,
      { tenant: string; clientId: string; figures?: Record<string, string> }
    >;
    expect(Object.keys(outputs).sort()).toEqual(["patients/ward-app", "workforce/crew-app", "workforce/inspector"]);
    const tenants = res.outputs.tenants?.value as Record<
      string,
      { tenantId: string; issuer: string; signingKid: string }
    >;
    for (const tenant of desired.tenants) {
      const keys = await client.retrieveKeys();
      const signingId = (await client.retrieveTenant(tenant.id)).response.tenant?.jwtConfiguration?.accessTokenKeyId;
      expect(tenants[tenant.key]).toMatchObject({
        tenantId: tenant.id,
        issuer: tenant.issuer,
        signingKid: keys.response.keys?.find((k) => k.id === signingId)?.kid,
      });
      for (const app of tenant.applications) {
        const out = outputs[`${tenant.key}/${app.key}`];
        expect(out).toMatchObject({ tenant: tenant.key, clientId: app.id });
        // Figures are repeated for an application only when its own overrides change them.
        const own = JSON.stringify(app.figures) !== JSON.stringify(tenant.figures);
        expect(out !== undefined && "figures" in out, app.key).toBe(own);
      }
    }
  });

  it("a second up reports no changes and makes no write call to FusionAuth", LONG, async () => {
    emu?.counters.reset();
    const res = await t.stack.up(run);
    expect(Object.keys(res.summary.resourceChanges ?? {})).toEqual(["same"]);
    if (emu) expect(emu.counters.snapshot().writes).toBe(0);
  });

  it("a changed preset value updates in place only what changed", LONG, async () => {
    const file = "policies/presets/high.yaml";
    const original = project.read(file);
    project.write(file, original.replace(/^(\s*ttl:) 10m$/m, "$1 8m"));
    try {
      const preview = await t.stack.preview(run);
      // Only the `patients` tenant uses `high`; its app has no jwtConfiguration of its own.
      expect(preview.changeSummary).toMatchObject({ update: 1 });
      expect(preview.changeSummary.create ?? 0).toBe(0);
      expect(preview.changeSummary.delete ?? 0).toBe(0);
      const res = await t.stack.up(run);
      expect(res.summary.resourceChanges?.update).toBe(1);
      const desired = compileStackText(project.read(`stacks/Pulumi.${stackName}.yaml`), stackName);
      const patients = desired.tenants.find((x) => x.key === "patients");
      const got = (await client.retrieveTenant(patients?.id as string)).response.tenant;
      expect(got?.jwtConfiguration?.timeToLiveInSeconds).toBe(480);
    } finally {
      project.write(file, original);
    }
  });

  it(
    "refresh finds an out-of-band edit and up puts it back, keeping fields the kit does not manage",
    LONG,
    async () => {
      await t.stack.up(run);
      const desired = compileStackText(project.read(`stacks/Pulumi.${stackName}.yaml`), stackName);
      const id = desired.tenants[0]?.id as string;
      const current = (await client.retrieveTenant(id)).response.tenant;
      await client.updateTenant(id, {
        tenant: {
          ...current,
          httpSessionMaxInactiveInterval: 1234,
          jwtConfiguration: { ...current?.jwtConfiguration, timeToLiveInSeconds: 99_999 },
        },
      });
      const refreshed = await t.stack.refresh(run);
      expect(refreshed.summary.resourceChanges?.update).toBe(1);
      const res = await t.stack.up(run);
      expect(res.summary.resourceChanges?.update).toBe(1);
      const after = (await client.retrieveTenant(id)).response.tenant;
      expect(after?.jwtConfiguration?.timeToLiveInSeconds).toBe(desired.tenants[0]?.policy.accessToken.ttlSeconds);
      expect(after?.httpSessionMaxInactiveInterval).toBe(1234);
    },
  );

  it("an invalid stack fails before any write, with the file:line diagnostic", LONG, async () => {
    const file = `stacks/Pulumi.${stackName}.yaml`;
    const valid = project.read(file);
    project.write(file, valid.replace("preset: high", "preset: hihg"));
    emu?.counters.reset();
    try {
      const failed = await t.stack.up(run).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(failed?.message).toMatch(new RegExp(`stacks/Pulumi\\.${stackName}\\.yaml:\\d+:\\d+: KIT_\\w+ .*hihg`));
      expect(failed?.message).not.toMatch(/ {4}at /);
      if (emu) expect(emu.counters.snapshot().writes).toBe(0);
    } finally {
      project.write(file, valid);
    }
  });

  it("a FAKIT_NOW that is no time fails with its code and no stack trace, before any write", LONG, async () => {
    const workspace = t.stack.workspace as LocalWorkspace;
    const envVars = workspace.envVars;
    workspace.envVars = { ...envVars, FAKIT_NOW: "next tuesday" };
    emu?.counters.reset();
    try {
      const failed = await t.stack.up(run).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(failed?.message).toContain('KIT_NOW_INVALID FAKIT_NOW must be an ISO 8601 time, got "next tuesday"');
      expect(failed?.message).not.toMatch(/ {4}at |unhandled exception/);
      if (emu) expect(emu.counters.snapshot().writes).toBe(0);
    } finally {
      workspace.envVars = envVars;
    }
  });

  it("never writes the API key into the state, the CLI output or the serialized providers", LONG, async () => {
    const state = readTree(t.stateDir);
    expect(state).toContain("__provider");
    expect(state).not.toContain(API_KEY);
    expect(output.join("")).not.toContain(API_KEY);
    // Pulumi keeps the provider config (which dynamic providers receive whole) encrypted as a secret.
    const checkpoint = readdirSync(t.stateDir, { recursive: true, encoding: "utf8" }).find((f) =>
      f.endsWith(`${stackName}.json`),
    );
    const deployment = JSON.parse(readFileSync(path.join(t.stateDir, checkpoint as string), "utf8")).checkpoint.latest;
    const provider = deployment.resources.find((r: { type: string }) => r.type === "pulumi:providers:pulumi-nodejs");
    expect(provider.inputs["fusionauth-offline-kit:apiKey"]).toHaveProperty("ciphertext");
  });

  it("destroy removes everything the stack made and nothing else", LONG, async () => {
    const desired = compileStackText(project.read(`stacks/Pulumi.${stackName}.yaml`), stackName);
    const ours = new Set(desired.tenants.map((x) => x.id));
    const tenantsBefore = (await client.retrieveTenants()).response.tenants ?? [];
    const keysBefore = (await client.retrieveKeys()).response.keys ?? [];
    await t.stack.destroy(run);
    const tenantsAfter = (await client.retrieveTenants()).response.tenants ?? [];
    expect(tenantsAfter.map((x) => x.id).sort()).toEqual(
      tenantsBefore
        .filter((x) => !ours.has(x.id as string))
        .map((x) => x.id)
        .sort(),
    );
    if (emu) expect(tenantsAfter.map((x) => x.id)).toContain(DEFAULT_TENANT_ID);
    const keysAfter = (await client.retrieveKeys()).response.keys ?? [];
    expect(keysAfter.map((k) => k.id).sort()).toEqual(
      keysBefore
        .filter((k) => !(k.name ?? "").startsWith(`fakit:${stackName}:`))
        .map((k) => k.id)
        .sort(),
    );
    for (const tenant of desired.tenants) {
      for (const app of tenant.applications) {
        await expect(client.retrieveApplication(app.id)).rejects.toMatchObject({ statusCode: 404 });
      }
    }
  });
});
