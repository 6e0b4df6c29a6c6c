/**
 * Where push→applied time goes: the bench's logger sink stamps every log
 * line of the controllers with `performance.now()` as it is written, and
 * each round's phases are read off the first matching line after the push.
 */

/** One stamped log line. */
export interface Stamped {
  readonly at: number;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The phases of one round, in order; each is a log message and the field that names this arm's object. */
export const MARKS = [
  { name: "webhook accepted", msg: "webhook accepted", field: "receiver" },
  { name: "fetch requested", msg: "fetch requested", field: "gitsource" },
  { name: "fetch started", msg: "fetching", field: "gitsource" },
  { name: "fetched", msg: "fetched", field: "url" },
  { name: "sync started", msg: "sync reconcile started", field: "sync" },
  { name: "sync applied", msg: "reconciled", field: "sync" },
] as const;

/** Collects stamped lines (bounded: the oldest are dropped past `max`). */
export class Timeline {
  readonly #lines: Stamped[] = [];
  readonly #max: number;

  constructor(max = 50_000) {
    this.#max = max;
  }

  /** A `Logger` sink. */
  readonly sink = (line: string): void => {
    const at = performance.now();
    try {
      const record = JSON.parse(line) as { msg?: string } & Record<string, unknown>;
      this.#lines.push({ at, msg: record.msg ?? "", fields: record });
      if (this.#lines.length > this.#max) this.#lines.splice(0, this.#lines.length - this.#max);
    } catch {
      // not JSON: not one of ours
    }
  };

  /** The first line with `msg` after `since` whose `field` mentions `needle`. */
  first(msg: string, field: string, needle: string, since: number): number | undefined {
    return this.#lines.find((l) => l.at >= since && l.msg === msg && (() => { const v = l.fields[field]; return typeof v === "string" && v.includes(needle); })())?.at;
  }

  /** Milliseconds from `t0` to each mark of one round (undefined when the line did not come, e.g. no webhook when polling). */
  round(t0: number, needle: string): Record<string, number | undefined> {
    const out: Record<string, number | undefined> = {};
    for (const m of MARKS) {
      const at = this.first(m.msg, m.field, needle, t0);
      out[m.name] = at === undefined ? undefined : at - t0;
    }
    return out;
  }
}

/** The value at quantile `p` of `values` (nearest rank). */
export function quantile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

/** Median time of each phase (from the previous mark present in the round) over the rounds; `end` is the last mark (the change seen applied). */
export function phaseMedians(rounds: readonly Record<string, number | undefined>[], end: string): [string, number][] {
  const names = [...MARKS.map((m) => m.name), end];
  const spans = new Map<string, number[]>();
  for (const r of rounds) {
    let prev: [string, number] = ["push", 0];
    for (const name of names) {
      const at = r[name];
      if (at === undefined) continue;
      const label = `${prev[0]} → ${name}`;
      spans.set(label, [...(spans.get(label) ?? []), at - prev[1]]);
      prev = [name, at];
    }
  }
  return [...spans].map(([label, v]) => [label, quantile(v, 0.5)]);
}
