/**
 * Timestamps as Go's `time` package parses and prints them for sops:
 * YAML timestamps (go-yaml v3 `parseTimestamp`), RFC 3339 with and without
 * nanoseconds, and the `lastmodified` normalisation used as the MAC's AAD.
 */
import { SopsTime } from "../tree/model.js";

interface TimeParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Fraction digits as written (up to 9 are significant). */
  readonly fraction: string;
  /** Offset from UTC in minutes. */
  readonly offset: number;
}

const YAML_FULL = /^(\d{4})-(\d{1,2})-(\d{1,2})[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;
const YAML_SPACE = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?$/;
const YAML_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function parseOffset(z: string | undefined): number | undefined {
  if (z === undefined || z === "Z") return 0;
  const h = Number(z.slice(1, 3));
  const m = Number(z.slice(4, 6));
  if (h >= 24 || m >= 60) return undefined;
  return (z.startsWith("-") ? -1 : 1) * (h * 60 + m);
}

function build(m: RegExpExecArray, hasTime: boolean, zone: string | undefined): TimeParts | undefined {
  const n = (i: number): number => Number(m[i] ?? "0");
  const parts: TimeParts = {
    year: n(1),
    month: n(2),
    day: n(3),
    hour: hasTime ? n(4) : 0,
    minute: hasTime ? n(5) : 0,
    second: hasTime ? n(6) : 0,
    fraction: hasTime ? (m[7] ?? "") : "",
    offset: parseOffset(zone) ?? NaN,
  };
  if (Number.isNaN(parts.offset)) return undefined;
  if (parts.month < 1 || parts.month > 12 || parts.day < 1 || parts.day > daysIn(parts.year, parts.month)) return undefined;
  if (parts.hour > 23 || parts.minute > 59 || parts.second > 59) return undefined;
  return parts;
}

function pad(v: number, width: number): string {
  return String(v).padStart(width, "0");
}

function formatParts(p: TimeParts, withFraction: boolean): string {
  const date = `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}`;
  const time = `${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}`;
  const frac = withFraction ? p.fraction.slice(0, 9).replace(/0+$/, "") : "";
  const off = Math.abs(p.offset);
  const zone = p.offset === 0 ? "Z" : `${p.offset < 0 ? "-" : "+"}${pad(Math.floor(off / 60), 2)}:${pad(off % 60, 2)}`;
  return `${date}T${time}${frac === "" ? "" : "." + frac}${zone}`;
}

/** A plain YAML scalar as go-yaml v3 resolves timestamps, or undefined when it is not one. */
export function parseYamlTimestamp(s: string): SopsTime | undefined {
  if (s.length < 8 || !/^\d{4}-/.test(s)) return undefined;
  let m = YAML_FULL.exec(s);
  let parts: TimeParts | undefined;
  if (m !== null) parts = build(m, true, m[8]);
  else if ((m = YAML_SPACE.exec(s)) !== null) parts = build(m, true, undefined);
  else if ((m = YAML_DATE.exec(s)) !== null) parts = build(m, false, undefined);
  return parts === undefined ? undefined : new SopsTime(formatParts(parts, true));
}

function parseStrict(s: string): TimeParts | undefined {
  const m = RFC3339.exec(s);
  return m === null ? undefined : build(m, true, m[8]);
}

/** Go `time.Time.UnmarshalText` then `MarshalText`: the canonical RFC 3339 nano form, or undefined. */
export function parseRfc3339Nano(s: string): SopsTime | undefined {
  const p = parseStrict(s);
  return p === undefined ? undefined : new SopsTime(formatParts(p, true));
}

/**
 * The MAC's AAD for a stored `lastmodified`: parsed as RFC 3339 and printed
 * again without fractional seconds (`Z` for a zero offset).
 * Returns undefined when the value is not RFC 3339.
 */
export function normalizeLastModified(s: string): string | undefined {
  const p = parseStrict(s);
  return p === undefined ? undefined : formatParts(p, false);
}

/** `YYYY-MM-DDTHH:MM:SSZ` for `date` in UTC at seconds precision. */
export function formatLastModified(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** True when `s` parses as RFC 3339 (used for `created_at` checks). */
export function isRfc3339(s: string): boolean {
  return parseStrict(s) !== undefined;
}
