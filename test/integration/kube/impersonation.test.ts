/**
 * `HttpKubeClient.as()` against the real API server: the request acts as the
 * ServiceAccount, and the server itself adds the ServiceAccount groups
 * (`system:serviceaccounts`, `system:serviceaccounts:<ns>`), as it does for
 * Flux and `kubectl --as`; so only `impersonate` on `serviceaccounts` is
 * needed by the operator, not on `groups`.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HttpKubeClient } from "../../../src/kube/index.js";
import { adminClient, createNamespace, deleteNamespace } from "../../support/bitnami.js";
import { describePeers, uniqueName } from "../../support/peers.js";

interface Review {
  status: { userInfo: { username: string; groups?: string[] } };
}

describePeers("impersonating a ServiceAccount", () => {
  let client: HttpKubeClient;
  const n = uniqueName("imp");

  beforeAll(async () => {
    client = adminClient();
    await createNamespace(n, client);
  });

  afterAll(async () => {
    await deleteNamespace(n, client);
    client.close();
  });

  it("acts as system:serviceaccount:<ns>:<name> with the ServiceAccount groups added by the server", async () => {
    const as = client.as(`system:serviceaccount:${n}:deployer`);
    try {
      const review = await as.create<Review>("/apis/authentication.k8s.io/v1/selfsubjectreviews", { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
      expect(review.status.userInfo.username).toBe(`system:serviceaccount:${n}:deployer`);
      expect(review.status.userInfo.groups).toEqual(expect.arrayContaining(["system:serviceaccounts", `system:serviceaccounts:${n}`, "system:authenticated"]));
      await expect(as.list(`/api/v1/namespaces/${n}/configmaps`)).rejects.toMatchObject({ code: "kube.forbidden" });
      expect(as.impersonating).toBe(`system:serviceaccount:${n}:deployer`);
    } finally {
      as.close();
    }
    const self = await client.create<Review>("/apis/authentication.k8s.io/v1/selfsubjectreviews", { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
    expect(self.status.userInfo.username).not.toContain("serviceaccount");
  });
});
