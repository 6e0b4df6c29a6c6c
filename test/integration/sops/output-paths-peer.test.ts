/**
 * The file-writing rules side by side with the real sops 3.13.2 (issue 7,
 * class 4): where sops writes, Sigil writes the same bytes to the same file
 * with the same mode; where sops refuses, Sigil refuses with sops' exit
 * status. Both run as child processes in scratch directories.
 */
import { spawn } from "node:child_process";
import { chmodSync, lstatSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { describePeers, peerBin } from "../../support/peers.js";
import { RUNNING_AS_ROOT, WITHOUT_DAC_OVERRIDE, runSigil, scratchDir, sigilEnv } from "../../support/sigil-process.js";
import type { ProcessResult } from "../../support/sigil-process.js";

const SOPS_FIXTURES = fileURLToPath(new URL("../../fixtures/sops/", import.meta.url));
const ENCRYPTED = readFileSync(join(SOPS_FIXTURES, "comments.sops.yaml"), "utf8");
const PLAINTEXT = readFileSync(join(SOPS_FIXTURES, "comments.sops-d.yaml"), "utf8");
const env = sigilEnv({ SOPS_AGE_KEY_FILE: join(SOPS_FIXTURES, "age-key.txt"), SOPS_DISABLE_VERSION_CHECK: "1" });
/** Without the capabilities that bypass file modes: a read-only file is read-only again, also for root. */
const UNPRIVILEGED = WITHOUT_DAC_OVERRIDE;

function runSops(args: readonly string[], cwd: string, prefix: readonly string[] = []): Promise<ProcessResult> {
  const argv = [...prefix, peerBin("sops"), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] ?? "", argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => { resolve({ code, signal, stdout, stderr }); });
  });
}

interface Outcome {
  readonly code: number | null;
  readonly files: Record<string, { readonly text: string; readonly mode: number; readonly link?: string }>;
}

function snapshot(dir: string, names: readonly string[]): Outcome["files"] {
  const out: Record<string, { text: string; mode: number; link?: string }> = {};
  for (const n of names) {
    const p = join(dir, n);
    const link = lstatSync(p).isSymbolicLink() ? readlinkSync(p) : undefined;
    out[n] = { text: readFileSync(p, "utf8"), mode: statSync(p).mode & 0o7777, ...(link === undefined ? {} : { link }) };
  }
  return out;
}

interface Case {
  readonly reason: string;
  readonly setup: (dir: string) => void;
  readonly args: readonly string[];
  readonly files: readonly string[];
  readonly unprivileged?: boolean;
  readonly code: number;
}

const cases: Case[] = [
  { reason: "decrypt -i on a 0640 file keeps its mode", setup: (d) => { chmodSync(join(d, "enc.yaml"), 0o640); }, args: ["-d", "-i", "enc.yaml"], files: ["enc.yaml"], code: 0 },
  { reason: "decrypt --output over an existing 0600 file keeps its mode", setup: (d) => { writeFileSync(join(d, "out.yaml"), "old\n", { mode: 0o600 }); }, args: ["-d", "--output", "out.yaml", "enc.yaml"], files: ["out.yaml", "enc.yaml"], code: 0 },
  { reason: "decrypt -i through a symbolic link writes the file it names", setup: (d) => { symlinkSync("enc.yaml", join(d, "link.yaml")); }, args: ["-d", "-i", "link.yaml"], files: ["link.yaml", "enc.yaml"], code: 0 },
  { reason: "decrypt -i with --output is refused", setup: () => undefined, args: ["-d", "-i", "--output", "o.yaml", "enc.yaml"], files: ["enc.yaml"], code: 8 },
  { reason: "decrypt -i on a read-only file, unprivileged, is refused", setup: (d) => { chmodSync(join(d, "enc.yaml"), 0o444); }, args: ["-d", "-i", "enc.yaml"], files: ["enc.yaml"], unprivileged: true, code: 3 },
  { reason: "decrypt -i on a read-only file, as root, writes it", setup: (d) => { chmodSync(join(d, "enc.yaml"), 0o444); }, args: ["-d", "-i", "enc.yaml"], files: ["enc.yaml"], code: 0 },
];

/** sops' `-d` is Sigil's `decrypt`. */
function sigilArgs(args: readonly string[]): string[] {
  return args.map((a) => (a === "-d" ? "decrypt" : a));
}

describePeers("writing files: the same outcome as sops 3.13.2", () => {
  for (const c of cases) {
    // "as root" needs root; the unprivileged case runs for everyone.
    it.runIf(RUNNING_AS_ROOT || !c.reason.includes("as root"))(`${c.reason} (exit ${c.code})`, async () => {
      const prefix = c.unprivileged === true ? UNPRIVILEGED : [];
      const outcomes: Outcome[] = [];
      for (const tool of ["sops", "sigil"] as const) {
        const dir = scratchDir();
        writeFileSync(join(dir, "enc.yaml"), ENCRYPTED);
        c.setup(dir);
        const r = tool === "sops" ? await runSops(c.args, dir, prefix) : await runSigil(sigilArgs(c.args), { cwd: dir, env, prefix });
        outcomes.push({ code: r.code, files: snapshot(dir, c.files) });
      }
      const [sops, sigil] = outcomes;
      expect(sops?.code).toBe(c.code);
      expect(sigil).toEqual(sops);
      if (c.code === 0) expect(Object.values(sigil?.files ?? {}).some((f) => f.text === PLAINTEXT)).toBe(true);
    });
  }
});
