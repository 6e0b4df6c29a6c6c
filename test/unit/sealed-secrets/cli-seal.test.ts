import { readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseManifests,
  selfSignCertificate,
  toSealedSecret,
  unsealSealedSecret,
} from "../../../src/decrypt/sealed-secrets/index.js";
import type { SealedSecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { sigil, tempDir } from "./cli-support.js";
import { fixture, fixturePath, fixtureKey, ring } from "./support.js";

const CERT = fixturePath("key1.crt");
const SECRET = fixturePath("secret.yaml");
/** The plaintexts of secret.yaml. */
const KAT_VALUES = { username: "kat-user", password: "kat-password-1b7e", "config.json": '{"pw":"kat-password-1b7e"}' };

/** Open a `--raw` blob with key1 for the given scope label. */
async function openRaw(blob: string, label: string): Promise<string | undefined> {
  const { decodeBase64Strict, splitBlob, openWithKey } = await import("../../../src/decrypt/sealed-secrets/index.js");
  return openWithKey(fixtureKey("key1").privateKey, splitBlob(decodeBase64Strict(blob, "raw")), Buffer.from(label))?.toString();
}

function unsealText(text: string, key: "key1" | "key2" = "key1"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const doc of parseManifests(text, "out")) {
    const secret = unsealSealedSecret(toSealedSecret(doc, "out"), ring(key));
    for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, "base64").toString();
  }
  return out;
}

describe("sigil seal with a certificate file", () => {
  it("seals -f input to pretty JSON with a trailing newline by default", async () => {
    const r = await sigil(["seal", "--cert", CERT, "-f", SECRET]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('{\n  "kind": "SealedSecret",\n  "apiVersion": "bitnami.com/v1alpha1",')).toBe(true);
    expect(r.stdout.endsWith("}\n")).toBe(true);
    expect(unsealText(r.stdout)).toEqual(KAT_VALUES);
  });

  it("reads stdin and prints YAML prefixed with ---", async () => {
    const r = await sigil(["seal", "--cert", CERT, "-o", "yaml"], { stdin: fixture("secret.yaml") });
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("---\napiVersion: bitnami.com/v1alpha1\n")).toBe(true);
    expect(unsealText(r.stdout)).toEqual(KAT_VALUES);
  });

  it("seals every document of a multi-document input", async () => {
    const two = `${fixture("secret.yaml")}---\n${fixture("secret.yaml").replace("name: kat-secret", "name: second")}`;
    const r = await sigil(["seal", "--cert", CERT, "-o", "yaml"], { stdin: two });
    expect(r.stdout.match(/^kind: SealedSecret$/gm)?.length).toBe(2);
    const docs = parseManifests(r.stdout, "out").map((d) => toSealedSecret(d, "out"));
    expect(docs.map((d) => d.metadata.name)).toEqual(["kat-secret", "second"]);
    for (const doc of docs) {
      const values = Object.entries(unsealSealedSecret(doc, ring("key1")).data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]);
      expect(Object.fromEntries(values)).toEqual(KAT_VALUES);
    }
  });

  it("writes -w x.yaml as YAML, and leaves no file when sealing fails", async () => {
    const dir = tempDir();
    const ok = join(dir, "out.yaml");
    expect((await sigil(["seal", "--cert", CERT, "-f", SECRET, "-w", ok])).code).toBe(0);
    expect(readFileSync(ok, "utf8").startsWith("---\n")).toBe(true);
    expect(unsealText(readFileSync(ok, "utf8"))).toEqual(KAT_VALUES);
    const bad = join(dir, "bad.yaml");
    const r = await sigil(["seal", "--cert", CERT, "-w", bad], { stdin: "apiVersion: v1\nkind: Secret\nmetadata: {name: x, namespace: y}\n" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("--allow-empty-data");
    expect(existsSync(bad)).toBe(false);
  });

  it("accepts an empty Secret with --allow-empty-data", async () => {
    const r = await sigil(["seal", "--cert", CERT, "--allow-empty-data"], { stdin: "apiVersion: v1\nkind: Secret\nmetadata: {name: x, namespace: y}\n" });
    expect(r.code, r.stderr).toBe(0);
    const ss = toSealedSecret(JSON.parse(r.stdout), "out");
    expect(ss.metadata).toMatchObject({ name: "x", namespace: "y" });
    expect(ss.spec.encryptedData).toEqual({});
  });

  it("applies --scope and --name", async () => {
    const r = await sigil(["seal", "--cert", CERT, "-f", SECRET, "--scope", "namespace-wide", "--name", "renamed"]);
    const ss = toSealedSecret(JSON.parse(r.stdout), "out");
    expect(ss.metadata.name).toBe("renamed");
    expect(ss.metadata.annotations).toEqual({ "sealedsecrets.bitnami.com/namespace-wide": "true" });
  });

  it("refuses an explicit --namespace that differs from the Secret's", async () => {
    const r = await sigil(["seal", "--cert", CERT, "-f", SECRET, "-n", "other"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('namespace mismatch: input secret is in namespace "kat" but "other" was specified [input.invalid]');
  });

  it("fills a missing namespace from the kubeconfig context", async () => {
    const dir = tempDir();
    const kubeconfig = join(dir, "config");
    writeFileSync(kubeconfig, [
      "apiVersion: v1", "kind: Config", "current-context: c",
      "clusters: [{name: k, cluster: {server: 'https://127.0.0.1:1'}}]",
      "users: [{name: u, user: {token: t}}]",
      "contexts: [{name: c, context: {cluster: k, user: u, namespace: ctx-ns}}]",
    ].join("\n"));
    const input = fixture("secret.yaml").replace("  namespace: kat\n", "");
    const r = await sigil(["seal", "--cert", CERT], { stdin: input, env: { KUBECONFIG: kubeconfig } });
    expect(toSealedSecret(JSON.parse(r.stdout), "o").metadata.namespace).toBe("ctx-ns");
    const dflt = await sigil(["seal", "--cert", CERT], { stdin: input });
    expect(toSealedSecret(JSON.parse(dflt.stdout), "o").metadata.namespace).toBe("default");
  });

  it("refuses an expired certificate with sealed.cert_expired", async () => {
    const dir = tempDir();
    const expired = join(dir, "old.crt");
    writeFileSync(expired, selfSignCertificate(fixtureKey("key2").privateKey, { now: () => new Date("2001-01-01"), validForMs: 1000 }));
    const r = await sigil(["seal", "--cert", expired, "-f", SECRET]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to seal with a certificate that expired on 2001-01-01 \[sealed.cert_expired\]/);
  });

  it("prints the certificate unchanged with --fetch-cert", async () => {
    const r = await sigil(["seal", "--cert", CERT, "--fetch-cert"]);
    expect(r.stdout).toBe(fixture("key1.crt"));
  });

  it("reads a file:// certificate URL", async () => {
    // key2's certificate, so the output shows which certificate was read: only key2 unseals it.
    const r = await sigil(["seal", "--cert", pathToFileURL(fixturePath("key2.crt")).href, "-f", SECRET]);
    expect(r.code, r.stderr).toBe(0);
    expect(unsealText(r.stdout, "key2")).toEqual(KAT_VALUES);
    expect(() => unsealText(r.stdout, "key1")).toThrow();
    const fetched = await sigil(["seal", "--cert", pathToFileURL(fixturePath("key2.crt")).href, "--fetch-cert"]);
    expect(fetched.stdout).toBe(fixture("key2.crt"));
  });

  it("names a missing input file", async () => {
    const r = await sigil(["seal", "--cert", CERT, "-f", "/nonexistent/secret.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("/nonexistent/secret.yaml: could not read the file given with -f [input.not_found]");
  });
});

describe("sigil seal --raw", () => {
  const cases = [
    { args: ["--scope", "strict", "-n", "ns", "--name", "n"], label: "ns/n", reason: "strict" },
    { args: ["--scope", "namespace-wide", "-n", "ns"], label: "ns", reason: "namespace-wide" },
    { args: ["--scope", "cluster-wide"], label: "", reason: "cluster-wide" },
  ];
  for (const c of cases) {
    it(`seals stdin for the ${c.reason} scope, without a trailing newline`, async () => {
      const r = await sigil(["seal", "--raw", "--cert", CERT, ...c.args], { stdin: "raw-secret" });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Ag[A-Za-z0-9+/]+=*$/);
      expect(await openRaw(r.stdout, c.label)).toBe("raw-secret");
    });
  }

  it("reads --from-file name=path", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "v"), "from-file");
    const r = await sigil(["seal", "--raw", "--cert", CERT, "--scope", "cluster-wide", "--from-file", `key=${join(dir, "v")}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(await openRaw(r.stdout, "")).toBe("from-file");
  });

  it("needs --name for the strict scope", async () => {
    const r = await sigil(["seal", "--raw", "--cert", CERT, "-n", "ns"], { stdin: "x" });
    expect(r.stderr).toContain("must provide the --name flag with --raw and --scope strict");
  });

  it("refuses --from-file without --raw", async () => {
    const r = await sigil(["seal", "--cert", CERT, "--from-file", "x"]);
    expect(r.stderr).toContain("--from-file requires --raw");
  });

  it("refuses more than one --from-file", async () => {
    const r = await sigil(["seal", "--raw", "--cert", CERT, "--scope", "cluster-wide", "--from-file", "a,b"]);
    expect(r.stderr).toContain("must provide only one --from-file");
  });
});

describe("SEALED_SECRETS_* environment variables", () => {
  it("set flags that are not on the command line", async () => {
    const r = await sigil(["seal", "--raw"], {
      stdin: "v",
      env: { SEALED_SECRETS_CERT: CERT, SEALED_SECRETS_SCOPE: "cluster-wide" },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Ag/);
    expect(await openRaw(r.stdout, "")).toBe("v");
  });

  it("set boolean and list flags", async () => {
    const r = await sigil(["seal", "--cert", CERT], { env: { SEALED_SECRETS_FETCH_CERT: "true" } });
    expect(r.stdout).toBe(fixture("key1.crt"));
  });

  it("lose to the command line", async () => {
    const r = await sigil(["seal", "--cert", CERT, "-o", "yaml", "-f", SECRET], { env: { SEALED_SECRETS_FORMAT: "json" } });
    expect(r.stdout.startsWith("---\n")).toBe(true);
  });

  it("reject a boolean that is not a boolean", async () => {
    const r = await sigil(["seal", "--cert", CERT], { env: { SEALED_SECRETS_RAW: "maybe" } });
    expect(r.stderr).toContain("SEALED_SECRETS_RAW must be true or false");
  });
});

describe("sigil seal --merge-into", () => {
  it("rewrites the file in place, keeping unrelated entries byte-identical", async () => {
    const dir = tempDir();
    const file = join(dir, "sealed.yaml");
    writeFileSync(file, fixture("sealed-strict.yaml"));
    const before = fixture("sealed-strict.yaml").split("\n");
    const input = "apiVersion: v1\nkind: Secret\nmetadata: {name: ignored}\nstringData: {password: rotated-password}\n";
    const r = await sigil(["seal", "--cert", CERT, "--merge-into", file], { stdin: input });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const after = readFileSync(file, "utf8");
    for (const line of before.filter((l) => !l.includes("password:"))) expect(after.split("\n")).toContain(line);
    expect(unsealText(after)["password"]).toBe("rotated-password");
    expect(unsealText(after)["username"]).toBe("kat-user");
  });
});

describe("sigil seal against a controller", () => {
  let server: Server;
  let base = "";
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        requests.push(`${req.method ?? ""} ${req.url ?? ""}`);
        const url = req.url ?? "";
        if (url === "/api/v1/namespaces/ctl/services/sealer") {
          res.end(JSON.stringify({ spec: { ports: [{ name: "web", port: 8080 }] } }));
        } else if (url.endsWith("/v1/cert.pem")) {
          res.setHeader("Content-Type", "application/x-pem-file");
          res.end(fixture("key1.crt"));
        } else if (url.endsWith("/v1/verify")) {
          res.statusCode = (JSON.parse(body) as SealedSecretObject).metadata.name === "kat-secret" ? 200 : 409;
          res.end();
        } else if (url.endsWith("/v1/rotate")) {
          const ss = JSON.parse(body) as SealedSecretObject;
          ss.metadata.creationTimestamp = "2024-01-01T00:00:00Z";
          ss.metadata.generation = 4;
          ss.spec.encryptedData = { rotated: "AgB" };
          res.end(JSON.stringify(ss));
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ kind: "Status", message: `no route ${url}` }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  });

  function kubeconfig(): string {
    const file = join(tempDir(), "config");
    writeFileSync(file, [
      "apiVersion: v1", "kind: Config", "current-context: c",
      `clusters: [{name: k, cluster: {server: '${base}', insecure-skip-tls-verify: true}}]`,
      "users: [{name: u, user: {token: t0k3n}}]",
      "contexts: [{name: c, context: {cluster: k, user: u}}]",
    ].join("\n"));
    return file;
  }

  it("fetches the certificate through the API server's service proxy, using the first port name", async () => {
    requests.length = 0;
    const r = await sigil(["seal", "--fetch-cert", "--controller-namespace", "ctl", "--controller-name", "sealer", "--kubeconfig", kubeconfig()]);
    expect(r.stdout).toBe(fixture("key1.crt"));
    expect(requests).toEqual(["GET /api/v1/namespaces/ctl/services/sealer", "GET /api/v1/namespaces/ctl/services/http:sealer:web/proxy/v1/cert.pem"]);
  });

  it("seals with a certificate served over http(s) by URL", async () => {
    const r = await sigil(["seal", "--cert", `${base}/v1/cert.pem`, "-f", SECRET]);
    expect(r.code, r.stderr).toBe(0);
    expect(unsealText(r.stdout)).toEqual(KAT_VALUES);
  });

  it("reports a missing service clearly", async () => {
    const r = await sigil(["seal", "--fetch-cert", "--controller-namespace", "ctl", "--controller-name", "nope", "--kubeconfig", kubeconfig()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot get sealed secret service: 404: no route /api/v1/namespaces/ctl/services/nope");
    expect(r.stderr).toContain("[sealed.fetch_failed]");
  });

  it("validates through --controller-url: 200 passes, 409 names the SealedSecret", async () => {
    const ok = await sigil(["seal", "--validate", "--controller-url", base, "-f", fixturePath("sealed-strict.yaml")]);
    expect(ok.code).toBe(0);
    const renamed = fixture("sealed-strict.yaml").replace("  name: kat-secret\n  namespace", "  name: other\n  namespace");
    const bad = await sigil(["seal", "--validate", "--controller-url", base], { stdin: renamed });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unable to decrypt sealed secret: other [sealed.verify_failed]");
  });

  it("re-encrypts in place when only -f is given, clearing server-set fields", async () => {
    const file = join(tempDir(), "s.yaml");
    writeFileSync(file, fixture("sealed-strict.yaml"));
    const r = await sigil(["seal", "--re-encrypt", "--controller-url", base, "-f", file]);
    expect(r.code).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text.startsWith("---\n")).toBe(true);
    expect(text).toContain("rotated: AgB");
    expect(text).not.toContain("creationTimestamp");
    expect(text).not.toContain("generation");
  });

  it("re-encrypts through the service proxy", async () => {
    requests.length = 0;
    const r = await sigil(["seal", "--rotate", "--controller-namespace", "ctl", "--controller-name", "sealer", "--kubeconfig", kubeconfig()], { stdin: fixture("sealed-strict.yaml") });
    expect(r.code).toBe(0);
    expect(requests.at(-1)).toBe("POST /api/v1/namespaces/ctl/services/http:sealer:web/proxy/v1/rotate");
    expect(toSealedSecret(JSON.parse(r.stdout), "out").spec.encryptedData).toEqual({ rotated: "AgB" });
  });

  it("says what to pass when there is no certificate source", async () => {
    const r = await sigil(["seal", "-f", SECRET]);
    expect(r.stderr).toContain("no kubeconfig with a current cluster: pass --cert, --controller-url or --kubeconfig [config.invalid]");
  });

  it("reports a URL that cannot be reached", async () => {
    const r = await sigil(["seal", "--cert", "http://127.0.0.1:1/cert.pem", "-f", SECRET]);
    expect(r.stderr).toContain("[sealed.fetch_failed]");
  });
});

describe("sigil seal --recovery-unseal", () => {
  it("unseals like sigil unseal", async () => {
    const r = await sigil(["seal", "--recovery-unseal", "--recovery-private-key", fixturePath("key1.pem")], { stdin: fixture("sealed-strict.yaml") });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { kind: string }).kind).toBe("Secret");
    const data = (JSON.parse(r.stdout) as { data: Record<string, string> }).data;
    expect(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]))).toEqual(KAT_VALUES);
    expect(statSync(fixturePath("key1.pem")).isFile()).toBe(true);
  });
});
