// Prints "N passed, N failed, N skipped" from vitest's JSON report.
// Exits non-zero when anything failed or the report is missing.
import { existsSync, readFileSync } from "node:fs";

const [report, status] = process.argv.slice(2);
if (!report || !existsSync(report)) {
  console.log("0 passed, 1 failed, 0 skipped");
  process.exit(1);
}
const r = JSON.parse(readFileSync(report, "utf8"));
const passed = r.numPassedTests ?? 0;
// Suites that failed to load count as failures too.
const failedSuites = (r.testResults ?? []).filter((t) => t.status === "failed" && (t.assertionResults ?? []).length === 0).length;
const failed = (r.numFailedTests ?? 0) + failedSuites;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || status !== "0" ? 1 : 0);
