/**
 * vitest global setup: makes sure the Pulumi CLI is there once for the whole run (found on PATH, or built from
 * Go modules and cached) and hands its directory to the test files. In CI (`CI=true`) a missing CLI fails the
 * run; elsewhere the Pulumi end-to-end tests are skipped, and this prints one loud line saying how to enable them.
 */
import type { TestProject } from "vitest/node";
import { ensurePulumi } from "../../src/toolchain/pulumi-cli";

declare module "vitest" {
  export interface ProvidedContext {
    pulumiBinDir: string | null;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  try {
    project.provide("pulumiBinDir", await ensurePulumi({ onProgress: (line) => process.stderr.write(line) }));
  } catch (err) {
    if (process.env.CI) throw err;
    // ensure-pulumi's last line says what to install.
    const why = (err as Error).message
      .split("\n")
      .slice(-1)[0]
      ?.replace(/^ensure-pulumi: /, "");
    console.warn(`!!! SKIPPING the Pulumi end-to-end tests: no Pulumi CLI. ${why}`);
    project.provide("pulumiBinDir", null);
  }
}
