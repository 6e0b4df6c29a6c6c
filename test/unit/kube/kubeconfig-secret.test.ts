/**
 * A kubeconfig held in a Secret (Sync `spec.kubeConfig`): inline data and
 * tokens are read; anything that would run a program, read one of the
 * operator's files or turn TLS verification off is refused with
 * `config.invalid` naming the Secret, and no error carries the token.
 */
import { describe, expect, it } from "vitest";
import { REDACTED, SigilError, redact } from "../../../src/core/index.js";
import { connectionFromKubeconfigData } from "../../../src/kube/index.js";

const TOKEN = "canary-kubeconfig-token-5e1d";
const SUBJECT = "Secret/team-a/cluster2 (key value)";
const CA = Buffer.from("not a real ca").toString("base64");

function kubeconfig(cluster: Record<string, unknown> = {}, user: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      apiVersion: "v1", kind: "Config", "current-context": "c",
      clusters: [{ name: "k", cluster: { server: "https://10.1.2.3:6443", "certificate-authority-data": CA, ...cluster } }],
      users: [{ name: "u", user: { token: TOKEN, ...user } }],
      contexts: [{ name: "c", context: { cluster: "k", user: "u", namespace: "apps" } }],
    }),
  );
}

function refusal(data: Buffer): SigilError {
  try {
    connectionFromKubeconfigData(data, SUBJECT);
  } catch (err) {
    if (err instanceof SigilError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("connectionFromKubeconfigData", () => {
  it("reads the server, inline CA, namespace and token", async () => {
    const conn = connectionFromKubeconfigData(kubeconfig(), SUBJECT);
    expect(conn.server.href).toBe("https://10.1.2.3:6443/");
    expect(conn.tls.ca?.toString()).toBe("not a real ca");
    expect(conn.namespace).toBe("apps");
    expect(await conn.authorization()).toBe(`Bearer ${TOKEN}`);
  });

  it("registers the token with the redactor, so a log line carrying it is masked", () => {
    connectionFromKubeconfigData(kubeconfig(), SUBJECT);
    expect(redact(`header Bearer ${TOKEN}`)).toBe(`header Bearer ${REDACTED}`);
  });

  const cases: { reason: string; cluster?: Record<string, unknown>; user?: Record<string, unknown>; field: string }[] = [
    { reason: "an exec plugin runs a program in the operator's pod", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/sh" } }, field: "exec" },
    { reason: "an auth-provider runs code of the operator's", user: { "auth-provider": { name: "oidc" } }, field: "auth-provider" },
    { reason: "a token file reads the operator's files", user: { tokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" }, field: "tokenFile" },
    { reason: "a client certificate path reads the operator's files", user: { "client-certificate": "/etc/ssl/private/a.crt" }, field: "client-certificate" },
    { reason: "a client key path reads the operator's files", user: { "client-key": "relative/key.pem" }, field: "client-key" },
    { reason: "a CA path reads the operator's files", cluster: { "certificate-authority": "/etc/passwd" }, field: "certificate-authority" },
    { reason: "TLS verification may not be turned off", cluster: { "insecure-skip-tls-verify": true }, field: "insecure-skip-tls-verify" },
  ];
  for (const c of cases) {
    it(`refuses '${c.field}': ${c.reason}`, () => {
      const err = refusal(kubeconfig(c.cluster, c.user));
      expect(err.code).toBe("config.invalid");
      expect(err.subject).toBe(SUBJECT);
      expect(err.message).toContain(`'${c.field}'`);
      expect(err.describe()).not.toContain(TOKEN);
    });
  }

  it("refuses bytes that are not YAML without quoting them, and bytes too large", () => {
    const bad = refusal(Buffer.from(`users:\n- name: u\n  user: {token: ${TOKEN}\n`));
    expect(bad.code).toBe("config.invalid");
    expect(bad.describe()).not.toContain(TOKEN);
    expect(refusal(Buffer.alloc(5 * 1024 * 1024, 0x20)).message).toMatch(/larger than/);
  });

  it("refuses a kubeconfig without a current context", () => {
    const err = refusal(Buffer.from(JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [], users: [], contexts: [] })));
    expect(err.code).toBe("config.invalid");
  });
});
