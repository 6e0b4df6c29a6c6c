import { afterAll, beforeAll, expect, it } from "vitest";
import { buildVaultProvider } from "../../../src/providers/index.js";
import { parseVaultTransitUri } from "../../../src/providers/index.js";
import type { VaultKeyRef } from "../../../src/providers/index.js";
import { describePeers, peers, uniqueName } from "../../support/peers.js";
import { rejection } from "../../support/errors.js";
import { firstEntry, openSopsValue, sopsEncrypt } from "./support.js";

/** Raw Vault API call with the root token (test setup only). */
async function vaultApi(method: string, path: string, body?: unknown, namespace?: string): Promise<void> {
  const { addr, token } = peers().vault;
  const res = await fetch(`${addr}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": token, ...(namespace === undefined ? {} : { "X-Vault-Namespace": namespace }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok && res.status !== 204) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

describePeers("Vault transit provider against OpenBao", () => {
  const key = (): VaultKeyRef => {
    const { addr, transitMount, transitKey } = peers().vault;
    return parseVaultTransitUri(`${addr}/v1/${transitMount}/keys/${transitKey}`);
  };
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    VAULT_TOKEN: peers().vault.token,
    HOME: "/nonexistent",
    ...extra,
  });

  it("round-trips a data key and stores the vault:v1: ciphertext verbatim", async () => {
    const p = buildVaultProvider(env());
    const dataKey = new Uint8Array(32).map((_, i) => 255 - i);
    const enc = await p.wrap(key(), dataKey);
    expect(enc).toMatch(/^vault:v\d+:[A-Za-z0-9+/=]+$/);
    expect(await p.unwrap(key(), enc)).toEqual(dataKey);
  });

  it("rejects a wrong token with provider.denied", async () => {
    const enc = await buildVaultProvider(env()).wrap(key(), new Uint8Array(32));
    const err = await rejection(buildVaultProvider(env({ VAULT_TOKEN: "s.not-a-real-token" })).unwrap(key(), enc));
    expect(err.code).toBe("provider.denied");
  });

  it("reports an unreachable server as provider.unreachable", async () => {
    const unreachable = { ...key(), vaultAddress: "http://127.0.0.1:1" };
    const err = await rejection(buildVaultProvider(env()).unwrap(unreachable, "vault:v1:abc"));
    expect(err.code).toBe("provider.unreachable");
  });

  it("rejects a tampered ciphertext with decrypt.invalid_ciphertext", async () => {
    const p = buildVaultProvider(env());
    const enc = await p.wrap(key(), new Uint8Array(32));
    const tampered = enc.slice(0, 12) + (enc[12] === "A" ? "B" : "A") + enc.slice(13);
    expect((await rejection(p.unwrap(key(), tampered))).code).toBe("decrypt.invalid_ciphertext");
  });

  it("unwraps the data key the real sops wrapped with the same transit key", async () => {
    const { addr, transitMount, transitKey, token } = peers().vault;
    const written = sopsEncrypt(["--hc-vault-transit", `${addr}/v1/${transitMount}/keys/${transitKey}`], { VAULT_TOKEN: token });
    const entry = firstEntry(written.meta, "hc_vault");
    expect(entry).toMatchObject({ vault_address: addr, engine_path: transitMount, key_name: transitKey });
    const dataKey = await buildVaultProvider(env()).unwrap(key(), String(entry["enc"]));
    expect(openSopsValue(dataKey, written.password)).toBe(written.plaintext);
  });

  describePeers("in a namespace (VAULT_NAMESPACE)", () => {
    const ns = uniqueName("sigil-ns");
    beforeAll(async () => {
      await vaultApi("POST", `sys/namespaces/${ns}`);
      await vaultApi("POST", "sys/mounts/nstransit", { type: "transit" }, ns);
      await vaultApi("POST", "nstransit/keys/nskey", {}, ns);
    });
    afterAll(async () => {
      await vaultApi("DELETE", "sys/mounts/nstransit", undefined, ns).catch(() => undefined);
      await vaultApi("DELETE", `sys/namespaces/${ns}`).catch(() => undefined);
    });
    const nsKey = (): VaultKeyRef => parseVaultTransitUri(`${peers().vault.addr}/v1/nstransit/keys/nskey`);

    it("sends X-Vault-Namespace, so a key that exists only in the namespace works", async () => {
      const p = buildVaultProvider(env({ VAULT_NAMESPACE: ns }));
      const enc = await p.wrap(nsKey(), new Uint8Array(32).fill(8));
      expect(await p.unwrap(nsKey(), enc)).toEqual(new Uint8Array(32).fill(8));
    });

    it("cannot reach the namespaced key without VAULT_NAMESPACE (the root namespace has no such mount)", async () => {
      const enc = await buildVaultProvider(env({ VAULT_NAMESPACE: ns })).wrap(nsKey(), new Uint8Array(32));
      const err = await rejection(buildVaultProvider(env()).unwrap(nsKey(), enc));
      expect(err.code).toBe("provider.failed");
      expect(err.message).toContain("no handler for route");
    });
  });
});
