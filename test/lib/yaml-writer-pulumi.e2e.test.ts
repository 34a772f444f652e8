// The stack-file writer against Pulumi's own rewrite: 1,000 seeded hostile strings written by the kit's writer
// into a stack file, the file rewritten by the real `pulumi config set` of an unrelated key (local file backend,
// passphrase secrets), then read back by the kit's YAML reader, by a YAML 1.1 reader and by `pulumi config --json`:
// every string is identical. Three pulumi invocations in all.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isWritable, writeStackYaml } from "../../src/lib/yaml-writer";
import { localPulumiEnv } from "../../src/toolchain/pulumi-cli";
import { hostileStrings } from "../../testkit/helpers/hostile-strings";
import { LONG, pulumiToolchain } from "../helpers/pulumi";

const run = promisify(execFile);
const tc = await pulumiToolchain();
// The writer refuses what Pulumi cannot keep (a leading line feed or NEL, `<<`): the 1,000 are strings it writes.
const STRINGS = hostileStrings(1100, 2024).filter(isWritable).slice(0, 1000);
const NS = "yamltrip";

describe.skipIf(tc === undefined)("the stack-file writer through pulumi config set", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fakit-yaml-trip-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("has 1,000 strings to write", () => {
    expect(STRINGS.length).toBe(1000);
  });

  it("1,000 hostile strings read back identical after Pulumi rewrote the file", LONG, async () => {
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    const env = localPulumiEnv(tc!.binDir, { stateDir: path.join(dir, "state"), base: { PATH: process.env.PATH } });
    const pulumi = (...args: string[]) => run("pulumi", [...args, "--non-interactive"], { cwd: dir, env });
    writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${NS}\nruntime: nodejs\n`);
    await pulumi("stack", "init", "trip");
    const file = path.join(dir, "Pulumi.trip.yaml");
    const { encryptionsalt } = parse(readFileSync(file, "utf8")) as { encryptionsalt: string };
    // Half as top-level config values, half inside structured config as import writes tenants.
    const top = STRINGS.slice(0, 500);
    const nested = STRINGS.slice(500);
    const config: Record<string, unknown> = Object.fromEntries(top.map((s, i) => [`${NS}:s${i}`, s]));
    config[`${NS}:tenants`] = nested.map((name, i) => ({ key: `t${i}`, name, redirectUris: [name] }));
    writeFileSync(file, writeStackYaml({ encryptionsalt, config }));

    await pulumi("config", "set", `${NS}:unrelated`, "x", "--stack", "trip");
    const rewritten = readFileSync(file, "utf8");
    expect(rewritten).toContain("unrelated");
    const want = { ...config, [`${NS}:unrelated`]: "x" };
    expect(parse(rewritten).config).toEqual(want);
    expect(parse(rewritten, { version: "1.1" }).config).toEqual(want);

    const { stdout } = await pulumi("config", "--json", "--stack", "trip");
    const seen = JSON.parse(stdout) as Record<string, { value?: string; objectValue?: unknown }>;
    top.forEach((s, i) => {
      expect(seen[`${NS}:s${i}`]?.value).toBe(s);
    });
    expect(seen[`${NS}:tenants`]?.objectValue).toEqual(config[`${NS}:tenants`]);
  });
});
