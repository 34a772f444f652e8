/**
 * scripts/ensure-pulumi under concurrency (issue #11): two runs at once build once, a failed or killed build
 * never leaves a cache that looks complete, and a build reports progress. The Go build is replaced by a fake
 * (FAKIT_PULUMI_BUILD_CMD) that writes stand-in binaries, so nothing here rebuilds Pulumi
 * (ensure-pulumi.e2e.test.ts runs the real script twice at once against the real cache).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SCRIPT = join(__dirname, "..", "..", "scripts", "ensure-pulumi");

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function run(env: Record<string, string>): Run {
  const child = spawn("bash", [SCRIPT], { env: { ...process.env, ...env }, detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** A fake build: counts itself in `log`, sleeps, then writes stand-ins that answer `version` (or a broken one). */
function fakeBuild(log: string, seconds: number, broken = false): string {
  const pulumi = broken ? "#!/bin/sh\nexit 3\n" : "#!/bin/sh\necho v3.999.0\n";
  return [
    `echo build >> '${log}'`,
    `sleep ${seconds}`,
    `printf '${pulumi.replace(/\n/g, "\\n")}' > "$1/pulumi"`,
    `printf '#!/bin/sh\\nexit 0\\n' > "$1/pulumi-language-nodejs"`,
    `chmod +x "$1/pulumi" "$1/pulumi-language-nodejs"`,
  ].join("; ");
}

function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), "fakit-ensure-"));
  const cache = join(dir, "cache");
  const log = join(dir, "builds.log");
  const env = (build: string, extra: Record<string, string> = {}) => ({
    FAKIT_BUILD_PULUMI: "1",
    FAKIT_CACHE_DIR: cache,
    FAKIT_PULUMI_BUILD_CMD: build,
    FAKIT_PROGRESS_SECONDS: "1",
    ...extra,
  });
  const builds = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0);
  const leftovers = () =>
    readdirSync(join(cache, "pulumi")).filter((n) => n.startsWith(".build-") || n.startsWith(".step-"));
  return { cache, log, env, builds, leftovers };
}

// Each case runs the script (and a fake build that sleeps) several times: well past vitest's 5 s default.
describe("scripts/ensure-pulumi", { timeout: 60_000 }, () => {
  it("builds once when two runs start together; both print the same working bin dir and nothing else", async () => {
    const s = sandbox();
    const a = run(s.env(fakeBuild(s.log, 3)));
    const b = run(s.env(fakeBuild(s.log, 3)));
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    expect(s.builds()).toBe(1);
    const dirs = [ra.stdout, rb.stdout].map((o) => o.trim());
    expect(dirs[0]).toBe(dirs[1]);
    // stdout is the bin dir alone: callers do bin="$(bash scripts/ensure-pulumi)".
    expect(ra.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(readdirSync(dirs[0] as string).sort()).toEqual([
      "pulumi",
      "pulumi-language-nodejs",
      "pulumi-resource-pulumi-nodejs",
    ]);
    // The builder reported progress while building; the other run said it waits.
    const stderr = ra.stderr + rb.stderr;
    expect(stderr).toMatch(/still working after \d+s: building with FAKIT_PULUMI_BUILD_CMD/);
    expect(stderr).toContain("another ensure-pulumi run is building");
    expect(s.leftovers()).toEqual([]);
    // A third run finds the cache without building.
    const c = await run(s.env(fakeBuild(s.log, 0))).done;
    expect(c.stdout.trim()).toBe(dirs[0]);
    expect(s.builds()).toBe(1);
  });

  it("publishes nothing when the built pulumi does not run, and builds again next time", async () => {
    const s = sandbox();
    const bad = await run(s.env(fakeBuild(s.log, 0, true))).done;
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("nothing was cached");
    expect(s.leftovers()).toEqual([]);
    const good = await run(s.env(fakeBuild(s.log, 0))).done;
    expect(good.code).toBe(0);
    expect(s.builds()).toBe(2);
  });

  it("gives a toolchain cached by an older kit this kit's dynamic-provider shim, without building", async () => {
    const s = sandbox();
    const first = await run(s.env(fakeBuild(s.log, 0))).done;
    const shim = join(first.stdout.trim(), "pulumi-resource-pulumi-nodejs");
    const current = readFileSync(shim, "utf8");
    expect(current).toContain("fast-start.js");
    // The shim an earlier kit wrote: it resolved the provider with a second Node.js and never preloaded anything.
    writeFileSync(shim, '#!/bin/sh\nexec node "$(node -e "...")" "$@"\n', { mode: 0o755 });
    const next = await run(s.env(fakeBuild(s.log, 0))).done;
    expect(next.code).toBe(0);
    expect(next.stderr).toContain("updated the dynamic-provider shim");
    expect(readFileSync(shim, "utf8")).toBe(current);
    expect(statSync(shim).mode & 0o111).not.toBe(0);
    expect(s.builds()).toBe(1);
    // Current already: nothing to do.
    expect((await run(s.env(fakeBuild(s.log, 0))).done).stderr).not.toContain("updated");
  });

  it("leaves no cache that looks complete when the build is killed, and the next run builds", async () => {
    const s = sandbox();
    const killed = run(s.env(fakeBuild(s.log, 30)));
    // Wait until the build step has started (the log line is its first action).
    while (s.builds() === 0) await new Promise((r) => setTimeout(r, 50));
    process.kill(-(killed.child.pid as number), "SIGKILL");
    await killed.done;
    const next = await run(s.env(fakeBuild(s.log, 0))).done;
    expect(next.code).toBe(0);
    expect(s.builds()).toBe(2);
    expect(readFileSync(join(next.stdout.trim(), "pulumi"), "utf8")).toContain("v3.999.0");
    expect(s.leftovers()).toEqual([]);
  });
});
