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
import type { EnvState } from "../env/state.js";

export type { EnvState } from "../env/state.js";
export { WRITE_VERBS, baoAuditMark, baoAuditSince, countBy, kubeAuditMark, kubeAuditSince, writes } from "./audit.js";
export type { AuditMark, BaoAuditEvent, KubeAuditEvent } from "./audit.js";

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
