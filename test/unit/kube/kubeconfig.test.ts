import { describe, expect, it } from "vitest";
import { findKubeconfig, kubeconfigList, loadKubeConfig } from "../../../src/kube/index.js";
import type { RunCommand } from "../../../src/kube/index.js";

type Files = Record<string, string>;

function deps(files: Files, run?: RunCommand, now: () => number = () => 0) {
  return {
    read: (path: string): Buffer => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: "ENOENT" });
      return Buffer.from(text);
    },
    exists: (path: string): boolean => files[path] !== undefined,
    run: run ?? (() => Promise.reject(new Error("no plugin expected"))),
    now,
  };
}

interface Doc {
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  contexts?: { name: string; context: Record<string, unknown> }[];
  "current-context"?: string;
}

const json = (d: Doc): string => JSON.stringify(d);

const A: Doc = {
  clusters: [{ name: "shared", cluster: { server: "https://from-a:1" } }, { name: "only-a", cluster: { server: "https://only-a:1" } }],
  users: [{ name: "u", user: { token: "token-a" } }],
  contexts: [{ name: "ctx", context: { cluster: "shared", user: "u", namespace: "ns-a" } }, { name: "a", context: { cluster: "only-a", user: "u" } }],
};
const B: Doc = {
  clusters: [{ name: "shared", cluster: { server: "https://from-b:1" } }, { name: "only-b", cluster: { server: "https://only-b:1" } }],
  users: [{ name: "u", user: { token: "token-b" } }, { name: "ub", user: { token: "token-only-b" } }],
  contexts: [{ name: "ctx", context: { cluster: "only-b", user: "ub" } }, { name: "b", context: { cluster: "only-b", user: "ub", namespace: "ns-b" } }],
  "current-context": "b",
};

async function load(files: Files, env: Record<string, string>, extra: { path?: string; context?: string } = {}) {
  return loadKubeConfig({ env, homedir: "/home/me", ...extra, deps: deps(files) });
}

describe("KUBECONFIG merging (kubectl's rules)", () => {
  it.each([
    { reason: "splits on colons, drops empty entries and repeats", value: "/a::/b:/a:", want: ["/a", "/b"] },
    { reason: "an unset variable is an empty list", value: undefined, want: [] },
  ])("kubeconfigList $reason", ({ value, want }) => {
    expect(kubeconfigList(value)).toEqual(want);
  });

  it("takes current-context from the first file that sets one, and each name from the first file that defines it", async () => {
    const loaded = await load({ "/a": json(A), "/b": json(B) }, { KUBECONFIG: "/a:/b" });
    // current-context "b" comes from /b (the first file setting one); context "b" uses cluster only-b and user ub.
    expect(loaded.context).toBe("b");
    expect(loaded.connection.server.host).toBe("only-b:1");
    expect(loaded.connection.namespace).toBe("ns-b");
    expect(await loaded.connection.authorization()).toBe("Bearer token-only-b");
    expect(loaded.source).toBe("/a:/b");
  });

  it("lets the first file win for a context, cluster and user defined in both", async () => {
    const loaded = await load({ "/a": json(A), "/b": json(B) }, { KUBECONFIG: "/a:/b" }, { context: "ctx" });
    // ctx, shared and u are all defined by /a first.
    expect(loaded.connection.server.host).toBe("from-a:1");
    expect(await loaded.connection.authorization()).toBe("Bearer token-a");
    expect(loaded.connection.namespace).toBe("ns-a");
  });

  it("reverses the winners when the list is reversed", async () => {
    const loaded = await load({ "/a": json(A), "/b": json(B) }, { KUBECONFIG: "/b:/a" }, { context: "ctx" });
    expect(loaded.connection.server.host).toBe("only-b:1");
    expect(await loaded.connection.authorization()).toBe("Bearer token-only-b");
  });

  it("skips listed files that do not exist", async () => {
    const loaded = await load({ "/b": json(B) }, { KUBECONFIG: "/missing:/b" });
    expect(loaded.source).toBe("/b");
  });

  it("resolves relative paths against the file that names them, before merging", async () => {
    const a: Doc = { clusters: [{ name: "c", cluster: { server: "https://h:1", "certificate-authority": "ca.crt" } }], users: [{ name: "u", user: { tokenFile: "tok" } }], contexts: [{ name: "x", context: { cluster: "c", user: "u" } }], "current-context": "x" };
    const loaded = await load({ "/dir-a/config": json(a), "/dir-a/ca.crt": "CA-A", "/dir-a/tok": "t-a\n", "/dir-b/config": json({}) }, { KUBECONFIG: "/dir-b/config:/dir-a/config" });
    expect(loaded.connection.tls.ca?.toString()).toBe("CA-A");
    expect(await loaded.connection.authorization()).toBe("Bearer t-a");
  });

  it("uses only --kubeconfig when it is given, ignoring KUBECONFIG", async () => {
    const loaded = await load({ "/a": json({ ...A, "current-context": "a" }), "/b": json(B) }, { KUBECONFIG: "/b" }, { path: "/a" });
    expect(loaded.connection.server.host).toBe("only-a:1");
  });

  it("falls back to ~/.kube/config when KUBECONFIG is unset", async () => {
    const loaded = await load({ "/home/me/.kube/config": json(B) }, {});
    expect(loaded.source).toBe("/home/me/.kube/config");
  });

  it("prefers a kubeconfig file over the in-cluster service account, as kubectl does", async () => {
    const loaded = await load({ "/home/me/.kube/config": json(B) }, { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" });
    expect(loaded.source).toBe("/home/me/.kube/config");
  });

  it("uses the in-cluster service account when no kubeconfig exists", async () => {
    const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
    const loaded = await load({ [`${sa}/ca.crt`]: "CA", [`${sa}/token`]: "sa\n" }, { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" });
    expect(loaded.source).toBe("in-cluster service account");
    expect(loaded.connection.server.href).toBe("https://10.0.0.1/");
    expect(await loaded.connection.authorization()).toBe("Bearer sa");
  });

  it.each([
    { reason: "a --kubeconfig that does not exist", files: {}, env: {}, extra: { path: "/nope" }, message: /--kubeconfig does not exist/ },
    { reason: "no kubeconfig at all outside a pod", files: {}, env: {}, extra: {}, message: /no kubeconfig/ },
    { reason: "a --context that is in no file", files: { "/a": json(A) }, env: { KUBECONFIG: "/a" }, extra: { context: "nope" }, message: /context 'nope' is not in the kubeconfig/ },
    { reason: "a context whose cluster is missing", files: { "/a": json({ contexts: [{ name: "x", context: { cluster: "gone" } }], "current-context": "x" }) }, env: { KUBECONFIG: "/a" }, extra: {}, message: /no cluster with a server/ },
    { reason: "a file that is not yaml", files: { "/a": "a: [" }, env: { KUBECONFIG: "/a" }, extra: {}, message: /invalid yaml/ },
  ])("rejects $reason with config.invalid", async ({ files, env, extra, message }) => {
    await expect(load(files, env, extra)).rejects.toMatchObject({ code: "config.invalid", message: expect.stringMatching(message) as unknown });
  });

  it("findKubeconfig reports no kubeconfig as undefined (the CLI then defaults the namespace)", () => {
    expect(findKubeconfig({ env: {}, homedir: "/h", deps: deps({}) })).toBeUndefined();
  });
});

describe("token files", () => {
  it("re-reads a token file once a minute (rotation) and keeps the last token when a re-read fails", async () => {
    const files: Files = { "/k": json({ clusters: [{ name: "c", cluster: { server: "https://h" } }], users: [{ name: "u", user: { tokenFile: "/tok" } }], contexts: [{ name: "x", context: { cluster: "c", user: "u" } }], "current-context": "x" }), "/tok": "one" };
    let now = 0;
    const loaded = await loadKubeConfig({ path: "/k", env: {}, homedir: "/", deps: deps(files, undefined, () => now) });
    expect(await loaded.connection.authorization()).toBe("Bearer one");
    files["/tok"] = "two";
    now = 30_000;
    expect(await loaded.connection.authorization()).toBe("Bearer one");
    now = 61_000;
    expect(await loaded.connection.authorization()).toBe("Bearer two");
    delete files["/tok"];
    now = 200_000;
    expect(await loaded.connection.authorization()).toBe("Bearer two");
  });
});

function execDoc(exec: Record<string, unknown>, cluster: Record<string, unknown> = { server: "https://h:1" }): string {
  return json({ clusters: [{ name: "c", cluster }], users: [{ name: "u", user: { exec } }], contexts: [{ name: "x", context: { cluster: "c", user: "u" } }], "current-context": "x" });
}

const V1 = "client.authentication.k8s.io/v1";

describe("exec credential plugins", () => {
  it("runs the plugin with KUBERNETES_EXEC_INFO and its env, caches the token until it expires", async () => {
    const calls: { command: string; args: readonly string[]; env: Readonly<Record<string, string | undefined>> }[] = [];
    let now = Date.parse("2026-01-01T00:00:00Z");
    const run: RunCommand = (command, args, env) => {
      calls.push({ command, args, env });
      return Promise.resolve(JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status: { token: `tok-${calls.length}`, expirationTimestamp: "2026-01-01T01:00:00Z" } }));
    };
    const files = { "/k/config": execDoc({ apiVersion: V1, command: "./bin/plugin", args: ["get", "token"], env: [{ name: "X", value: "1" }], provideClusterInfo: true, interactiveMode: "Never" }, { server: "https://h:1", "certificate-authority-data": "Q0E=" }) };
    const loaded = await loadKubeConfig({ path: "/k/config", env: { PATH: "/bin" }, homedir: "/", deps: deps(files, run, () => now) });
    expect(await loaded.connection.authorization()).toBe("Bearer tok-1");
    expect(await loaded.connection.authorization()).toBe("Bearer tok-1");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.command).toBe("/k/bin/plugin");
    expect(calls[0]?.args).toEqual(["get", "token"]);
    expect(calls[0]?.env["X"]).toBe("1");
    expect(calls[0]?.env["PATH"]).toBe("/bin");
    const info = JSON.parse(calls[0]?.env["KUBERNETES_EXEC_INFO"] ?? "{}") as { apiVersion: string; kind: string; spec: { interactive: boolean; cluster?: { server: string } } };
    expect(info).toMatchObject({ apiVersion: V1, kind: "ExecCredential", spec: { interactive: false, cluster: { server: "https://h:1", "certificate-authority-data": "Q0E=" } } });
    now = Date.parse("2026-01-01T01:00:00Z");
    expect(await loaded.connection.authorization()).toBe("Bearer tok-2");
  });

  it("puts client certificates from the plugin into the TLS material", async () => {
    const run: RunCommand = () => Promise.resolve(JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status: { clientCertificateData: "CERT", clientKeyData: "KEY" } }));
    const loaded = await loadKubeConfig({ path: "/k", env: {}, homedir: "/", deps: deps({ "/k": execDoc({ apiVersion: V1, command: "p" }) }, run) });
    expect(loaded.connection.tls.cert?.toString()).toBe("CERT");
    expect(loaded.connection.tls.key?.toString()).toBe("KEY");
    expect(await loaded.connection.authorization()).toBeUndefined();
  });

  it.each([
    { reason: "a plugin that fails names the command and install hint, not its output", run: (() => Promise.reject(Object.assign(new Error("secret-output"), { code: "ENOENT" }))), exec: { apiVersion: V1, command: "aws", installHint: "install the aws cli" }, code: "kube.unauthorized", message: /'aws' failed \(ENOENT\): install the aws cli/ },
    { reason: "output that is not json", run: (() => Promise.resolve("secret-output")), exec: { apiVersion: V1, command: "p" }, code: "kube.unauthorized", message: /invalid json/ },
    { reason: "an ExecCredential of another apiVersion", run: (() => Promise.resolve(JSON.stringify({ apiVersion: "x/v1", kind: "ExecCredential", status: { token: "t" } }))), exec: { apiVersion: V1, command: "p" }, code: "kube.unauthorized", message: /did not print an ExecCredential/ },
    { reason: "an ExecCredential with no credential", run: (() => Promise.resolve(JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status: {} }))), exec: { apiVersion: V1, command: "p" }, code: "kube.unauthorized", message: /neither a token/ },
    { reason: "an unknown exec apiVersion", run: undefined, exec: { apiVersion: "client.authentication.k8s.io/v1alpha1", command: "p" }, code: "config.invalid", message: /apiVersion/ },
    { reason: "an interactive-only plugin", run: undefined, exec: { apiVersion: V1, command: "p", interactiveMode: "Always" }, code: "config.invalid", message: /interactive/ },
  ])("rejects $reason", async ({ run, exec, code, message }) => {
    const err: unknown = await loadKubeConfig({ path: "/k", env: {}, homedir: "/", deps: deps({ "/k": execDoc(exec) }, run) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code, message: expect.stringMatching(message) as unknown });
    expect((err as Error).message).not.toContain("secret-output");
  });
});
