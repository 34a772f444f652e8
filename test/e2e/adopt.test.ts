// Adopting an object that existed before the kit (FusionAuth's Default tenant): the kit manages only its own
// fields, and `destroy` releases the tenant, restoring what it found, without deleting it.
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID, type RunningEmulator, startEmulator } from "../../src/emulator";
import { createKitProject, type KitProject } from "../helpers/kit-project";
import { compileStackText } from "../helpers/policies";
import { createTestStack, pulumiToolchain, type TestStack, uniqueStackName } from "../helpers/pulumi";

const tc = await pulumiToolchain();
const API_KEY = "adopt-test-key";
const NOW = "2026-11-29T12:00:00Z";
const LONG = { timeout: 300_000 };

describe.skipIf(tc === undefined)("adopting FusionAuth's Default tenant", () => {
  let emu: RunningEmulator;
  let client: FusionAuthClient;
  let project: KitProject;
  let t: TestStack;
  let stackName: string;
  let yaml: string;
  let before: Awaited<ReturnType<FusionAuthClient["retrieveTenant"]>>["response"]["tenant"];
  const run = { color: "never" as const };

  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY], now: new Date(NOW) });
    client = new FusionAuthClient(API_KEY, emu.url);
    before = (await client.retrieveTenant(DEFAULT_TENANT_ID)).response.tenant;
    project = createKitProject();
    stackName = uniqueStackName("adopt");
    yaml = `config:
  fusionauth-offline-kit:url: ${emu.url}
  fusionauth-offline-kit:tenants:
    - key: default
      id: ${DEFAULT_TENANT_ID}
      name: Default
      issuer: https://adopted.example
      preset: standard
      applications:
        - key: field-app
          name: Field App
          redirectUris: ["com.example.field:/cb"]
`;
    project.writeStack(stackName, yaml);
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

  it("up manages the kit's fields of the existing tenant and keeps the others", LONG, async () => {
    const res = await t.stack.up(run);
    expect(res.summary.result).toBe("succeeded");
    const desired = compileStackText(yaml, stackName);
    expect(desired.tenants[0]?.adopted).toBe(true);
    const after = (await client.retrieveTenant(DEFAULT_TENANT_ID)).response.tenant;
    expect(after?.issuer).toBe("https://adopted.example");
    expect(after?.jwtConfiguration?.timeToLiveInSeconds).toBe(desired.tenants[0]?.policy.accessToken.ttlSeconds);
    expect(after?.name).toBe(before?.name);
    expect(after?.httpSessionMaxInactiveInterval).toBe(before?.httpSessionMaxInactiveInterval);
    // The Default tenant signed with an HMAC key no device can verify: the kit's first key signs at once.
    const signing = (await client.retrieveKey(after?.jwtConfiguration?.accessTokenKeyId as string)).response.key;
    expect(signing?.name).toMatch(new RegExp(`^fakit:${stackName}:default:g\\d+ active@`));
    const app = desired.tenants[0]?.applications[0];
    expect((await client.retrieveApplication(app?.id as string)).response.application?.tenantId).toBe(
      DEFAULT_TENANT_ID,
    );
  });

  it("destroy releases the tenant as it was found and removes only what the kit made", LONG, async () => {
    await t.stack.destroy(run);
    const after = (await client.retrieveTenant(DEFAULT_TENANT_ID)).response.tenant;
    expect(after?.issuer).toBe(before?.issuer);
    expect(after?.jwtConfiguration).toEqual(before?.jwtConfiguration);
    const keys = (await client.retrieveKeys()).response.keys ?? [];
    expect(keys.filter((k) => (k.name ?? "").startsWith(`fakit:${stackName}:`))).toEqual([]);
    const app = compileStackText(yaml, stackName).tenants[0]?.applications[0];
    await expect(client.retrieveApplication(app?.id as string)).rejects.toMatchObject({ statusCode: 404 });
  });
});
