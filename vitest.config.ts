import { defineConfig } from "vitest/config";

// Three projects (docs/testing.md):
// - `unit` needs nothing but Node;
// - `integration` is Sigil's own tests against the real peers that test/env starts;
// - `env` tests the environment's servers themselves (not Sigil), kept apart so
//   that the count of Sigil's own tests is visible.
// The two peer projects share one global setup: vitest runs them in turn, the
// first brings the environment up, the second finds it up and leaves it alone.
const peers = {
  globalSetup: ["test/env/global-setup.ts"],
  testTimeout: 120_000,
  hookTimeout: 600_000,
};

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
          exclude: ["test/integration/env/**"],
          ...peers,
        },
      },
      {
        test: {
          name: "env",
          include: ["test/integration/env/**/*.test.ts"],
          ...peers,
        },
      },
    ],
  },
});
