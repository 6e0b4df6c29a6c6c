/**
 * Client-go credential plugins (`users[].user.exec`), run by Sigil itself
 * per the `client.authentication.k8s.io` ExecCredential format: the plugin
 * gets `KUBERNETES_EXEC_INFO` (an ExecCredential whose `spec` says the
 * session is not interactive and, when `provideClusterInfo` is set, which
 * cluster is called) and prints an ExecCredential whose `status` holds a
 * `token` and/or `clientCertificateData` + `clientKeyData`, optionally with
 * an `expirationTimestamp`. The credential is cached until it expires.
 * The plugin's stderr and stdout are never quoted in errors.
 */
import { execFile } from "node:child_process";
import { SigilError } from "../../core/index.js";
import { str } from "./document.js";
import type { Fields } from "./document.js";

/** The ExecCredential API versions Sigil speaks. */
export const EXEC_API_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"] as const;

/** What a plugin returned. */
export interface ExecCredential {
  readonly token?: string | undefined;
  readonly clientCertificateData?: string | undefined;
  readonly clientKeyData?: string | undefined;
  /** Milliseconds since the epoch; undefined = does not expire. */
  readonly expiresAt?: number | undefined;
}

/** Runs a command; injected in tests. Resolves with stdout, rejects with the exit status. */
export type RunCommand = (command: string, args: readonly string[], env: Readonly<Record<string, string | undefined>>) => Promise<string>;

/** Longest a plugin may run, and the most it may print. */
export const EXEC_TIMEOUT_MS = 60_000;
export const EXEC_MAX_OUTPUT_BYTES = 1024 * 1024;

/** A plugin run that failed: only its exit code or errno is kept (its output may hold credentials). */
export class ExecFailed extends Error {
  readonly code: string | number | undefined;
  constructor(code: string | number | null | undefined) {
    super(`exec failed (${String(code)})`);
    this.code = code ?? undefined;
  }
}

/** The default {@link RunCommand}: `execFile` with a timeout and an output cap, stdin closed. */
export const defaultRunCommand: RunCommand = (command, args, env) =>
  new Promise((resolve, reject) => {
    execFile(command, [...args], { env, timeout: EXEC_TIMEOUT_MS, maxBuffer: EXEC_MAX_OUTPUT_BYTES, encoding: "utf8" }, (err, stdout) => {
      if (err === null) resolve(stdout);
      else reject(new ExecFailed(err.code));
    });
  });

/** The parts of an `exec` block Sigil uses. */
interface ExecConfig {
  readonly apiVersion: string;
  readonly command: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly installHint: string | undefined;
  readonly provideClusterInfo: boolean;
}

function execConfig(exec: Fields, subject: string): ExecConfig {
  const apiVersion = str(exec["apiVersion"]) ?? "";
  const command = str(exec["command"]);
  if (command === undefined) throw new SigilError("config.invalid", "the exec plugin has no command", { subject });
  if (!(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw new SigilError("config.invalid", `the exec plugin's apiVersion '${apiVersion}' is not one of ${EXEC_API_VERSIONS.join(", ")}`, { subject });
  }
  if (exec["interactiveMode"] === "Always") throw new SigilError("config.invalid", "the exec plugin needs an interactive terminal (interactiveMode: Always)", { subject });
  const args = Array.isArray(exec["args"]) ? (exec["args"] as unknown[]).filter((a): a is string => typeof a === "string") : [];
  const env: Record<string, string> = {};
  for (const item of Array.isArray(exec["env"]) ? (exec["env"] as unknown[]) : []) {
    const e = item as { name?: unknown; value?: unknown } | null;
    if (typeof e?.name === "string" && typeof e.value === "string") env[e.name] = e.value;
  }
  return { apiVersion, command, args, env, installHint: str(exec["installHint"]), provideClusterInfo: exec["provideClusterInfo"] === true };
}

function parseCredential(stdout: string, apiVersion: string, subject: string): ExecCredential {
  let doc: { apiVersion?: unknown; kind?: unknown; status?: Record<string, unknown> };
  try {
    doc = JSON.parse(stdout) as typeof doc;
  } catch {
    throw new SigilError("kube.unauthorized", "the exec plugin did not print an ExecCredential (invalid json)", { subject });
  }
  if (doc.kind !== "ExecCredential" || doc.apiVersion !== apiVersion) {
    throw new SigilError("kube.unauthorized", `the exec plugin did not print an ExecCredential of ${apiVersion}`, { subject });
  }
  const status = doc.status ?? {};
  const expiry = str(status["expirationTimestamp"]);
  const expiresAt = expiry === undefined ? undefined : Date.parse(expiry);
  const credential = { token: str(status["token"]), clientCertificateData: str(status["clientCertificateData"]), clientKeyData: str(status["clientKeyData"]), expiresAt };
  if (credential.token === undefined && (credential.clientCertificateData === undefined || credential.clientKeyData === undefined)) {
    throw new SigilError("kube.unauthorized", "the exec plugin's ExecCredential has neither a token nor a client certificate and key", { subject });
  }
  return credential;
}

/** A source of exec-plugin credentials, cached until they expire. */
export interface ExecPlugin {
  /** The cached credential, or a fresh one (one plugin run shared by concurrent callers) when there is none or it expires within 10 s. */
  credential(): Promise<ExecCredential>;
  /** Forget the cached credential (the server refused it): the next `credential()` runs the plugin. */
  invalidate(): void;
}

/** How long before its `expirationTimestamp` a credential is renewed. */
export const EXEC_RENEW_BEFORE_MS = 10_000;

/**
 * The plugin an `exec` block describes. `cluster` is what
 * `provideClusterInfo` passes (the `Cluster` fields of the ExecCredential spec).
 * @throws SigilError `config.invalid` for a block without a command, with an unknown apiVersion, or that needs a terminal. `credential()` rejects with `kube.unauthorized` when the plugin fails or prints no usable ExecCredential.
 */
export function execPlugin(exec: Fields, cluster: Readonly<Record<string, unknown>>, baseEnv: Readonly<Record<string, string | undefined>>, subject: string, run: RunCommand = defaultRunCommand, now: () => number = Date.now): ExecPlugin {
  const cfg = execConfig(exec, subject);
  let cached: ExecCredential | undefined;
  let pending: Promise<ExecCredential> | undefined;
  const spec = { interactive: false, ...(cfg.provideClusterInfo ? { cluster } : {}) };
  const info = JSON.stringify({ apiVersion: cfg.apiVersion, kind: "ExecCredential", spec });
  const call = async (): Promise<ExecCredential> => {
    let stdout: string;
    try {
      stdout = await run(cfg.command, cfg.args, { ...baseEnv, ...cfg.env, KUBERNETES_EXEC_INFO: info });
    } catch (cause) {
      const code = (cause as { code?: unknown } | null)?.code;
      const hint = code === "ENOENT" && cfg.installHint !== undefined ? `: ${cfg.installHint}` : "";
      const why = typeof code === "string" || typeof code === "number" ? ` (${String(code)})` : "";
      throw new SigilError("kube.unauthorized", `the exec plugin '${cfg.command}' failed${why}${hint}`, { subject });
    }
    return parseCredential(stdout, cfg.apiVersion, subject);
  };
  return {
    credential() {
      if (cached !== undefined && (cached.expiresAt === undefined || cached.expiresAt - EXEC_RENEW_BEFORE_MS > now())) return Promise.resolve(cached);
      pending ??= call().then(
        (c) => {
          cached = c;
          pending = undefined;
          return c;
        },
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
      return pending;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
