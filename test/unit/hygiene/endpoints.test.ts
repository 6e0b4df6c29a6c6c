/**
 * Redaction poisoning through the controller's kubeseal-facing endpoints
 * (found by the hygiene audit as a known issue, fixed in e0be0dd): a posted
 * SealedSecret is anyone's input, since the certificate is public. If
 * /v1/verify or /v1/rotate registered its values with the process redactor,
 * any caller could seal a cluster-wide SealedSecret whose values are
 * ordinary words ("Synced", "ErrUnsealFailed", a namespace name) and make
 * the controller blank them in every Event, status message and log line.
 */
import { describe, expect, it } from "vitest";
import { redact } from "../../../src/core/index.js";
import { KeyRing, UnsealCache, generateSealingKeyPair, privateKeysFromPem, sealSecret } from "../../../src/decrypt/index.js";
import type { SealedSecretObject } from "../../../src/decrypt/index.js";
import { canUnseal, reencrypt } from "../../../src/operator/sealed-secrets/endpoints.js";

const WORDS = "Synced=False reason=ErrUnsealFailed namespace=payments";

describe("the verify and rotate endpoints cannot make the controller redact ordinary words", () => {
  it.each([
    { reason: "/v1/verify", call: (ss: SealedSecretObject, ring: KeyRing): unknown => canUnseal(ss, ring, new UnsealCache()) },
    { reason: "/v1/rotate", call: (ss: SealedSecretObject, ring: KeyRing): unknown => reencrypt(ss, ring, new UnsealCache()).spec.encryptedData["a"] },
  ])("$reason", async ({ call }) => {
    const pair = await generateSealingKeyPair({ keySize: 2048 });
    const ring = new KeyRing(privateKeysFromPem(pair.privateKeyPem, "test"));
    const ss = sealSecret(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "x", namespace: "y", annotations: { "sealedsecrets.bitnami.com/cluster-wide": "true" } },
        stringData: { a: "Synced", b: "ErrUnsealFailed", c: "payments" },
      },
      pair.certificate.publicKey,
    );
    expect(call(ss, ring)).toBeTruthy();
    expect(redact(WORDS)).toBe(WORDS);
  });
});
