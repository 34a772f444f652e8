// The real `fakit` binary against hostile input (issue #16): every answer is a located error or a usage error,
// never a stack trace (exit 70), and nothing outside `stacks/` is read.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakit, REPO, scratchRepo } from "./cli-fixture";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const EXAMPLE = readFileSync(join(REPO, "stacks", "Pulumi.example.yaml"), "utf8");

/** A one-tenant stack whose tenant and application fields are given as YAML scalars (already quoted). */
function stack(fields: { name?: string; issuer?: string; redirect?: string }): string {
  return [
    "config:",
    "  fusionauth-offline-kit:url: https://auth.example.com",
    "  fusionauth-offline-kit:tenants:",
    "    - key: t",
    `      name: ${fields.name ?? "T"}`,
    `      issuer: ${fields.issuer ?? "https://auth.example.com/t"}`,
    "      preset: standard",
    "      applications:",
    "        - key: a",
    "          name: A",
    "          redirectUris:",
    `            - ${fields.redirect ?? "com.example.a:/cb"}`,
    "",
  ].join("\n");
}

function aliasBomb(): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(",")}]`,
    );
  return `${lines.join("\n")}\nconfig: {}\n`;
}

/** A stack trace in output: what a kit bug looks like to a user. */
const STACK_TRACE = /\n\s+at \S+.*\(.*:\d+:\d+\)/;

describe("fakit against hostile input", () => {
  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])(
    "`fakit %s` is an unknown command (exit 2), not a crash",
    (name) => {
      const r = fakit([name]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`fakit: unknown command "${name}"`);
      expect(r.stderr).not.toMatch(STACK_TRACE);
    },
  );

  it("`--stack /../../../outside` is a usage error and never reads the file outside stacks/", () => {
    const outer = mkdtempSync(join(tmpdir(), "fakit-outside-"));
    dirs.push(outer);
    // The repository one level down, so that stacks/Pulumi./../../../outside.yaml is outer/outside.yaml.
    const repo = join(outer, "repo");
    cpSync(join(REPO, "policies"), join(repo, "policies"), { recursive: true });
    mkdirSync(join(repo, "stacks"));
    writeFileSync(join(outer, "outside.yaml"), EXAMPLE);
    for (const command of ["plan", "bundle"]) {
      const r = fakit([command, "--stack", "/../../../outside"], repo);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('"/../../../outside" is not a stack name');
      expect(r.stdout).toBe("");
    }
  });

  it("a stack file named stacks/Pulumi.....yaml is KIT_STACK_NAME_INVALID, and `--stack ..` a usage error", () => {
    const repo = scratchRepo({ "stacks/Pulumi.....yaml": EXAMPLE });
    dirs.push(repo);
    const v = fakit(["validate"], repo);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain("stacks/Pulumi.....yaml:1:1: KIT_STACK_NAME_INVALID");
    const b = fakit(["bundle", "--stack", "..", "--out", join(repo, "out")], repo);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('".." is not a stack name');
  });

  it("validate reports every hostile stack at its file, line and column with a stable code, exit 1", () => {
    const files: Record<string, string> = {
      "stacks/Pulumi.bomb.yaml": aliasBomb(),
      "stacks/Pulumi.deep.yaml": `config:\n  x: ${"[".repeat(2000)}${"]".repeat(2000)}\n`,
      "stacks/Pulumi.nul.yaml": stack({ name: '"Ac\\0me"' }),
      "stacks/Pulumi.longname.yaml": stack({ name: "x".repeat(300) }),
      "stacks/Pulumi.issuer.yaml": stack({ issuer: '"not a url\\n\\r"' }),
      "stacks/Pulumi.issuerscheme.yaml": stack({ issuer: "javascript:alert(1)" }),
      "stacks/Pulumi.redirect.yaml": stack({ redirect: '"com.example.a:/cb\\u0007"' }),
      "stacks/Pulumi.redirectnotabs.yaml": stack({ redirect: "callback" }),
    };
    const repo = scratchRepo(files);
    dirs.push(repo);
    // 50 MB in one name, and a name with a byte sequence that is not UTF-8 (0xC3 0x28).
    writeFileSync(join(repo, "stacks/Pulumi.huge.yaml"), stack({ name: "x".repeat(50 * 1024 * 1024) }));
    writeFileSync(
      join(repo, "stacks/Pulumi.latin1.yaml"),
      Buffer.concat([
        Buffer.from(stack({ name: "Caf" }).split("Caf")[0] as string),
        Buffer.from([0x43, 0xc3, 0x28, 0x0a]),
      ]),
    );
    const r = fakit(["validate"], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    const expected: [string, string][] = [
      ["stacks/Pulumi.bomb.yaml:2:10:", "KIT_YAML_ALIAS_LIMIT"],
      ["stacks/Pulumi.deep.yaml:2:", "KIT_YAML_TOO_DEEP"],
      [
        "stacks/Pulumi.nul.yaml:5:13:",
        'KIT_SCHEMA_PATTERN config.fusionauth-offline-kit:tenants[0].name: "Ac\\u0000me"',
      ],
      ["stacks/Pulumi.longname.yaml:5:13:", "KIT_SCHEMA_RANGE config.fusionauth-offline-kit:tenants[0].name is 300"],
      ["stacks/Pulumi.huge.yaml:1:1:", "KIT_FILE_TOO_LARGE"],
      ["stacks/Pulumi.latin1.yaml:5:", "KIT_FILE_ENCODING invalid UTF-8"],
      ["stacks/Pulumi.issuer.yaml:6:15:", "KIT_SCHEMA_PATTERN config.fusionauth-offline-kit:tenants[0].issuer"],
      ["stacks/Pulumi.issuerscheme.yaml:6:15:", "is not an http(s) URL"],
      ["stacks/Pulumi.redirect.yaml:12:15:", "KIT_SCHEMA_PATTERN"],
      ["stacks/Pulumi.redirectnotabs.yaml:12:15:", "is not an absolute URI"],
    ];
    const lines = r.stderr.split("\n");
    for (const [where, what] of expected) {
      expect(
        lines.find((l) => l.startsWith(where) && l.includes(what)),
        `${where} ${what}\n${r.stderr}`,
      ).toBeDefined();
    }
    // The 50 MB name is neither echoed nor parsed.
    expect(r.stderr.length).toBeLessThan(20_000);
  });

  it("plan on an alias bomb is a located error (exit 1), not exit 70", () => {
    const repo = scratchRepo({ "stacks/Pulumi.bomb.yaml": aliasBomb() });
    dirs.push(repo);
    const r = fakit(["plan", "--stack", "bomb"], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("stacks/Pulumi.bomb.yaml:2:10: KIT_YAML_ALIAS_LIMIT");
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it.each([
    [["plan", "--stack", "example", "--now", "2026-01-01T00:00:00"], "--now needs an ISO 8601 time with a zone"],
    [["plan", "--stack", "example", "--bogus"], "Unknown option '--bogus'"],
    [["plan", "--stack"], "argument missing"],
    [["bundle", "--stack", "example", "--now", "tomorrow"], "--now needs an ISO 8601 time with a zone"],
    [["emulator", "--port", "65536"], "--port must be an integer"],
    [["validate", "--strict"], "Unknown option '--strict'"],
  ])("usage errors exit 2 with the command's usage: %j", (args, message) => {
    const r = fakit(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(`usage: fakit ${args[0]}`);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });
});
