/**
 * Time across reboots through the CLI a support engineer or a port's author runs (issue 21): `fakit verify
 * --pinned-key --state --monotonic`, spawned for real, on each preset's signed bundle as the kit builds it and
 * tokens signed by its keys. A user who reboots before every use and holds the clock was `full` forever; now the
 * new boot's uptime counts and past `clockTrust.offlineBoots` boots the answer is `clock-unverified`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ID, ISSUER, signToken, type TestKey, tenantFixture } from "../../testkit/bundle/fixtures";
import { DAY, EPOCH, HOUR, PRESET_LEVELS, preset } from "../../testkit/rotation/presets";
import { makeBundleSigner, signBundle } from "../../testkit/verifier/signed-fixture";
import { runFakit } from "../helpers/fakit";

const ROOT = resolve(__dirname, "../..");
const T0 = EPOCH + HOUR;
const iso = (s: number) => new Date(s * 1000).toISOString();

let dir: string;
const setups = new Map<string, { bundle: string; pinned: string; token: string }>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fakit-verify-reboots-"));
  for (const level of PRESET_LEVELS) {
    const f = await tenantFixture({ level });
    const signer = await makeBundleSigner();
    const bundle = join(dir, level);
    const { mkdir } = await import("node:fs/promises");
    await mkdir(bundle);
    // Built at T0, the time of the device's check-in: the check-in's revocation state is the bundle itself.
    for (const [name, text] of Object.entries(await signBundle(f.files, signer, { generation: T0 })))
      await writeFile(join(bundle, name), text);
    const pinned = join(bundle, "pinned.jwk.json");
    await writeFile(pinned, JSON.stringify(signer.publicJwk));
    const A = preset(level).accessToken.ttlSeconds;
    const token = await signToken(f.keys.get(0) as TestKey, {
      iss: ISSUER,
      aud: APP_ID,
      sub: "u",
      iat: T0,
      exp: T0 + A,
    });
    setups.set(level, { bundle, pinned, token });
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function verify(level: string, state: string, now: number, monotonic: string, extra: string[] = []) {
  const s = setups.get(level) as { bundle: string; pinned: string; token: string };
  const r = await runFakit(
    [
      "verify",
      "--bundle",
      s.bundle,
      "--pinned-key",
      s.pinned,
      "--state",
      state,
      "--token",
      s.token,
      "--now",
      iso(now),
      "--offline",
      "--monotonic",
      monotonic,
      ...extra,
    ],
    ROOT,
  );
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { decision: string; reason: { code: string } };
}

describe("fakit verify --pinned-key --state --monotonic across reboots", () => {
  it("a new boot whose uptime exceeds the check-in interval is not full (it was)", async () => {
    const state = join(dir, "uptime.json");
    const checkIn = ["--sign-in", iso(T0)];
    expect(await verify("standard", state, T0 + 60, "boot-0:100", checkIn)).toMatchObject({ decision: "full" });
    // Rebooted, up 8 days, the clock set back to the last reading: the uptime alone proves 7 days have passed.
    const held = await verify("standard", state, T0 + 60, `boot-1:${8 * DAY}`);
    expect(held).toMatchObject({ decision: "refused", reason: { code: "clock-rollback" } });
    const honest = await verify("standard", state, T0 + 8 * DAY + 60, `boot-1:${8 * DAY}`);
    expect(honest).toMatchObject({ decision: "refused", reason: { code: "check-in-overdue" } });
  });

  it.each(PRESET_LEVELS)("%s: reboots with the clock held end in clock-unverified; the fortieth too", async (level) => {
    const state = join(dir, `${level}-state.json`);
    const checkIn = ["--sign-in", iso(T0)];
    expect(await verify(level, state, T0 + 1, "boot-0:100", checkIn)).toMatchObject({ decision: "full" });
    const bound = preset(level).offline.clockTrust.offlineBoots;
    for (let boot = 1; boot <= bound; boot++)
      expect(await verify(level, state, T0 + 1 + boot, `boot-${boot}:5`)).toMatchObject({ decision: "full" });
    const past = await verify(level, state, T0 + 2 + bound, `boot-${bound + 1}:5`);
    expect(past).toMatchObject({ decision: "refused", reason: { code: "clock-unverified" } });
    // Every later boot only adds to the count (the session API test walks all forty): the fortieth is refused.
    const fortieth = await verify(level, state, T0 + 40, "boot-40:5");
    expect(fortieth).toMatchObject({ decision: "refused", reason: { code: "clock-unverified" } });
  });
});
