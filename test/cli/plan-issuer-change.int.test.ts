// `fakit plan --live` says what an issuer change would do to devices before `up` makes it: a stack whose tenant
// names no issuer derives {url}/{tenantId}; deployed with another one, the plan says the change invalidates the
// tokens devices hold, and how to keep the deployed issuer. Without a change it says nothing.
import { rmSync } from "node:fs";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { tenantId } from "../../src/fusionauth/ids";
import { runFakit } from "../helpers/fakit";
import { scratchRepo } from "./cli-fixture";

const KEY = "plan-live-key";
let emu: RunningEmulator;
let dir: string;
let id: string;

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [KEY] });
  dir = scratchRepo({
    "stacks/Pulumi.prod.yaml": `config:
  fusionauth-offline-kit:url: ${emu.url}
  fusionauth-offline-kit:tenants:
    - key: crew
      name: Crew
      preset: field
`,
  });
  id = tenantId("prod", "crew");
  await new FusionAuthClient(KEY, emu.url).createTenant(id, { tenant: { name: "Crew", issuer: `${emu.url}/crew` } });
});
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("fakit plan --live and the issuer", () => {
  it("warns that a deployed issuer would change, and what that does to devices", async () => {
    const r = await runFakit(["plan", "--stack", "prod", "--live"], dir, { FUSIONAUTH_API_KEY: KEY });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `ISSUER CHANGE  tenant crew: the issuer changes from ${emu.url}/crew to ${emu.url}/${id} at the next \`up\`.`,
    );
    expect(r.stdout).toContain(`set \`issuer: ${emu.url}/crew\` on the tenant`);
    const json = JSON.parse(
      (await runFakit(["plan", "--stack", "prod", "--live", "--json"], dir, { FUSIONAUTH_API_KEY: KEY })).stdout,
    );
    expect(json.issuerChanges).toHaveLength(1);
  });

  it("says nothing when the deployed issuer is the one the stack wants", async () => {
    const client = new FusionAuthClient(KEY, emu.url);
    const current = (await client.retrieveTenant(id)).response.tenant;
    await client.updateTenant(id, { tenant: { ...current, issuer: `${emu.url}/${id}` } });
    const r = await runFakit(["plan", "--stack", "prod", "--live", "--json"], dir, { FUSIONAUTH_API_KEY: KEY });
    expect(JSON.parse(r.stdout).issuerChanges).toEqual([]);
  });
});
