import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One PostgreSQL for the whole run (embedded, or DATABASE_URL); each test file gets its own database.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Two cores: a couple of files at once keeps the embedded server and the servers under test busy.
    maxWorkers: 2,
  },
});
