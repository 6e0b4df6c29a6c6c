// Runs `npm ci` when node_modules is missing or older than package-lock.json,
// so `npm test` and `npm run demo` work on a fresh clone with nothing else.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const marker = "node_modules/.package-lock.json";
const stale = !existsSync(marker) || statSync("package-lock.json").mtimeMs > statSync(marker).mtimeMs + 1000;
if (stale) {
  process.stderr.write("[setup] installing Node packages (npm ci)…\n");
  const res = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
  process.exit(res.status ?? 1);
}
