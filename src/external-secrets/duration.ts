/** Go's `time.ParseDuration`, bounded. */
import { SigilError } from "../core/index.js";

const UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of a Go duration such as `1h0m0s`, `90s`, `1.5h`, `0`.
 * @throws SigilError `es.invalid_spec` for anything else.
 */
export function parseGoDuration(text: string, subject = "duration"): number {
  const bad = (): SigilError => new SigilError("es.invalid_spec", `invalid duration ${JSON.stringify(text.slice(0, 40))}`, { subject });
  if (text.length === 0 || text.length > 64) throw bad();
  let s = text;
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    sign = s[0] === "-" ? -1 : 1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw bad();
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s !== "") {
    const m = re.exec(s);
    if (m === null) throw bad();
    total += Number(m[1]) * (UNITS[m[2] ?? ""] ?? 0);
    s = s.slice(m[0].length);
  }
  return sign * total;
}
