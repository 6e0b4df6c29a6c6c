/**
 * A private OpenBao dev server for tests that need what the shared one has
 * not: a TLS listener (its own test CA, server certificate for 127.0.0.1)
 * next to the plain one, client certificates from a second CA for `cert`
 * auth, and a file audit device of its own. The shared environment's
 * OpenBao is never touched; stop() ends the process and removes its files.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, run } from "../env/proc.js";
import { peerBin } from "./peers.js";

/** PEM files of one certificate and its key. */
export interface CertPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A running private OpenBao. */
export interface PrivateBao {
  /** `http://127.0.0.1:<port>` */
  readonly httpAddr: string;
  /** `https://127.0.0.1:<port>` (server certificate signed by `serverCaPem`). */
  readonly tlsAddr: string;
  readonly rootToken: string;
  readonly version: string;
  readonly serverCaPem: string;
  /** Another CA, and a client certificate it signed (for `cert` auth); `strangerClient` is signed by a CA OpenBao is not told about. */
  readonly clientCaPem: string;
  readonly client: CertPair;
  readonly strangerClient: CertPair;
  readonly auditLog: string;
  /** A root-token call on the plain listener (optionally in a namespace); throws on a non-2xx answer. */
  call(method: string, path: string, body?: unknown, namespace?: string): Promise<Record<string, unknown> | undefined>;
  /** Audit entries (requests) written so far, parsed. */
  audit(): AuditEntry[];
  stop(): void;
}

/** The parts of an OpenBao audit request entry tests look at. */
export interface AuditEntry {
  readonly type: string;
  readonly request?: { path?: string; operation?: string; headers?: Record<string, string[]>; namespace?: { path?: string } };
  readonly auth?: { display_name?: string };
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function makeCa(dir: string, name: string): { crt: string; key: string } {
  const crt = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  run("test ca", "openssl", ["req", "-x509", ...EC, "-days", "2", "-subj", `/CN=${name}`, "-keyout", key, "-out", crt]);
  return { crt, key };
}

function issue(dir: string, ca: { crt: string; key: string }, name: string, ext: string): CertPair {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const crt = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  run("test cert", "openssl", ["req", ...EC, "-subj", `/CN=${name}`, "-keyout", key, "-out", csr]);
  run("test cert", "openssl", ["x509", "-req", "-in", csr, "-CA", ca.crt, "-CAkey", ca.key, "-CAcreateserial", "-days", "2", "-extfile", extFile, "-out", crt]);
  return { certPem: readFileSync(crt, "utf8"), keyPem: readFileSync(key, "utf8") };
}

/** Start it (a few seconds); call stop() when done. */
export async function startPrivateBao(): Promise<PrivateBao> {
  const dir = mkdtempSync(join(tmpdir(), "sigil-bao-tls-"));
  const serverCa = makeCa(dir, "server-ca");
  const server = issue(dir, serverCa, "127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  writeFileSync(join(dir, "server.crt"), server.certPem);
  writeFileSync(join(dir, "server.key"), server.keyPem);
  const clientCa = makeCa(dir, "client-ca");
  const client = issue(dir, clientCa, "sigil-client", "extendedKeyUsage=clientAuth\n");
  const stranger = issue(dir, makeCa(dir, "stranger-ca"), "stranger-client", "extendedKeyUsage=clientAuth\n");
  const [httpPort, tlsPort] = [await freePort(), await freePort()];
  const auditLog = join(dir, "audit.log");
  const rootToken = "root-private";
  writeFileSync(join(dir, "openbao.hcl"), [
    `listener "tcp" {\n  address = "127.0.0.1:${tlsPort}"\n  tls_cert_file = "${join(dir, "server.crt")}"\n  tls_key_file = "${join(dir, "server.key")}"\n}`,
    `audit "file" "file" {\n  description = "sigil test"\n  options = { file_path = "${auditLog}" }\n}`,
  ].join("\n"));
  const proc = spawn(peerBin("bao"), ["server", "-dev", `-dev-root-token-id=${rootToken}`, `-dev-listen-address=127.0.0.1:${httpPort}`, "-dev-no-store-token", `-config=${join(dir, "openbao.hcl")}`], { env: { PATH: process.env["PATH"] ?? "", HOME: dir, SKIP_SETCAP: "1" }, stdio: "ignore" });
  const httpAddr = `http://127.0.0.1:${httpPort}`;
  const stop = (): void => {
    proc.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  let version = "";
  for (let i = 0; i < 300 && version === "" && proc.exitCode === null; i++) {
    const res = await fetch(`${httpAddr}/v1/sys/health`).catch(() => undefined);
    if (res?.status === 200) version = ((await res.json()) as { version?: string }).version ?? "?";
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (version === "") {
    stop();
    throw new Error("the private openbao did not start");
  }
  const call = async (method: string, path: string, body?: unknown, namespace?: string): Promise<Record<string, unknown> | undefined> => {
    const res = await fetch(`${httpAddr}/v1/${path}`, { method, headers: { "X-Vault-Token": rootToken, ...(namespace === undefined ? {} : { "X-Vault-Namespace": namespace }) }, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>);
  };
  const audit = (): AuditEntry[] => {
    let text: string;
    try {
      text = readFileSync(auditLog, "utf8");
    } catch {
      return [];
    }
    return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as AuditEntry).filter((e) => e.type === "request");
  };
  return {
    httpAddr, tlsAddr: `https://127.0.0.1:${tlsPort}`, rootToken, version, serverCaPem: readFileSync(serverCa.crt, "utf8"),
    clientCaPem: readFileSync(clientCa.crt, "utf8"), client, strangerClient: stranger, auditLog, call, audit, stop,
  };
}
