import { describe, expect, it } from "vitest";
import { redact } from "../../../src/core/index.js";
import { parseTemplate } from "../../../src/external-secrets/template/parse.js";
import { canary, expectNoLeak } from "../../support/canary.js";
import {
  JsonNumber, KvClient, TokenCache, VaultClients, buildDataPath, buildMetadataPath, gjsonGet, goFormatFloat, goJsonMarshal, parseJson, secretMap, secretValue,
} from "../../../src/providers/index.js";
import type { JsonObject, JsonValue, KvSend, VaultRequest, VaultResponse, VaultTransport } from "../../../src/providers/index.js";

const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString("utf8");
const obj = (json: string): JsonObject => parseJson(json, "test") as JsonObject;

describe("vault KV paths (ESO buildPath)", () => {
  it.each([
    { reason: "mount v2 prepends mount/data", mount: "secret", key: "db/prod", version: "v2", want: "secret/data/db/prod" },
    { reason: "mount v2 strips a repeated mount", mount: "secret", key: "secret/db", version: "v2", want: "secret/data/db" },
    { reason: "mount v2 strips mount/data", mount: "secret", key: "secret/data/db", version: "v2", want: "secret/data/db" },
    { reason: "mount v1 prepends the mount", mount: "kv", key: "db", version: "v1", want: "kv/db" },
    { reason: "mount v1 strips a repeated mount but keeps data/", mount: "kv", key: "kv/data/db", version: "v1", want: "kv/data/db" },
    { reason: "no mount v2 inserts data after the first segment", mount: undefined, key: "secret/foo/bar", version: "v2", want: "secret/data/foo/bar" },
    { reason: "no mount v2 keeps a key with /data/", mount: undefined, key: "secret/data/foo", version: "v2", want: "secret/data/foo" },
    { reason: "no mount v1 keeps the key", mount: undefined, key: "secret/foo", version: "v1", want: "secret/foo" },
    { reason: "a nested mount", mount: "team/kv", key: "app", version: "v2", want: "team/kv/data/app" },
  ] as const)("$reason", ({ mount, key, version, want }) => {
    expect(buildDataPath(mount, key, version)).toBe(want);
  });

  it("builds metadata paths, refusing a mount-less v2 key without data", () => {
    expect(buildMetadataPath("secret", "db", "v2")).toBe("secret/metadata/db");
    expect(buildMetadataPath(undefined, "secret/data/db", "v2")).toBe("secret/metadata/db");
    expect(() => buildMetadataPath(undefined, "secret/db", "v2")).toThrow(expect.objectContaining({ code: "es.invalid_spec" }));
  });
});

describe("vault values (ESO getSecretValue / GetSecretMap)", () => {
  const payload = obj('{"username":"app","port":5432,"ratio":1.50,"big":12345678901234567890,"ok":true,"nil":null,"nested":{"b":"<x&y>","a":1e3},"list":[1,"two"],"a.b":"dotted"}');

  it("gives the whole payload as Go JSON without a property: sorted keys, <>& escaped, numbers as sent", () => {
    expect(text(secretValue(payload, "", "t"))).toBe('{"a.b":"dotted","big":12345678901234567890,"list":[1,"two"],"nested":{"a":1e3,"b":"\\u003cx\\u0026y\\u003e"},"nil":null,"ok":true,"port":5432,"ratio":1.50,"username":"app"}');
  });

  it.each([
    { reason: "a string key gives its raw text", property: "username", want: "app" },
    { reason: "a number key keeps its text", property: "ratio", want: "1.50" },
    { reason: "a bool key", property: "ok", want: "true" },
    { reason: "a null key gives empty", property: "nil", want: "" },
    { reason: "an exact key with a dot wins over the gjson path", property: "a.b", want: "dotted" },
    { reason: "a nested path via gjson", property: "nested.b", want: "<x&y>" },
    { reason: "a non-integer number via gjson is reformatted like Go", property: "nested.a", want: "1000" },
    { reason: "an object via gjson is Go JSON", property: "nested", want: '{"a":1e3,"b":"\\u003cx\\u0026y\\u003e"}' },
    { reason: "an array index via gjson", property: "list.1", want: "two" },
    { reason: "an array length via gjson", property: "list.#", want: "2" },
  ])("$reason", ({ property, want }) => {
    expect(text(secretValue(payload, property, "t"))).toBe(want);
  });

  it("refuses a missing property with ESO's message, and a missing payload with the no-secret sentinel", () => {
    expect(() => secretValue(payload, "nope", "t")).toThrow(expect.objectContaining({ code: "provider.failed", message: 'cannot find secret data for key: "nope"' }));
    expect(() => secretValue(undefined, "", "t")).toThrow(expect.objectContaining({ code: "provider.no_secret" }));
  });

  it("extracts each top-level key, numbers as Go float64", () => {
    const m = secretMap(secretValue(payload, "", "t"), "t");
    expect(Object.fromEntries([...m].map(([k, v]) => [k, text(v)]))).toEqual({
      "a.b": "dotted", big: "12345678901234567000", list: '[1,"two"]', nested: '{"a":1000,"b":"\\u003cx\\u0026y\\u003e"}', nil: "", ok: "true", port: "5432", ratio: "1.5", username: "app",
    });
  });

  it("formats floats like strconv 'f' -1", () => {
    expect([1e21, 1.5e-7, 0.1, 123.456, -2e22].map(goFormatFloat)).toEqual(["1000000000000000000000", "0.00000015", "0.1", "123.456", "-20000000000000000000000"]);
  });

  it("bounds JSON depth and refuses unsupported gjson syntax", () => {
    expect(() => parseJson("[".repeat(100) + "]".repeat(100), "t")).toThrow(expect.objectContaining({ code: "input.too_large" }));
    expect(gjsonGet(payload, "list.#(==1)")).toBeUndefined();
    expect(goJsonMarshal(new JsonNumber("7"))).toBe("7");
  });
});

function fakeSend(routes: Record<string, { status: number; body: string }>, seen: string[] = []): KvSend {
  return (req) => {
    const q = req.query === undefined ? "" : "?" + new URLSearchParams(req.query).toString();
    seen.push(`${req.method} ${req.path}${q}`);
    const r = routes[`${req.path}${q}`] ?? { status: 404, body: "" };
    return Promise.resolve({ status: r.status, body: r.body === "" ? null : parseJson(r.body, "fake") });
  };
}

describe("KvClient", () => {
  const v2 = (data: string): { status: number; body: string } => ({ status: 200, body: `{"data":{"data":${data},"metadata":{"version":1}}}` });

  it("reads v2 data, a version, and v1 payloads", async () => {
    const seen: string[] = [];
    const kv = new KvClient(fakeSend({ "secret/data/db": v2('{"p":"x"}'), "secret/data/db?version=2": v2('{"p":"old"}') }, seen), { mount: "secret", version: "v2" });
    expect(text(await kv.getSecret({ key: "db", property: "p" }))).toBe("x");
    expect(text(await kv.getSecret({ key: "db", property: "p", version: "2" }))).toBe("old");
    expect(seen).toEqual(["GET secret/data/db", "GET secret/data/db?version=2"]);
    const v1 = new KvClient(fakeSend({ "kv/db": { status: 200, body: '{"data":{"p":"v1"}}' } }), { mount: "kv", version: "v1" });
    expect(text(await v1.getSecret({ key: "db", property: "p" }))).toBe("v1");
  });

  it("answers the no-secret sentinel for a 404 and for a deleted version", async () => {
    const kv = new KvClient(fakeSend({ "secret/data/gone": { status: 404, body: '{"data":{"data":null,"metadata":{"deletion_time":"x"}}}' } }), { mount: "secret", version: "v2" });
    await expect(kv.getSecret({ key: "gone" })).rejects.toMatchObject({ code: "provider.no_secret" });
    await expect(kv.getSecret({ key: "never" })).rejects.toMatchObject({ code: "provider.no_secret" });
  });

  it("maps 403 and 503 to denied and unreachable, without the response body's data", async () => {
    const kv = new KvClient(fakeSend({ "secret/data/a": { status: 403, body: '{"errors":["permission denied"]}' }, "secret/data/b": { status: 503, body: '{"errors":["Vault is sealed"]}' } }), { mount: "secret", version: "v2" });
    await expect(kv.getSecret({ key: "a" })).rejects.toMatchObject({ code: "provider.denied" });
    await expect(kv.getSecret({ key: "b" })).rejects.toMatchObject({ code: "provider.unreachable" });
  });

  it("fetches custom metadata with metadataPolicy Fetch", async () => {
    const kv = new KvClient(fakeSend({ "secret/metadata/db": { status: 200, body: '{"data":{"custom_metadata":{"owner":"team-a"},"current_version":3}}' } }), { mount: "secret", version: "v2" });
    expect(text(await kv.getSecret({ key: "db", metadataPolicy: "Fetch", property: "owner" }))).toBe("team-a");
    expect(text(await kv.getSecret({ key: "db", metadataPolicy: "Fetch" }))).toBe('{"owner":"team-a"}');
  });

  it("finds by name regexp and by tags, listing recursively", async () => {
    const routes = {
      "secret/metadata/app/?list=true": { status: 200, body: '{"data":{"keys":["db","web","sub/"]}}' },
      "secret/metadata/app/sub/?list=true": { status: 200, body: '{"data":{"keys":["db2"]}}' },
      "secret/data/app/db": v2('{"a":"1"}'),
      "secret/data/app/web": v2('{"b":"2"}'),
      "secret/data/app/sub/db2": v2('{"c":"3"}'),
      "secret/metadata/app/db": { status: 200, body: '{"data":{"custom_metadata":{"team":"x"}}}' },
      "secret/metadata/app/web": { status: 200, body: '{"data":{"custom_metadata":{"team":"y"}}}' },
      "secret/metadata/app/sub/db2": { status: 200, body: '{"data":{"custom_metadata":null}}' },
    };
    const kv = new KvClient(fakeSend(routes), { mount: "secret", version: "v2" });
    const byName = await kv.getAllSecrets({ path: "app", nameRegexp: "db" });
    expect([...byName.keys()].sort()).toEqual(["app/db", "app/sub/db2"]);
    const byTag = await kv.getAllSecrets({ path: "app", tags: { team: "x" } });
    expect(Object.fromEntries([...byTag].map(([k, v]) => [k, text(v)]))).toEqual({ "app/db": '{"a":"1"}' });
    await expect(new KvClient(fakeSend(routes), { mount: "secret", version: "v1" }).getAllSecrets({ tags: { a: "b" } })).rejects.toMatchObject({ code: "provider.failed" });
  });
});

class FakeTransport implements VaultTransport {
  readonly seen: VaultRequest[] = [];
  revoked = false;
  tokenValid = true;
  constructor(readonly handler: (req: VaultRequest) => { status: number; body: JsonValue }) {}
  send(req: VaultRequest): Promise<VaultResponse> {
    this.seen.push(req);
    return Promise.resolve(this.handler(req));
  }
  close(): void { /* nothing */ }
}

describe("token cache and sessions", () => {
  const loginBody = (tok: string, ttl: number): JsonValue => obj(`{"auth":{"client_token":"${tok}","lease_duration":${ttl},"renewable":true}}`);

  it("logs in once and reuses the token, renews it after 2/3 of its life, and logs in again after expiry", async () => {
    let now = 0;
    let n = 0;
    const t = new FakeTransport((req) => {
      if (req.path === "auth/approle/login") return { status: 200, body: loginBody(`t${++n}`, 60) };
      if (req.path === "auth/token/renew-self") return { status: 200, body: loginBody(req.token ?? "", 60) };
      return { status: 200, body: null };
    });
    const cache = new TokenCache({ now: () => now });
    const login = (): Promise<{ method: "appRole"; path: string; roleId: string; secretId: string }> => Promise.resolve({ method: "appRole", path: "approle", roleId: "r", secretId: "s" });
    const get = (): Promise<string> => cache.token("store", (r) => t.send(r), undefined, login);
    expect(await Promise.all([get(), get(), get()])).toEqual(["t1", "t1", "t1"]);
    now = 30_000;
    expect(await get()).toBe("t1");
    now = 45_000;
    expect(await get()).toBe("t1");
    expect(t.seen.filter((r) => r.path === "auth/token/renew-self")).toHaveLength(1);
    now = 200_000;
    expect(await get()).toBe("t2");
    expect(cache.logins).toBe(2);
    await cache.close();
    expect(t.seen.at(-1)).toMatchObject({ path: "auth/token/revoke-self", token: "t2" });
  });

  it("coalesces concurrent reads of one path, and logs in again when Vault refuses the cached token", async () => {
    let revoked = "";
    let n = 0;
    const t = new FakeTransport((req) => {
      if (req.path === "auth/approle/login") return { status: 200, body: loginBody(`t${++n}`, 3600) };
      if (req.token === revoked) return { status: 403, body: obj('{"errors":["permission denied"]}') };
      return { status: 200, body: obj('{"data":{"data":{"k":"v"}}}') };
    });
    let now = 0;
    const clients = new VaultClients({ tokens: new TokenCache({ now: () => now }), transport: () => t, coalesceWindowMs: 1000, now: () => now });
    const kv = clients.kv({ key: "s", connection: { server: "http://x", headers: {}, forwardInconsistent: false, readYourWrites: false, timeoutMs: 1, maxResponseBytes: 1 }, kv: { mount: "secret", version: "v2" }, login: () => Promise.resolve({ method: "appRole", path: "approle", roleId: "r", secretId: "s" }) });
    await Promise.all(Array.from({ length: 10 }, () => kv.getSecret({ key: "a", property: "k" })));
    expect(clients.reads).toBe(1);
    now = 5000;
    revoked = "t1";
    expect(text(await kv.getSecret({ key: "a", property: "k" }))).toBe("v");
    expect(clients.tokens.logins).toBe(2);
  });
});

describe("kept answers (notBefore)", () => {
  const config = { key: "s", connection: { server: "http://x", headers: {}, forwardInconsistent: false, readYourWrites: false, timeoutMs: 1, maxResponseBytes: 1 }, kv: { mount: "secret", version: "v2" as const }, login: () => Promise.resolve({ method: "token" as const, token: "t" }) };

  it("serve a client due before the read for as long as they are kept; never a client due after it, a fresh one, or an error", async () => {
    let status = 200;
    const t = new FakeTransport(() => ({ status, body: obj('{"data":{"data":{"k":"v"}}}') }));
    let now = 1000;
    const clients = new VaultClients({ tokens: new TokenCache({ now: () => now }), transport: () => t, coalesceWindowMs: 1000, retainReadsMs: 60_000, now: () => now });
    const read = (options: { fresh?: boolean; notBefore?: number }): Promise<unknown> => clients.kv(config, options).getSecret({ key: "a", property: "k" });
    await read({});
    now = 40_000;
    await read({ notBefore: 1000 });
    expect(clients.reads).toBe(1);
    await read({});
    now = 42_000;
    await read({ notBefore: 40_001 });
    expect(clients.reads).toBe(3);
    now = 42_500;
    await read({ fresh: true });
    expect(clients.reads).toBe(4);
    now = 200_000;
    await read({ notBefore: 0 });
    expect(clients.reads).toBe(5);
    status = 503;
    now = 203_000;
    await expect(read({ notBefore: 200_001 })).rejects.toMatchObject({ code: "provider.unreachable" });
    now = 210_000;
    await expect(read({ notBefore: 0 })).rejects.toMatchObject({ code: "provider.unreachable" });
    expect(clients.reads).toBe(7);
  });
  it("are kept while clients take them, and dropped a retention after the last one", async () => {
    const t = new FakeTransport(() => ({ status: 200, body: obj('{"data":{"data":{"k":"v"}}}') }));
    let now = 0;
    const clients = new VaultClients({ tokens: new TokenCache({ now: () => now }), transport: () => t, coalesceWindowMs: 1000, retainReadsMs: 60_000, now: () => now });
    const read = (): Promise<unknown> => clients.kv(config, { notBefore: 0 }).getSecret({ key: "a", property: "k" });
    for (let i = 0; i <= 6; i++) {
      now = i * 50_000;
      await read();
    }
    expect(clients.reads).toBe(1);
    now = 300_000 + 60_001;
    await read();
    expect(clients.reads).toBe(2);
  });
});

describe("hygiene of what is read from Vault and templates", () => {
  it("registers every string leaf of a secret read from Vault with the process redactor, nested ones too", async () => {
    const top = canary("vault-top");
    const nested = canary("vault-nested");
    const body = JSON.stringify({ data: { data: { a: top.value, b: { c: [nested.value] } }, metadata: {} } });
    const kv = new KvClient(fakeSend({ "secret/data/db": { status: 200, body } }), { mount: "secret", version: "v2" });
    await kv.readSecret("db");
    const line = `the store said: ${top.value} and ${nested.value}`;
    expect(redact(line)).not.toContain(top.value);
    expect(redact(line)).not.toContain(nested.value);
  });

  it("a template that does not parse is named by position, never quoted", () => {
    const secret = canary("template-text");
    for (const source of [`{{ ${secret.value}! }}`, `{{ "a" ) ${secret.value} }}`, `{{ .x | ) }}${secret.value}`]) {
      let message = "";
      try {
        parseTemplate(source, "tpl");
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, source).not.toBe("");
      expectNoLeak({ message }, secret);
    }
  });
});
