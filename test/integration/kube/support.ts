/** Helpers of the src/kube integration tests: clients with their own user agent (to find their requests in the audit log), namespaces, a CRD. */
import { randomBytes } from "node:crypto";
import { HttpKubeClient, ResourceManager, kubeconfigConnection } from "../../../src/kube/index.js";
import type { KubeObject } from "../../../src/kube/index.js";
import { peers, uniqueName } from "../../support/peers.js";

/** An admin client whose requests carry a user agent of their own. */
export function taggedClient(prefix = "sigil-kube-test"): { client: HttpKubeClient; userAgent: string } {
  const connection = kubeconfigConnection(peers().kube.kubeconfig);
  if (connection === undefined) throw new Error("the environment's kubeconfig needs a plugin");
  const userAgent = `${prefix}-${randomBytes(4).toString("hex")}`;
  return { client: new HttpKubeClient(connection, { userAgent }), userAgent };
}

/** A fresh manager on a fresh client (its own discovery cache). */
export function manager(): { client: HttpKubeClient; userAgent: string; manager: ResourceManager } {
  const tagged = taggedClient();
  return { ...tagged, manager: new ResourceManager({ client: tagged.client }) };
}

/** A Namespace object with a unique name. */
export function namespaceObject(prefix: string): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: uniqueName(prefix) } };
}

/** A namespaced CRD `Widget` in a group of its own, and a custom resource maker. */
export function widgetCrd(): { crd: KubeObject; group: string; widget: (namespace: string, name: string, spec: Record<string, unknown>) => KubeObject } {
  const group = `${uniqueName("t")}.sigil.test`;
  const crd: KubeObject & Record<string, unknown> = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } } } }],
    },
  };
  const widget = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: `${group}/v1`, kind: "Widget", metadata: { name, namespace }, spec }) as KubeObject;
  return { crd, group, widget };
}

/** Delete cluster-scoped leftovers (CRDs, Namespaces) quietly. */
export async function cleanup(client: HttpKubeClient, objects: readonly KubeObject[]): Promise<void> {
  const m = new ResourceManager({ client });
  await m.delete(objects).catch(() => undefined);
}
