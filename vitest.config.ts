import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

/**
 * Three tiers, cheapest first, each runnable alone (`npm run test:unit`, `test:integration`, `test:e2e`):
 * - unit: pure code, real crypto, no process, socket or file outside the OS temp dir (`*.test.ts`);
 * - integration: the emulator over HTTP, the providers against it, the CLI spawned for real (`*.int.test.ts`);
 * - e2e: the Pulumi program through the real `pulumi` CLI (`*.e2e.test.ts`). Only this tier needs the Pulumi
 *   toolchain, so only it has the global set-up that finds or builds it.
 */
const TIERS = { integration: "test/**/*.int.test.ts", e2e: "test/**/*.e2e.test.ts" };

/**
 * Inline projects do not inherit the root's test options, so each tier states its own timeouts (vitest's 5 s
 * default failed `fakit plan` runs on a loaded two-core runner). They are generous on purpose: they catch hangs,
 * not slowness; speed is measured by `npm run bench`.
 */
const TIMEOUTS = {
  unit: { testTimeout: 30_000, hookTimeout: 60_000 },
  integration: { testTimeout: 120_000, hookTimeout: 120_000 },
  e2e: { testTimeout: 300_000, hookTimeout: 600_000 },
};

/**
 * One tier as a vitest project, run after the tiers of lower `order`. Projects do not inherit the root options
 * unless they say so (`extends`): without it every test ran under vitest's 5 s / 10 s defaults instead of the
 * timeouts above.
 */
function tier(
  name: keyof typeof TIMEOUTS,
  order: number,
  files: Pick<ProjectTest, "include" | "exclude" | "globalSetup">,
): TestProjectInlineConfiguration {
  return { extends: true, test: { ...TIMEOUTS[name], name, ...files, sequence: { groupOrder: order } } };
}

type ProjectTest = NonNullable<TestProjectInlineConfiguration["test"]>;

export default defineConfig({
  test: {
    // Two test files at a time, also on a two-core runner (vitest's default is one fewer than the cores, so one
    // there). The files mostly wait on the processes they spawn (the CLI, the emulator, `pulumi` and its
    // plugins), so two at a time took the end-to-end tier from 200 s to 128 s. Every end-to-end file works on
    // its own stacks, in its own temporary project and state folder, so they cannot lock each other.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      tier("unit", 0, { include: ["test/**/*.test.ts"], exclude: Object.values(TIERS) }),
      tier("integration", 1, { include: [TIERS.integration] }),
      tier("e2e", 2, { include: [TIERS.e2e], globalSetup: ["test/setup/pulumi-toolchain.ts"] }),
    ],
  },
});
