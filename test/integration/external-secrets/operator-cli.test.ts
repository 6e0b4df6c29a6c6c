/** `sigil operator --controllers externalsecrets`: the controller runs in the operator command, takes only its class's stores, and stops cleanly. */
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Logger } from "../../../src/core/index.js";
import { runCli } from "../../../src/cli/index.js";
import { createOperatorCommand, manualSignals } from "../../../src/cli/commands/operator/index.js";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import type { ExternalSecret } from "../../../src/external-secrets/index.js";
import { adminClient, createNamespace, deleteNamespace, waitFor } from "../../support/bitnami.js";
import { ensureEsoCrds } from "../../support/eso.js";
import { describePeers, peers, uniqueName } from "../../support/peers.js";
import { bao, kvMount, putSecret, putV2, secretData } from "./support.js";

describePeers("sigil operator --controllers externalsecrets", () => {
  let client: HttpKubeClient;
  let ns: string;
  let mount: string;

  beforeAll(async () => {
    client = adminClient();
    await ensureEsoCrds(client);
    mount = await kvMount("es-cli", 2);
    await putV2(mount, "db", { password: "cli-canary" });
    ns = uniqueName("es-cli");
    await createNamespace(ns, client);
    await putSecret(client, ns, "vault-token", { token: peers().vault.token });
    for (const [name, cls] of [["mine", "cli-test"], ["theirs", "someone-else"]] as const) {
      await client.create(`/apis/external-secrets.io/v1/namespaces/${ns}/secretstores`, { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name }, spec: { controller: cls, provider: { vault: { server: peers().vault.addr, path: mount, auth: { tokenSecretRef: { name: "vault-token", key: "token" } } } } } });
      await client.create(`/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`, { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name }, spec: { secretStoreRef: { name }, data: [{ secretKey: "p", remoteRef: { key: "db", property: "password" } }] } });
    }
  });

  afterAll(async () => {
    await deleteNamespace(ns, client);
    await bao("DELETE", `sys/mounts/${mount}`);
  });

  it("syncs the ExternalSecrets of its class only, and exits 0 on stop", async () => {
    const signals = manualSignals();
    const err: string[] = [];
    const ctx = { stdin: new PassThrough(), stdout: { write: () => true }, stderr: { write: (s: string | Uint8Array) => err.push(String(s)) }, env: { HOME: "/nonexistent" }, cwd: process.cwd(), logger: new Logger({ sink: () => undefined }) };
    const exit = runCli(["operator", "--kubeconfig", peers().kube.kubeconfig, "--controllers", "externalsecrets", "--external-secrets-controller-class", "cli-test"], ctx, [createOperatorCommand({ signals: () => signals })]);
    await waitFor("the Secret of its own class", async () => ((await secretData(client, ns, "mine"))?.["p"] === "cli-canary" ? true : undefined), 30_000, 200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await secretData(client, ns, "theirs")).toBeUndefined();
    const theirs = await client.get<ExternalSecret>(`/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/theirs`);
    expect(theirs?.status?.conditions).toBeUndefined();
    signals.stop("test");
    expect(await exit).toBe(0);
    expect(err.join("")).not.toContain("cli-canary");
  });
});
