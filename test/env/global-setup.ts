/**
 * Vitest global setup for the integration project: bring the environment up
 * once per run (reusing one a developer started by hand), and stop it at the
 * end only if this run started it.
 */
import { down, isUp, up } from "./env.js";
import { EnvError } from "./proc.js";

const skip = process.env["SIGIL_SKIP_INTEGRATION"] === "1";
const ci = process.env["CI"] === "true";

export async function setup(): Promise<() => Promise<void>> {
  if (skip && !ci) {
    process.stderr.write("[env] SIGIL_SKIP_INTEGRATION=1: integration tests will be reported as skipped\n");
    return () => Promise.resolve();
  }
  if (skip && ci) {
    process.stderr.write("[env] SIGIL_SKIP_INTEGRATION is ignored when CI=true: peers are required in CI\n");
  }
  const wasUp = isUp();
  try {
    await up();
  } catch (err) {
    // A machine without what the environment needs: stop the whole run at once, with the one message
    // that lists everything missing (not hundreds of "the test environment is not running").
    if (err instanceof EnvError && err.step === "prerequisites") {
      const stop = new Error(`${err.message}\nwhat to do: ${err.hint ?? ""}`);
      stop.stack = `Error: ${stop.message}`; // the message is the report: no stack frames under it
      throw stop;
    }
    const msg = err instanceof EnvError ? `${err.step}: ${err.message}${err.hint ? ` (${err.hint})` : ""}` : String(err);
    process.stderr.write(`[env] could not start the environment: ${msg}\n`);
    return () => Promise.resolve();
  }
  return async () => {
    if (!wasUp && process.env["SIGIL_KEEP_ENV"] !== "1") await down();
  };
}
