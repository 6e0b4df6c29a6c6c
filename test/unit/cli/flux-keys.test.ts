import { describe, expect, it } from "vitest";
import { DEFAULT_CONTROLLERS, selectControllers } from "../../../src/cli/commands/operator/controllers.js";
import { fluxKeysEnv } from "../../../src/cli/commands/operator/flux-keys.js";

describe("a Flux decryption Secret as sops-style key variables", () => {
  it("takes every .agekey key, sops.vault-token and sops.aws-kms; endpoints come from the operator's environment", () => {
    const env = fluxKeysEnv(
      { "a.agekey": "AGE-SECRET-KEY-1AAA\n", "b.agekey": "AGE-SECRET-KEY-1BBB", "sops.vault-token": " s.token-value\n", "sops.aws-kms": "aws_access_key_id: AKIAEXAMPLE\naws_secret_access_key=secretvalue123\n", other: "ignored" },
      { AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:1", VAULT_ADDR: "http://127.0.0.1:2", SOPS_AGE_KEY: "not from the operator" },
    );
    expect(env).toEqual({
      HOME: "/nonexistent",
      SOPS_AGE_KEY: "AGE-SECRET-KEY-1AAA\nAGE-SECRET-KEY-1BBB",
      VAULT_TOKEN: "s.token-value",
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secretvalue123",
      AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:1",
      VAULT_ADDR: "http://127.0.0.1:2",
    });
  });

  it("gives no keys without a Secret (never the operator's own SOPS keys)", () => {
    expect(fluxKeysEnv(undefined, { SOPS_AGE_KEY: "x", VAULT_TOKEN: "t" })).toEqual({ HOME: "/nonexistent" });
  });
});

describe("the GitOps controllers in --controllers", () => {
  it("are opt-in: the default runs only sealedsecrets, and gitsources,syncs can be selected", () => {
    expect(DEFAULT_CONTROLLERS).toBe("sealedsecrets");
    expect(selectControllers("gitsources,syncs").map((c) => c.name)).toEqual(["gitsources", "syncs"]);
  });
});
