/**
 * Processes of the benchmark: the CLI compiled to JavaScript (as the
 * installed package runs it), GNU time for wall and CPU time, and the API
 * server's audit log split by who sent each request.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KubeClient } from "../../src/kube/index.js";
import { countBy, kubeAuditMark, kubeAuditSince, writes } from "../../test/support/audit.js";
import type { KubeAuditEvent } from "../../test/support/audit.js";

/** Wall and CPU time of one process tree (GNU time counts the children it waited for). */
export interface Timed {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMb: number;
  readonly stdout: string;
}

/** Requests one client sent, as the API server logged them. */
export interface RequestCounts {
  readonly requests: number;
  readonly writes: number;
  /** Writes to the objects of the repository (the rest: inventory, status, Events). */
  readonly managedWrites: number;
  /** Requests with `dryRun=All` (server-side diffs; they write nothing). */
  readonly dryRuns: number;
  readonly byVerb: Readonly<Record<string, number>>;
  readonly writesByResource: Readonly<Record<string, number>>;
}

/** Compile `src/cli/main.ts` with tsc (no type check) into a temporary directory; `entry` is the compiled main. */
export function compileCli(): { entry: string; cleanup: () => void } {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), "sigil-bench-cli-"));
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const flags = ["--module", "nodenext", "--moduleResolution", "nodenext", "--target", "ES2023", "--skipLibCheck", "--types", "node", "--rootDir", root, "--outDir", out, "--noCheck", "--ignoreConfig"];
  const res = spawnSync(process.execPath, [tsc, ...flags, join(root, "src", "cli", "main.ts")], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`tsc failed: ${res.stdout}${res.stderr}`);
  symlinkSync(join(root, "node_modules"), join(out, "node_modules"));
  // The CLI reads its version from the package.json two levels up from src/cli.
  writeFileSync(join(out, "package.json"), readFileSync(join(root, "package.json")));
  return { entry: join(out, "src", "cli", "main.js"), cleanup: () => { rmSync(out, { recursive: true, force: true }); } };
}

/** Run a command under GNU time; throw with its stderr tail on a non-zero exit. */
export function timed(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Timed {
  const res = spawnSync("/usr/bin/time", ["-f", "__TIME__ %e %U %S %M", cmd, ...args], { env, cwd, maxBuffer: 1 << 28, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ").slice(0, 200)} failed (${String(res.status)}): ${res.stderr.slice(-1500)}`);
  const line = res.stderr.split("\n").find((l) => l.startsWith("__TIME__"));
  if (line === undefined) throw new Error("GNU time printed nothing (is /usr/bin/time GNU time?)");
  const [, wall, user, sys, kib] = line.split(" ").map(Number);
  return { wallSeconds: wall ?? 0, cpuSeconds: (user ?? 0) + (sys ?? 0), maxRssMb: (kib ?? 0) / 1024, stdout: res.stdout };
}

/** Names of the repository's objects (repo.ts). */
const MANAGED_NAME = /^(secret|configmap|service|deployment|serviceaccount)-\d{4}$/;

/** Counts of the events `who` selects. */
export function counts(events: readonly KubeAuditEvent[], who: (e: KubeAuditEvent) => boolean): RequestCounts {
  const mine = events.filter(who);
  const w = writes(mine);
  return { requests: mine.length, writes: w.length, managedWrites: w.filter((e) => MANAGED_NAME.test(e.name ?? "")).length, dryRuns: mine.filter((e) => e.dryRun).length, byVerb: countBy(mine, (e) => e.verb), writesByResource: countBy(w, (e) => `${e.verb} ${e.resource ?? "?"}${e.subresource === undefined ? "" : `/${e.subresource}`}`) };
}

/** Run `fn` and return what it returns with the audit events of the API server during it. */
export async function audited<T>(client: KubeClient, fn: () => Promise<T> | T): Promise<{ value: T; events: KubeAuditEvent[] }> {
  const mark = kubeAuditMark();
  const value = await fn();
  return { value, events: await kubeAuditSince(mark, client) };
}

/**
 * Requests in the benchmark's namespace `ns`, or cluster-wide reads (discovery, watches over all namespaces).
 * Other work on the shared API server sends requests with the same user agents (tests of the CLI and the
 * operator), so a request is counted only in scope; the benchmark's objects are all in `ns`, so no write
 * of Sigil's is left out.
 */
export const inScope = (ns: string) => (e: KubeAuditEvent): boolean => e.namespace === ns || (e.namespace === undefined && writes([e]).length === 0);

/** Requests of Sigil (`sigil` for the CLI, `sigil-operator` for the operator) and of kubectl. */
export const BY_SIGIL = (e: KubeAuditEvent): boolean => e.userAgent === "sigil" || e.userAgent === "sigil-operator";
export const BY_KUBECTL = (e: KubeAuditEvent): boolean => e.userAgent.startsWith("kubectl");
