// Key compromises, replayed: the simulated pipeline revokes the compromised key as `keys.revoked` does, and an
// attacker's forged tokens are decided by the simulator's decision code against C after the run that deleted it.
import { describe, expect, it } from "vitest";
import { forgedToken, NewestHeld, newestHeld } from "../../src/simulate/compromise";
import { type DeviceKeys, type DeviceTimes, decideOpening } from "../../src/simulate/decision";
import { checkSignatures, prepareApplication, simulateStack } from "../../src/simulate/fleet";
import { buildKeyTimeline, type KeySnapshot } from "../../src/simulate/key-timeline";
import { presetStackYaml } from "../../src/simulate/preset-stack";
import { createRandom } from "../../src/simulate/random";
import { compileStackText } from "../helpers/policies";
import { profileAt } from "./profiles";

const DAY = 86_400;
const stack = compileStackText(presetStackYaml(["standard"]));
const tenant = stack.tenants[0] as (typeof stack.tenants)[number];
const application = tenant.applications[0] as (typeof tenant.applications)[number];
const base = profileAt("simulations/field-crew.yaml");
const quiet = { ...base, incidents: { ...base.incidents, keyCompromisesPerYear: 0 } };
const { world } = prepareApplication(tenant, application, quiet, { devices: 1, days: 60, seed: 1 });
const C = application.policy.offline.checkInSeconds;
const start = world.start;
/** The compromise, 20 days and 1h10m in: the 15-minute pipeline deletes the key at the next run, 5 minutes later. */
const COMPROMISED_AT = start + 20 * DAY + 70 * 60;
const timeline = buildKeyTimeline({
  tenant: { key: tenant.key, issuer: tenant.issuer, policy: tenant.policy },
  application: { id: application.id, key: application.key, name: application.name, policy: application.policy },
  epoch: start,
  start,
  end: start + 60 * DAY,
  deployEverySeconds: 15 * 60,
  releaseEverySeconds: 7 * DAY,
  compromiseTimes: [COMPROMISED_AT],
});
const snapshotAt = (t: number) => timeline.snapshots[timeline.snapshotIndexAt(t)] as KeySnapshot;

describe("the key timeline revokes a compromised key as keys.revoked does", () => {
  const [c] = timeline.compromises;

  it("revokes the generation that signed at the compromise, at the next pipeline run", () => {
    expect(c).toEqual({
      at: COMPROMISED_AT,
      generation: snapshotAt(COMPROMISED_AT).signing,
      appliedAt: COMPROMISED_AT + 5 * 60,
    });
  });

  it("publishes it until that run, then drops it from the JWKS and signs with its successor at once", () => {
    const g = c?.generation as number;
    const before = snapshotAt((c?.appliedAt as number) - 1);
    const after = snapshotAt(c?.appliedAt as number);
    expect(before.live.has(g)).toBe(true);
    expect(before.signing).toBe(g);
    expect(after.at).toBe(c?.appliedAt);
    expect(after.live.has(g)).toBe(false);
    expect(after.signing).toBe(g + 1);
    expect(timeline.snapshots.slice(timeline.snapshotIndexAt(after.at)).every((s) => !s.live.has(g))).toBe(true);
  });

  it("builds later bundles without it, listed in policy.json revokedKeys", () => {
    const g = c?.generation as number;
    for (const r of timeline.releases) {
      const afterRun = r.at >= (c?.appliedAt as number);
      expect(r.keys.has(g)).toBe(!afterRun);
      expect(r.revoked.has(g)).toBe(afterRun);
      expect(JSON.parse(timeline.releaseFiles(r.index)["policy.json"] as string).revokedKeys.length).toBe(
        afterRun ? 1 : 0,
      );
    }
  });
});

describe("a forged token on one device, decided by the simulator's decision code", () => {
  const [c] = timeline.compromises;
  const g = c?.generation as number;
  const release = timeline.releases[2]; // built on day 14: holds the key
  /** A device that last synced (JWKS, then check-in) at `syncedAt` and runs the day-14 build. */
  const keysSyncedAt = (syncedAt: number, bundle = release): DeviceKeys => ({
    fetched: snapshotAt(syncedAt).live,
    fetchedAt: syncedAt,
    bundle: bundle?.keys as ReadonlySet<number>,
    bundleAt: bundle?.at as number,
    bundleRevoked: bundle?.revoked as ReadonlySet<number>,
  });
  const offlineAt = (at: number, lastCheckIn: number): DeviceTimes => ({
    now: at,
    floor: at,
    lastServerTime: lastCheckIn,
    lastCheckIn,
    online: false,
    boots: 0,
  });
  const decideForged = (at: number, keys: DeviceKeys, lastCheckIn: number) =>
    decideOpening(
      world.policy,
      forgedToken(g, at, release?.windows.get(g), world.policy),
      keys,
      offlineAt(at, lastCheckIn),
    );

  it("is accepted by a device that synced before the key was deleted, until its check-in deadline, then refused", () => {
    // Synced between the compromise and the run that deleted the key: FusionAuth still published it.
    const syncedAt = COMPROMISED_AT + 60;
    const keys = keysSyncedAt(syncedAt);
    expect(decideForged(COMPROMISED_AT + DAY, keys, syncedAt)).toMatchObject({ decision: "full", code: "valid" });
    expect(decideForged(syncedAt + C - 1, keys, syncedAt).decision).toBe("full");
    // The device never syncs again: cut off at the check-in deadline, later than the compromise + C.
    expect(decideForged(syncedAt + C, keys, syncedAt)).toMatchObject({ decision: "refused", code: "check-in-overdue" });
    expect(syncedAt + C).toBeGreaterThan(COMPROMISED_AT + C);
    expect(syncedAt + C).toBeLessThanOrEqual((c?.appliedAt as number) + C);
  });

  it("is refused once the device syncs a JWKS without the key, or installs a bundle that lists it as revoked", () => {
    const syncedAt = (c?.appliedAt as number) + 60;
    expect(decideForged(syncedAt + 1, keysSyncedAt(syncedAt), syncedAt)).toMatchObject({ code: "kid-unknown" });
    const later = timeline.releases.find((r) => r.at >= (c?.appliedAt as number));
    // Its JWKS still from before the deletion, but a newer build: the bundle's revokedKeys refuse it.
    const keys = keysSyncedAt(COMPROMISED_AT + 60, later);
    expect(decideForged(COMPROMISED_AT + 2 * DAY, keys, COMPROMISED_AT + 60)).toMatchObject({ code: "kid-revoked" });
  });
});

describe("the compromises of a seeded fleet, replayed (standard, field-crew with a daily pipeline and frequent leaks)", () => {
  const profile = {
    ...base,
    incidents: { ...base.incidents, keyCompromisesPerYear: 6 },
    pipeline: { deployEverySeconds: DAY },
  };
  const options = { devices: 60, days: 120, seed: 5, sampleEvery: 10 };
  const [run] = simulateStack(stack, profile, options);
  const r = run?.report;
  const c = r?.compromises;

  it("revokes every compromise drawn, and the attackers get forged tokens accepted", () => {
    expect(r?.keys.keyCompromisesDrawn).toBe(2);
    expect(c?.replayed.map((x) => x.generation)).toEqual([1, 2]);
    expect((c?.acceptedFull as number) + (c?.acceptedDegraded as number)).toBeGreaterThan(0);
  });

  it("accepts forged tokens only within the bound, which is plan's figure (C after the up that deletes the key)", () => {
    expect(c?.acceptedOutsidePolicy).toEqual({ count: 0, examples: [] });
    expect(r?.unexplainedRefusals.count).toBe(0);
    const longestDelay = Math.max(...(c?.replayed ?? []).map((x) => x.appliedAt - x.at));
    expect(c?.planSeconds).toBe(longestDelay + C);
    expect(c?.window.devices).toBe(60);
    expect(c?.window.max).toBeLessThanOrEqual(c?.planSeconds as number);
    // Past the compromise + C (7d), the figure plan printed before it counted from the up: a device that fetched
    // the JWKS during the 17h27m before the pipeline deleted the key accepted a forged token 7d13h24m after the leak.
    expect(Math.round(c?.window.max as number)).toBe(653_038);
    expect(c?.window.max).toBeGreaterThan(C);
  });

  it("agrees with the real decision on sampled forged tokens, signed with the compromised keys", async () => {
    if (run === undefined) throw new Error("no run");
    const forged = run.tally.samples.filter((s) => s.forged === true);
    expect(new Set(forged.map((s) => s.fast.decision))).toEqual(new Set(["full", "refused"]));
    const check = await checkSignatures(run);
    expect(check.mismatches).toEqual([]);
  });

  // The detector itself: devices that decide without their recorded check-in (a stateless decide() without
  // lastCheckIn) count the deadline from the forger's fresh iat, and accept forged tokens as long as they hold the
  // key; each acceptance past the bound is reported with the device that reproduces it.
  it("reports forged tokens accepted outside the policy when the devices ignore their recorded check-in", () => {
    const [without] = simulateStack(stack, profile, { ...options, checkInRecord: false });
    const outside = without?.report.compromises.acceptedOutsidePolicy;
    expect(outside?.count).toBe(171);
    expect(outside?.examples[0]).toEqual({
      device: expect.any(Number),
      at: expect.any(Number),
      code: "forged with generation 1: valid",
    });
    expect(without?.report.unexplainedRefusals.count).toBe(0);
  });
});

describe("the newest key a device holds, walked again only when its key sets change (NewestHeld)", () => {
  it("equals the walk of both sets at every step of a seeded sequence of fetches and installs", () => {
    const r = createRandom(3);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
    const sets = [...timeline.snapshots.map((s) => s.live), ...timeline.releases.map((x) => x.keys), new Set<number>()];
    const held = new NewestHeld();
    const keys: DeviceKeys = {
      fetched: pick(sets),
      fetchedAt: start,
      bundle: pick(sets),
      bundleAt: start,
      bundleRevoked: new Set(),
    };
    for (let step = 0; step < 2000; step++) {
      const event = r();
      if (event < 0.2) keys.fetched = pick(sets);
      else if (event < 0.3) keys.bundle = pick(sets);
      expect(held.of(keys)).toBe(newestHeld(keys));
    }
  });
});
