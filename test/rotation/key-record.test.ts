import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatKeyName, parseKeyName, recordedTimes } from "../../src/rotation/key-record";

describe("key records in key names", () => {
  it("formats a readable name", () => {
    expect(formatKeyName({ stack: "prod", tenantKey: "field-ops", generation: 3, activatedAt: 1_775_001_600 })).toBe(
      "fakit:prod:field-ops:g3 active@2026-04-01T00:00:00Z",
    );
  });

  it("round-trips every record", () => {
    const seconds = fc.integer({ min: 0, max: 4_102_444_800 });
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9-]{1,20}$/),
        fc.stringMatching(/^[a-z0-9-]{1,20}$/),
        fc.nat(100_000),
        fc.option(seconds, { nil: undefined }),
        fc.option(seconds, { nil: undefined }),
        (stack, tenantKey, generation, activatedAt, retiredAt) => {
          const record = { stack, tenantKey, generation, activatedAt, retiredAt };
          const parsed = parseKeyName(formatKeyName(record));
          expect(parsed).toEqual(Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)));
        },
      ),
    );
  });

  it("ignores names the kit did not write", () => {
    expect(parseKeyName("Default signing key")).toBeUndefined();
    expect(parseKeyName("fakit:prod:field-ops:gX")).toBeUndefined();
    expect(parseKeyName("fakit:prod:field-ops:g1 active@not-a-date")).toBeUndefined();
  });
});

describe("what a key's record holds by role", () => {
  it.each([
    ["published", {}],
    ["signing", { activatedAt: 100 }],
    ["retired", { activatedAt: 100, retiredAt: 200 }],
  ] as const)("a %s key records %j", (role, want) => {
    expect(recordedTimes({ role, activatesAt: 100, retiresAt: 200 })).toEqual(want);
  });
});
