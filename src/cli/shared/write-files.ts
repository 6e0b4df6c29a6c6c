/**
 * The one way the CLI writes a file (decrypt/encrypt/rotate `-i` and
 * `--output`, updatekeys, seal `-w` and `--merge-into`, unseal `-w`, keygen).
 *
 * 1. Every target is checked first (`checkOutputTarget`): symbolic links are
 *    followed to the real file, anything but a regular file is refused, a
 *    read-only file is refused, and `exclusive` targets must not exist.
 * 2. Each content goes to a temporary file next to its target, created
 *    0600 with O_EXCL and tracked for removal on SIGINT/SIGTERM/SIGHUP;
 *    it gets the replaced file's owner, and is fsynced.
 * 3. All temporary files get their final mode (the replaced file's, or the
 *    new file's) and are renamed into place in one synchronous step (no
 *    signal handler can run in between); if one rename fails, the files
 *    already renamed are put back as they were, so a multi-file write either
 *    lands whole or not at all.
 * On any failure, no temporary file is left behind.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync } from "node:fs";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SigilError } from "../../core/index.js";
import { checkOutputTarget } from "./output-target.js";
import type { OutputTarget } from "./output-target.js";
import { registerTempFile, releaseTempFile } from "./temp-files.js";

/** One file to write. */
export interface OutputFile {
  /** Absolute path. */
  readonly path: string;
  readonly content: string | Uint8Array;
  /** Mode of a new file (default 0666 less the umask, as sops' `os.Create`). */
  readonly mode?: number | undefined;
  /** Give the file `mode` even when it replaces an existing one (private key files). */
  readonly forceMode?: boolean | undefined;
  /** Refuse when the file exists (`output.exists`). */
  readonly exclusive?: boolean | undefined;
}

/** How files are written. */
export interface WriteOptions {
  /** Test hook: wait this long after the temporary files are written and before they are renamed (0: none). */
  readonly pauseBeforeRenameMs: number;
}

export function defaultWriteOptions(): WriteOptions {
  return { pauseBeforeRenameMs: 0 };
}

interface Staged {
  readonly target: OutputTarget;
  readonly temp: string;
  readonly exclusive: boolean;
  readonly mode: number;
  backup?: string;
  committed?: boolean;
}

/**
 * The process umask, read from /proc (Linux) rather than with
 * `process.umask()`, which can only read it by setting it twice (racy).
 * Elsewhere: the common 022.
 */
function currentUmask(): number {
  try {
    const match = /^Umask:\s*([0-7]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return match?.[1] === undefined ? 0o022 : parseInt(match[1], 8);
  } catch {
    return 0o022;
  }
}

/** What sops' `os.Create` gives a new file: 0666 less the umask. */
function defaultNewFileMode(): number {
  return 0o666 & ~currentUmask();
}

function siblingName(path: string, suffix: string): string {
  return join(dirname(path), `.${basename(path)}.sigil-${randomBytes(6).toString("hex")}.${suffix}`);
}

function writeFailed(subject: string, message: string, cause: unknown): SigilError {
  return new SigilError("output.write_failed", message, { subject, cause });
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
  releaseTempFile(path);
}

async function fillTemp(fh: FileHandle, target: OutputTarget, file: OutputFile): Promise<void> {
  await fh.writeFile(file.content);
  const existing = target.existing;
  if (existing !== undefined && (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.())) {
    await fh.chown(existing.uid, existing.gid);
  }
  await fh.sync();
}

/** The mode the file gets when it lands (the temporary file stays 0600 until then). */
function finalMode(target: OutputTarget, file: OutputFile): number {
  const existing = target.existing;
  if (existing !== undefined && file.forceMode !== true) return existing.mode & 0o7777;
  return file.mode ?? defaultNewFileMode();
}

/** Write `file` to a new 0600 temporary file next to its target. */
async function stage(target: OutputTarget, file: OutputFile): Promise<Staged> {
  const temp = siblingName(target.path, "tmp");
  registerTempFile(temp);
  let fh: FileHandle | undefined;
  try {
    fh = await open(temp, "wx", 0o600);
    await fillTemp(fh, target, file);
    await fh.close();
    return { target, temp, exclusive: file.exclusive === true, mode: finalMode(target, file) };
  } catch (cause) {
    await fh?.close().catch(() => undefined);
    removeQuietly(temp);
    throw writeFailed(target.requested, "the output file could not be written", cause);
  }
}

function commitOne(s: Staged, keepBackup: boolean): void {
  chmodSync(s.temp, s.mode); // only now: until this step a SIGKILL leaves at most a 0600 file
  if (s.exclusive) {
    linkSync(s.temp, s.target.path); // fails with EEXIST if the file appeared meanwhile: never clobbered
    s.committed = true;
    removeQuietly(s.temp);
    return;
  }
  if (keepBackup && s.target.existing !== undefined) {
    s.backup = siblingName(s.target.path, "bak");
    linkSync(s.target.path, s.backup);
  }
  renameSync(s.temp, s.target.path);
  s.committed = true;
  releaseTempFile(s.temp);
}

function rollback(staged: readonly Staged[]): void {
  for (const s of staged) {
    try {
      if (s.committed === true && s.backup !== undefined) renameSync(s.backup, s.target.path);
      else if (s.committed === true) unlinkSync(s.target.path);
      else if (s.backup !== undefined) unlinkSync(s.backup);
    } catch {
      // best effort: report the original failure
    }
    if (s.committed !== true) removeQuietly(s.temp);
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not every file system can sync a directory
  }
}

/** Rename every staged file into place, synchronously; all or none. */
function commitAll(staged: readonly Staged[]): void {
  const many = staged.length > 1;
  for (const s of staged) {
    try {
      commitOne(s, many);
    } catch (cause) {
      rollback(staged);
      const exists = (cause as { code?: unknown }).code === "EEXIST";
      if (exists) throw new SigilError("output.exists", "refusing to overwrite an existing file (pass --force)", { subject: s.target.requested, cause });
      throw writeFailed(s.target.requested, "the output file could not be put in place; nothing was changed", cause);
    }
  }
  for (const s of staged) if (s.backup !== undefined) unlinkSync(s.backup);
  for (const dir of new Set(staged.map((s) => dirname(s.target.path)))) syncDirectory(dir);
}

/**
 * Check every target of a multi-file write, before anything is written.
 * @throws SigilError as `checkOutputTarget`, or `input.conflicting_flags` when two outputs are the same file.
 */
export async function checkOutputFiles(files: readonly Pick<OutputFile, "path" | "exclusive">[]): Promise<OutputTarget[]> {
  const targets: OutputTarget[] = [];
  for (const file of files) {
    const target = await checkOutputTarget(file.path, { exclusive: file.exclusive === true });
    const twin = targets.find((t) => t.path === target.path);
    if (twin !== undefined) throw new SigilError("input.conflicting_flags", `two outputs are the same file (${twin.requested})`, { subject: file.path });
    targets.push(target);
  }
  return targets;
}

/**
 * Write several files: every target is checked before anything is written,
 * and they land all together or not at all.
 * @throws SigilError `output.unsafe_target`, `output.read_only`, `output.exists`
 *   (see `checkOutputTarget`), `input.conflicting_flags` when two outputs are
 *   the same file, `output.write_failed` when writing fails (nothing changed).
 */
export async function writeOutputFiles(files: readonly OutputFile[], options: Partial<WriteOptions> = {}): Promise<void> {
  const opts = { ...defaultWriteOptions(), ...options };
  const targets = await checkOutputFiles(files);
  const staged: Staged[] = [];
  try {
    for (const [i, target] of targets.entries()) {
      const file = files[i];
      if (file !== undefined) staged.push(await stage(target, file));
    }
    if (opts.pauseBeforeRenameMs > 0) await sleep(opts.pauseBeforeRenameMs);
  } catch (err) {
    rollback(staged);
    throw err;
  }
  commitAll(staged);
}

/** `writeOutputFiles` for one file. */
export async function writeOutputFile(file: OutputFile, options: Partial<WriteOptions> = {}): Promise<void> {
  await writeOutputFiles([file], options);
}
