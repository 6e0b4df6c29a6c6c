#!/usr/bin/env node
// In an installed package (no src/ next to dist/), run the compiled CLI.
// In a development checkout, always run the TypeScript sources through tsx,
// so a stale dist/ can never shadow the code being worked on.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const src = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const dist = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
if (existsSync(src)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(src).href);
} else {
  await import(pathToFileURL(dist).href);
}
