// `fakit import` round trip against the emulator: a FusionAuth configured by hand through the API, imported with
// a read-only key, then `pulumi up` of the written stack (real Pulumi CLI). FusionAuth's own Default tenant
// (HS256, issuer acme.com) and admin application are left out, the hand-made tenant and application keep
// today's behaviour, and the tenant's signing key is adopted as the kit's current generation until
// keys.adopted.rotateFrom (one rotation period after the import): up writes nothing at all, nor does the next.
// From rotateFrom the kit publishes its keys while the adopted key keeps signing, and a kit key signs only once
// published for the lead.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_TENANT_ID, type RunningEmulator, startEmulator } from "../../src/emulator";
import { keyId } from "../../src/fusionauth/ids";
import { API_KEY_ROLES, apiKeyId } from "../../src/pulumi/kinds/api-key";
import { ROTATION_EPOCH_SECONDS } from "../../src/rotation/epoch";
import { createKitProject, type KitProject } from "../../testkit/helpers/kit-project";
import { FAKIT_BIN } from "../helpers/fakit";
import { iso, runFakit, sec } from "../helpers/kit-scenario";
import { createTestStack, pulumiToolchain, type TestStack, uniqueStackName } from "../helpers/pulumi";
import { runShell } from "../helpers/shell";

const tc = await pulumiToolchain();
const LEAST_PRIVILEGE = readFileSync(path.join(__dirname, "..", "..", "docs", "least-privilege.md"), "utf8");

/** The fenced block right after `<!-- test: NAME -->` in docs/least-privilege.md. */
function docBlock(name: string): string {
  const m = new RegExp(`<!-- test: ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\\n\`\`\``).exec(LEAST_PRIVILEGE);
  if (m === null) throw new Error(`docs/least-privilege.md has no block ${name}`);
  return m[1] as string;
}
const NOW = sec("2026-11-29T12:00:00Z");
const LONG = { timeout: 300_000 };
const SUPER = `import-super-${Math.random().toString(36).slice(2)}`;
const READ_ONLY = {
  key: `import-read-only-${Math.random().toString(36).slice(2)}`,
  permissions: { endpoints: { "/api/tenant": ["GET"], "/api/application": ["GET"], "/api/key": ["GET"] } },
};
const NO_KEYS = { key: "import-no-keys-permission", permissions: { endpoints: { "/api/tenant": ["GET"] } } };
const TENANT_ID = "0b7c8a52-3f4e-4d7a-9a61-2f0c6f5b1e01";
const APP_ID = "7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const KEY_ID = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
// field: one rotation period (180 days) after the import, then its lead J + C + S (7d + 14d + 5m).
const ROTATE_FROM = sec("2027-05-28T12:00:00Z");
const LEAD = 21 * 86_400 + 300;

/** Configures the emulator as a team would by hand: an ES256 key, a tenant using it, a native app. */
async function configureByHand(url: string): Promise<void> {
  const client = new FusionAuthClient(SUPER, url);
  await client.generateKey(KEY_ID, { key: { algorithm: "ES256" as never, name: "Mobile signing", length: 256 } });
  const tenants = (await client.retrieveTenants()).response.tenants ?? [];
  const defaults = tenants[0];
  await client.createTenant(TENANT_ID, {
    tenant: {
      ...(defaults as object),
      id: undefined,
      name: "Mobile Crews",
      issuer: "https://auth.example.com/crews",
      jwtConfiguration: {
        ...defaults?.jwtConfiguration,
        enabled: true,
        timeToLiveInSeconds: 1200,
        accessTokenKeyId: KEY_ID,
        idTokenKeyId: KEY_ID,
        refreshTokenTimeToLiveInMinutes: 43_200,
        refreshTokenExpirationPolicy: "SlidingWindowWithMaximumLifetime" as never,
        refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: 259_200 },
        refreshTokenUsagePolicy: "OneTimeUse" as never,
        refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds: 60 },
        refreshTokenRevocationPolicy: {
          onLoginPrevented: true,
          onPasswordChanged: true,
          onMultiFactorEnable: true,
          onOneTimeTokenReuse: true,
        },
      },
    } as never,
  });
  await new FusionAuthClient(SUPER, url, TENANT_ID).createApplication(APP_ID, {
    application: {
      name: "Crew App",
      tenantId: TENANT_ID,
      oauthConfiguration: {
        authorizedRedirectURLs: ["com.example.crew:/oauth2/callback"],
        clientAuthenticationPolicy: "NotRequiredWhenUsingPKCE" as never,
        proofKeyForCodeExchangePolicy: "Required" as never,
        enabledGrants: ["authorization_code", "refresh_token"] as never,
        generateRefreshTokens: true,
        requireRegistration: true,
      },
      loginConfiguration: { allowTokenRefresh: true, generateRefreshTokens: true, requireAuthentication: true },
      jwtConfiguration: { enabled: false },
    } as never,
  });
}

describe.skipIf(tc === undefined)("fakit import, then pulumi up of the written stack", () => {
  let emu: RunningEmulator;
  let project: KitProject;
  let stack: TestStack | undefined;
  const stackName = uniqueStackName("import");
  const stackFile = () => path.join(project.dir, "stacks", `Pulumi.${stackName}.yaml`);

  beforeAll(async () => {
    // The stack's key is a key manager: `up` makes the kit's own keys with it (the last test).
    emu = await startEmulator({
      admin: true,
      apiKeys: [{ key: SUPER, keyManager: true }, READ_ONLY, NO_KEYS],
      now: new Date(NOW * 1000),
    });
    project = createKitProject();
    await configureByHand(emu.url);
  }, 60_000);

  afterAll(async () => {
    await stack?.dispose();
    project?.dispose();
    await emu?.close();
  });

  it("says the URL is unreachable and writes nothing", LONG, async () => {
    const r = await runFakit(["import", "--url", "http://127.0.0.1:9", "--stack", stackName], project.dir, {
      FUSIONAUTH_API_KEY: READ_ONLY.key,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot reach FusionAuth at http://127.0.0.1:9");
    expect(r.stderr).toContain("nothing written");
    expect(existsSync(stackFile())).toBe(false);
  });

  it("says which permission the key lacks and writes nothing", LONG, async () => {
    const r = await runFakit(["import", "--url", emu.url, "--stack", stackName], project.dir, {
      FUSIONAUTH_API_KEY: NO_KEYS.key,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("refused the API key for GET /api/application");
    expect(r.stderr).toContain("KIT_IMPORT_FORBIDDEN");
    expect(existsSync(stackFile())).toBe(false);
  });

  it("writes the stack with a read-only key, making no write itself", LONG, async () => {
    emu.counters.reset();
    const r = await runFakit(["import", "--url", emu.url, "--stack", stackName, "--now", iso(NOW)], project.dir, {
      FUSIONAUTH_API_KEY: READ_ONLY.key,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(emu.counters.snapshot().writes).toBe(0);
    const config = parse(readFileSync(stackFile(), "utf8")).config;
    const tenants = config["fusionauth-offline-kit:tenants"] as Record<string, unknown>[];
    const crews = tenants.find((t) => t.id === TENANT_ID);
    // 20m access tokens and 180d sessions: closest to `field` (30m), kept with one override.
    expect(crews).toMatchObject({
      key: "mobile-crews",
      name: "Mobile Crews",
      issuer: "https://auth.example.com/crews",
      preset: "field",
      overrides: { accessToken: { ttl: "20m" } },
      applications: [{ key: "crew-app", id: APP_ID, redirectUris: ["com.example.crew:/oauth2/callback"] }],
    });
    expect(r.stdout).toContain("tenant mobile-crews  accessToken.ttl: 20m -> 30m");
    // FusionAuth's Default tenant (HS256 key, issuer "acme.com") would have to change: left out, and said so.
    expect(tenants.map((t) => t.key)).toEqual(["mobile-crews"]);
    expect(r.stdout).toContain(`note: tenant default ("Default", ${DEFAULT_TENANT_ID}) left out with its applications`);
    expect(r.stdout).toContain("signs with HS256");
    expect(r.stdout).toContain('its issuer "acme.com" is not an http(s) URL');
    expect(r.stdout).toContain("import again with --include-tenant default");
    expect(r.stdout).toContain("is FusionAuth's own admin application: left out, the kit never manages it");
    // The key it signs with is the kit's current generation for one period, written quoted (Pulumi's YAML 1.1).
    expect(crews?.keys).toEqual({ adopted: { id: KEY_ID, rotateFrom: "2027-05-28T12:00:00Z" } });
    expect(readFileSync(stackFile(), "utf8")).toContain('rotateFrom: "2027-05-28T12:00:00Z"');
    const kid = (await new FusionAuthClient(SUPER, emu.url).retrieveKey(KEY_ID)).response.key?.kid;
    expect(r.stdout).toContain(
      `tenant mobile-crews: the adopted key ${kid} stays the signing key until at least 2027-06-18T12:05:00Z; the kit publishes its own keys from 2027-05-28T12:00:00Z (keys.adopted)`,
    );
    expect(r.stdout).toContain("`pulumi up` of this stack writes nothing to FusionAuth.");
    expect(r.stdout).not.toContain("creates");
  });

  it("never overwrites the stack file without --force", LONG, async () => {
    const before = readFileSync(stackFile(), "utf8");
    const r = await runFakit(["import", "--url", emu.url, "--stack", stackName], project.dir, {
      FUSIONAUTH_API_KEY: READ_ONLY.key,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("exists; nothing written (add --force to replace it)");
    expect(readFileSync(stackFile(), "utf8")).toBe(before);
    const forced = await runFakit(
      ["import", "--url", emu.url, "--stack", stackName, "--force", "--now", iso(NOW)],
      project.dir,
      { FUSIONAUTH_API_KEY: READ_ONLY.key },
    );
    expect(forced.code).toBe(0);
    expect(readFileSync(stackFile(), "utf8")).toBe(before);
  });

  it("up writes nothing at all, nor does the next; plan shows the deferral", LONG, async () => {
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    stack = await createTestStack(tc!, {
      workDir: project.dir,
      stackName,
      secrets: { "fusionauth-offline-kit:apiKey": SUPER },
      env: { FAKIT_NOW: iso(NOW) },
    });
    // Storing the secret made Pulumi rewrite the stack file: rotateFrom is still a quoted string.
    expect(readFileSync(stackFile(), "utf8")).toMatch(/rotateFrom: ["']2027-05-28T12:00:00Z["']/);
    const admin = new FusionAuthClient(SUPER, emu.url);
    const tenantBefore = (await admin.retrieveTenant(TENANT_ID)).response.tenant;
    const appBefore = (await admin.retrieveApplication(APP_ID)).response.application;
    const defaultBefore = (await admin.retrieveTenant(DEFAULT_TENANT_ID)).response.tenant;
    const keysBefore = (await admin.retrieveKeys()).response.keys?.length;
    emu.counters.reset();
    const first = await stack.stack.up({ color: "never" });
    expect(first.summary.result).toBe("succeeded");
    const writes = Object.entries(emu.counters.snapshot().byRoute).filter(([route]) => !route.startsWith("GET"));
    expect(writes).toEqual([]);
    expect(emu.counters.snapshot().writes).toBe(0);
    // Everything is exactly as it was: no key created, the hand-made key signs, the Default tenant untouched.
    expect((await admin.retrieveKeys()).response.keys?.length).toBe(keysBefore);
    expect((await admin.retrieveTenant(DEFAULT_TENANT_ID)).response.tenant).toEqual(defaultBefore);
    expect((await admin.retrieveTenant(TENANT_ID)).response.tenant).toEqual(tenantBefore);
    expect((await admin.retrieveApplication(APP_ID)).response.application).toEqual(appBefore);

    emu.counters.reset();
    const second = await stack.stack.up({ color: "never" });
    expect(second.summary.result).toBe("succeeded");
    expect(emu.counters.snapshot().writes).toBe(0);

    const plan = await runFakit(["plan", "--stack", stackName, "--live", "--now", iso(NOW)], project.dir, {
      FUSIONAUTH_API_KEY: SUPER,
    });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      "DEFERRED: adopted key signs until at least 2027-06-18T12:05:00Z, kit keys published from 2027-05-28T12:00:00Z (keys.adopted)",
    );
  });

  it(
    "from rotateFrom the kit publishes its keys, the adopted key signing until a kit key has the lead",
    LONG,
    async () => {
      // biome-ignore lint/style/noNonNullAssertion: the previous test created it
      const s = stack!;
      const workspace = s.stack.workspace as LocalWorkspace;
      const admin = new FusionAuthClient(SUPER, emu.url);
      const upAt = async (at: number) => {
        emu.clock.set(at * 1000);
        workspace.envVars.FAKIT_NOW = iso(at);
        emu.counters.reset();
        const r = await s.stack.up({ color: "never" });
        expect(r.summary.result).toBe("succeeded");
        return Object.entries(emu.counters.snapshot().byRoute).filter(([route]) => !route.startsWith("GET"));
      };
      const signingKeyOf = async () => (await admin.retrieveTenant(TENANT_ID)).response.tenant?.jwtConfiguration;

      // One second before rotateFrom: still nothing.
      expect(await upAt(ROTATE_FROM - 1)).toEqual([]);
      // At rotateFrom: the current generation and 2 ahead are published; the tenant is not written, so the
      // adopted key keeps signing.
      expect(await upAt(ROTATE_FROM)).toEqual([["POST /api/key/generate/{keyId}", 3]]);
      expect((await signingKeyOf())?.accessTokenKeyId).toBe(KEY_ID);
      // One second before the lead has passed: the adopted key still signs.
      expect(await upAt(ROTATE_FROM + LEAD - 1)).toEqual([]);
      expect((await signingKeyOf())?.accessTokenKeyId).toBe(KEY_ID);
      // Once published for the lead, the kit's scheduled generation signs; the adopted key stays for verification.
      await upAt(ROTATE_FROM + LEAD);
      const jwt = await signingKeyOf();
      // The scheduled generation then: floor((t - epoch) / K).
      const k = Math.floor((ROTATE_FROM + LEAD - ROTATION_EPOCH_SECONDS) / (180 * 86_400));
      expect(jwt?.accessTokenKeyId).toBe(keyId(stackName, "mobile-crews", k));
      expect(jwt?.accessTokenVerificationKeyIds).toContain(KEY_ID);
    },
  );

  it(
    "up makes the kit's own import and revoke keys as secrets, the next up writes nothing, and the commands work with them",
    LONG,
    async () => {
      // biome-ignore lint/style/noNonNullAssertion: the previous tests created it
      const s = stack!;
      const workspace = s.stack.workspace as LocalWorkspace;
      const imported = uniqueStackName("imported");
      // docs/least-privilege.md, run as written with this test's stack, tenant, URL and fakit.
      const doc = (name: string) =>
        docBlock(name)
          .replaceAll("--stack prod", `--stack ${stackName}`)
          .replaceAll("field-ops", "mobile-crews")
          .replaceAll("--stack imported", `--stack ${imported}`)
          .replaceAll("node bin/fakit.js", `node ${FAKIT_BIN}`);
      const env = { ...s.env, ...workspace.envVars, FUSIONAUTH_URL: emu.url, NO_COLOR: "1" };
      emu.counters.reset();
      const declared = await runShell(doc("declare-api-keys"), project.dir, env);
      expect(declared.stderr).toBe("");
      expect(declared.code).toBe(0);
      const writes = Object.entries(emu.counters.snapshot().byRoute).filter(([route]) => !route.startsWith("GET"));
      expect(writes).toEqual([["POST /api/api-key/{keyId}", 2]]);
      const admin = new FusionAuthClient(SUPER, emu.url);
      const importKey = (await admin.retrieveAPIKey(apiKeyId(stackName, "import"))).response.apiKey;
      const revokeKey = (await admin.retrieveAPIKey(apiKeyId(stackName, "revoke", "mobile-crews"))).response.apiKey;
      expect(importKey?.permissions?.endpoints).toEqual(JSON.parse(JSON.stringify(API_KEY_ROLES.import)));
      expect(importKey?.tenantId).toBeUndefined();
      expect(revokeKey?.permissions?.endpoints).toEqual(JSON.parse(JSON.stringify(API_KEY_ROLES.revoke)));
      expect(revokeKey?.tenantId).toBe(TENANT_ID);

      emu.counters.reset();
      expect((await s.stack.up({ color: "never" })).summary.result).toBe("succeeded");
      expect(emu.counters.snapshot().writes).toBe(0);
      // Secret in the outputs, encrypted in the state (its files as the backend holds them): no value in plain text.
      const outputs = await s.stack.outputs();
      expect(outputs.apiKeys?.secret).toBe(true);
      const files = readdirSync(s.stateDir, { recursive: true, encoding: "utf8" }).map((f) => path.join(s.stateDir, f));
      const state = files.filter((f) => statSync(f).isFile()).map((f) => readFileSync(f, "utf8"));
      const checkpoint = files.find((f) => f.endsWith(`${stackName}.json`)) as string;
      const resources = JSON.parse(readFileSync(checkpoint, "utf8")).checkpoint.latest.resources as {
        type: string;
        outputs: Record<string, unknown>;
      }[];
      const keys = resources.filter((r) => r.type.endsWith("fusionauth:ApiKey"));
      expect(keys).toHaveLength(2);
      for (const r of keys) expect(r.outputs.key).toHaveProperty("ciphertext");
      for (const k of [importKey?.key, revokeKey?.key]) {
        expect(k).toMatch(/\S{20,}/);
        for (const text of state) expect(text).not.toContain(k);
        expect(declared.stdout).not.toContain(k);
      }

      const revoked = await runShell(doc("use-revoke-key"), project.dir, env);
      expect(revoked.stderr).toBe("");
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain("crew-app");
      // The import key, from a checkout that manages no tenant yet, reading the same backend.
      const reviewer = createKitProject();
      try {
        const read = await runShell(doc("use-import-key"), reviewer.dir, env);
        expect(read.stderr).toBe("");
        expect(read.code).toBe(0);
        expect(reviewer.read(`stacks/Pulumi.${imported}.yaml`)).toContain("key: mobile-crews");
        for (const k of [importKey?.key, revokeKey?.key]) expect(read.stdout + revoked.stdout).not.toContain(k);
      } finally {
        reviewer.dispose();
      }

      // Each key is refused where its role does not reach, and says so.
      const revokeAsImport = await runFakit(
        ["import", "--url", emu.url, "--stack", uniqueStackName("no")],
        project.dir,
        {
          FUSIONAUTH_API_KEY: revokeKey?.key as string,
        },
      );
      expect(revokeAsImport.code).toBe(1);
      expect(revokeAsImport.stderr).toContain("KIT_IMPORT_FORBIDDEN");
      const importAsRevoke = await runFakit(["revoke", "--stack", stackName, "--tenant", "mobile-crews"], project.dir, {
        FUSIONAUTH_REVOKE_API_KEY: importKey?.key as string,
      });
      expect(importAsRevoke.code).toBe(1);
      expect(importAsRevoke.stderr).toContain("refused the revoke key (401)");
    },
  );
});
