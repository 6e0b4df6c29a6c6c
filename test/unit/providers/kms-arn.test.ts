import { describe, expect, it } from "vitest";
import { isSigilError } from "../../../src/core/index.js";
import { kmsKeyRef, kmsRegionFromArn, parseEncryptionContext, parseKmsArns, stsSessionName } from "../../../src/providers/index.js";

const ARN = "arn:aws:kms:eu-west-2:111122223333:key/6f1b0a3e-5d2c-4c8e-9a41-0b7e2f9d3c11";
const ROLE = "arn:aws:iam::111122223333:role/sops-decrypt";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isSigilError(err) ? err.code : "not a SigilError";
  }
  return undefined;
}

describe("KMS ARNs", () => {
  const regions = [
    { arn: ARN, region: "eu-west-2", reason: "a key ARN" },
    { arn: "arn:aws:kms:us-east-1:111122223333:alias/prod", region: "us-east-1", reason: "an alias ARN" },
    { arn: "arn:aws-cn:kms:cn-north-1:111122223333:key/abc", region: "cn-north-1", reason: "another partition" },
    { arn: "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/abc", region: "us-gov-west-1", reason: "a partition with a dash" },
  ];
  it.each(regions)("takes the region from $reason", ({ arn, region }) => {
    expect(kmsRegionFromArn(arn)).toBe(region);
  });

  const invalid = [
    { arn: "arn:aws:s3:::bucket", reason: "not a kms ARN" },
    { arn: "arn:aws:kms:eu-west-2:acct:key/abc", reason: "a non-numeric account" },
    { arn: "arn:aws:kms:eu-west-2:111122223333:grant/abc", reason: "neither key nor alias" },
    { arn: "6f1b0a3e-5d2c-4c8e-9a41-0b7e2f9d3c11", reason: "a bare key id" },
  ];
  it.each(invalid)("rejects $reason with provider.invalid_key", ({ arn }) => {
    expect(codeOf(() => kmsRegionFromArn(arn))).toBe("provider.invalid_key");
  });

  it("splits the ARN+role form and removes spaces, as sops does", () => {
    expect(kmsKeyRef(` ${ARN} +${ROLE} `)).toEqual({ type: "kms", arn: ARN, role: ROLE });
  });

  it("keeps context and profile, and drops an empty context or profile", () => {
    expect(kmsKeyRef(ARN, { context: { app: "demo" }, awsProfile: "prod" })).toEqual({
      type: "kms",
      arn: ARN,
      context: { app: "demo" },
      awsProfile: "prod",
    });
    expect(kmsKeyRef(ARN, { context: {}, awsProfile: "" })).toEqual({ type: "kms", arn: ARN });
  });

  it("rejects a role that is not an IAM role ARN", () => {
    expect(codeOf(() => kmsKeyRef(`${ARN}+arn:aws:iam::111122223333:user/bob`))).toBe("provider.invalid_key");
  });

  it("parses a comma-separated list with roles, dropping empty items", () => {
    const refs = parseKmsArns(`${ARN}+${ROLE},,arn:aws:kms:us-east-1:1:alias/x`, { context: { a: "b" } });
    expect(refs).toEqual([
      { type: "kms", arn: ARN, role: ROLE, context: { a: "b" } },
      { type: "kms", arn: "arn:aws:kms:us-east-1:1:alias/x", context: { a: "b" } },
    ]);
  });
});

describe("--encryption-context", () => {
  it("parses key:value pairs into a record", () => {
    expect(parseEncryptionContext("app:demo,env:prod")).toEqual({ app: "demo", env: "prod" });
  });

  it("gives an empty record for an empty string", () => {
    expect(parseEncryptionContext("")).toEqual({});
  });

  const bad = [
    { text: "app", reason: "no colon" },
    { text: "url:https://x", reason: "two colons (sops would silently drop the whole context)" },
    { text: ":v", reason: "an empty key" },
    { text: "a:b,", reason: "a trailing empty item" },
  ];
  it.each(bad)("refuses $reason with input.invalid", ({ text }) => {
    expect(codeOf(() => parseEncryptionContext(text))).toBe("input.invalid");
  });
});

describe("STS session name", () => {
  const names = [
    { host: "build01.example.com", name: "sops@build01.example.com", reason: "allowed characters are kept" },
    { host: "some-hostname", name: "sops@somehostname", reason: "'-' is removed, as sops' pattern does (its @-_ is a range)" },
    { host: "héllo wörld", name: "sops@hllowrld", reason: "non-ASCII and spaces are removed" },
    { host: "a".repeat(100), name: ("sops@" + "a".repeat(100)).slice(0, 64), reason: "cut to 64 characters" },
  ];
  it.each(names)("$reason: $host", ({ host, name }) => {
    expect(stsSessionName(host)).toBe(name);
  });
});
