import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { describe, expect, it } from "vitest";
import { EmulatorError, type RunningEmulator, startEmulator } from "../../src/emulator";
import { loadState } from "../../src/emulator/persistence";

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

  it("reads a data file written before the API Key API, and keeps the API keys made since across a restart", async () => {
    const dataFile = tempFile();
    await (await startEmulator({ dataFile })).close();
    const { apiKeys: _, ...older } = JSON.parse(readFileSync(dataFile, "utf8"));
    writeFileSync(dataFile, JSON.stringify(older));
    const first = await startEmulator({ dataFile });
    const id = randomUUID();
    const made = (await new FusionAuthClient(first.apiKeys[0] as string, first.url).createAPIKey(id, { apiKey: {} }))
      .response.apiKey;
    await first.close();
    const second = await startEmulator({ dataFile });
    expect((await new FusionAuthClient(made?.key as string, second.url).retrieveTenants()).statusCode).toBe(200);
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

/** Sends a JSON request with the default key; resolves with status and parsed body. */
async function api(emu: RunningEmulator, method: string, path: string, body?: unknown, tenantId?: string) {
  const headers: Record<string, string> = {
    Authorization: emu.apiKeys[0] as string,
    "Content-Type": "application/json",
  };
  if (tenantId !== undefined) headers["X-FusionAuth-TenantId"] = tenantId;
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON.
  return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as any };
}

describe("emulator persistence writes only what changed", () => {
  it("appends one journal line per create, holding only that record, and never rewrites the data file", async () => {
    const dataFile = tempFile();
    const emu = await startEmulator({ dataFile });
    try {
      const start = emu.storage.stats();
      const sizes: number[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await api(emu, "POST", "/api/application", { application: { name: `app-${i}` } });
        expect(r.status).toBe(200);
        sizes.push(Buffer.byteLength(JSON.stringify(r.body.application)));
      }
      const after = emu.storage.stats();
      expect(after.snapshots - start.snapshots).toBe(0);
      expect(after.journalAppends - start.journalAppends).toBe(40);
      // Each line: the application's JSON plus its collection, id and framing.
      const payload = sizes.reduce((a, b) => a + b, 0);
      expect(after.bytesWritten - start.bytesWritten).toBeLessThanOrEqual(payload + 40 * 120);
      expect(readFileSync(`${dataFile}.journal`, "utf8").split("\n").filter(Boolean)).toHaveLength(40);
    } finally {
      await emu.close();
    }
  });

  it("writes nothing for rejected requests, reads, or updates that change nothing", async () => {
    const dataFile = tempFile();
    const emu = await startEmulator({ dataFile });
    try {
      const app = (await api(emu, "POST", "/api/application", { application: { name: "kept" } })).body.application;
      const before = emu.storage.stats();
      expect((await api(emu, "POST", "/api/application", { application: { name: "" } })).status).toBe(400);
      expect((await api(emu, "POST", "/api/tenant", { tenant: { name: "Default" } })).status).toBe(400);
      expect((await api(emu, "DELETE", `/api/key/${randomUUID()}`)).status).toBe(404);
      expect(
        (await api(emu, "POST", "/api/login", { loginId: "nobody@example.com", password: "password1" })).status,
      ).toBe(404);
      expect((await api(emu, "GET", `/api/application/${app.id}`)).status).toBe(200);
      expect((await api(emu, "GET", "/api/tenant")).status).toBe(200);
      expect(emu.storage.stats()).toEqual(before);
    } finally {
      await emu.close();
    }
  });

  it("reloads from snapshot plus journal exactly the state a full snapshot holds, across every kind of write", async () => {
    const dataFile = tempFile();
    const emu = await startEmulator({ dataFile });
    const keyId = randomUUID();
    expect(
      (await api(emu, "POST", `/api/key/generate/${keyId}`, { key: { algorithm: "ES256", name: "k" } })).status,
    ).toBe(200);
    const tenantId = randomUUID();
    await api(emu, "POST", `/api/tenant/${tenantId}`, {
      tenant: { name: "t", jwtConfiguration: { accessTokenKeyId: keyId } },
    });
    await api(emu, "PATCH", `/api/tenant/${tenantId}`, { tenant: { issuer: "https://t.example" } });
    const appId = randomUUID();
    await api(
      emu,
      "POST",
      `/api/application/${appId}`,
      {
        application: {
          name: "a",
          roles: [{ name: "r" }],
          loginConfiguration: { allowTokenRefresh: true, generateRefreshTokens: true },
        },
      },
      tenantId,
    );
    await api(emu, "PATCH", `/api/application/${appId}`, { application: { data: { x: 1 } } });
    const reg = await api(
      emu,
      "POST",
      "/api/user/registration",
      {
        user: { email: "p@example.com", password: "password1" },
        registration: { applicationId: appId, roles: ["r"] },
      },
      tenantId,
    );
    expect(reg.status).toBe(200);
    const userId = reg.body.user.id;
    const login = await api(
      emu,
      "POST",
      "/api/login",
      { loginId: "p@example.com", password: "password1", applicationId: appId },
      tenantId,
    );
    expect(login.status).toBe(200);
    expect((await api(emu, "POST", "/api/jwt/refresh", { refreshToken: login.body.refreshToken })).status).toBe(200);
    await api(emu, "PATCH", `/api/user/${userId}`, { user: { firstName: "P" } });
    await api(emu, "POST", "/api/user/change-password", { loginId: "p@example.com", password: "password2" }, tenantId);
    await api(emu, "DELETE", `/api/user/${userId}`);
    await api(emu, "PUT", `/api/user/${userId}?reactivate=true`);
    await api(emu, "DELETE", `/api/application/${appId}`);
    const other = randomUUID();
    await api(emu, "POST", `/api/tenant/${other}`, { tenant: { name: "gone" } });
    await api(emu, "DELETE", `/api/tenant/${other}`);
    await api(emu, "PUT", `/api/key/${keyId}`, { key: { name: "renamed" } });

    const fromJournal = loadState(dataFile);
    await emu.close(); // writes a full snapshot of the live state
    expect(existsSync(`${dataFile}.journal`) && readFileSync(`${dataFile}.journal`, "utf8")).toBe("");
    expect(fromJournal).toEqual(loadState(dataFile));
  });

  it("drops a journal line torn by a crash, refuses a corrupt one, and removes leftover temporary files", async () => {
    const dataFile = tempFile();
    let emu = await startEmulator({ dataFile });
    const kept = (await api(emu, "POST", "/api/application", { application: { name: "kept" } })).body.application;
    await api(emu, "POST", "/api/application", { application: { name: "also kept" } });
    // Simulate a kill -9: the server stops without its closing snapshot.
    const journal = readFileSync(`${dataFile}.journal`, "utf8");
    await emu.close();
    writeFileSync(`${dataFile}.journal`, journal);
    appendFileSync(`${dataFile}.journal`, '{"changes":[["applications","x",{"na');
    writeFileSync(`${dataFile}.4242.tmp`, "{ half a snapshot");
    emu = await startEmulator({ dataFile });
    expect((await api(emu, "GET", `/api/application/${kept.id}`)).body.application.name).toBe("kept");
    expect(readdirSync(join(dataFile, "..")).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    await emu.close();
    writeFileSync(`${dataFile}.journal`, 'not json\n{"changes":[]}\n');
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

  // Three emulator processes started and killed: allow for a busy machine.
  it("keeps every acknowledged write and no temporary file after kill -9 in the middle of a write burst", {
    timeout: 60_000,
  }, async () => {
    const dataFile = tempFile();
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ["bin/fakit.js", "emulator", "--port", "0", "--data", dataFile], {
        cwd: ROOT,
      });
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout }).once("line", resolve),
      );
      const url = /(http:\/\/\S+)$/.exec(line)?.[1] as string;
      const exited = new Promise((r) => child.once("exit", r));
      const acknowledged: string[] = [];
      let stop = false;
      const writer = async () => {
        while (!stop) {
          const id = randomUUID();
          try {
            const res = await fetch(`${url}/api/application/${id}`, {
              method: "POST",
              headers: { Authorization: "fakit-local-api-key", "Content-Type": "application/json" },
              body: JSON.stringify({ application: { name: `burst-${round}`, data: { pad: "x".repeat(2000) } } }),
            });
            if (res.status === 200) acknowledged.push(id);
            await res.arrayBuffer();
          } catch {
            return; // the process is gone
          }
        }
      };
      const writers = [writer(), writer(), writer(), writer()];
      // Kill at a different point each round, counted in acknowledged writes (not time).
      while (acknowledged.length < 20 + round * 37) await new Promise((r) => setImmediate(r));
      child.kill("SIGKILL");
      stop = true;
      await Promise.all(writers);
      await exited;

      const emu = await startEmulator({ dataFile });
      try {
        expect(readdirSync(join(dataFile, "..")).filter((n) => n.endsWith(".tmp"))).toEqual([]);
        for (const id of acknowledged) expect((await api(emu, "GET", `/api/application/${id}`)).status).toBe(200);
      } finally {
        await emu.close();
      }
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

  it("serves the discovery document from --public-url, and refuses a --public-url that is not an http(s) URL", async () => {
    const child = spawn(
      process.execPath,
      ["bin/fakit.js", "emulator", "--port", "0", "--data", "-", "--public-url", "https://id.example.com/"],
      { cwd: ROOT },
    );
    try {
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout }).once("line", resolve),
      );
      const url = /(http:\/\/\S+)$/.exec(line)?.[1] as string;
      const doc = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as { token_endpoint: string };
      expect(doc.token_endpoint).toBe("https://id.example.com/oauth2/token");
    } finally {
      child.kill("SIGTERM");
    }
    const bad = spawn(process.execPath, ["bin/fakit.js", "emulator", "--port", "0", "--public-url", "javascript:x"], {
      cwd: ROOT,
    });
    expect(await new Promise((resolve) => bad.on("exit", resolve))).toBe(2);
  });

  it("exits 2 on a bad option", async () => {
    const child = spawn(process.execPath, ["bin/fakit.js", "emulator", "--port", "abc"], { cwd: ROOT });
    expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(2);
  });
});
