/**
 * Weaknesses found by the hygiene audit that need more than a small local
 * fix. Each is an `it.fails`: the test states the behaviour we want and
 * fails today; when the issue is fixed, vitest reports it as passing
 * unexpectedly and the `.fails` must go. See docs/security.md.
 */
import { describe, expect, it } from "vitest";
import { redact } from "../../../src/core/index.js";
import { KeyRing, UnsealCache, generateSealingKeyPair, privateKeysFromPem, sealSecret } from "../../../src/decrypt/index.js";
import { canUnseal } from "../../../src/operator/index.js";

describe("known issues", () => {
  /*
   * The controller's /v1/verify (and /v1/rotate) endpoints unseal whatever a
   * client posts, and unsealing registers every value with the process
   * redactor. Anyone with the public certificate can seal a cluster-wide
   * SealedSecret whose values are ordinary words ("Synced", "failed",
   * "SealedSecret", a namespace name) and post it: from then on those words
   * are blanked in every Event, status message and log line of the
   * controller. Nothing leaks, but diagnostics can be wiped by an
   * unauthenticated caller. Proposed fix: unseal for verify/rotate with a
   * request-scoped redactor (the values are never printed, and rotate
   * zeroes them), or register only values that reach a Secret.
   */
  it("a SealedSecret posted to /v1/verify cannot make the controller redact ordinary words", async () => {
    const pair = await generateSealingKeyPair({ keySize: 2048 });
    const ring = new KeyRing(privateKeysFromPem(pair.privateKeyPem, "test"));
    const ss = sealSecret(
      { apiVersion: "v1", kind: "Secret", metadata: { name: "x", namespace: "y", annotations: { "sealedsecrets.bitnami.com/cluster-wide": "true" } }, stringData: { a: "Synced", b: "ErrUnsealFailed" } },
      pair.certificate.publicKey,
    );
    expect(canUnseal(ss, ring, new UnsealCache())).toBe(true);
    expect(redact("Synced=False reason=ErrUnsealFailed")).toBe("Synced=False reason=ErrUnsealFailed");
  });
});
