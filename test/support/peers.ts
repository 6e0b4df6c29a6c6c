/**
 * How integration tests reach the real peers.
 *
 * `peers()` returns the running environment's connection details. When the
 * environment is missing it fails the test, unless a developer asked to skip
 * integration tests explicitly with SIGIL_SKIP_INTEGRATION=1 (never honoured
 * when CI=true): use `describePeers` so those tests are reported as skipped.
 */
import { randomBytes } from "node:crypto";
import { describe } from "vitest";
import { readState } from "../env/state.js";
import type { EnvState, KubeState } from "../env/state.js";

export type { EnvState, KubeState } from "../env/state.js";
export { WRITE_VERBS, baoAuditMark, baoAuditSince, countBy, kubeAuditMark, kubeAuditSince, writes } from "./audit.js";
export type { AuditMark, AuditedServer, BaoAuditEvent, KubeAuditEvent } from "./audit.js";

/** True when the developer asked to skip tests that need peers (and this is not CI). */
export function skipIntegration(): boolean {
  return process.env["SIGIL_SKIP_INTEGRATION"] === "1" && process.env["CI"] !== "true";
}

/** The running environment. Throws (failing the test) when it is not up. */
export function peers(): EnvState {
  const state = readState();
  if (state === undefined) {
    throw new Error("the test environment is not running: start it with `npm run env -- up` (or set SIGIL_SKIP_INTEGRATION=1 to skip)");
  }
  return state;
}

/**
 * The second, independent cluster of the environment (its own etcd, CA,
 * tokens and audit log): `kubeconfig` (admin), `userKubeconfig` (the
 * non-admin "operator" user), `server`, `caFile`, `auditLog`. The primary
 * cluster is `peers().kube`. Throws when the running environment was started
 * before the second cluster existed.
 */
export function secondCluster(): KubeState {
  const kube2 = peers().kube2;
  if (kube2 === undefined) {
    throw new Error("the test environment has no second cluster: it was started before it existed; restart it (npm run env -- down && npm run env -- up)");
  }
  return kube2;
}

/** The absolute path of a peer binary (sops, kubeseal, kustomize, age, age-keygen, kubectl, bao, …). */
export function peerBin(tool: string): string {
  const path = peers().bin[tool];
  if (path === undefined) throw new Error(`peer binary '${tool}' is not in the environment state`);
  return path;
}

/** `describe` that is skipped (and reported as skipped) only when SIGIL_SKIP_INTEGRATION=1 outside CI. */
export const describePeers: typeof describe = (skipIntegration() ? describe.skip : describe) as typeof describe;

/** A unique, DNS-safe name for a namespace, Vault path or repository: tests never share one. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`.toLowerCase();
}
