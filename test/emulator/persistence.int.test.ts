import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { describe, expect, it } from "vitest";
import { EmulatorError, startEmulator } from "../../src/emulator";

const ROOT = join(__dirname, "..", "..");
const tempFile = () => join(mkdtempSync(join(tmpdir(), "fakit-emu-")), "data", "emulator.json");

describe("emulator persistence", () => {
  it("survives a restart with keys, tenants, users and sessions intact", async () => {
    const dataFile = tempFile();
    const first = await startEmulator({ dataFile });
    let fa = new FusionAuthClient(first.apiKeys[0] as string, first.url);
    const keyId = randomUUID();
    const key = (await fa.generateKey(keyId, { key: { algorithm: "ES256" as never, name: "persisted" } })).response.key;
    const tenantId = randomUUID();
    await fa.createTenant(tenantId, { tenant: { name: "persisted", jwtConfiguration: { accessTokenKeyId: keyId } } });
    const jwksBefore = (await fa.retrieveJsonWebKeySet()).response;
    await first.close();

    const second = await startEmulator({ dataFile });
    fa = new FusionAuthClient(second.apiKeys[0] as string, second.url);
    expect((await fa.retrieveKey(keyId)).response.key).toEqual(key);
    expect((await fa.retrieveTenant(tenantId)).response.tenant?.jwtConfiguration?.accessTokenKeyId).toBe(keyId);
    expect((await fa.retrieveJsonWebKeySet()).response).toEqual(jwksBefore);
    await second.close();
  });

  it("starts fresh when the file is missing and writes it", async () => {
    const dataFile = tempFile();
    const emu = await startEmulator({ dataFile });
    await emu.close();
    expect(JSON.parse(readFileSync(dataFile, "utf8")).version).toBe(1);
  });

  it("refuses a corrupt file with a typed error naming it", async () => {
    const dataFile = join(mkdtempSync(join(tmpdir(), "fakit-emu-")), "emulator.json");
    writeFileSync(dataFile, "{ not json");
    await expect(startEmulator({ dataFile })).rejects.toThrow(EmulatorError);
    await expect(startEmulator({ dataFile })).rejects.toMatchObject({ code: "KIT_EMULATOR_DATA_CORRUPT" });
    writeFileSync(dataFile, JSON.stringify({ version: 1, keys: [] }));
    await expect(startEmulator({ dataFile })).rejects.toMatchObject({ code: "KIT_EMULATOR_DATA_CORRUPT" });
  });
});

describe("fakit emulator CLI", () => {
  it("prints its URL first and serves the API with the default key", async () => {
    const child = spawn(process.execPath, ["bin/fakit.js", "emulator", "--port", "0", "--data", "-"], { cwd: ROOT });
    try {
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout }).once("line", resolve),
      );
      const m = /^FusionAuth emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      expect(m).not.toBeNull();
      const fa = new FusionAuthClient("fakit-local-api-key", m?.[1] as string);
      expect((await fa.retrieveTenants()).response.tenants?.map((t) => t.name)).toEqual(["Default"]);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("exits 1 with a clear message and no stack trace on a corrupt data file", async () => {
    const dataFile = join(mkdtempSync(join(tmpdir(), "fakit-emu-")), "emulator.json");
    writeFileSync(dataFile, "garbage");
    const child = spawn(process.execPath, ["bin/fakit.js", "emulator", "--port", "0", "--data", dataFile], {
      cwd: ROOT,
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toContain(dataFile);
    expect(stderr).toContain("KIT_EMULATOR_DATA_CORRUPT");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 on a bad option", async () => {
    const child = spawn(process.execPath, ["bin/fakit.js", "emulator", "--port", "abc"], { cwd: ROOT });
    expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(2);
  });
});
