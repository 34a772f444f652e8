import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, isDuration, parseDuration } from "../../src/lib/duration";

describe("parseDuration", () => {
  it.each([
    ["90s", 90],
    ["15m", 900],
    ["24h", 86_400],
    ["7d", 604_800],
    ["1h30m", 5_400],
    ["2d12h", 216_000],
    ["1d1h1m1s", 90_061],
    ["0s", 0],
  ])("%s is %d seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["", "15", "1w", "30m1h", "1h1h", "-5m", "1.5h", " 15m", "15M", "m"])("refuses %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
    expect(isDuration(text)).toBe(false);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [900, "15m"],
    [87_300, "24h15m"],
    [86_400, "24h"],
    [172_800, "2d"],
    [7_776_000, "90d"],
    [261_900, "3d45m"],
  ])("%d seconds is %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("refuses negative and fractional seconds", () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(1.5)).toThrow(RangeError);
  });
});

describe("duration properties", () => {
  it("parse(format(n)) === n for every whole number of seconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400 }), (n) => {
        expect(parseDuration(formatDuration(n))).toBe(n);
      }),
    );
  });

  it("format(parse(text)) reads back to the same number of seconds for any well-formed text", () => {
    const part = (unit: string) =>
      fc.option(
        fc.integer({ min: 0, max: 500 }).map((n) => `${n}${unit}`),
        { nil: "" },
      );
    const text = fc
      .tuple(part("d"), part("h"), part("m"), part("s"))
      .map((parts) => parts.join(""))
      .filter((t) => t !== "");
    fc.assert(
      fc.property(text, (t) => {
        const seconds = parseDuration(t);
        expect(seconds).toBeTypeOf("number");
        expect(parseDuration(formatDuration(seconds as number))).toBe(seconds);
      }),
    );
  });
});
