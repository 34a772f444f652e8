// Seeded fuzzing of every string the kit sends to FusionAuth (tenant and application names, issuers, redirect
// URIs, the url): whatever the string, compilation either reports located diagnostics with documented codes, or
// accepts a value FusionAuth can store: no control character, within the size limits, a URL where one is due.
// Bounded (a few hundred cases, in-process, well under a second each) and reproducible from the seed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../../src/diagnostics/codes";
import { parseYamlSource } from "../../src/diagnostics/yaml-source";
import { compileStack } from "../../src/stack/compile";
import type { DesiredState } from "../../src/stack/desired-state";
import { loadPolicySources } from "../../src/stack/load";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

const SEED = 0x16_0001;
const RUNS = 300;
const SOURCES = loadPolicySources(REPO_ROOT);
const CODES = new Set<string>(DIAGNOSTIC_CODES);
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

type Field = "tenantName" | "appName" | "issuer" | "redirect" | "url";

function stackText(field: Field, value: string): string {
  // JSON string syntax is YAML double-quoted syntax, escapes included: the value arrives exactly.
  const q = (f: Field, fallback: string) => JSON.stringify(f === field ? value : fallback);
  return `config:
  fusionauth-offline-kit:url: ${q("url", "https://auth.example.com")}
  fusionauth-offline-kit:tenants:
    - key: t
      name: ${q("tenantName", "T")}
      issuer: ${q("issuer", "https://auth.example.com/t")}
      preset: standard
      applications:
        - key: a
          name: ${q("appName", "A")}
          redirectUris: [${q("redirect", "com.example.a:/cb")}]
`;
}

function compile(text: string) {
  const { doc, diagnostics } = parseYamlSource({ path: "stacks/Pulumi.fuzz.yaml", text });
  const result = compileStack({ stackName: "fuzz", stack: doc, ...SOURCES });
  return { state: result.state, diagnostics: [...diagnostics, ...result.diagnostics] };
}

/** What is wrong with an accepted state, or undefined: the strings FusionAuth would receive. */
function unsafeIn(state: DesiredState): string | undefined {
  const t = state.tenants[0];
  const a = t?.applications[0];
  if (t === undefined || a === undefined) return "no tenant or application";
  for (const name of [t.name, a.name]) {
    if (CONTROL.test(name)) return `control character in name ${JSON.stringify(name)}`;
    // With the u flag a surrogate pair is one code point: only an unpaired surrogate matches.
    if (/[\ud800-\udfff]/u.test(name)) return `unpaired surrogate in name ${JSON.stringify(name)}`;
    if (name.length === 0 || name.length > 191) return `name of ${name.length} characters`;
  }
  const urls: [string, boolean][] = [
    [state.url, true],
    [t.issuer, true],
    ...a.redirectUris.map((u): [string, boolean] => [u, false]),
  ];
  for (const [u, http] of urls) {
    if (/\s/.test(u) || CONTROL.test(u) || u.length > 2048) return `unsafe URL ${JSON.stringify(u)}`;
    if (!URL.canParse(u)) return `not a URL: ${JSON.stringify(u)}`;
    if (http && !/^https?:$/.test(new URL(u).protocol)) return `not http(s): ${JSON.stringify(u)}`;
  }
  return undefined;
}

const hostile = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "not a url\n\r",
    "https://auth.example.com/\u0000",
    "https://auth.example.com/t\u0085",
    "javascript:alert(1)",
    "https://",
    "http://[::1",
    "//auth.example.com",
    "Ac\u0000me",
    "\u202eevil",
    "\ud800",
    "x".repeat(192),
    "x".repeat(191),
    `https://auth.example.com/${"a".repeat(2030)}`,
  ),
  fc.tuple(fc.webUrl(), fc.string({ unit: "binary", maxLength: 3 })).map(([u, s]) => u + s),
  fc.webUrl(),
);

describe("hostile strings in what the kit sends to FusionAuth", () => {
  it.each(["tenantName", "appName", "issuer", "redirect", "url"] as const)(
    "%s: located diagnostics with documented codes, or a value FusionAuth can store",
    (field) => {
      fc.assert(
        fc.property(hostile, (value) => {
          const { state, diagnostics } = compile(stackText(field, value));
          for (const d of diagnostics) {
            expect(CODES.has(d.code), d.code).toBe(true);
            expect(d.line).toBeGreaterThanOrEqual(1);
            expect(d.column).toBeGreaterThanOrEqual(1);
          }
          const errors = diagnostics.filter((d) => d.severity === "error");
          if (errors.length > 0) return;
          expect(state, "no errors, so a state").toBeDefined();
          expect(unsafeIn(state as DesiredState)).toBeUndefined();
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
  );
});
