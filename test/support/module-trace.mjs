// Preloaded with `node --import` by the start-up structure test: records the
// URL of every module the process loads (ES modules and CommonJS alike) and
// writes them, one per line, to $SIGIL_MODULE_TRACE when the process exits,
// followed by Node's own internal modules as `node-internal:<name>`.
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
  const internal = process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => `node-internal:${m.slice("NativeModule ".length)}`);
  if (out) writeFileSync(out, [...seen, ...internal].join("\n") + "\n");
});
