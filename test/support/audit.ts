/**
 * Counting requests at the servers themselves: readers of the API server's
 * audit log and OpenBao's file audit device (paths in the state file).
 *
 *   const mark = kubeAuditMark();
 *   ... do things ...
 *   const events = await kubeAuditSince(mark, client);   // flushed: see below
 *   countBy(events.filter(byUserAgent(ua)), (e) => e.verb)
 *
 * Both servers write an event when a request completes, which can be just
 * after the client got its answer. So the readers first send a sentinel
 * request with a unique name and read until its event is in the log: every
 * request answered before the sentinel is then in the log too.
 */
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { KubeClient } from "../../src/kube/index.js";
import { peers } from "./peers.js";

/** A position in an audit log. */
export interface AuditMark {
  readonly path: string;
  readonly offset: number;
}

/** One API server audit event (level Metadata), as far as tests look at it. */
export interface KubeAuditEvent {
  readonly stage: string;
  readonly verb: string;
  readonly user: string;
  /** The user the request acted as (`Impersonate-User`), if any. */
  readonly impersonatedUser: string | undefined;
  readonly userAgent: string;
  readonly requestURI: string;
  readonly resource: string | undefined;
  readonly subresource: string | undefined;
  readonly apiGroup: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly code: number | undefined;
  /** True for `dryRun=All` requests (they write nothing). */
  readonly dryRun: boolean;
  /** When the server logged this stage (RFC 3339 with microseconds), if it said. */
  readonly at: string | undefined;
}

/** One OpenBao audit entry (the response half of a request). */
export interface BaoAuditEvent {
  readonly path: string;
  readonly operation: string;
  readonly error: string | undefined;
}

/** Whose audit log: the primary API server, the second cluster's, or OpenBao. */
export type AuditedServer = "kube" | "kube2" | "vault";

function auditPath(which: AuditedServer): string {
  const state = peers();
  const path = which === "kube" ? state.kube.auditLog : which === "kube2" ? state.kube2?.auditLog : state.vault.auditLog;
  if (path === undefined) throw new Error(`the test environment has no ${which} audit log: it was started before audit logging existed; restart it (npm run env -- down && npm run env -- up)`);
  return path;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readFrom(mark: AuditMark): string[] {
  const end = sizeOf(mark.path);
  if (end <= mark.offset) return [];
  const buf = Buffer.alloc(end - mark.offset);
  const fd = openSync(mark.path, "r");
  try {
    readSync(fd, buf, 0, buf.length, mark.offset);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString("utf8");
  // A line still being written is left for the next read.
  return text.slice(0, text.lastIndexOf("\n") + 1).split("\n").filter((l) => l !== "");
}

/**
 * The end of an API server's audit log, now: the primary cluster's, or with
 * `"kube2"` the second cluster's (then pass a client of that cluster to
 * `kubeAuditSince`).
 */
export function kubeAuditMark(cluster: "kube" | "kube2" = "kube"): AuditMark {
  const path = auditPath(cluster);
  return { path, offset: sizeOf(path) };
}

/** The end of OpenBao's audit log, now. */
export function baoAuditMark(): AuditMark {
  const path = auditPath("vault");
  return { path, offset: sizeOf(path) };
}

interface RawKubeEvent {
  stage?: string;
  verb?: string;
  requestURI?: string;
  userAgent?: string;
  user?: { username?: string };
  impersonatedUser?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; apiGroup?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  stageTimestamp?: string;
}

function kubeEvent(line: string): KubeAuditEvent {
  const e = JSON.parse(line) as RawKubeEvent;
  const uri = e.requestURI ?? "";
  return {
    stage: e.stage ?? "",
    verb: e.verb ?? "",
    user: e.user?.username ?? "",
    impersonatedUser: e.impersonatedUser?.username,
    userAgent: e.userAgent ?? "",
    requestURI: uri,
    resource: e.objectRef?.resource,
    subresource: e.objectRef?.subresource,
    apiGroup: e.objectRef?.apiGroup,
    namespace: e.objectRef?.namespace,
    name: e.objectRef?.name,
    code: e.responseStatus?.code,
    dryRun: /[?&]dryRun=All(&|$)/.test(uri),
    at: e.stageTimestamp,
  };
}

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * API server audit events (stage ResponseComplete) since `mark`, after a
 * sentinel GET through `client` shows that everything before it is logged.
 */
export async function kubeAuditSince(mark: AuditMark, client: KubeClient): Promise<KubeAuditEvent[]> {
  const sentinel = `sigil-audit-sentinel-${randomBytes(6).toString("hex")}`;
  await client.get(`/api/v1/namespaces/${sentinel}`);
  // 60 s: on a loaded machine (load average 20+ on 2 cores) the API server takes more than 10 s to log a burst of 2,000 requests.
  return until("the sentinel in the api server audit log", () => {
    const events = readFrom(mark).map(kubeEvent);
    const at = events.findIndex((e) => e.name === sentinel && e.stage === "ResponseComplete");
    return at < 0 ? undefined : events.slice(0, at).filter((e) => e.stage === "ResponseComplete");
  }, 60_000);
}

/**
 * OpenBao audit responses since `mark`, after a sentinel read (a unique
 * cubbyhole path) shows that everything before it is logged. Paths and
 * operations are as OpenBao logs them (`transit/encrypt/sops`, `update`).
 */
export async function baoAuditSince(mark: AuditMark): Promise<BaoAuditEvent[]> {
  const state = peers();
  const sentinel = `cubbyhole/sigil-audit-sentinel-${randomBytes(6).toString("hex")}`;
  await fetch(`${state.vault.addr}/v1/${sentinel}`, { headers: { "X-Vault-Token": state.vault.token }, signal: AbortSignal.timeout(5000) });
  return until("the sentinel in the openbao audit log", () => {
    const events: BaoAuditEvent[] = [];
    for (const line of readFrom(mark)) {
      const e = JSON.parse(line) as { type?: string; request?: { path?: string; operation?: string }; error?: string };
      if (e.type !== "response") continue;
      if (e.request?.path === sentinel) return events;
      events.push({ path: e.request?.path ?? "", operation: e.request?.operation ?? "", error: e.error === "" ? undefined : e.error });
    }
    return undefined;
  });
}

/** How many events per key (`countBy(events, (e) => e.verb)`). */
export function countBy<T>(events: readonly T[], key: (event: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[key(e)] = (out[key(e)] ?? 0) + 1;
  return out;
}

/** Verbs that change state when not a dry run. */
export const WRITE_VERBS: readonly string[] = ["create", "update", "patch", "delete", "deletecollection"];

/** The events that wrote something (a write verb, not a dry run). */
export function writes(events: readonly KubeAuditEvent[]): KubeAuditEvent[] {
  return events.filter((e) => WRITE_VERBS.includes(e.verb) && !e.dryRun);
}
