/** Test PKI made with openssl: one CA, server certificates, the service-account key. */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./proc.js";

export interface Pki {
  readonly dir: string;
  readonly caCrt: string;
  readonly caKey: string;
  readonly serverCrt: string;
  readonly serverKey: string;
  readonly saKey: string;
  readonly saPub: string;
}

const SANS = "IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local";

/**
 * Create the PKI under `dir` unless it exists already (it is reused across
 * `up`s). `caName` is the CA's common name: each cluster of the environment
 * has its own CA (and its own service-account key), so one cluster's
 * credentials and certificates mean nothing to the other.
 */
export function ensurePki(dir: string, caName = "sigil-test-ca"): Pki {
  const pki: Pki = {
    dir,
    caCrt: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    serverCrt: join(dir, "server.crt"),
    serverKey: join(dir, "server.key"),
    saKey: join(dir, "sa.key"),
    saPub: join(dir, "sa.pub"),
  };
  if (existsSync(pki.saPub)) return pki;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const step = "pki";
  run(step, "openssl", ["req", "-x509", ...ec, "-days", "3650", "-subj", `/CN=${caName}`, "-keyout", pki.caKey, "-out", pki.caCrt]);
  const csr = join(dir, "server.csr");
  run(step, "openssl", ["req", ...ec, "-subj", "/CN=127.0.0.1", "-keyout", pki.serverKey, "-out", csr]);
  const ext = join(dir, "server.ext");
  writeFileSync(ext, `subjectAltName=${SANS}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  run(step, "openssl", ["x509", "-req", "-in", csr, "-CA", pki.caCrt, "-CAkey", pki.caKey, "-CAcreateserial", "-days", "3650", "-extfile", ext, "-out", pki.serverCrt]);
  run(step, "openssl", ["genrsa", "-out", pki.saKey, "2048"]);
  run(step, "openssl", ["rsa", "-in", pki.saKey, "-pubout", "-out", pki.saPub]);
  return pki;
}
