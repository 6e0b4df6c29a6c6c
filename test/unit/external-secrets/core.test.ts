import { describe, expect, it } from "vitest";
import {
  convertKeys, dataHash, decodeValue, desiredSecret, fetchProviderData, ownerLabel, renderTemplate, replaceAllGo, resourceVersionOf,
  rewriteMap, sha3Hex, shouldRefresh, validateKeys,
} from "../../../src/external-secrets/index.js";
import type { ByteMap, ExternalSecret, SecretObject, StoreReader, TemplateSources } from "../../../src/external-secrets/index.js";
import { RE2JS } from "re2js";
import { SigilError } from "../../../src/core/index.js";

const b = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
const t = (u: Uint8Array | undefined): string => Buffer.from(u ?? new Uint8Array()).toString("utf8");
const map = (o: Record<string, string>): ByteMap => new Map(Object.entries(o).map(([k, v]) => [k, b(v)]));
const obj = (m: ByteMap): Record<string, string> => Object.fromEntries([...m].map(([k, v]) => [k, t(v)]));
const noSources: TemplateSources = { configMap: () => Promise.resolve(undefined), secret: () => Promise.resolve(undefined) };

describe("ESO hashes (known answers from Go's fmt %+v and crypto/sha3)", () => {
  it("hashes Secret data, owner labels and metadata as ESO does", () => {
    expect(dataHash(new Map([["b", b("hi")], ["a", new Uint8Array()], ["é", new Uint8Array([0, 255])]]))).toBe("9828cd46b4759245b514eb6bc7f99e03514a5b13bd288e0bad98618c");
    expect(ownerLabel("ns", "name")).toBe("bb23d4143f48a70026bb6cffbf0e5df5557eb3bc56885091e92a5690");
    expect(resourceVersionOf({ generation: 3, annotations: { "force-sync": "1" } })).toBe("3-3cb9936e04320bcee317a9aaadf651af57f2be9c1e224eca5ace6f9f");
    expect(sha3Hex("")).toHaveLength(56);
  });
});

describe("keys: conversion, validation, decoding, rewrite", () => {
  it.each([
    { reason: "Default replaces a slash with _", strategy: "Default", key: "app/db", want: "app_db" },
    { reason: "Unicode writes _UXXXX_", strategy: "Unicode", key: "a/b c", want: "a_U002f_b_U0020_c" },
    { reason: "letters of any script are kept", strategy: "Default", key: "ключ.1-x_y", want: "ключ.1-x_y" },
  ])("$reason", ({ strategy, key, want }) => {
    expect([...convertKeys(strategy, map({ [key]: "v" })).keys()]).toEqual([want]);
  });

  it("refuses collisions and invalid keys, drops empty ones", () => {
    expect(() => convertKeys("Default", map({ "a/b": "1", "a:b": "2" }))).toThrow(/collision/);
    expect(() => { validateKeys(map({ "a/b": "x" })); }).toThrow(/invalid character \//);
    const m = map({ "": "x", ok: "y" });
    validateKeys(m);
    expect([...m.keys()]).toEqual(["ok"]);
  });

  it.each([
    { reason: "Base64", strategy: "Base64", input: "aGVsbG8=", want: "hello" },
    { reason: "Base64URL", strategy: "Base64URL", input: "-_8=", want: Buffer.from([0xfb, 0xff]).toString("latin1") },
    { reason: "Auto falls back to the raw value", strategy: "Auto", input: "not base64!", want: "not base64!" },
    { reason: "None keeps the value", strategy: "None", input: "aGVsbG8=", want: "aGVsbG8=" },
  ])("decodes $reason", ({ strategy, input, want }) => {
    expect(Buffer.from(decodeValue(strategy, b(input))).toString(strategy === "Base64URL" ? "latin1" : "utf8")).toBe(want);
  });

  it("refuses bad base64 with Base64", () => {
    expect(() => decodeValue("Base64", b("%%%"))).toThrow(/illegal base64/);
  });

  it("rewrites keys with Go regexp replacement syntax and with transform templates", () => {
    expect(replaceAllGo(RE2JS.compile("a*"), "baaac", "-")).toBe("-b-c-");
    expect(replaceAllGo(RE2JS.compile("^db_(?P<rest>.*)$"), "db_user", "${rest}_$1x")).toBe("user_");
    const out = rewriteMap([{ regexp: { source: "^db_", target: "" } }, { transform: { template: "{{ .value | upper }}" } }], map({ db_user: "u", db_pass: "p" }));
    expect(obj(out)).toEqual({ USER: "u", PASS: "p" });
  });
});

describe("template engine v2 subset", () => {
  const data = { user: "app", pass: "s3cr3t", json: '{"a":"b"}' };
  it.each([
    { reason: "fields and text", src: "u={{ .user }} p={{.pass}}", want: "u=app p=s3cr3t" },
    { reason: "pipes and functions", src: "{{ .user | upper | quote }}", want: '"APP"' },
    { reason: "trim markers", src: "a  {{- .user -}}  b", want: "aappb" },
    { reason: "b64enc and printf", src: '{{ printf "%s:%s" .user .pass | b64enc }}', want: Buffer.from("app:s3cr3t").toString("base64") },
    { reason: "index and fromJson", src: '{{ index (.json | fromJson) "a" }}', want: "b" },
    { reason: "default", src: '{{ "" | default "x" }}', want: "x" },
    { reason: "comments vanish", src: "{{/* note */}}ok", want: "ok" },
  ])("renders $reason", ({ src, want }) => {
    expect(renderTemplate(src, data, "k")).toBe(want);
  });

  it("refuses control actions and unsupported functions with a clear code, and missing keys as ESO does", () => {
    expect(() => renderTemplate("{{ range .x }}{{ end }}", data, "k")).toThrow(expect.objectContaining({ code: "es.template_unsupported" }));
    expect(() => renderTemplate("{{ .pass | pkcs12key }}", data, "k")).toThrow(expect.objectContaining({ code: "es.template_unsupported", message: expect.stringContaining("pkcs12key") as unknown }));
    expect(() => renderTemplate("{{ nosuch }}", data, "k")).toThrow(expect.objectContaining({ code: "es.template_failed" }));
    expect(() => renderTemplate("{{ .missing }}", data, "k")).toThrow(/map has no entry for key "missing"/);
    expect(() => renderTemplate("{{ $x := 1 }}", data, "k")).toThrow(expect.objectContaining({ code: "es.template_unsupported" }));
  });
});

const es = (spec: NonNullable<ExternalSecret["spec"]>, meta: Partial<NonNullable<ExternalSecret["metadata"]>> = {}): ExternalSecret => ({
  apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "db", namespace: "app", uid: "uid-1", generation: 1, ...meta }, spec,
});

describe("desired Secret (ESO mutationFunc)", () => {
  it("writes ESO's markers, owner reference and the ExternalSecret's labels without a template", async () => {
    const s = await desiredSecret(es({ target: { creationPolicy: "Owner" } }, { labels: { team: "a" } }), "db", undefined, map({ password: "x" }), noSources);
    expect(s.metadata?.labels).toEqual({ team: "a", "reconcile.external-secrets.io/managed": "true", "reconcile.external-secrets.io/created-by": ownerLabel("app", "db") });
    expect(s.metadata?.annotations?.["reconcile.external-secrets.io/data-hash"]).toBe(dataHash(map({ password: "x" })));
    expect(s.metadata?.ownerReferences).toEqual([{ apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", name: "db", uid: "uid-1", controller: true, blockOwnerDeletion: true }]);
    expect(s.data).toEqual({ password: Buffer.from("x").toString("base64") });
  });

  it("with Merge keeps foreign keys and replaces the keys it wrote before", async () => {
    const existing: SecretObject = {
      metadata: { name: "db", namespace: "app", managedFields: [{ manager: "externalsecrets.external-secrets.io/db", fieldsV1: { "f:data": { ".": {}, "f:old": {} } } }] },
      data: { old: Buffer.from("1").toString("base64"), foreign: Buffer.from("2").toString("base64") },
    };
    const s = await desiredSecret(es({ target: { creationPolicy: "Merge" } }), "db", existing, map({ new: "3" }), noSources);
    expect(Object.keys(s.data ?? {}).sort()).toEqual(["foreign", "new"]);
    expect(s.metadata?.labels?.["reconcile.external-secrets.io/created-by"]).toBeUndefined();
  });

  it("refuses a Secret owned by another ExternalSecret", async () => {
    const existing: SecretObject = { metadata: { name: "db", namespace: "app", ownerReferences: [{ apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", name: "other", uid: "u2", controller: true }] } };
    await expect(desiredSecret(es({}), "db", existing, map({}), noSources)).rejects.toMatchObject({ code: "es.secret_owned", message: expect.stringContaining("another ExternalSecret") as unknown });
  });

  it("renders a template: type, data, templated labels, templateFrom literal; mergePolicy Replace drops the raw data", async () => {
    const s = await desiredSecret(es({ target: { template: { type: "kubernetes.io/basic-auth", data: { username: "{{ .user }}" }, metadata: { labels: { who: "{{ .user }}" } }, templateFrom: [{ literal: "password: '{{ .pass }}'" }] } } }), "db", undefined, map({ user: "app", pass: "pw" }), noSources);
    expect(s.type).toBe("kubernetes.io/basic-auth");
    expect(Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]))).toEqual({ username: "app", password: "pw" });
    expect(s.metadata?.labels?.["who"]).toBe("app");
  });
});

describe("provider data (ESO getProviderSecretData)", () => {
  const store = (values: Record<string, Record<string, string> | undefined>): StoreReader => ({
    getSecret: (ref) => {
      const v = values[ref.key];
      if (v === undefined) return Promise.reject(new SigilError("provider.no_secret", "secret not found"));
      return Promise.resolve(b(ref.property === undefined ? JSON.stringify(v) : (v[ref.property] ?? "")));
    },
    getSecretMap: (ref) => {
      const v = values[ref.key];
      return v === undefined ? Promise.reject(new SigilError("provider.no_secret", "secret not found")) : Promise.resolve(map(v));
    },
    getAllSecrets: () => Promise.resolve(new Map(Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => [k, b(JSON.stringify(v))]))),
  });

  it("reads dataFrom then data, converting found keys", async () => {
    const r = await fetchProviderData(es({ dataFrom: [{ extract: { key: "db" } }, { find: { name: { regexp: "." } } }], data: [{ secretKey: "user", remoteRef: { key: "db", property: "u" } }] }), () => Promise.resolve(store({ db: { u: "app", p: "pw" }, "x/y": { a: "1" } })));
    expect(Object.keys(obj(r.data)).sort()).toEqual(["db", "p", "u", "user", "x_y"]);
  });

  it("skips a missing secret unless deletionPolicy is Retain", async () => {
    const spec = (deletionPolicy: string): NonNullable<ExternalSecret["spec"]> => ({ target: { deletionPolicy }, data: [{ secretKey: "k", remoteRef: { key: "gone" } }] });
    const r = await fetchProviderData(es(spec("Delete")), () => Promise.resolve(store({})));
    expect(r.data.size).toBe(0);
    expect(r.missing).toHaveLength(1);
    await expect(fetchProviderData(es(spec("Retain")), () => Promise.resolve(store({})))).rejects.toMatchObject({ code: "provider.no_secret" });
  });
});

describe("refresh decision (ESO shouldRefresh)", () => {
  const now = Date.parse("2026-01-01T01:00:00Z");
  const synced = (spec: NonNullable<ExternalSecret["spec"]>, refreshTime: string): ExternalSecret => {
    const e = es(spec);
    e.status = { refreshTime, syncedResourceVersion: resourceVersionOf(e.metadata) };
    return e;
  };
  it.each([
    { reason: "never synced", e: es({}), want: true },
    { reason: "interval not yet passed", e: synced({ refreshInterval: "1h" }, "2026-01-01T00:30:00Z"), want: false },
    { reason: "interval passed", e: synced({ refreshInterval: "10m" }, "2026-01-01T00:30:00Z"), want: true },
    { reason: "interval 0 after a sync", e: synced({ refreshInterval: "0s" }, "2026-01-01T00:00:00Z"), want: false },
    { reason: "CreatedOnce after a sync", e: synced({ refreshPolicy: "CreatedOnce", refreshInterval: "1s" }, "2026-01-01T00:00:00Z"), want: false },
    { reason: "OnChange with unchanged metadata", e: synced({ refreshPolicy: "OnChange" }, "2026-01-01T00:00:00Z"), want: false },
  ])("$reason", ({ e, want }) => {
    expect(shouldRefresh(e, now)).toBe(want);
  });

  it("refreshes when the force-sync annotation changes", () => {
    const e = synced({ refreshInterval: "1h" }, "2026-01-01T00:59:00Z");
    e.metadata = { ...e.metadata, annotations: { "force-sync": "2" } };
    expect(shouldRefresh(e, now)).toBe(true);
  });
});
