import { defineConfig } from "vitest/config";

// Three projects (docs/testing.md):
// - `unit` needs nothing but Node;
// - `integration` is Sigil's own tests against the real peers that test/env starts;
// - `env` tests the environment's servers themselves (not Sigil), kept apart so
//   that the count of Sigil's own tests is visible.
// - `integration-gitops` holds the integration files that run the GitOps
//   controllers (Syncs, GitSources, Receivers). Those controllers watch the
//   whole cluster, as in production, so two files running at once would each
//   reconcile the other's Syncs (hooks run twice, finalizers taken by the
//   wrong process): these files run one after the other.
// The peer projects share one global setup: vitest runs them in turn, the
// first brings the environment up, the second finds it up and leaves it alone.
const peers = {
  globalSetup: ["test/env/global-setup.ts"],
  testTimeout: 120_000,
  hookTimeout: 600_000,
};

/** Integration files that start the gitops controllers (see above). */
const GITOPS_CONTROLLER_FILES = [
  "test/integration/reconcile/controllers.test.ts",
  "test/integration/reconcile/depends.test.ts",
  "test/integration/reconcile/finalizer.test.ts",
  "test/integration/reconcile/remote.test.ts",
  "test/integration/reconcile/restart.test.ts",
  "test/integration/reconcile/resync.test.ts",
  "test/integration/reconcile/tenancy.test.ts",
  "test/integration/webhooks/*.test.ts",
];

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
          exclude: ["test/integration/env/**", ...GITOPS_CONTROLLER_FILES],
          ...peers,
        },
      },
      {
        test: {
          name: "integration-gitops",
          include: GITOPS_CONTROLLER_FILES,
          fileParallelism: false,
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
