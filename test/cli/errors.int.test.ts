// The error model as a user meets it: `fakit` spawned for real, one user mistake per error class the CLI reports,
// each printed as `fakit COMMAND: CODE message` with the exit status of docs/errors.md and never a stack trace.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { runFakit } from "../helpers/fakit";

const scratch = mkdtempSync(join(tmpdir(), "fakit-errors-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A V8 stack frame line (`    at fn (file:1:2)`), which a user mistake must never print. */
const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

const file = (name: string, text: string): string => {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
};

interface Case {
  name: string;
  args: () => string[];
  cwd?: () => string;
  env?: Record<string, string>;
  status: number;
  /** The first line of standard error the user sees. */
  line: RegExp;
}

const CASES: Case[] = [
  {
    name: "UsageError (KIT_USAGE): the message and the usage",
    args: () => ["plan", "--stack", "local", "--bogus"],
    status: 2,
    line: /^fakit plan: Unknown option '--bogus'/,
  },
  {
    name: "KIT_REPO_NOT_FOUND: a command run outside the repository",
    args: () => ["validate"],
    cwd: () => scratch,
    status: 2,
    line: /^fakit validate: KIT_REPO_NOT_FOUND no policies\/presets directory here or above/,
  },
  {
    name: "KIT_STACK_NOT_FOUND: a stack without a file",
    args: () => ["plan", "--stack", "no-such-stack"],
    status: 1,
    line: /^fakit plan: KIT_STACK_NOT_FOUND stack "no-such-stack" has no file stacks\/Pulumi\.no-such-stack\.yaml \(stacks: .*local/,
  },
  {
    name: "BundleSigningKeyError: a key folder that cannot be created",
    args: () => ["bundle-key", "generate", "--out", join(file("a-file", "x"), "keys")],
    status: 1,
    line: /^fakit bundle-key: KIT_BUNDLE_SIGNING_KEY_INVALID cannot create the folder .*a-file\/keys \(ENOTDIR\)$/,
  },
  {
    name: "EmulatorError: a data file the emulator did not write",
    args: () => ["emulator", "--port", "0", "--data", file("corrupt.json", "{not json")],
    status: 1,
    line: /^fakit emulator: KIT_EMULATOR_DATA_CORRUPT /,
  },
  {
    name: "ImportError: a stack file that exists",
    args: () => ["import", "--url", "http://127.0.0.1:19601", "--stack", "local"],
    env: { FUSIONAUTH_API_KEY: "not-used" },
    status: 1,
    line: /^fakit import: KIT_IMPORT_STACK_EXISTS stacks\/Pulumi\.local\.yaml exists; nothing written \(add --force/,
  },
  {
    name: "ImportError: a FusionAuth nobody listens for",
    args: () => ["import", "--url", "http://127.0.0.1:19601", "--stack", "errors-int-none"],
    env: { FUSIONAUTH_API_KEY: "not-used" },
    status: 1,
    line: /^fakit import: KIT_IMPORT_UNREACHABLE .*; nothing written$/,
  },
  {
    name: "BundleLoadError (the verifier's): an empty bundle folder, each problem with its code",
    args: () => {
      mkdirSync(join(scratch, "empty-bundle"), { recursive: true });
      return ["verify", "--bundle", join(scratch, "empty-bundle"), "--token", "x.y.z"];
    },
    status: 1,
    line: /^fakit verify: the bundle in .*empty-bundle is unusable:$/,
  },
  {
    name: "KIT_VERIFY_FILE_UNREADABLE: a bundle file that is a folder",
    args: () => {
      mkdirSync(join(scratch, "odd-bundle", "jwks.json"), { recursive: true });
      return ["verify", "--bundle", join(scratch, "odd-bundle"), "--token", "x.y.z"];
    },
    status: 1,
    line: /^fakit verify: KIT_VERIFY_FILE_UNREADABLE cannot read .*odd-bundle\/jwks\.json \(EISDIR\)$/,
  },
  {
    name: "KIT_VERIFY_STATE_KEY_UNUSABLE: a state key too short to seal with",
    args: () => {
      mkdirSync(join(scratch, "empty-bundle"), { recursive: true });
      return [
        "verify",
        "--bundle",
        join(scratch, "empty-bundle"),
        "--pinned-key",
        file("pinned.jwk.json", '{"kty":"EC","crv":"P-256","x":"x","y":"y"}'),
        "--state",
        join(scratch, "device.json"),
        "--state-key",
        file("short.key", "abc\n"),
        "--token",
        "x.y.z",
      ];
    },
    status: 1,
    line: /^fakit verify: KIT_VERIFY_STATE_KEY_UNUSABLE the state key .*short\.key must hold 32 or more bytes/,
  },
];

describe("fakit reports each user error with its code and exit status, never a stack trace", {
  timeout: 60_000,
}, () => {
  it.each(CASES)("$name", async (c) => {
    const r = await runFakit(c.args(), c.cwd?.() ?? REPO_ROOT, c.env);
    expect(r.code, r.stderr).toBe(c.status);
    expect(r.stderr.split("\n")[0]).toMatch(c.line);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});
