// Prints one line per vitest project (unit, integration, env) and then the
// total, "N passed, N failed, N skipped", from vitest's JSON report; every
// project counts in the total. Exits non-zero when anything failed or the
// report is missing.
import { existsSync, readFileSync } from "node:fs";

const [report, status] = process.argv.slice(2);
if (!report || !existsSync(report)) {
  console.log("0 passed, 1 failed, 0 skipped");
  process.exit(1);
}
const r = JSON.parse(readFileSync(report, "utf8"));

// The project a test file belongs to, by its folder (as vitest.config.ts assigns them).
function projectOf(file) {
  if (/[\\/]test[\\/]integration[\\/]env[\\/]/.test(file)) return "env";
  if (/[\\/]test[\\/]integration[\\/]/.test(file)) return "integration";
  if (/[\\/]test[\\/]unit[\\/]/.test(file)) return "unit";
  return "other";
}

const empty = () => ({ passed: 0, failed: 0, skipped: 0 });
const byProject = new Map();
const total = empty();
for (const file of r.testResults ?? []) {
  const counts = byProject.get(projectOf(file.name ?? "")) ?? empty();
  byProject.set(projectOf(file.name ?? ""), counts);
  const results = file.assertionResults ?? [];
  // A file that failed without a failed test (it did not load, or a beforeAll threw and its tests were
  // reported as skipped) counts as one failure.
  if (file.status === "failed" && !results.some((t) => t.status === "failed")) {
    counts.failed++;
    total.failed++;
  }
  for (const t of results) {
    const kind = t.status === "passed" ? "passed" : t.status === "failed" ? "failed" : "skipped";
    counts[kind]++;
    total[kind]++;
  }
}
const line = (c) => `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;
for (const name of ["unit", "integration", "env", "other"]) {
  const c = byProject.get(name);
  if (c) console.log(`${name}: ${line(c)}`);
}
console.log(line(total));
process.exit(total.failed > 0 || status !== "0" ? 1 : 0);
