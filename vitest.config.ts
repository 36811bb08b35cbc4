import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // End-to-end suites each start sqld and a worker; two cores do not run many at once well.
    maxWorkers: 2,
  },
});
