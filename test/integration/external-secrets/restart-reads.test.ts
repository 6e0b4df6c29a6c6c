/**
 * The restart after a downtime longer than refreshInterval, counted where it
 * costs: at OpenBao, in its file audit log. Twenty ExternalSecrets over
 * four Vault paths, synced, the controller stopped, every `refreshTime`
 * moved back 61 minutes (what a long downtime leaves), the controller
 * started again: every refresh is overdue, and the four paths must be read
 * four times, not once per ExternalSecret nor once per window in which
 * their readers happen to be seen.
 *
 * Half of the ExternalSecrets are seen late on purpose: the API client of
 * the restarted controller answers the first GET of their target Secrets 1.5
 * spread windows late (a loaded API server, or a first pass over thousands
 * of ExternalSecrets, which the bench at 1,000 shows on a quiet machine).
 * They come due in a later window than the readers of the same path seen
 * at once, and must still share their read. Real API server, real OpenBao.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { withGet } from "../../../src/kube/index.js";
import type { HttpKubeClient, KubeClient } from "../../../src/kube/index.js";
import { Manager } from "../../../src/kube/runtime/index.js";
import type { ExternalSecret } from "../../../src/external-secrets/index.js";
import { ExternalSecretsController } from "../../../src/operator/external-secrets/controller.js";
import { startPrivateBao } from "../../support/bao-private.js";
import type { PrivateBao } from "../../support/bao-private.js";
import { adminClient, createNamespace, deleteNamespace, waitFor } from "../../support/bitnami.js";
import { ensureEsoCrds } from "../../support/eso.js";
import { describePeers, uniqueName } from "../../support/peers.js";
import { putSecret } from "./support.js";

const CLASS = "sigil-restart-reads";
const PATHS = 4;
const COUNT = 20;
const WINDOW = 3_000;
const ES = "external-secrets.io/v1";

/** `client` with the first GET of each Secret named in `late` answered `delayMs` late (the first pass only). */
function slowFor(client: KubeClient, late: ReadonlySet<string>, delayMs: number): KubeClient {
  const pending = new Set(late);
  return withGet(client, async <T>(path: string, query?: Parameters<KubeClient["get"]>[1]): Promise<T | undefined> => {
    const name = /\/secrets\/([^/?]+)$/.exec(path)?.[1];
    if (name !== undefined && pending.delete(name)) await new Promise((r) => setTimeout(r, delayMs));
    return client.get<T>(path, query);
  });
}

describePeers("externalsecrets: a restart after a downtime", () => {
  let client: HttpKubeClient;
  let bao: PrivateBao;
  let ns: string;
  const esPath = (): string => `/apis/${ES}/namespaces/${ns}/externalsecrets`;
  const names = Array.from({ length: COUNT }, (_, i) => `es-${String(i).padStart(2, "0")}`);
  const controller = (): ExternalSecretsController =>
    new ExternalSecretsController({ namespaces: [ns], controllerClass: CLASS, restartSpreadMs: WINDOW, coalesceWindowMs: 200, baseBackoffMs: 200, maxBackoffMs: 2_000 });
  const manager = (kube: KubeClient, c: ExternalSecretsController): Manager => new Manager(kube, { logger: new Logger({ level: "error", sink: () => undefined }) }).add(c);
  const refreshedSince = async (at: number): Promise<boolean> => {
    const items = (await client.list<ExternalSecret>(esPath())).items;
    return items.length === COUNT && items.every((x) => Date.parse(x.status?.refreshTime ?? "") >= Math.floor(at / 1000) * 1000);
  };
  const kvReads = (from: number): string[] => bao.audit().slice(from).filter((e) => e.request?.operation === "read" && (e.request.path ?? "").startsWith("secret/data/r")).map((e) => e.request?.path ?? "");

  beforeAll(async () => {
    client = adminClient();
    await ensureEsoCrds(client);
    bao = await startPrivateBao();
    for (let p = 0; p < PATHS; p++) await bao.call("POST", `secret/data/r${p}`, { data: { password: `v${p}` } });
    ns = uniqueName("es-restart");
    await createNamespace(ns, client);
    await putSecret(client, ns, "vault-token", { token: bao.rootToken });
    await client.create(`/apis/${ES}/namespaces/${ns}/secretstores`, { apiVersion: ES, kind: "SecretStore", metadata: { name: "vault" }, spec: { controller: CLASS, provider: { vault: { server: bao.httpAddr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token" } } } } } });
    for (const [i, name] of names.entries()) {
      await client.create(esPath(), { apiVersion: ES, kind: "ExternalSecret", metadata: { name }, spec: { refreshInterval: "1h", secretStoreRef: { name: "vault" }, data: [{ secretKey: "password", remoteRef: { key: `r${i % PATHS}`, property: "password" } }] } });
    }
  });

  afterAll(async () => {
    bao.stop();
    await deleteNamespace(ns, client);
  });

  it("reads each path once, readers seen a window late included", async () => {
    const first = manager(client, controller());
    await first.start();
    try {
      await waitFor("every ExternalSecret synced", async () => ((await refreshedSince(0)) ? true : undefined), 60_000, 200);
    } finally {
      await first.stop();
    }

    // The downtime: every refresh is overdue when the controller comes back.
    const overdue = new Date(Date.now() - 61 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    for (const name of names) await client.patch(`${esPath()}/${name}/status`, { status: { refreshTime: overdue } }, "merge");
    const mark = bao.audit().length;
    const late = new Set(names.slice(COUNT / 2));
    const restarted = Date.now();
    const second = manager(slowFor(client, late, 1.5 * WINDOW), controller());
    await second.start();
    try {
      await waitFor("every overdue ExternalSecret refreshed", async () => ((await refreshedSince(restarted)) ? true : undefined), 8 * WINDOW + 20_000, 250);
    } finally {
      await second.stop();
    }
    const reads = kvReads(mark);
    expect(reads.sort()).toEqual(Array.from({ length: PATHS }, (_, p) => `secret/data/r${p}`));
  });
});
