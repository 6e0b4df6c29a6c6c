// .sops.yaml configuration (creation rules) — see docs/sops-config.md
import { SigilError } from "../../../../src/core/index.js";
import { parseSopsConfig } from "../../../../src/decrypt/sops/config/index.js";
import type { SopsConfig } from "../../../../src/decrypt/sops/config/index.js";

/** Throw-away recipients from test/fixtures/keys. */
export const AGE_1 = "age1uhltqrrk67gga0a9l6pj7c9h9fyqa30x5srgtm4r4s45jn4hv49qqs74yv";
export const AGE_2 = "age1rahkwnudxqfuun8jfyarm94hyzm262hff894fpwutrz4c34qhfyql2jrxw";
export const ARN_1 = "arn:aws:kms:eu-west-2:111122223333:key/11111111-1111-1111-1111-111111111111";
export const ARN_2 = "arn:aws:kms:eu-west-2:111122223333:key/22222222-2222-2222-2222-222222222222";
export const ROLE = "arn:aws:iam::111122223333:role/sops";
export const VAULT = "https://vault.example.com:8200/v1/transit/keys/sops";

export const CONFIG_PATH = "/repo/.sops.yaml";

/** Parse a config as if read from /repo/.sops.yaml. */
export function config(yaml: string): SopsConfig {
  return parseSopsConfig(yaml, { path: CONFIG_PATH });
}

/** The SigilError `fn` throws (or rejects with). */
export function thrown(fn: () => unknown): SigilError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SigilError) return err;
    throw err;
  }
  throw new Error("expected a SigilError");
}

export async function rejected(p: Promise<unknown>): Promise<SigilError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SigilError) return err;
    throw err;
  }
  throw new Error("expected a SigilError");
}
