import { defineConfig } from "vitest/config";

// Two projects: `unit` needs nothing but Node; `integration` talks to the real
// peers that test/env starts (the global setup brings them up once per run).
export default defineConfig({
  test: {
    reporters: process.env["SIGIL_JSON_REPORT"] ? ["default", ["json", { outputFile: process.env["SIGIL_JSON_REPORT"] }]] : ["default"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/env/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
