/** Discovery against the real API server: a CRD applied after the mapper started is found without a restart. */
import { afterAll, expect, it } from "vitest";
import { RestMapper, gvkOf } from "../../../src/kube/index.js";
import type { KubeObject } from "../../../src/kube/index.js";
import { describePeers } from "../../support/peers.js";
import { cleanup, taggedClient, widgetCrd } from "./support.js";

describePeers("discovery (RestMapper) against a real API server", () => {
  const { client } = taggedClient();
  const created: KubeObject[] = [];
  afterAll(async () => {
    await cleanup(client, created);
  });

  it("maps built-in kinds to their resource and scope", async () => {
    const mapper = new RestMapper(client);
    expect(await mapper.mapping(gvkOf({ apiVersion: "v1", kind: "Secret" }))).toMatchObject({ plural: "secrets", namespaced: true });
    expect(await mapper.mapping(gvkOf({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" }))).toMatchObject({ plural: "clusterroles", namespaced: false });
    expect(await mapper.mapping(gvkOf({ apiVersion: "apps/v1", kind: "Deployment" }))).toMatchObject({ plural: "deployments", namespaced: true });
  });

  it("finds a freshly applied CRD's kind with the same mapper that did not know it", async () => {
    const mapper = new RestMapper(client, { minRefreshMs: 0 });
    const { crd, group } = widgetCrd();
    const gvk = { group, version: "v1", kind: "Widget" };
    await expect(mapper.mapping(gvk)).rejects.toMatchObject({ code: "kube.unknown_kind" });
    created.push(crd);
    await client.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    expect(await mapper.waitFor(gvk, 30_000)).toMatchObject({ group, plural: "widgets", namespaced: true });
  });
});
