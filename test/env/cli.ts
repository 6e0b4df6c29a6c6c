/**
 * `npm run env -- <verb>`: the local environment of real peers.
 *   up       build what is missing, start everything on loopback, print exports
 *   down     stop everything `up` started
 *   status   what is running and where
 *   which T  absolute path of a peer binary (built first if needed)
 *   build    build every peer binary without starting anything
 */
import { constants } from "node:os";
import { down, exportsFor, status, stopRecorded, up } from "./env.js";
import { checkPrerequisites } from "./prereqs.js";
import { EnvError } from "./proc.js";
import { anyPeerMissing, ensureAllPeers, which } from "./tools.js";

/** Ctrl-C (or a TERM/HUP) during `up` stops what it had started, then exits 128 + n. */
function stopOnSignal(): () => void {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const handlers = signals.map((sig) => {
    const handler = (): void => {
      process.stderr.write(`[env] ${sig}: stopping what \`up\` started\n`);
      void stopRecorded((l) => process.stderr.write(l + "\n")).finally(() => process.exit(128 + constants.signals[sig]));
    };
    process.once(sig, handler);
    return [sig, handler] as const;
  });
  return () => {
    for (const [sig, handler] of handlers) process.removeListener(sig, handler);
  };
}

async function upVerb(): Promise<number> {
  const release = stopOnSignal();
  try {
    process.stdout.write(exportsFor(await up()));
    return 0;
  } finally {
    release();
  }
}

async function main(argv: string[]): Promise<number> {
  const [verb, arg] = argv;
  switch (verb) {
    case "up":
      return upVerb();
    case "down":
      await down();
      return 0;
    case "status":
      process.stdout.write(status());
      return 0;
    case "which":
      if (arg === undefined) throw new EnvError("which", "usage: npm run env -- which <tool>");
      process.stdout.write((await which(arg)) + "\n");
      return 0;
    case "build":
      checkPrerequisites({ needBuild: anyPeerMissing() });
      await ensureAllPeers();
      return 0;
    default:
      process.stderr.write("usage: npm run env -- up|down|status|which <tool>|build\n");
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof EnvError) {
    process.stderr.write(`[env] ${err.step}: ${err.message}\n`);
    if (err.hint !== undefined) process.stderr.write(`[env] what to do: ${err.hint}\n`);
  } else {
    process.stderr.write(`[env] unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exitCode = 1;
}
