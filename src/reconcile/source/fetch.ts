/**
 * Fetch a revision with git (through simple-git): resolve the ref with
 * `ls-remote`, and unless the cache already holds that commit, fetch it
 * shallowly into a fresh directory, check it out, drop `.git` and ignored
 * files, and rename it into the cache. The cache is keyed by URL, ignore
 * patterns and commit; a half-fetched directory never looks complete.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import type { SimpleGit } from "simple-git";
import { Logger } from "../../core/index.js";
import { prepareAuth } from "./credentials.js";
import { gitError } from "./errors.js";
import { applyIgnore, compileIgnore } from "./ignore.js";
import { parseLsRemote, resolveRef } from "./refs.js";
import type { ResolvedRef } from "./refs.js";
import type { Artifact, FetchRequest } from "./types.js";
import { transportOf } from "./url.js";

export interface SourceOptions {
  /** Where fetched revisions are kept. */
  readonly cacheDir: string;
  /** Where credentials files go while a fetch runs (private temp dirs inside). */
  readonly tmpDir: string;
  readonly timeoutMs: number;
  /** Revisions kept per URL. */
  readonly keepRevisions: number;
  /** Base environment for git (PATH, HOME, …); credentials are added per fetch. */
  readonly env: Readonly<Record<string, string>>;
  readonly logger: Logger;
}

/** Defaults: a cache under the system temp dir, 60 s, a minimal environment. */
export function defaultSourceOptions(): SourceOptions {
  return {
    cacheDir: join(tmpdir(), "sigil-git-cache"),
    tmpDir: tmpdir(),
    timeoutMs: 60_000,
    keepRevisions: 3,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: process.env["HOME"] ?? "/tmp", GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" },
    logger: new Logger(),
  };
}

function gitFor(dir: string | undefined, env: Readonly<Record<string, string>>, signal: AbortSignal): SimpleGit {
  const git = simpleGit({ ...(dir === undefined ? {} : { baseDir: dir }), abort: signal, unsafe: { allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true } });
  return git.env({ ...env });
}

function cacheKey(req: FetchRequest): string {
  return createHash("sha256").update(`${req.url}\0${req.ignore ?? ""}`).digest("hex").slice(0, 24);
}

async function resolve(req: FetchRequest, env: Readonly<Record<string, string>>, signal: AbortSignal): Promise<ResolvedRef> {
  if (req.ref?.commit !== undefined) return resolveRef({ head: undefined, refs: new Map() }, req.ref);
  const out = await gitFor(undefined, env, signal).listRemote(["--symref", req.url]);
  return resolveRef(parseLsRemote(out), req.ref);
}

async function checkout(req: FetchRequest, resolved: ResolvedRef, dest: string, env: Readonly<Record<string, string>>, signal: AbortSignal): Promise<void> {
  const git = gitFor(dest, env, signal);
  await git.init();
  try {
    await git.raw(["fetch", "--depth=1", "--no-tags", req.url, resolved.fetch]);
  } catch (err) {
    // A server that refuses a shallow fetch of a bare commit: fetch every branch and tag instead.
    if (req.ref?.commit === undefined) throw err;
    await git.raw(["fetch", "--no-tags", req.url, "+refs/heads/*:refs/sigil/heads/*", "+refs/tags/*:refs/sigil/tags/*"]);
  }
  await git.raw(["-c", "advice.detachedHead=false", "checkout", "--detach", "--force", resolved.commit]);
  const head = (await git.revparse(["HEAD"])).trim();
  if (head !== resolved.commit) throw gitError(new Error(`checked out ${head}, expected ${resolved.commit}`), req.url, false);
  await rm(join(dest, ".git"), { recursive: true, force: true });
}

async function evict(root: string, keep: number, current: string): Promise<void> {
  const names = (await readdir(root)).filter((n) => !n.startsWith(".tmp-") && n !== current);
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(root, n))).mtimeMs })));
  dated.sort((a, b) => b.t - a.t);
  for (const { n } of dated.slice(Math.max(0, keep - 1))) await rm(join(root, n), { recursive: true, force: true });
}

async function fill(req: FetchRequest, resolved: ResolvedRef, root: string, env: Readonly<Record<string, string>>, signal: AbortSignal): Promise<string> {
  const final = join(root, resolved.commit);
  if (existsSync(final)) return final;
  const tmp = await mkdtemp(join(root, ".tmp-"));
  try {
    await checkout(req, resolved, tmp, env, signal);
    if (req.ignore !== undefined && req.ignore.trim() !== "") await applyIgnore(tmp, compileIgnore(req.ignore));
    if (existsSync(final)) await rm(tmp, { recursive: true, force: true });
    else await rename(tmp, final);
    return final;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Fetch `req` (see the module comment).
 * @throws SigilError `source.invalid`, `source.auth_failed`, `source.host_key_mismatch`,
 *   `source.ref_not_found`, `source.timeout` or `source.fetch_failed`; nothing is left behind.
 */
export async function fetchSource(req: FetchRequest, options: Partial<SourceOptions> = {}): Promise<Artifact> {
  const opts = { ...defaultSourceOptions(), ...options };
  const transport = transportOf(req.url);
  if (req.ignore !== undefined) compileIgnore(req.ignore);
  const auth = await prepareAuth(transport, req.credentials, opts.tmpDir);
  const controller = new AbortController();
  const timer = setTimeout(() => { controller.abort(); }, req.timeoutMs ?? opts.timeoutMs);
  try {
    const env = { ...opts.env, ...auth.env };
    const resolved = await resolve(req, env, controller.signal);
    const root = join(opts.cacheDir, cacheKey(req));
    await mkdir(root, { recursive: true, mode: 0o700 });
    const cached = existsSync(join(root, resolved.commit));
    const dir = await fill(req, resolved, root, env, controller.signal);
    await evict(root, opts.keepRevisions, resolved.commit);
    opts.logger.debug("fetched", { url: req.url, revision: resolved.revision, cached });
    return { url: req.url, revision: resolved.revision, commit: resolved.commit, dir, cached };
  } catch (err) {
    throw gitError(err, req.url, controller.signal.aborted);
  } finally {
    clearTimeout(timer);
    await auth.cleanup();
  }
}
