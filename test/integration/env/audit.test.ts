/** The audit readers count requests at the servers: the API server's audit log and OpenBao's file audit device. */
import { expect, it } from "vitest";
import { baoAuditMark, baoAuditSince, countBy, describePeers, kubeAuditMark, kubeAuditSince, peers, uniqueName, writes } from "../../support/peers.js";
import { taggedClient } from "../kube/support.js";

describePeers("audit logs of the test environment", () => {
  it("counts API server requests by verb and user agent since a mark, dry runs apart", async () => {
    const { client, userAgent } = taggedClient("sigil-audit-test");
    const ns = uniqueName("audit");
    const mark = kubeAuditMark();
    await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, { dryRun: "All" });
    await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    await client.get(`/api/v1/namespaces/${ns}`);
    await client.delete(`/api/v1/namespaces/${ns}`);
    const mine = (await kubeAuditSince(mark, client)).filter((e) => e.userAgent === userAgent);
    expect(countBy(mine, (e) => `${e.verb}${e.dryRun ? " (dry run)" : ""} ${String(e.code)}`)).toEqual({ "create (dry run) 201": 1, "create 201": 1, "get 200": 1, "delete 200": 1 });
    expect(writes(mine).map((e) => e.verb)).toEqual(["create", "delete"]);
    expect(new Set(mine.map((e) => e.user))).toEqual(new Set(["admin"]));
  });

  it("counts OpenBao requests by path and operation since a mark", async () => {
    const { vault } = peers();
    const mark = baoAuditMark();
    const encrypt = async (): Promise<void> => {
      const res = await fetch(`${vault.addr}/v1/${vault.transitMount}/encrypt/${vault.transitKey}`, { method: "POST", headers: { "X-Vault-Token": vault.token }, body: JSON.stringify({ plaintext: Buffer.from("audit-canary-value").toString("base64") }) });
      expect(res.status).toBe(200);
    };
    await encrypt();
    await encrypt();
    const events = await baoAuditSince(mark);
    expect(countBy(events, (e) => `${e.operation} ${e.path}`)[`update ${vault.transitMount}/encrypt/${vault.transitKey}`]).toBe(2);
  });
});
