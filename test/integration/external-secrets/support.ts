/**
 * Shared helpers of the ExternalSecrets integration tests: OpenBao calls as
 * root (test-private mounts and auth methods), Kubernetes objects, and a
 * Sigil reconcile driver.
 */
import { randomBytes } from "node:crypto";
import type { KubeClient } from "../../../src/kube/index.js";
import { peers } from "../../support/peers.js";

/** A raw OpenBao call as root (or with `token`). */
export async function bao(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
  const env = peers();
  const res = await fetch(`${env.vault.addr}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": token ?? env.vault.token, "Content-Type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, json: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

/** `bao` that throws on a non-2xx answer. */
export async function baoOk(method: string, path: string, body?: unknown): Promise<Record<string, unknown> | undefined> {
  const r = await bao(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** A test-private KV mount (`version` 1 or 2); returns its path. */
export async function kvMount(prefix: string, version: 1 | 2): Promise<string> {
  const path = `${prefix}-${randomBytes(4).toString("hex")}`;
  await baoOk("POST", `sys/mounts/${path}`, { type: "kv", options: { version: String(version) } });
  return path;
}

/** Write a KV v2 secret (optionally with custom metadata). */
export async function putV2(mount: string, key: string, data: Record<string, unknown>, customMetadata?: Record<string, string>): Promise<void> {
  await baoOk("POST", `${mount}/data/${key}`, { data });
  if (customMetadata !== undefined) await baoOk("POST", `${mount}/metadata/${key}`, { custom_metadata: customMetadata });
}

/** Write a KV v1 secret. */
export async function putV1(mount: string, key: string, data: Record<string, unknown>): Promise<void> {
  await baoOk("POST", `${mount}/${key}`, data);
}

/** A policy that reads and lists `mounts`; returns its name. */
export async function readPolicy(mounts: readonly string[]): Promise<string> {
  const name = `es-read-${randomBytes(4).toString("hex")}`;
  const policy = mounts.map((m) => `path "${m}/*" { capabilities = ["read", "list"] }`).join("\n");
  await baoOk("PUT", `sys/policies/acl/${name}`, { policy });
  return name;
}

/** Create a Secret with string data. */
export async function putSecret(client: KubeClient, ns: string, name: string, data: Record<string, string>): Promise<void> {
  const body = { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])) };
  await client.create(`/api/v1/namespaces/${ns}/secrets`, body);
}

/** The Secret's data decoded to strings, or undefined. */
export async function secretData(client: KubeClient, ns: string, name: string): Promise<Record<string, string> | undefined> {
  const s = await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/${name}`);
  if (s === undefined) return undefined;
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}
