// `pulumi up` of the example stack with the real CLI against an emulator that fails, loses responses or whose
// deployment is killed outright: whatever happens, FusionAuth ends with exactly the stack's objects, once each.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { keyId } from "../../src/fusionauth/ids";
import { ROTATION_EPOCH_SECONDS } from "../../src/rotation/epoch";
import { planRotation } from "../../src/rotation/schedule";
import type { DesiredState } from "../../src/stack/desired-state";
import { killTree } from "../../src/toolchain/process-tree";
import { createKitProject, type KitProject, shippedStack } from "../../testkit/helpers/kit-project";
import { compileStackText } from "../helpers/policies";
import { createTestStack, pulumiToolchain, type TestStack, uniqueStackName } from "../helpers/pulumi";

const tc = await pulumiToolchain();
const API_KEY = "faults-secret-api-key-41ab";
const NOW = "2026-11-29T12:00:00Z";
const LONG = { timeout: 180_000 };
const run = { color: "never" as const };

interface Ids {
  tenants: string[];
  applications: string[];
  keys: string[];
}

interface Setup {
  emu: RunningEmulator;
  client: FusionAuthClient;
  project: KitProject;
  t: TestStack;
  desired: DesiredState;
  /** What a fresh FusionAuth holds before the stack (Default tenant, FusionAuth app, default keys). */
  baseline: Ids;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function idsIn(client: FusionAuthClient): Promise<Ids> {
  const active = (await client.retrieveApplications()).response.applications ?? [];
  const inactive = (await client.retrieveInactiveApplications()).response.applications ?? [];
  return {
    tenants: ((await client.retrieveTenants()).response.tenants ?? []).map((x) => x.id as string),
    applications: [...active, ...inactive].map((x) => x.id as string),
    keys: ((await client.retrieveKeys()).response.keys ?? []).map((x) => x.id as string),
  };
}

async function setUp(): Promise<Setup> {
  const emu = await startEmulator({ apiKeys: [API_KEY], now: new Date(NOW) });
  const client = new FusionAuthClient(API_KEY, emu.url);
  const project = createKitProject();
  const stackName = uniqueStackName("faults");
  project.writeStack(stackName, shippedStack("example", emu.url));
  // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
  const t = await createTestStack(tc!, {
    workDir: project.dir,
    stackName,
    secrets: { "fusionauth-offline-kit:apiKey": API_KEY },
    env: { FAKIT_NOW: NOW },
  });
  // No destroy: the emulator lives in memory and goes with the test; only the local state is removed.
  cleanups.push(async () => {
    await emu.close();
    project.dispose();
    rmSync(t.stateDir, { recursive: true, force: true });
  });
  const desired = compileStackText(project.read(`stacks/Pulumi.${stackName}.yaml`), stackName);
  return { emu, client, project, t, desired, baseline: await idsIn(client) };
}

/** The kit's keys a fresh deployment at NOW must leave, by deterministic id, and the one each tenant signs with. */
function expectedKeys(desired: DesiredState): { all: string[]; signing: Map<string, string> } {
  const at = Date.parse(NOW) / 1000;
  const all: string[] = [];
  const signing = new Map<string, string>();
  for (const tenant of desired.tenants) {
    const plan = planRotation({ policy: tenant.policy, epoch: ROTATION_EPOCH_SECONDS, at, observed: { keys: [] } });
    for (const k of plan.keys) all.push(keyId(desired.stack, tenant.key, k.generation));
    signing.set(tenant.id, keyId(desired.stack, tenant.key, plan.signingGeneration as number));
  }
  return { all, signing };
}

const sorted = (xs: readonly string[]) => [...xs].sort();
const added = (now: readonly string[], before: readonly string[]) => now.filter((id) => !before.includes(id));

/** FusionAuth and the Pulumi state hold exactly the stack's objects: none missing, none twice, none extra. */
async function expectExactlyTheStack(s: Setup): Promise<void> {
  s.emu.faults.clear();
  const keys = expectedKeys(s.desired);
  const now = await idsIn(s.client);
  const wantTenants = s.desired.tenants.map((x) => x.id);
  const wantApps = s.desired.tenants.flatMap((x) => x.applications.map((a) => a.id));
  expect(sorted(added(now.tenants, s.baseline.tenants))).toEqual(sorted(wantTenants));
  expect(sorted(added(now.applications, s.baseline.applications))).toEqual(sorted(wantApps));
  expect(sorted(added(now.keys, s.baseline.keys))).toEqual(sorted(keys.all));
  for (const ids of Object.values(now)) expect(new Set(ids).size).toBe(ids.length);

  const allKeys = (await s.client.retrieveKeys()).response.keys ?? [];
  const ours = allKeys.filter((k) => (k.name ?? "").startsWith(`fakit:${s.desired.stack}:`));
  expect(sorted(ours.map((k) => k.id as string))).toEqual(sorted(keys.all));
  expect(new Set(ours.map((k) => (k.name ?? "").split(" ")[0])).size).toBe(ours.length);
  for (const tenant of s.desired.tenants) {
    const got = (await s.client.retrieveTenant(tenant.id)).response.tenant;
    expect(got?.name).toBe(tenant.name);
    expect(got?.jwtConfiguration?.accessTokenKeyId).toBe(keys.signing.get(tenant.id));
    for (const app of tenant.applications) {
      expect((await s.client.retrieveApplication(app.id)).response.application?.tenantId).toBe(tenant.id);
    }
  }

  const deployment = (await s.t.stack.exportStack()).deployment;
  expect(deployment.pending_operations ?? []).toEqual([]);
  const managed = (deployment.resources as { type: string; id?: string }[]).filter((r) =>
    r.type.startsWith("pulumi-nodejs:dynamic/fusionauth:"),
  );
  expect(sorted(managed.map((r) => r.id as string))).toEqual(sorted([...wantTenants, ...wantApps, ...keys.all]));
}

/** A further `up` without faults changes nothing and writes nothing: the deployment has converged. */
async function expectConverged(s: Setup): Promise<void> {
  s.emu.faults.clear();
  s.emu.counters.reset();
  const res = await s.t.stack.up(run);
  expect(Object.keys(res.summary.resourceChanges ?? {})).toEqual(["same"]);
  expect(s.emu.counters.snapshot().writes).toBe(0);
}

function firedOf(emu: RunningEmulator): number {
  return emu.faults.list().reduce((n, r) => n + r.fired, 0);
}

interface CliRun {
  code: number | null;
  output: string;
}

/** The real `pulumi` CLI, as a user runs it, in its own process group (so a kill takes the whole tree). */
function pulumi(t: TestStack, cwd: string, args: string[], onSpawn?: (pid: number) => void): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--stack", t.name, "--cwd", cwd, "--color", "never"], {
      env: t.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.on("error", reject);
    if (child.pid !== undefined) onSpawn?.(child.pid);
    child.on("close", (code) => resolve({ code, output }));
  });
}

async function until(what: string, cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(tc === undefined)("pulumi up under FusionAuth faults", () => {
  it(
    "with 20% of requests failing (500, 503, 429 + Retry-After, dropped connections) converges to exactly the stack",
    LONG,
    async () => {
      const s = await setUp();
      // Applied in order, each to what the previous ones let through: 1 - 0.95 * 0.95 * 0.94 * 0.94 = 20%.
      s.emu.faults.add({ status: 500, rate: 0.05, seed: 101 });
      s.emu.faults.add({ status: 503, rate: 0.05, seed: 202, retryAfterSeconds: 1 });
      s.emu.faults.add({ status: 429, rate: 0.06, seed: 303, retryAfterSeconds: 1 });
      s.emu.faults.add({ drop: true, rate: 0.06, seed: 404 });
      const first = await s.t.stack.up(run).then(
        (res) => ({ ok: true as const, res }),
        (err: Error) => ({ ok: false as const, err }),
      );
      const total = s.emu.counters.snapshot().total;
      expect(firedOf(s.emu)).toBeGreaterThan(0);
      expect(firedOf(s.emu)).toBeLessThan(total);
      if (first.ok) {
        expect(first.res.summary.result).toBe("succeeded");
      } else {
        // A run that exhausted its retries says which object and what FusionAuth answered; a second run converges.
        expect(first.err.message).toMatch(
          /(tenant|application|signing key) \S+: FusionAuth (answered|could not be reached)/,
        );
        // The reason is FusionAuth's answer or the network's, never the kit's own internals.
        expect(first.err.message).not.toMatch(/incompatible receiver|is not a function|Cannot read prop|TypeError/);
        s.emu.faults.clear();
        expect((await s.t.stack.up(run)).summary.result).toBe("succeeded");
      }
      await expectExactlyTheStack(s);
      await expectConverged(s);
    },
  );

  it("single transient failures (500, 503, 429, a dropped connection) are retried: up succeeds", LONG, async () => {
    const s = await setUp();
    const transient = [
      s.emu.faults.add({ method: "GET", route: "/api/application/{applicationId}", nth: 1, status: 500 }),
      // The first two tenant reads are the program's observation; the third is a provider's look before create.
      s.emu.faults.add({ method: "GET", route: "/api/tenant/{tenantId}", nth: 3, status: 503, retryAfterSeconds: 1 }),
      s.emu.faults.add({
        method: "POST",
        route: "/api/key/generate/{keyId}",
        nth: 2,
        status: 429,
        retryAfterSeconds: 1,
      }),
      s.emu.faults.add({ method: "GET", route: "/api/key/{keyId}", nth: 2, drop: true }),
    ];
    const res = await s.t.stack.up(run);
    expect(res.summary.result).toBe("succeeded");
    const rules = s.emu.faults.list();
    for (const rule of transient) expect(rules.find((r) => r.id === rule.id)?.fired).toBe(1);
    await expectExactlyTheStack(s);
    await expectConverged(s);
  });

  it("a FusionAuth that keeps failing tenant creates makes up fail clearly; the next up converges", LONG, async () => {
    const s = await setUp();
    s.emu.faults.add({ method: "POST", route: "/api/tenant/{tenantId}", status: 503, retryAfterSeconds: 1 });
    const err = await s.t.stack.up(run).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/create tenant [0-9a-f-]{36}: FusionAuth answered 503/);
    expect(err?.message).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    expect(s.emu.counters.snapshot().byRoute["POST /api/tenant/{tenantId}"]).toBeGreaterThan(s.desired.tenants.length);
    s.emu.faults.clear();
    expect((await s.t.stack.up(run)).summary.result).toBe("succeeded");
    await expectExactlyTheStack(s);
    await expectConverged(s);
  });

  it(
    "creates whose responses are lost (applied, then the connection drops) leave exactly one object each",
    LONG,
    async () => {
      const s = await setUp();
      const lost = [
        s.emu.faults.add({ method: "POST", route: "/api/key/generate/{keyId}", nth: 2, loseResponse: true }),
        s.emu.faults.add({ method: "POST", route: "/api/tenant/{tenantId}", nth: 1, loseResponse: true }),
        s.emu.faults.add({ method: "POST", route: "/api/application/{applicationId}", nth: 2, loseResponse: true }),
      ];
      const res = await s.t.stack.up(run);
      expect(res.summary.result).toBe("succeeded");
      const rules = s.emu.faults.list();
      for (const rule of lost) expect(rules.find((r) => r.id === rule.id)?.fired).toBe(1);
      await expectExactlyTheStack(s);
      await expectConverged(s);
    },
  );

  // The kit runs Pulumi with PULUMI_SKIP_CHECKPOINTS=true (one state write per command, see docs/pipeline.md);
  // a user may keep Pulumi's default. A kill must lose nothing in either mode.
  it.each([
    { mode: "checkpoints skipped as the kit runs Pulumi", skip: "true" },
    { mode: "a checkpoint per step as Pulumi defaults", skip: "false" },
  ])("up killed with SIGKILL mid-run, $mode: cancel and up converge with no duplicates", LONG, async ({ skip }) => {
    const s = await setUp();
    const cwd = s.project.dir;
    const t = { ...s.t, env: { ...s.t.env, PULUMI_SKIP_CHECKPOINTS: skip } };
    // Slow FusionAuth down so the run is caught between its first and its last write.
    s.emu.faults.add({ latencyMs: 300 });
    let pid = 0;
    const killed = pulumi(t, cwd, ["up", "--yes", "--skip-preview"], (p) => {
      pid = p;
    });
    await until(
      "the first tenant create",
      () => (s.emu.counters.snapshot().byRoute["POST /api/tenant/{tenantId}"] ?? 0) >= 1,
    );
    // The CLI, the language host, the program and the dynamic provider.
    expect(killTree(pid)).toBeGreaterThanOrEqual(4);
    const dead = await killed;
    expect(dead.code).toBeNull();
    const writesBeforeKill = s.emu.counters.snapshot().writes;
    s.emu.faults.clear();

    // What a user sees next, and does (docs/performance.md, "After a killed pulumi up").
    const locked = await pulumi(t, cwd, ["up", "--yes", "--skip-preview"]);
    expect(locked.code).toBe(1);
    expect(locked.output).toMatch(/the stack is currently locked.*pulumi cancel/);
    expect((await pulumi(t, cwd, ["cancel", "--yes"])).code).toBe(0);
    const pending = ((await s.t.stack.exportStack()).deployment.pending_operations ?? []) as { type: string }[];
    if (skip === "true") {
      // Nothing of the killed run was written: the state is as before it, and FusionAuth holds objects it lacks.
      expect(pending).toEqual([]);
    } else {
      expect(pending.length).toBeGreaterThan(0);
      expect(new Set(pending.map((op) => op.type))).toEqual(new Set(["creating"]));
      // Safe to drop: the next up finds any object a pending create did make by its deterministic id.
      expect((await pulumi(t, cwd, ["refresh", "--yes", "--clear-pending-creates"])).code).toBe(0);
    }
    const recovered = await pulumi(t, cwd, ["up", "--yes", "--skip-preview"]);
    expect(recovered.code, recovered.output).toBe(0);

    const byRoute = s.emu.counters.snapshot().byRoute;
    expect(writesBeforeKill).toBeGreaterThan(0);
    // Keys the killed run created were found by their deterministic ids, not generated a second time.
    expect(byRoute["POST /api/key/generate/{keyId}"]).toBe(expectedKeys(s.desired).all.length);
    await expectExactlyTheStack(s);
    await expectConverged(s);
  });
});
