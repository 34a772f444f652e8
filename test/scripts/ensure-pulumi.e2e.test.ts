/**
 * The real scripts/ensure-pulumi, twice at once, against the real cache the e2e set-up found or built:
 * both runs print the same bin dir, and it is the one the set-up got.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, inject, it } from "vitest";

const SCRIPT = join(__dirname, "..", "..", "scripts", "ensure-pulumi");

function run(): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", [SCRIPT], { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.on("close", (code) => resolve({ code, stdout }));
  });
}

it("two ensure-pulumi runs at once print the same working bin dir", async () => {
  const real = inject("pulumiBinDir");
  if (real === null) return; // no Pulumi on this machine: the global set-up said so loudly
  const [a, b] = await Promise.all([run(), run()]);
  expect([a.code, b.code]).toEqual([0, 0]);
  expect(a.stdout.trim()).toBe(real);
  expect(b.stdout.trim()).toBe(real);
});
