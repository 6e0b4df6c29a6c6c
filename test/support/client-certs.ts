/**
 * Client certificates for tests, made with openssl (as test/env/pki.ts makes
 * the environment's PKI): a throw-away CA for unit tests, or the
 * environment's own CA (the API server's --client-ca-file) for integration
 * tests; and exec credential plugins that hand them out.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A CA: certificate and key files. */
export interface TestCa {
  readonly crt: string;
  readonly key: string;
}

/** A client certificate and key (PEM text). */
export interface TestClientCert {
  readonly cert: string;
  readonly key: string;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(args: readonly string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA of its own under `dir`, with a server certificate for 127.0.0.1. */
export function makeTestCa(dir: string): TestCa & { readonly serverCrt: string; readonly serverKey: string } {
  const ca = { crt: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  openssl(["req", "-x509", ...EC, "-days", "1", "-subj", "/CN=test-ca", "-keyout", ca.key, "-out", ca.crt]);
  const server = signCertificate(ca, dir, "server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  const serverCrt = join(dir, "server.crt");
  const serverKey = join(dir, "server.key");
  writeFileSync(serverCrt, server.cert);
  writeFileSync(serverKey, server.key);
  return { ...ca, serverCrt, serverKey };
}

/** A client certificate for user `cn` (groups as `O=`), signed by `ca`, valid for a day. */
export function signClientCert(ca: TestCa, dir: string, cn: string, groups: readonly string[] = []): TestClientCert {
  const subject = `/CN=${cn}${groups.map((g) => `/O=${g}`).join("")}`;
  return signCertificate(ca, dir, `client-${cn}`, subject, "extendedKeyUsage=clientAuth\n");
}

function signCertificate(ca: TestCa, dir: string, name: string, subject: string, ext: string): TestClientCert {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const crt = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  openssl(["req", ...EC, "-subj", subject, "-keyout", key, "-out", csr]);
  openssl(["x509", "-req", "-in", csr, "-CA", ca.crt, "-CAkey", ca.key, "-CAcreateserial", "-CAserial", join(dir, `${name}.srl`), "-days", "1", "-extfile", extFile, "-out", crt]);
  return { cert: readFileSync(crt, "utf8"), key: readFileSync(key, "utf8") };
}

/**
 * An exec credential plugin (a shell script) that prints, on its n-th run,
 * an ExecCredential whose status is the n-th of `statuses` (the last one
 * again after that), expiring n × `ttlSeconds` after the run (so that a
 * client whose clock a test moves ahead sees each credential outlive the
 * one before). It counts its runs in `<dir>/runs`. Returns the script's path.
 */
export function sequencePlugin(dir: string, statuses: readonly Record<string, string>[], ttlSeconds: number, apiVersion = "client.authentication.k8s.io/v1"): string {
  statuses.forEach((status, i) => {
    writeFileSync(join(dir, `credential-${i + 1}.json`), JSON.stringify({ apiVersion, kind: "ExecCredential", status: { ...status, expirationTimestamp: "EXPIRY" } }));
  });
  const script = join(dir, "plugin.sh");
  writeFileSync(
    script,
    [
      "#!/bin/sh",
      "set -e",
      `cd '${dir}'`,
      "n=$(( $(cat runs 2>/dev/null || echo 0) + 1 ))",
      "echo $n > runs",
      `i=$n; [ $i -gt ${statuses.length} ] && i=${statuses.length}`,
      `expiry=$(date -u -d "@$(( $(date +%s) + ${ttlSeconds} * n ))" +%Y-%m-%dT%H:%M:%SZ)`,
      'sed "s/EXPIRY/$expiry/" credential-$i.json',
      "",
    ].join("\n"),
  );
  chmodSync(script, 0o700);
  return script;
}

/** A {@link sequencePlugin} handing out these client certificates in turn. */
export function certificatePlugin(dir: string, certs: readonly TestClientCert[], ttlSeconds: number): string {
  return sequencePlugin(dir, certs.map((c) => ({ clientCertificateData: c.cert, clientKeyData: c.key })), ttlSeconds);
}

/** How many times the plugin made by {@link certificatePlugin} in `dir` ran. */
export function pluginRuns(dir: string): number {
  try {
    return Number(readFileSync(join(dir, "runs"), "utf8").trim());
  } catch {
    return 0;
  }
}
