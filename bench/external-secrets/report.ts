/** The ExternalSecrets section of docs/benchmarks.md, from one full run (--n 1000). */
import { writeReportSection } from "../lib/measure.js";

/** What run.ts records. */
export interface EsRun {
  readonly shape: { n: number; paths: number; paced: number; steadySeconds: number; restartSeconds: number };
  readonly machine: Record<string, string>;
  readonly results: Record<string, Record<string, unknown>>;
}

type Fig = Record<string, unknown>;

const get = (r: Fig | undefined, phase: string, key: string): unknown => (r?.[phase] as Fig | undefined)?.[key];
const num = (v: unknown): string => (typeof v === "number" ? (Number.isInteger(v) ? v.toLocaleString("en") : String(Math.round(v * 100) / 100)) : "–");
const ms = (v: unknown): string => (typeof v === "number" ? (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`) : "–");
function ratio(a: unknown, b: unknown): string {
  if (typeof a !== "number" || typeof b !== "number" || b === 0) return "–";
  if (a === 0) return "0";
  return b / a >= 10 ? `1/${Math.round(b / a).toLocaleString("en")}` : `${(a / b).toFixed(2)}x`;
}
const writesBy = (v: unknown): string => Object.entries((v ?? {}) as Record<string, number>).map(([k, n]) => `${k}: ${n}`).join(", ");

/** Write the section (only for runs of at least 1,000 ExternalSecrets). */
export function report(run: EsRun): void {
  const { shape, machine } = run;
  if (shape.n < 1000) return;
  const e = run.results["eso"];
  const s = run.results["sigil"];
  const row = (what: string, phase: string, key: string, f: (v: unknown) => string = num): string =>
    `| ${what} | ${f(get(e, phase, key))} | ${f(get(s, phase, key))} | ${ratio(get(s, phase, key), get(e, phase, key))} |`;
  const lines = [
    `Run: \`npm run bench -- external-secrets --n ${shape.n} --paced ${shape.paced} --steady ${shape.steadySeconds} --restart ${shape.restartSeconds}\` (the default, \`--n 200\`, is the routine size and does not write this section). ${machine["at"] ?? ""} on ${machine["cpus"] ?? ""}, Node ${machine["node"] ?? ""}, OpenBao ${machine["openbao"] ?? ""}; **load average ${machine["loadAtStart"] ?? ""} at the start, ${machine["loadAtEnd"] ?? ""} at the end** (1/5/15 min; \`uptime\`: \`${machine["uptimeAtStart"] ?? ""}\`). Raw figures: \`bench/external-secrets/results.json\`.`,
    "",
    `${num(shape.n)} ExternalSecrets over ${num(shape.paths)} Vault paths (KV v2), refresh 1h, one SecretStore with AppRole login. ESO 0.16.2 first, then Sigil (\`sigil operator --controllers externalsecrets\`, compiled JavaScript, \`--max-semi-space-size=2\`), each its own process with its own controller class and namespace. Vault requests are counted in OpenBao's file audit device; API requests are counted and timed in the API server's audit log (stage ResponseComplete).`,
    "",
    "| Measure | ESO 0.16.2 | Sigil | Sigil / ESO |",
    "|---|---|---|---|",
    row(`Vault logins over the first ${num(shape.n)} reconciles (burst create)`, "burst", "vaultLogins"),
    row(`Vault reads over the first ${num(shape.n)} reconciles`, "burst", "vaultReads"),
    row(`Burst: all ${num(shape.n)} Secrets created (s after the first create)`, "burst", "syncedSeconds"),
    row("Burst: create → Secret, p50", "burst", "p50Ms", ms),
    row("Burst: create → Secret, p99", "burst", "p99Ms", ms),
    row(`**Create → Secret, p50** (${num(shape.paced)} created one at a time into the synced set; target < 300 ms)`, "create", "p50Ms", ms),
    row("Create → Secret, p99", "create", "p99Ms", ms),
    row(`**Steady state: API writes in ${num(shape.steadySeconds)} s** (target 0)`, "steady", "apiWrites"),
    row(`Steady state: CPU seconds in ${num(shape.steadySeconds)} s`, "steady", "cpuSeconds"),
    row(`**RSS with ${num(shape.n)} ExternalSecrets** (MB)`, "memory", "now"),
    row("Peak RSS (MB)", "memory", "peak"),
    row(`Restart, nothing due: Vault reads in ${num(shape.restartSeconds)} s`, "restart", "vaultReads"),
    row("Restart, nothing due: Vault logins", "restart", "vaultLogins"),
    row(`**Restart after a downtime > refreshInterval: Vault reads** (${num(shape.n + shape.paced)} due; target ≤ ${num(shape.paths)})`, "restartOverdue", "vaultReads"),
    row("… distinct paths read", "restartOverdue", "distinctPaths"),
    row("… largest burst of reads in one second", "restartOverdue", "burstPerSecond"),
    row("… reads in the first 10 s", "restartOverdue", "readsInFirst10s"),
    row("… last read (s after the start)", "restartOverdue", "lastReadAfterS"),
    row("… Vault logins", "restartOverdue", "vaultLogins"),
    row("… API writes", "restartOverdue", "apiWrites"),
    "",
    `Steady-state writes by kind: ESO ${writesBy(get(e, "steady", "writesBy")) || "none"}; Sigil ${writesBy(get(s, "steady", "writesBy")) || "none"}. First reads after the overdue restart: ESO ${num(get(e, "restartOverdue", "firstReadAfterS"))} s, Sigil ${num(get(s, "restartOverdue", "firstReadAfterS"))} s. Each side starts once the namespace of the one before is gone (ESO's took ${num(e?.["teardownSeconds"])} s to delete), so neither side's watches see the other's objects being deleted.`,
  ];
  writeReportSection("docs/benchmarks.md", "external-secrets-bench", lines.join("\n"));
}
