/**
 * Compatibility of `sigil seal` / `sigil unseal` / `sigil keygen sealed`
 * with the real kubeseal v0.36.6, and the service-proxy path against the real
 * kube-apiserver.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { formatObject, parseManifests, toSealedSecret } from "../../../src/decrypt/sealed-secrets/index.js";
import type { SealedSecretObject } from "../../../src/decrypt/sealed-secrets/index.js";
import { canary, expectNoLeak } from "../../support/canary.js";
import type { Canary } from "../../support/canary.js";
import { describePeers, peerBin, peers, uniqueName } from "../../support/peers.js";
import { sigil, tempDir } from "../../unit/sealed-secrets/cli-support.js";

const run = promisify(execFile);

interface Proc {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function tool(bin: string, args: readonly string[], stdin = "", env: Record<string, string> = {}): Promise<Proc> {
  const child = run(bin, [...args], { env: { PATH: process.env["PATH"] ?? "", HOME: tempDir(), KUBECONFIG: "/dev/null", ...env }, maxBuffer: 16 << 20 });
  child.child.stdin?.end(stdin);
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const kubeseal = (args: readonly string[], stdin = ""): Promise<Proc> => tool(peerBin("kubeseal"), args, stdin);

const VALUES = { username: "compat-user", password: "compat-p@ss \"quoted\"\nline2", "binary.bin": "\u0000\u00ff" };

function secretYaml(name: string, namespace: string, annotations: Record<string, string> = {}): string {
  return formatObject(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      type: "Opaque",
      data: Object.fromEntries(Object.entries(VALUES).map(([k, v]) => [k, Buffer.from(v, "latin1").toString("base64")])),
    },
    "yaml",
  );
}

/** The decoded values of the Secret(s) printed by an unseal. */
function values(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const doc of parseManifests(text, "out")) {
    const data = (doc as { data?: Record<string, string> }).data ?? {};
    for (const [k, v] of Object.entries(data)) out[k] = Buffer.from(v, "base64").toString("latin1");
  }
  return out;
}

function sealedFile(text: string): SealedSecretObject {
  return toSealedSecret(parseManifests(text, "sealed")[0], "sealed");
}

const SCOPES = ["strict", "namespace-wide", "cluster-wide"] as const;
const SCOPE_ANNOTATION = { strict: {}, "namespace-wide": { "sealedsecrets.bitnami.com/namespace-wide": "true" }, "cluster-wide": { "sealedsecrets.bitnami.com/cluster-wide": "true" } };

describePeers("Sealed Secrets CLI against the real kubeseal", () => {
  let dir = "";
  let cert = "";
  let key = "";
  let keySecret = "";
  let otherCert = "";

  beforeAll(async () => {
    peers();
    dir = tempDir();
    cert = join(dir, "tls.crt");
    key = join(dir, "tls.key");
    keySecret = join(dir, "key.yaml");
    const made = await sigil(["keygen", "sealed", "--cert-out", cert, "--key-out", key, "--secret-out", keySecret]);
    expect(made.code, made.stderr).toBe(0);
    const other = await sigil(["keygen", "sealed", "--key-size", "2048", "--cert-out", join(dir, "other.crt"), "--key-out", join(dir, "other.key")]);
    expect(other.code, other.stderr).toBe(0);
    otherCert = join(dir, "other.crt");
  }, 120_000);

  describe("values sealed by kubeseal --cert with a key made by sigil keygen sealed unseal with sigil unseal", () => {
    for (const scope of SCOPES) {
      it(`for the ${scope} scope, with the PEM key and with the key Secret`, async () => {
        const sealed = await kubeseal(["--cert", cert, "--scope", scope, "-o", "yaml"], secretYaml("compat", "team-a"));
        expect(sealed.code, sealed.stderr).toBe(0);
        for (const keyFile of [key, keySecret]) {
          const r = await sigil(["unseal", "--private-key", keyFile], { stdin: sealed.stdout });
          expect(r.code, r.stderr).toBe(0);
          expect(values(r.stdout)).toEqual(VALUES);
        }
      });
    }

    for (const scope of SCOPES) {
      it(`for --raw values sealed for the ${scope} scope`, async () => {
        const args = scope === "cluster-wide" ? [] : scope === "namespace-wide" ? ["--namespace", "team-a"] : ["--namespace", "team-a", "--name", "raw"];
        const raw = await kubeseal(["--raw", "--cert", cert, "--scope", scope, ...args], "raw-value-\u00e9");
        expect(raw.code, raw.stderr).toBe(0);
        const ss: SealedSecretObject = {
          apiVersion: "bitnami.com/v1alpha1",
          kind: "SealedSecret",
          metadata: { name: "raw", namespace: "team-a", annotations: SCOPE_ANNOTATION[scope] },
          spec: { encryptedData: { value: raw.stdout } },
        };
        const r = await sigil(["unseal", "--private-key", key], { stdin: formatObject(ss, "json") });
        expect(r.code, r.stderr).toBe(0);
        expect(Buffer.from(values(r.stdout)["value"] ?? "", "latin1").toString("utf8")).toBe("raw-value-\u00e9");
      });
    }
  });

  describe("values sealed by sigil seal unseal with kubeseal --recovery-unseal", () => {
    for (const scope of SCOPES) {
      it(`for the ${scope} scope`, async () => {
        const sealed = await sigil(["seal", "--cert", cert, "--scope", scope, "-o", "yaml"], { stdin: secretYaml("compat", "team-b") });
        expect(sealed.code, sealed.stderr).toBe(0);
        const r = await kubeseal(["--recovery-unseal", "--recovery-private-key", key], sealed.stdout);
        expect(r.code, r.stderr).toBe(0);
        expect(values(r.stdout)).toEqual(VALUES);
      });
    }

    for (const scope of SCOPES) {
      it(`for --raw values sealed for the ${scope} scope`, async () => {
        const args = scope === "cluster-wide" ? [] : scope === "namespace-wide" ? ["-n", "team-b"] : ["-n", "team-b", "--name", "raw"];
        const raw = await sigil(["seal", "--raw", "--cert", cert, "--scope", scope, ...args], { stdin: "sigil-raw" });
        expect(raw.code, raw.stderr).toBe(0);
        const ss = { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name: "raw", namespace: "team-b", annotations: SCOPE_ANNOTATION[scope] }, spec: { encryptedData: { value: raw.stdout } } };
        const r = await kubeseal(["--recovery-unseal", "--recovery-private-key", keySecret], JSON.stringify(ss));
        expect(r.code, r.stderr).toBe(0);
        expect(values(r.stdout)["value"]).toBe("sigil-raw");
      });
    }

    it("accepts a sigil keygen certificate in kubeseal and prints the same document shape", async () => {
      const ours = await sigil(["seal", "--cert", cert, "-o", "yaml"], { stdin: secretYaml("shape", "team-c") });
      const theirs = await kubeseal(["--cert", cert, "-o", "yaml"], secretYaml("shape", "team-c"));
      const mask = (t: string): string => t.replace(/Ag[A-Za-z0-9+/=]{100,}/g, "BLOB");
      expect(mask(ours.stdout)).toBe(mask(theirs.stdout));
    });
  });

  describe("--merge-into", () => {
    it("keeps unrelated entries byte-identical in a file made by kubeseal, and kubeseal still unseals it", async () => {
      const file = join(dir, "merge.yaml");
      const original = await kubeseal(["--cert", cert, "-o", "yaml"], secretYaml("merge", "team-d"));
      writeFileSync(file, original.stdout);
      const update = "apiVersion: v1\nkind: Secret\nmetadata: {name: whatever}\nstringData: {password: merged-password, added: merged-added}\n";
      const r = await sigil(["seal", "--cert", cert, "--merge-into", file], { stdin: update });
      expect(r.code, r.stderr).toBe(0);
      const merged = readFileSync(file, "utf8");
      const before = sealedFile(original.stdout).spec.encryptedData;
      const after = sealedFile(merged).spec.encryptedData;
      expect(after["username"]).toBe(before["username"]);
      expect(after["binary.bin"]).toBe(before["binary.bin"]);
      for (const line of original.stdout.split("\n").filter((l) => !l.includes("password:"))) expect(merged.split("\n")).toContain(line);
      const unsealed = await kubeseal(["--recovery-unseal", "--recovery-private-key", key], merged);
      expect(unsealed.code, unsealed.stderr).toBe(0);
      expect(values(unsealed.stdout)).toEqual({ ...VALUES, password: "merged-password", added: "merged-added" });
    });
  });

  describe("bad input is refused by sigil unseal (and by kubeseal)", () => {
    const cases: { name: string; code: string; mutate: (ss: SealedSecretObject) => void; scope: (typeof SCOPES)[number]; certFile?: "other" }[] = [
      { name: "a SealedSecret renamed under strict scope", code: "sealed.scope_mismatch", scope: "strict", mutate: (ss) => void (ss.metadata.name = "renamed") },
      { name: "a SealedSecret moved to another namespace under strict scope", code: "sealed.scope_mismatch", scope: "strict", mutate: (ss) => void (ss.metadata.namespace = "elsewhere") },
      { name: "a SealedSecret moved across namespaces under namespace-wide scope", code: "sealed.scope_mismatch", scope: "namespace-wide", mutate: (ss) => void (ss.metadata.namespace = "elsewhere") },
      { name: "a truncated blob", code: "sealed.invalid_blob", scope: "strict", mutate: (ss) => void (ss.spec.encryptedData["username"] = (ss.spec.encryptedData["username"] ?? "").slice(0, 400)) },
      { name: "non-base64 data", code: "sealed.invalid_blob", scope: "strict", mutate: (ss) => void (ss.spec.encryptedData["username"] = "@@not-base64@@") },
      { name: "a ciphertext from an unknown key", code: "sealed.no_key", scope: "strict", mutate: () => undefined, certFile: "other" },
      { name: "a template that fails to render", code: "sealed.template_failed", scope: "strict", mutate: (ss) => void (ss.spec.template = { ...ss.spec.template, data: { "bad.txt": "{{ .username | nosuchfunc }}" } }) },
    ];
    for (const c of cases) {
      it(`refuses ${c.name} with ${c.code}`, async () => {
        const sealed = await kubeseal(["--cert", c.certFile === "other" ? otherCert : cert, "--scope", c.scope, "-o", "json"], secretYaml("bad", "team-e"));
        expect(sealed.code, sealed.stderr).toBe(0);
        const ss = sealedFile(sealed.stdout);
        c.mutate(ss);
        const input = formatObject(ss, "json");
        const r = await sigil(["unseal", "--private-key", key], { stdin: input });
        expect(r.code).not.toBe(0);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(`[${c.code}]`);
        expect(r.stderr).toMatch(/SealedSecret\/[a-z-]+\/[a-z-]+: /);
        const theirs = await kubeseal(["--recovery-unseal", "--recovery-private-key", key], input);
        expect(theirs.code).not.toBe(0);
      });
    }
  });

  it("canary: no plaintext (raw, base64 as Secret data carries it, hex, JSON-escaped, pieces) or private-key material in sigil's errors", async () => {
    // A fresh canary, sealed by kubeseal, for each attempt: a value one attempt unseals is registered with
    // the process redactor, which would then hide a leak of the same value by a later attempt.
    const sealedBy = async (label: string): Promise<{ plain: Canary; ss: SealedSecretObject }> => {
      const plain = canary(label);
      const secret = `apiVersion: v1\nkind: Secret\nmetadata: {name: canary, namespace: team-f}\nstringData: {token: ${plain.value}}\n`;
      const sealed = await kubeseal(["--cert", cert, "-o", "json"], secret);
      return { plain, ss: sealedFile(sealed.stdout) };
    };
    const attempts: { reason: string; edit: (ss: SealedSecretObject) => SealedSecretObject }[] = [
      { reason: "renamed", edit: (ss) => ({ ...ss, metadata: { ...ss.metadata, name: "moved" } }) },
      { reason: "a failing template", edit: (ss) => ({ ...ss, spec: { ...ss.spec, template: { data: { t: "{{ .token }}{{ .token | nosuch }}" } } } }) },
    ];
    const keyLines = readFileSync(key, "utf8").split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
    for (const attempt of attempts) {
      const { plain, ss } = await sealedBy(attempt.reason.replaceAll(" ", "-"));
      const r = await sigil(["unseal", "--private-key", key], { stdin: formatObject(attempt.edit(ss), "yaml") });
      expect(r.code, attempt.reason).not.toBe(0);
      expectNoLeak({ [`${attempt.reason}: stderr`]: r.stderr, [`${attempt.reason}: stdout`]: r.stdout, [`${attempt.reason}: logs`]: r.logs.join("\n") }, plain);
      const text = r.stderr + r.stdout + r.logs.join("\n");
      for (const line of keyLines) expect(text).not.toContain(line);
    }
  });

  it("writes age key files that the real age reads (sigil keygen age)", async () => {
    const file = join(dir, "age-keys.txt");
    const made = await sigil(["keygen", "age", "-o", file]);
    expect(made.code, made.stderr).toBe(0);
    const recipient = /^Public key: (age1[a-z0-9]+)\n$/.exec(made.stderr)?.[1] ?? "";
    const encrypted = await tool(peerBin("age"), ["-a", "-r", recipient], "age-interop");
    expect(encrypted.code, encrypted.stderr).toBe(0);
    const decrypted = await tool(peerBin("age"), ["-d", "-i", file], encrypted.stdout);
    expect(decrypted.stdout).toBe("age-interop");
    const recipients = await tool(peerBin("age-keygen"), ["-y", file]);
    expect(recipients.stdout).toBe(`${recipient}\n`);
  });

  describe("the controller through the real API server's service proxy", () => {
    it("looks the service up and calls its proxy path, failing exactly where kubeseal fails when nothing serves it", async () => {
      // Endpoints on 127.0.0.1 are refused by the API server, and nothing here may listen elsewhere, so no
      // controller can sit behind the service: the proxy call reaches the API server, which answers 404.
      const env = peers();
      const ns = uniqueName("sealed");
      const kubectl = (args: readonly string[], stdin = ""): Promise<Proc> => tool(peerBin("kubectl"), ["--kubeconfig", env.kube.kubeconfig, ...args], stdin);
      expect((await kubectl(["create", "namespace", ns])).code).toBe(0);
      try {
        const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "sealed-secrets-controller", namespace: ns }, spec: { ports: [{ name: "http", port: 8080 }], selector: { app: "none" } } };
        const created = await kubectl(["apply", "-f", "-"], JSON.stringify(svc));
        expect(created.code, created.stderr).toBe(0);
        const r = await sigil(["seal", "--fetch-cert", "--controller-namespace", ns, "--kubeconfig", env.kube.kubeconfig]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`service ${ns}/sealed-secrets-controller via ${env.kube.server}: cannot fetch certificate: 404: services "sealed-secrets-controller" not found`);
        const theirs = await tool(peerBin("kubeseal"), ["--fetch-cert", "--controller-namespace", ns], "", { KUBECONFIG: env.kube.kubeconfig });
        expect(theirs.stderr).toContain('cannot fetch certificate: services "sealed-secrets-controller" not found');
        const missing = await sigil(["seal", "--fetch-cert", "--controller-namespace", ns, "--controller-name", "absent", "--kubeconfig", env.kube.kubeconfig]);
        expect(missing.stderr).toMatch(/cannot get sealed secret service: 404: services "absent" not found/);
        const denied = await sigil(["seal", "--fetch-cert", "--controller-namespace", ns, "--kubeconfig", env.kube.userKubeconfig]);
        expect(denied.stderr).toMatch(/cannot get sealed secret service: 403: /);
      } finally {
        await kubectl(["delete", "namespace", ns, "--wait=false"]);
      }
    });
  });
});
