import { describe, expect, it } from "vitest";
import { inClusterConnection, kubeconfigConnection } from "../../../src/kube/index.js";

function reader(files: Record<string, string>): (path: string) => Buffer {
  return (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: "ENOENT" });
    return Buffer.from(text);
  };
}

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = { server: "https://127.0.0.1:6443" }): string {
  return JSON.stringify({
    clusters: [{ name: "c", cluster }],
    users: [{ name: "u", user }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u", namespace: "team" } }],
    "current-context": "x",
  });
}

describe("kubeconfigConnection (the small kubeconfig reader)", () => {
  it("reads a bearer token, the CA file relative to the kubeconfig, and the context namespace", async () => {
    const read = reader({ "/k/config": kubeconfig({ token: "t0k" }, { server: "https://h:1", "certificate-authority": "ca.crt" }), "/k/ca.crt": "CA" });
    const c = kubeconfigConnection("/k/config", read);
    expect(c?.server.href).toBe("https://h:1/");
    expect(c?.tls.ca?.toString()).toBe("CA");
    expect(c?.namespace).toBe("team");
    expect(await c?.authorization()).toBe("Bearer t0k");
  });

  it.each([
    { reason: "a token file", user: { tokenFile: "/tok" }, header: "Bearer from-file" },
    { reason: "basic auth", user: { username: "a", password: "b" }, header: `Basic ${Buffer.from("a:b").toString("base64")}` },
    { reason: "client certificates only", user: { "client-certificate-data": Buffer.from("CERT").toString("base64"), "client-key-data": Buffer.from("KEY").toString("base64") }, header: undefined },
  ])("authenticates with $reason", async ({ user, header }) => {
    const c = kubeconfigConnection("/k/config", reader({ "/k/config": kubeconfig(user), "/tok": "from-file\n" }));
    expect(await c?.authorization()).toBe(header);
  });

  it("passes client certificates and insecure-skip-tls-verify to TLS", () => {
    const user = { "client-certificate-data": Buffer.from("CERT").toString("base64"), "client-key-data": Buffer.from("KEY").toString("base64") };
    const c = kubeconfigConnection("/k/config", reader({ "/k/config": kubeconfig(user, { server: "https://h", "insecure-skip-tls-verify": true }) }));
    expect(c?.tls.cert?.toString()).toBe("CERT");
    expect(c?.tls.key?.toString()).toBe("KEY");
    expect(c?.tls.rejectUnauthorized).toBe(false);
  });

  it("hands exec plugins and auth providers over (returns undefined)", () => {
    expect(kubeconfigConnection("/k/config", reader({ "/k/config": kubeconfig({ exec: { command: "aws" } }) }))).toBeUndefined();
    expect(kubeconfigConnection("/k/config", reader({ "/k/config": kubeconfig({ "auth-provider": { name: "oidc" } }) }))).toBeUndefined();
  });

  it.each([
    { reason: "no current context", files: { "/k/config": JSON.stringify({ clusters: [] }) }, message: /no current context/ },
    { reason: "a missing CA file", files: { "/k/config": kubeconfig({}, { server: "https://h", "certificate-authority": "/nope" }) }, message: /certificate-authority '\/nope', which cannot be read/ },
    { reason: "invalid YAML", files: { "/k/config": "a: [" }, message: /does not load/ },
  ])("rejects $reason with config.invalid naming the file", ({ files, message }) => {
    expect(() => kubeconfigConnection("/k/config", reader(files))).toThrow(message);
  });
});

describe("inClusterConnection", () => {
  it("uses the service variables, the mounted CA, namespace and token", async () => {
    const dir = "/var/run/secrets/kubernetes.io/serviceaccount";
    const c = inClusterConnection({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" }, reader({ [`${dir}/ca.crt`]: "CA", [`${dir}/token`]: "sa-token\n", [`${dir}/namespace`]: "kube-system" }));
    expect(c.server.href).toBe("https://[fd00::1]/");
    expect(c.namespace).toBe("kube-system");
    expect(await c.authorization()).toBe("Bearer sa-token");
  });

  it("says it is not in a pod when the variables are missing", () => {
    expect(() => inClusterConnection({}, reader({}))).toThrow(/not in a pod/);
  });
});
