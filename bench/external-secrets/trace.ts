/**
 * The API server's audit log, read with timestamps: who wrote what in the
 * benchmark's namespace, and when (stage ResponseComplete, µs precision).
 * Create latency is measured here, from the benchmark's create of an
 * ExternalSecret to the controller's create of its Secret, both as the
 * server saw them: no polling in the way.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import type { KubeClient } from "../../src/kube/index.js";

/** The user agent of the benchmark's own client (its requests are not the controllers'). */
export const BENCH_UA = "sigil-bench";

/** One request as the audit log has it. */
export interface Req {
  readonly at: number;
  readonly verb: string;
  readonly ua: string;
  readonly resource: string;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly code: number;
}

const WRITE = new Set(["create", "update", "patch", "delete", "deletecollection"]);

/** Whether a request wrote something. */
export const isWrite = (r: Req): boolean => WRITE.has(r.verb);

/** The log's size now. */
export function kubeMark(file: string): number {
  return statSync(file).size;
}

function read(file: string, from: number): string {
  const end = statSync(file).size;
  if (end <= from) return "";
  const buf = Buffer.alloc(end - from);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString("utf8");
  return text.slice(0, text.lastIndexOf("\n") + 1);
}

interface Raw {
  stage?: string;
  verb?: string;
  userAgent?: string;
  stageTimestamp?: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

/**
 * Completed requests since `from` concerning namespace `ns` (and the
 * namespace object itself), after a sentinel GET through `client` is logged.
 */
export async function requestsSince(file: string, from: number, ns: string, client: KubeClient): Promise<Req[]> {
  const sentinel = `sigil-bench-sentinel-${randomBytes(5).toString("hex")}`;
  await client.get(`/api/v1/namespaces/${sentinel}`);
  for (let i = 0; i < 200; i++) {
    const out: Req[] = [];
    let seen = false;
    for (const line of read(file, from).split("\n")) {
      if (line === "" || !(line.includes(ns) || line.includes(sentinel))) continue;
      const e = JSON.parse(line) as Raw;
      if (e.stage !== "ResponseComplete") continue;
      if (e.objectRef?.name === sentinel) {
        seen = true;
        break;
      }
      if (e.objectRef?.namespace !== ns) continue;
      out.push({
        at: Date.parse(e.stageTimestamp ?? "") + (Number(/\.\d{3}(\d{3})Z$/.exec(e.stageTimestamp ?? "")?.[1] ?? 0) / 1000),
        verb: e.verb ?? "", ua: e.userAgent ?? "", resource: e.objectRef.resource ?? "", subresource: e.objectRef.subresource,
        namespace: e.objectRef.namespace, name: e.objectRef.name, code: e.responseStatus?.code ?? 0,
      });
    }
    if (seen) return out;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the sentinel never reached the api server audit log");
}

/**
 * Per ExternalSecret `names`: ms from the benchmark's create of it to the
 * controller's successful create of its Secret (same name); missing ones are left out.
 */
export function createLatencies(reqs: readonly Req[], names: ReadonlySet<string>): number[] {
  const created = new Map<string, number>();
  const secret = new Map<string, number>();
  for (const r of reqs) {
    if (r.name === undefined || !names.has(r.name) || r.verb !== "create" || r.code >= 300) continue;
    if (r.resource === "externalsecrets" && r.ua === BENCH_UA) created.set(r.name, r.at);
    if (r.resource === "secrets" && r.ua !== BENCH_UA && !secret.has(r.name)) secret.set(r.name, r.at);
  }
  return [...created].flatMap(([n, t]) => (secret.has(n) ? [(secret.get(n) ?? t) - t] : []));
}

/** Writes by the controller (anything but the benchmark's client), counted by `verb resource[/subresource]`. */
export function controllerWrites(reqs: readonly Req[]): { total: number; by: Record<string, number> } {
  const by: Record<string, number> = {};
  let total = 0;
  for (const r of reqs) {
    if (r.ua === BENCH_UA || !isWrite(r)) continue;
    const k = `${r.verb} ${r.resource}${r.subresource === undefined ? "" : `/${r.subresource}`}`;
    by[k] = (by[k] ?? 0) + 1;
    total++;
  }
  return { total, by };
}

/** The p-th percentile (nearest rank). */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}
