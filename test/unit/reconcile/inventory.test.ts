import { describe, expect, it } from "vitest";
import { diff, entryId, inventoryOf, readInventory, refOf, withRetained } from "../../../src/reconcile/inventory/index.js";

const deploy = { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "app" };
const ns = { apiVersion: "v1", kind: "Namespace", name: "app", namespace: "" };
const cm = { apiVersion: "v1", kind: "ConfigMap", name: "cfg", namespace: "app" };
const crd = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "x.example.com", namespace: "" };

describe("inventory", () => {
  it("names objects as <namespace>_<name>_<group>_<Kind> and reads them back", () => {
    expect(entryId(deploy)).toBe("app_web_apps_Deployment");
    expect(entryId(ns)).toBe("_app__Namespace");
    for (const r of [deploy, ns, cm, crd]) expect(refOf({ id: entryId(r), v: r.apiVersion })).toEqual(r);
  });

  it("reads back names that hold '_' (an RBAC object's name may; a failed apply of such an object once left an inventory no reconcile could read)", () => {
    const role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: "team_a:reader", namespace: "" };
    const odd = { apiVersion: "v1", kind: "ConfigMap", name: "a__b_", namespace: "app" };
    for (const r of [role, odd]) expect(refOf({ id: entryId(r), v: r.apiVersion })).toEqual(r);
    expect(readInventory(inventoryOf([role, odd, cm])).entries.map((e) => refOf(e))).toEqual([odd, cm, role].sort((a, b) => (entryId(a) < entryId(b) ? -1 : 1)));
  });

  it("is sorted and free of duplicates", () => {
    expect(inventoryOf([deploy, cm, deploy, ns]).entries.map((e) => e.id)).toEqual(["_app__Namespace", "app_cfg__ConfigMap", "app_web_apps_Deployment"]);
  });

  it("diff gives what left, Namespaces and CRDs last", () => {
    const old = inventoryOf([deploy, ns, cm, crd]);
    expect(diff(old, inventoryOf([cm])).map((e) => e.id)).toEqual(["app_web_apps_Deployment", "_x.example.com_apiextensions.k8s.io_CustomResourceDefinition", "_app__Namespace"]);
    expect(diff(old, old)).toEqual([]);
    expect(diff(inventoryOf([]), old)).toEqual([]);
  });

  it("keeps entries whose delete failed", () => {
    const failed = inventoryOf([deploy]).entries;
    expect(withRetained(inventoryOf([cm]), failed).entries.map((e) => e.id)).toEqual(["app_cfg__ConfigMap", "app_web_apps_Deployment"]);
  });

  it.each([
    { reason: "another version", value: { version: 2, entries: [] }, code: "inventory.unsupported_version" },
    { reason: "no entries", value: { version: 1 }, code: "input.invalid" },
    { reason: "a malformed id", value: { version: 1, entries: [{ id: "a_b", v: "v1" }] }, code: "input.invalid" },
    { reason: "an id with an empty name", value: { version: 1, entries: [{ id: "a___C", v: "v1" }] }, code: "input.invalid" },
    { reason: "an id with an empty kind", value: { version: 1, entries: [{ id: "a_b_c_", v: "v1" }] }, code: "input.invalid" },
    { reason: "a non-string v", value: { version: 1, entries: [{ id: "a_b__C", v: 1 }] }, code: "input.invalid" },
  ])("refuses to trust $reason", ({ value, code }) => {
    expect(() => readInventory(value)).toThrow(expect.objectContaining({ code }) as Error);
  });

  it("reads an absent inventory as empty", () => {
    expect(readInventory(undefined)).toEqual({ version: 1, entries: [] });
  });
});
