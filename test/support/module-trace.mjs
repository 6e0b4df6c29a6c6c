// Preloaded with `node --import` by the start-up structure test: records the
// URL of every module the process loads (ES modules and CommonJS alike) and
// writes them, one per line, to $SIGIL_MODULE_TRACE when the process exits,
// followed by Node's own internal modules as `node-internal:<name>`. Scripts
// compiled with node:vm (bin/sigil.js runs the one-command bundles so) are
// recorded by their file name too, as file: URLs.
import { registerHooks } from "node:module";
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

const out = process.env.SIGIL_MODULE_TRACE;
const seen = new Set();
registerHooks({
  load(url, context, next) {
    seen.add(url);
    return next(url, context);
  },
});
const { Script } = vm;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    if (typeof options?.filename === "string" && options.filename.startsWith("/")) seen.add(pathToFileURL(options.filename).href);
  }
};
process.on("exit", () => {
  const internal = process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => `node-internal:${m.slice("NativeModule ".length)}`);
  if (out) writeFileSync(out, [...seen, ...internal].join("\n") + "\n");
});
