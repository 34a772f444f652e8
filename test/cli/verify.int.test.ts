import { copyFile, mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP_ID,
  ISSUER,
  signToken,
  type TenantFixture,
  type TestKey,
  tenantFixture,
} from "../../testkit/bundle/fixtures";
import { DAY, EPOCH, HOUR, MIN } from "../../testkit/rotation/presets";
import { type BundleSigner, makeBundleSigner, signBundle } from "../../testkit/verifier/signed-fixture";
import { runFakit } from "../helpers/fakit";

const ROOT = resolve(__dirname, "../..");
const T0 = EPOCH + HOUR;
const iso = (s: number) => new Date(s * 1000).toISOString();

const fakit = (args: string[], stdin?: string) => runFakit(args, ROOT, {}, stdin);

let dir: string;
let tampered: string;
let signedDir: string;
let pinnedFile: string;
let f: TenantFixture;
let token: string;
let pinnedSigner: BundleSigner;

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
  signedDir = await mkdtemp(join(tmpdir(), "fakit-verify-signed-"));
  const signer = await makeBundleSigner();
  pinnedSigner = signer;
  for (const [name, text] of Object.entries(await signBundle(f.files, signer)))
    await writeFile(join(signedDir, name), text);
  pinnedFile = join(signedDir, "pinned.jwk.json");
  await writeFile(pinnedFile, JSON.stringify(signer.publicJwk));
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
  await rm(signedDir, { recursive: true, force: true });
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

  it("a validly signed token with exp 1e308 is a refusal, not a stack trace", async () => {
    const huge = await signToken(f.keys.get(0) as TestKey, { iss: ISSUER, aud: APP_ID, iat: T0, exp: 1e308 });
    const r = await fakit(["verify", "--bundle", dir, "--token", huge, "--now", iso(T0)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: "refused", reason: { code: "claims-out-of-range" } });
  });
});

/** `fakit verify` through the offline session, offline, with `state` as the device state (the signed bundle by default). */
const verifyWithState = (state: string, now: number, extra: string[] = [], bundle = signedDir) =>
  fakit([
    ...["verify", "--bundle", bundle, "--pinned-key", pinnedFile, "--state", state],
    ...["--token", token, "--now", iso(now), "--offline", ...extra],
  ]);

describe("fakit verify --pinned-key (the offline session)", () => {
  const session = verifyWithState;

  it("--jwks: a check-in that carries the JWKS fetched with it; without its server time, a usage error", async () => {
    const jwks = join(signedDir, "jwks.json");
    const alone = await session(join(signedDir, "jwks-alone.json"), T0 + HOUR, ["--jwks", jwks]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--jwks needs the server time it was fetched at");
    const missing = await session(join(signedDir, "jwks-missing.json"), T0 + HOUR, [
      ...["--sign-in", iso(T0), "--jwks", join(signedDir, "nope.json")],
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("does not exist");
    const state = join(signedDir, "jwks-state.json");
    const withJwks = await session(state, T0 + HOUR, ["--sign-in", iso(T0), "--jwks", jwks]);
    expect(withJwks.stderr).toBe("");
    expect(JSON.parse(withJwks.stdout)).toMatchObject({ decision: "full" });
    // A fetch older than the one the state holds is refused: it would revive keys the newer one dropped.
    const older = await session(state, T0 + HOUR, ["--last-server-time", iso(T0 - HOUR), "--jwks", jwks]);
    expect(older.code).toBe(1);
    expect(older.stderr).toContain("jwks-older");
  });

  it("keeps the device state in --state: a clock set back later is caught", async () => {
    const state = join(signedDir, "state.json");
    const first = await session(state, T0 + 2 * HOUR, ["--sign-in", iso(T0)]);
    expect(first.stderr).toBe("");
    expect(JSON.parse(first.stdout)).toMatchObject({ decision: "full", reason: { code: "offline-grace" } });
    const later = await session(state, T0 + 3 * DAY);
    expect(JSON.parse(later.stdout)).toMatchObject({ decision: "degraded" });
    const back = await session(state, T0 + 2 * HOUR);
    expect(JSON.parse(back.stdout)).toMatchObject({ decision: "refused", reason: { code: "clock-rollback" } });
  });

  it("exits 1 without a stack trace for a tampered signed bundle or a corrupt state", async () => {
    const policy = join(signedDir, "policy.json");
    const state = join(signedDir, "corrupt.json");
    await writeFile(state, "{ not json");
    const corrupt = await session(state, T0);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain("state-invalid");
    const original = await readFile(policy, "utf8");
    await writeFile(policy, original.replace('"graceSeconds": 86400', '"graceSeconds": 8640000'));
    const r = await session(join(signedDir, "fresh.json"), T0);
    await writeFile(policy, original);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bundle-invalid");
    expect(`${r.stderr}${corrupt.stderr}`).not.toMatch(/\n\s+at /);
  });
});

describe("fakit verify --state: the sealed state against its own user", () => {
  const run = verifyWithState;
  const code = (r: { stdout: string }) => JSON.parse(r.stdout).reason.code;

  it("seals the state with a key kept beside it (mode 0600) and needs an online sign-in first", async () => {
    const state = join(signedDir, "sealed.json");
    const first = await run(state, T0 + MIN);
    expect(first.code).toBe(0);
    expect(code(first)).toBe("sign-in-required");
    expect((await stat(`${state}.key`)).mode & 0o777).toBe(0o600);
    const signedIn = await run(state, T0 + 2 * MIN, ["--sign-in", iso(T0)]);
    expect(code(signedIn)).toBe("valid");
    expect((await readFile(state, "utf8")).trim()).toMatch(/^fakit-state-1\.[\w-]+\.[\w-]+$/);
    expect(code(await run(state, T0 + 3 * MIN))).toBe("valid");
  });

  it("an edited state, an older copy and a deleted state are refused (they restored access)", async () => {
    const state = join(signedDir, "attacked.json");
    expect(code(await run(state, T0 + MIN, ["--sign-in", iso(T0)]))).toBe("valid");
    const backup = `${state}.backup`;
    await copyFile(state, backup);
    expect(code(await run(state, T0 + 3 * DAY))).toBe("offline-degraded");
    // lastCheckIn pushed to 2099 inside the sealed payload.
    const [prefix, body, tag] = (await readFile(state, "utf8")).trim().split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    payload.state.lastCheckIn = Date.parse("2099-01-01T00:00:00Z") / 1000;
    const original = await readFile(state, "utf8");
    await writeFile(state, `${prefix}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${tag}\n`);
    const edited = await run(state, T0 + 300 * DAY);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain("state-invalid");
    expect(edited.stderr).not.toMatch(/\n\s+at /);
    await writeFile(state, original);
    // The copy taken before the 3-day decision: its counter is behind the counter file.
    await copyFile(backup, state);
    const restored = await run(state, T0 + 3 * DAY + MIN);
    expect(restored.code).toBe(1);
    expect(restored.stderr).toContain("older copy");
    await unlink(state);
    const deleted = await run(state, T0 + 3 * DAY + 2 * MIN);
    expect(code(deleted)).toBe("state-invalid");
  });

  it("a state bound to this application refuses another application's bundle, whatever key signed it", async () => {
    const state = join(signedDir, "bound.json");
    expect(code(await run(state, T0 + MIN, ["--sign-in", iso(T0)]))).toBe("valid");
    const other = await mkdtemp(join(tmpdir(), "fakit-verify-other-app-"));
    const otherApp = "0b0b0b0b-0000-4000-8000-00000000a2a2";
    for (const [name, text] of Object.entries(
      await signBundle(f.files, pinnedSigner, {
        editPolicy: (p) => {
          p.application = { id: otherApp, key: "kiosk", name: "Kiosk" };
          p.audience = otherApp;
        },
      }),
    ))
      await writeFile(join(other, name), text);
    const r = await run(state, T0 + 2 * MIN, [], other);
    await rm(other, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(code(r)).toBe("bundle-application-mismatch");
    expect(r.stderr).toContain("bundle-application-mismatch");
  });
});
