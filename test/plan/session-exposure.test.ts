import { describe, expect, it } from "vitest";
import { sessionExposure } from "../../src/plan/session-exposure";
import { preset } from "../../testkit/rotation/presets";

const NOW = Date.UTC(2026, 2, 1, 12) / 1000;
const at = (seconds: number) => new Date((NOW + seconds) * 1000).toISOString().replace(/\.000Z$/, "Z");

describe("how long a revoked session is still accepted offline", () => {
  it.each([
    // level, full until (min(A + G, C)), degraded until (C, when longer and the policy has a degraded mode)
    ["field", 30 * 60 + 72 * 3600, 14 * 86_400],
    ["standard", 15 * 60 + 24 * 3600, 7 * 86_400],
    ["high", 10 * 60 + 30 * 60, 3600],
    ["critical", 5 * 60, null],
  ] as const)("%s: full until now + %ss, degraded until now + %ss", (level, full, degraded) => {
    const [e] = sessionExposure([{ name: "t/a", app: { id: "app-id", policy: preset(level) } }], NOW);
    expect(e?.fullUntil).toBe(at(full));
    expect(e?.degradedUntil).toBe(degraded === null ? null : at(degraded));
  });

  it("a check-in shorter than token and grace cuts both: no degraded period", () => {
    const base = preset("standard");
    const policy = { ...base, offline: { ...base.offline, checkInSeconds: 3600 } };
    const [e] = sessionExposure([{ name: "t/a", app: { id: "app-id", policy } }], NOW);
    expect(e?.fullUntil).toBe(at(3600));
    expect(e?.degradedUntil).toBeNull();
  });
});
