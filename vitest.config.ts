import { defineConfig } from "vitest/config";

/**
 * Three tiers, cheapest first, each runnable alone (`npm run test:unit`, `test:integration`, `test:e2e`):
 * - unit: pure code, real crypto, no process, socket or file outside the OS temp dir (`*.test.ts`);
 * - integration: the emulator over HTTP, the providers against it, the CLI spawned for real (`*.int.test.ts`);
 * - e2e: the Pulumi program through the real `pulumi` CLI (`*.e2e.test.ts`). Only this tier needs the Pulumi
 *   toolchain, so only it has the global set-up that finds or builds it.
 */
const TIERS = { integration: "test/**/*.int.test.ts", e2e: "test/**/*.e2e.test.ts" };

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 600_000,
    projects: [
      {
        // Projects do not inherit the root options unless they say so: without this every test ran under
        // vitest's 5 s / 10 s defaults instead of the timeouts above.
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: Object.values(TIERS),
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Projects do not inherit the root options unless they say so: without this every test ran under
        // vitest's 5 s / 10 s defaults instead of the timeouts above.
        extends: true,
        test: {
          name: "integration",
          include: [TIERS.integration],
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Projects do not inherit the root options unless they say so: without this every test ran under
        // vitest's 5 s / 10 s defaults instead of the timeouts above.
        extends: true,
        test: {
          name: "e2e",
          include: [TIERS.e2e],
          globalSetup: ["test/setup/pulumi-toolchain.ts"],
          // Pulumi's local backend locks a stack and the machine has two cores: end-to-end files run one at a time.
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
