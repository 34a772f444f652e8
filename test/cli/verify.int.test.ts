/**
 * `fakit verify`, spawned as a real process (`node bin/fakit.js verify ...`) against a bundle written to disk.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ID, ISSUER, signToken, type TenantFixture, type TestKey, tenantFixture } from "../bundle/fixtures";
import { EPOCH, HOUR } from "../rotation/presets";

const ROOT = resolve(__dirname, "../..");
const T0 = EPOCH + HOUR;
const iso = (s: number) => new Date(s * 1000).toISOString();

function fakit(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, "bin/fakit.js"), ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

let dir: string;
let tampered: string;
let f: TenantFixture;
let token: string;

beforeAll(async () => {
  f = await tenantFixture();
  dir = await mkdtemp(join(tmpdir(), "fakit-verify-"));
  tampered = await mkdtemp(join(tmpdir(), "fakit-verify-bad-"));
  for (const [name, text] of Object.entries(f.files)) {
    await writeFile(join(dir, name), text);
    await writeFile(
      join(tampered, name),
      name === "policy.json" ? text.replace('"graceSeconds": 86400', '"graceSeconds": 864000') : text,
    );
  }
  token = await signToken(f.keys.get(0) as TestKey, {
    iss: ISSUER,
    aud: APP_ID,
    sub: "user-1",
    iat: T0,
    exp: T0 + 900,
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(tampered, { recursive: true, force: true });
});

describe("fakit verify", () => {
  it("prints a full decision with its deadline, offline inside grace", async () => {
    const r = await fakit([
      "verify",
      "--bundle",
      dir,
      "--token",
      token,
      "--now",
      iso(T0 + 2 * HOUR),
      "--last-check-in",
      iso(T0),
      "--offline",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      decision: "full",
      reason: { code: "offline-grace" },
      keyId: "kid-g0-ES256",
      nextDeadline: { kind: "grace-end", at: iso(T0 + 900 + 24 * HOUR) },
    });
  });

  it("reads the token from standard input and exits 0 for a refusal", async () => {
    const r = await fakit(
      ["verify", "--bundle", dir, "--token", "-", "--now", iso(T0 + 2 * HOUR), "--last-server-time", iso(T0)],
      `${token}\n`,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: "refused", reason: { code: "refresh-required" } });
  });

  it("exits 2 on usage errors", async () => {
    const missing = await fakit(["verify", "--token", token]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--bundle is required");
    const badTime = await fakit(["verify", "--bundle", dir, "--token", token, "--now", "yesterday"]);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain("--now needs an ISO 8601 time with a zone");
    const unknown = await fakit(["verify", "--bundle", dir, "--token", token, "--frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
  });

  it("exits 1 with a clear message for an invalid bundle, without a stack trace", async () => {
    const r = await fakit(["verify", "--bundle", tampered, "--token", token, "--now", iso(T0)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("KIT_BUNDLE_DIGEST_MISMATCH policy.json does not match its SHA-256 in manifest.json");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const none = await fakit(["verify", "--bundle", join(tampered, "nope"), "--token", token]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("KIT_BUNDLE_FILE_MISSING jwks.json is missing from the bundle");
  });
});
