// Server strings made safe to print: nothing a terminal acts on gets through, everything else is unchanged.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeForTerminal } from "../../src/lib/terminal-text";

describe("escapeForTerminal", () => {
  it.each([
    ["window title (OSC 0)", "a\u001b]0;owned\u0007b", "a\\u001b]0;owned\\u0007b"],
    ["clipboard write (OSC 52)", "\u001b]52;c;cm0gLXJmIH4=\u0007", "\\u001b]52;c;cm0gLXJmIH4=\\u0007"],
    ["clear screen (CSI 2J)", "\u001b[2J", "\\u001b[2J"],
    ["8-bit CSI", "\u009b2J", "\\u009b2J"],
    ["a forged line", "kid\nwrote x", "kid\\u000awrote x"],
    ["a carriage return over the line", "ok\rFAIL", "ok\\u000dFAIL"],
    ["bidirectional override", "abc\u202edcba", "abc\\u202edcba"],
    ["line separator", "a\u2028b", "a\\u2028b"],
    ["a lone surrogate", "a\ud800b", "a\\ud800b"],
  ])("%s", (_what, input, want) => {
    expect(escapeForTerminal(input)).toBe(want);
  });

  it("leaves printable text, accents and emoji alone", () => {
    expect(escapeForTerminal("Ärzte & Pflege 😀 \\u001b")).toBe("Ärzte & Pflege 😀 \\u001b");
  });

  it("never lets a control character, separator or override through", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
        expect(escapeForTerminal(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
      }),
      { seed: 24, numRuns: 2000 },
    );
  });
});
