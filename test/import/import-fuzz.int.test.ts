// A bounded seeded fuzz of `fakit import` against the hostile server (testkit/import/import-fuzz.ts has the cases
// and the oracle): 0 crashes, 0 hangs past the timeout, 0 stack files that differ from what the server held.
// `npx tsx scripts/fuzz-import.ts --minutes 10` runs the same for longer.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { createKitProject, type KitProject } from "../../testkit/helpers/kit-project";
import { type HostileServer, startHostileServer } from "../../testkit/import/hostile-server";
import { type FuzzOutcome, fuzzCase, runFuzzCase } from "../../testkit/import/import-fuzz";

const CASES = 40;
const run = promisify(execFile);
let server: HostileServer;
let other: HostileServer;
let project: KitProject;

beforeAll(async () => {
  server = await startHostileServer();
  other = await startHostileServer();
  project = createKitProject();
});

afterAll(async () => {
  await server?.close();
  await other?.close();
  project?.dispose();
});

describe("fakit import, fuzzed against a hostile FusionAuth", () => {
  it(`${CASES} seeded cases: no crash, no hang, no stack file that differs from the server`, async () => {
    const outcomes: FuzzOutcome[] = [];
    for (let seed = 1; seed <= CASES; seed++)
      outcomes.push(
        await runFuzzCase(fuzzCase(seed, other.url), server, project.dir, { timeoutSeconds: 1, hangAfterMs: 30_000 }),
      );
    const bad = outcomes.filter((o) => o.crash !== undefined || o.hang === true || o.wrong !== undefined);
    expect(bad).toEqual([]);
    // The cases reach both outcomes: imports written and imports refused.
    expect(outcomes.filter((o) => o.code === 0).length).toBeGreaterThanOrEqual(5);
    expect(outcomes.filter((o) => o.code === 1).length).toBeGreaterThan(5);
    expect(other.requests).toEqual([]);
  });

  it("scripts/fuzz-import.ts, as docs/policy.md runs it, reports its counts (one case here)", async () => {
    const tsx = path.join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
    const script = path.join(REPO_ROOT, "scripts", "fuzz-import.ts");
    const { stdout } = await run(process.execPath, [tsx, script, "--minutes", "0", "--seed", "3"], { cwd: REPO_ROOT });
    expect(stdout).toContain("fuzz-import: 1 cases, seeds 3..3");
    expect(stdout).toContain("crashes: 0, hangs past the timeout: 0, stack files that differ: 0");
  });
});
