/**
 * Issue 7, class 4: whatever is at an output path, the real CLI writes only
 * a regular file, through symbolic links, keeping the owner and mode of the
 * file it replaces, and refuses contradictory flags. Every case runs the
 * real binary as a child process in a scratch directory.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { RUNNING_AS_ROOT, WITHOUT_DAC_OVERRIDE, runSigil, scratchDir, sigilEnv } from "../../../support/sigil-process.js";

const SOPS = fileURLToPath(new URL("../../../fixtures/sops/", import.meta.url));
const SEALED = fileURLToPath(new URL("../../../fixtures/sealed-secrets/", import.meta.url));
const ENCRYPTED = readFileSync(join(SOPS, "comments.sops.yaml"), "utf8");
const PLAINTEXT = readFileSync(join(SOPS, "comments.sops-d.yaml"), "utf8");
const env = sigilEnv({ SOPS_AGE_KEY_FILE: join(SOPS, "age-key.txt") });

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** A scratch directory holding `enc.yaml` (a sops file). */
function workDir(): string {
  const dir = scratchDir();
  writeFileSync(join(dir, "enc.yaml"), ENCRYPTED);
  return dir;
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.includes(".sigil-"));
}

async function listenOn(path: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((res) => server.listen(path, res));
}

interface RefusalCase {
  readonly reason: string;
  /** Create the thing at `dir/out` and return how to recognise it afterwards. */
  readonly make: (path: string) => Promise<void> | void;
  readonly kind: (path: string) => boolean;
}

const refusals: RefusalCase[] = [
  // mknod needs root; another user gets a link to /dev/null (which a broken writer could not replace: /dev is not theirs).
  RUNNING_AS_ROOT
    ? { reason: "a character device", make: (p) => void execFileSync("mknod", [p, "c", "1", "3"]), kind: (p) => lstatSync(p).isCharacterDevice() }
    : { reason: "a character device", make: (p) => { symlinkSync("/dev/null", p); }, kind: (p) => statSync(p).isCharacterDevice() },
  ...(RUNNING_AS_ROOT ? [{ reason: "a block device", make: (p: string) => void execFileSync("mknod", [p, "b", "7", "250"]), kind: (p: string) => lstatSync(p).isBlockDevice() }] : []),
  { reason: "a FIFO", make: (p) => void execFileSync("mkfifo", [p]), kind: (p) => lstatSync(p).isFIFO() },
  { reason: "a socket", make: (p) => listenOn(p), kind: (p) => lstatSync(p).isSocket() },
  { reason: "a directory", make: (p) => {
      mkdirSync(p);
    }, kind: (p) => lstatSync(p).isDirectory() },
  {
    reason: "a symbolic link to a FIFO",
    make: (p) => {
      execFileSync("mkfifo", [`${p}.fifo`]);
      symlinkSync(`${p}.fifo`, p);
    },
    kind: (p) => lstatSync(p).isSymbolicLink() && statSync(p).isFIFO(),
  },
];

describe("output paths: anything but a regular file is refused, and left as it was", () => {
  const commands = [
    { name: "decrypt --output", args: (out: string) => ["decrypt", "enc.yaml", "--output", out] },
    { name: "seal -w", args: (out: string) => ["seal", "--cert", join(SEALED, "key1.crt"), "-f", join(SEALED, "secret.yaml"), "-w", out] },
    { name: "unseal -w", args: (out: string) => ["unseal", "--private-key", join(SEALED, "key1.pem"), "-f", join(SEALED, "sealed-strict.yaml"), "-w", out] },
    { name: "keygen age -o", args: (out: string) => ["keygen", "age", "-o", out] },
  ];
  // Every kind through decrypt; the other writing commands on a device and a FIFO.
  for (const c of refusals) {
    const through = c.reason === "a character device" || c.reason === "a FIFO" ? commands : commands.slice(0, 1);
    for (const command of through) {
      it(`${command.name} onto ${c.reason}: output.unsafe_target, exit 3`, async () => {
        const dir = workDir();
        const out = join(dir, "out");
        await c.make(out);
        const r = await runSigil(command.args(out), { cwd: dir, env });
        expect(r.stderr).toMatch(/^sigil: .*out: refusing to write: the output is .* \[output\.unsafe_target\]\n$/);
        expect(r.code).toBe(3);
        expect(c.kind(out)).toBe(true);
        expect(leftovers(dir)).toEqual([]);
      });
    }
  }
});

describe("output paths: symbolic links are written through", () => {
  it("decrypt -i on a symbolic link replaces the file it names, keeps the link and the file's mode", async () => {
    const dir = workDir();
    chmodSync(join(dir, "enc.yaml"), 0o640);
    symlinkSync("enc.yaml", join(dir, "link.yaml"));
    const r = await runSigil(["decrypt", "-i", "link.yaml"], { cwd: dir, env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readlinkSync(join(dir, "link.yaml"))).toBe("enc.yaml");
    expect(readFileSync(join(dir, "enc.yaml"), "utf8")).toBe(PLAINTEXT);
    expect(statSync(join(dir, "enc.yaml")).mode & 0o7777).toBe(0o640);
    expect(leftovers(dir)).toEqual([]);
  });

  it("--output on a chain of links, and on a dangling link, writes the final file", async () => {
    const dir = workDir();
    mkdirSync(join(dir, "real"));
    symlinkSync("real/plain.yaml", join(dir, "b"));
    symlinkSync("b", join(dir, "a"));
    const r = await runSigil(["decrypt", "enc.yaml", "--output", "a"], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(lstatSync(join(dir, "a")).isSymbolicLink() && lstatSync(join(dir, "b")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "real/plain.yaml"), "utf8")).toBe(PLAINTEXT);
  });

  it("refuses a symbolic link loop with a code", async () => {
    const dir = workDir();
    symlinkSync("loop2", join(dir, "loop1"));
    symlinkSync("loop1", join(dir, "loop2"));
    const r = await runSigil(["decrypt", "enc.yaml", "--output", "loop1"], { cwd: dir, env });
    expect(r.stderr).toMatch(/too many levels of symbolic links .*\[output\.unsafe_target\]/);
    expect(r.code).toBe(3);
  });
});

describe("output paths: a replaced file keeps its owner and mode", () => {
  const modes = [
    { mode: 0o600, reason: "a private file" },
    { mode: 0o640, reason: "a group-readable file" },
    { mode: 0o664, reason: "a group-writable file" },
  ];
  for (const m of modes) {
    it(`seal -w onto ${m.reason} (${m.mode.toString(8)}) keeps its mode`, async () => {
      const dir = workDir();
      const out = join(dir, "sealed.yaml");
      writeFileSync(out, "old\n", { mode: m.mode });
      chmodSync(out, m.mode);
      const r = await runSigil(["seal", "--cert", join(SEALED, "key1.crt"), "-f", join(SEALED, "secret.yaml"), "-w", out], { cwd: dir, env });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(readFileSync(out, "utf8")).toContain("kind: SealedSecret");
      expect(statSync(out).mode & 0o7777).toBe(m.mode);
    });
  }

  it("seal --merge-into keeps the file's mode", async () => {
    const dir = workDir();
    const out = join(dir, "sealed.yaml");
    const first = await runSigil(["seal", "--cert", join(SEALED, "key1.crt"), "-f", join(SEALED, "secret.yaml"), "-w", out], { cwd: dir, env });
    expect(first.code).toBe(0);
    chmodSync(out, 0o600);
    const r = await runSigil(["seal", "--cert", join(SEALED, "key1.crt"), "-f", join(SEALED, "secret.yaml"), "--merge-into", out], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o7777).toBe(0o600);
  });

  // Only root can give a file to another user.
  it.runIf(RUNNING_AS_ROOT)("decrypt --output onto another user's file keeps its owner, group and mode", async () => {
    const dir = workDir();
    const out = join(dir, "theirs.yaml");
    writeFileSync(out, "old\n");
    chownSync(out, 1234, 2345);
    chmodSync(out, 0o620);
    const r = await runSigil(["decrypt", "enc.yaml", "--output", out], { cwd: dir, env });
    expect(r.code).toBe(0);
    const st = statSync(out);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1234, 2345, 0o620]);
    expect(readFileSync(out, "utf8")).toBe(PLAINTEXT);
  });

  it("a new unseal -w file holding plaintext is created 0600", async () => {
    const dir = workDir();
    const r = await runSigil(["unseal", "--private-key", join(SEALED, "key1.pem"), "-f", join(SEALED, "sealed-strict.yaml"), "-w", "plain.json"], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(statSync(join(dir, "plain.json")).mode & 0o7777).toBe(0o600);
  });
});

describe("output paths: a read-only file is not replaced (as sops, which opens it for writing)", () => {
  // Root may write anything (so may sops as root): the check is the caller's own write
  // permission, so the CLI runs without the capabilities that bypass file modes.
  const withoutDacOverride = WITHOUT_DAC_OVERRIDE;
  for (const c of [
    { reason: "decrypt -i", args: ["decrypt", "-i", "enc.yaml"], file: "enc.yaml" },
    { reason: "decrypt --output", args: ["decrypt", "enc.yaml", "--output", "ro.yaml"], file: "ro.yaml" },
    { reason: "encrypt -i", args: ["encrypt", "-i", "--age", "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p", "ro.yaml"], file: "ro.yaml" },
  ]) {
    it(`${c.reason} onto a 0444 file: output.read_only, exit 3, the file unchanged`, async () => {
      const dir = workDir();
      writeFileSync(join(dir, "ro.yaml"), "a: 1\n");
      chmodSync(join(dir, c.file), 0o444);
      const before = readFileSync(join(dir, c.file));
      const r = await runSigil(c.args, { cwd: dir, env, prefix: withoutDacOverride });
      expect(r.stderr).toMatch(/: refusing to write: the file is read-only for this user \[output\.read_only\]/);
      expect(r.code).toBe(3);
      expect(readFileSync(join(dir, c.file))).toEqual(before);
      expect(leftovers(dir)).toEqual([]);
    });
  }
});

describe("output paths: the target's directory must take the temporary file", () => {
  it("decrypt -i of a writable file in a read-only directory: output.write_failed, exit 3, the file unchanged", async () => {
    const dir = workDir();
    mkdirSync(join(dir, "ro"));
    writeFileSync(join(dir, "ro", "enc.yaml"), ENCRYPTED);
    chmodSync(join(dir, "ro"), 0o555);
    try {
      const r = await runSigil(["decrypt", "-i", "ro/enc.yaml"], { cwd: dir, env, prefix: WITHOUT_DAC_OVERRIDE });
      expect(r.stderr).toMatch(/ro\/enc\.yaml: the output's directory is not writable \[output\.write_failed\]/);
      expect(r.code).toBe(3);
      expect(readFileSync(join(dir, "ro", "enc.yaml"), "utf8")).toBe(ENCRYPTED);
    } finally {
      chmodSync(join(dir, "ro"), 0o755);
    }
  });
});

describe("output flags: contradictions are refused before anything is read or written", () => {
  const cases = [
    { reason: "decrypt -i with --output", args: ["decrypt", "-i", "enc.yaml", "--output", "o.yaml"], message: "cannot use --in-place and --output together" },
    { reason: "encrypt -i with --output", args: ["encrypt", "-i", "enc.yaml", "--output", "o.yaml"], message: "cannot use --in-place and --output together" },
    { reason: "rotate -i with --output", args: ["rotate", "-i", "enc.yaml", "--output", "o.yaml"], message: "cannot use --in-place and --output together" },
    { reason: "decrypt -i on stdin", args: ["decrypt", "-i"], message: "--in-place needs a file, not stdin" },
    {
      reason: "seal --merge-into with -w",
      args: ["seal", "--cert", join(SEALED, "key1.crt"), "-f", join(SEALED, "secret.yaml"), "--merge-into", "enc.yaml", "-w", "o.yaml"],
      message: "cannot use --merge-into and -w/--sealed-secret-file together",
    },
  ];
  for (const c of cases) {
    it(`${c.reason}: input.conflicting_flags, exit 8, nothing changed`, async () => {
      const dir = workDir();
      const r = await runSigil(c.args, { cwd: dir, env });
      expect(r.stderr).toContain(c.message);
      expect(r.stderr).toContain("[input.conflicting_flags]");
      expect(r.code).toBe(8); // sops: ErrorConflictingParameters
      expect(readFileSync(join(dir, "enc.yaml"), "utf8")).toBe(ENCRYPTED);
      expect(readdirSync(dir)).toEqual(["enc.yaml"]);
    });
  }
});

describe("output paths: the standard streams still work", () => {
  // Not /dev/stdout itself: a regression would replace the machine's /dev/stdout link;
  // /dev/fd/1 takes the same path through the code and a regression there fails harmlessly.
  for (const out of ["-", "/dev/fd/1"]) {
    it(`decrypt --output ${out} prints the plaintext`, async () => {
      const dir = workDir();
      const r = await runSigil(["decrypt", "enc.yaml", "--output", out], { cwd: dir, env });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(PLAINTEXT);
      expect(readdirSync(dir)).toEqual(["enc.yaml"]);
    });
  }
});
