// Seeded fuzzing of the one argument parser every command uses: any argv either parses or is a UsageError (exit 2
// with the command's usage), never another exception; any --now either is a valid instant or a UsageError; any
// --stack either is a safe stack name (no path separator, no "..") or a UsageError.
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseCommandLine, parseInstant, requireStackName, UsageError } from "../../src/cli/args";

const SEED = 0x16_0002;
const SPEC = {
  command: "probe",
  usage: "usage: fakit probe --stack NAME [--now ISO] [--json] [--app T/A ...]",
  options: {
    stack: { type: "string", short: "s" },
    now: { type: "string" },
    json: { type: "boolean" },
    app: { type: "string", multiple: true },
  },
} as const;

const token = fc.oneof(
  fc.constantFrom("--stack", "-s", "--now", "--json", "--app", "--", "-", "--help", "-h", "--json=1", "--stack="),
  fc.constantFrom("__proto__", "constructor", "--__proto__", "--constructor", "--toString", "-x", "---"),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ maxLength: 6 }).map((s) => `--${s}`),
);

afterEach(() => vi.restoreAllMocks());

describe("the CLI argument parser under fuzzing", () => {
  it("parses any argv or throws a UsageError, nothing else", () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
        try {
          const parsed = parseCommandLine(argv, SPEC);
          if (parsed === undefined) return; // --help
          expect(Object.getPrototypeOf(parsed.values) === null || typeof parsed.values === "object").toBe(true);
          expect(Object.hasOwn(parsed.values, "__proto__")).toBe(false);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
          expect((err as UsageError).code).toBe("KIT_USAGE");
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("--now is a valid instant or a UsageError", () => {
    const iso = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
    const text = fc.oneof(
      iso,
      iso.map((s) => s.slice(0, -1)),
      iso.map((s) => s.replace("Z", "+25:00")),
      fc.string(),
    );
    fc.assert(
      fc.property(text, (value) => {
        try {
          const at = parseInstant("--now", value, SPEC);
          expect(Number.isNaN(at?.getTime())).toBe(false);
          expect(value).toMatch(/(Z|[+-]\d{2}:\d{2})$/);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("--stack never lets a path separator or '..' through", () => {
    const name = fc.oneof(
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.constantFrom("..", ".", "/../../../outside", "a/b", "a\\b", "a..b", ".hidden", "x".repeat(101), "ok-1.2_3"),
    );
    fc.assert(
      fc.property(name, (value) => {
        try {
          const stack = requireStackName(value, SPEC);
          expect(stack).not.toMatch(/[\\/]|\.\.|^\./);
          expect(stack.length).toBeLessThanOrEqual(100);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
