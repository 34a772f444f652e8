import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/pulumi-toolchain.ts"],
    // Pulumi's local backend locks a stack and the machine has two cores: end-to-end files run one at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 600_000,
  },
});
