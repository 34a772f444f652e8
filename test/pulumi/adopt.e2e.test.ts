// Adopting an object that existed before the kit (FusionAuth's Default tenant): the kit manages only its own
// fields, and `destroy` releases the tenant, restoring what it found, without deleting it.
import type { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID } from "../../src/emulator";
import { type KitScenario, sec, startKitScenario } from "../helpers/kit-scenario";
import { compileStackText } from "../helpers/policies";
import { pulumiToolchain } from "../helpers/pulumi";

const tc = await pulumiToolchain();
const NOW = sec("2026-11-29T12:00:00Z");
const LONG = { timeout: 300_000 };

const stackYaml = (url: string) => `config:
  fusionauth-offline-kit:url: ${url}
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

describe.skipIf(tc === undefined)("adopting FusionAuth's Default tenant", () => {
  let s: KitScenario;
  let client: FusionAuthClient;
  let before: Awaited<ReturnType<FusionAuthClient["retrieveTenant"]>>["response"]["tenant"];
  const desired = () => compileStackText(stackYaml(s.emu.url), s.stackName);

  beforeAll(async () => {
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    s = await startKitScenario(tc!, { stackPrefix: "adopt", stackYaml, at: NOW });
    client = s.client;
    before = (await client.retrieveTenant(DEFAULT_TENANT_ID)).response.tenant;
  }, 120_000);

  afterAll(async () => s?.dispose());

  it("up manages the kit's fields of the existing tenant and keeps the others", LONG, async () => {
    await s.deployAt(NOW);
    const tenant = desired().tenants[0];
    expect(tenant?.adopted).toBe(true);
    const after = (await client.retrieveTenant(DEFAULT_TENANT_ID)).response.tenant;
    expect(after?.issuer).toBe("https://adopted.example");
    expect(after?.jwtConfiguration?.timeToLiveInSeconds).toBe(tenant?.policy.accessToken.ttlSeconds);
    expect(after?.name).toBe(before?.name);
    expect(after?.httpSessionMaxInactiveInterval).toBe(before?.httpSessionMaxInactiveInterval);
    // The Default tenant signed with an HMAC key no device can verify: the kit's first key signs at once.
    const signing = (await client.retrieveKey(after?.jwtConfiguration?.accessTokenKeyId as string)).response.key;
    expect(signing?.name).toMatch(new RegExp(`^fakit:${s.stackName}:default:g\\d+ active@`));
    const app = tenant?.applications[0];
    expect((await client.retrieveApplication(app?.id as string)).response.application?.tenantId).toBe(
      DEFAULT_TENANT_ID,
    );
  });

  it("destroy releases the tenant as it was found and removes only what the kit made", LONG, async () => {
    await s.stack.stack.destroy({ color: "never" });
    const after = (await client.retrieveTenant(DEFAULT_TENANT_ID)).response.tenant;
    expect(after?.issuer).toBe(before?.issuer);
    expect(after?.jwtConfiguration).toEqual(before?.jwtConfiguration);
    const keys = (await client.retrieveKeys()).response.keys ?? [];
    expect(keys.filter((k) => (k.name ?? "").startsWith(`fakit:${s.stackName}:`))).toEqual([]);
    const app = desired().tenants[0]?.applications[0];
    await expect(client.retrieveApplication(app?.id as string)).rejects.toMatchObject({ statusCode: 404 });
  });
});
