// Preloaded with `node --import` by the start-up structure test: records the
// URL of every module the process loads (ES modules and CommonJS alike) and
// writes them, one per line, to $SIGIL_MODULE_TRACE when the process exits.
import { registerHooks } from "node:module";
import { writeFileSync } from "node:fs";

const out = process.env.SIGIL_MODULE_TRACE;
const seen = new Set();
registerHooks({
  load(url, context, next) {
    seen.add(url);
    return next(url, context);
  },
});
process.on("exit", () => {
  if (out) writeFileSync(out, [...seen].join("\n") + "\n");
});
