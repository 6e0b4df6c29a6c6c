/**
 * Role assumption and `aws_profile` through the real AWS SDK clients, against
 * a local HTTP stand-in for STS and KMS that records which access key signed
 * each request. (local-kms has no STS, so the role path cannot run against a
 * real peer; the KMS calls themselves are covered in test/integration/providers/kms.test.ts.)
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KmsProvider, sdkKmsClientFactory } from "../../../src/providers/index.js";
import { tempDir } from "./helpers.js";

const ARN = "arn:aws:kms:eu-west-2:111122223333:key/6f1b0a3e-5d2c-4c8e-9a41-0b7e2f9d3c11";
const ROLE = "arn:aws:iam::111122223333:role/sops-decrypt";

interface Seen {
  readonly accessKey: string;
  readonly target: string;
  readonly body: string;
}

/** The stand-in STS's n-th credentials expire n hours after this instant; tests move an injected clock around it. */
const ISSUED = Date.parse("2030-01-01T00:00:00Z");

/** The n-th AssumeRole response: the access key is numbered, so a test can tell which credentials signed a call. */
function assumeRoleXml(n: number): string {
  const expires = new Date(ISSUED + n * 60 * 60_000).toISOString();
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMED${n}</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>
<SessionToken>assumed-token</SessionToken><Expiration>${expires}</Expiration></Credentials>
<AssumedRoleUser><Arn>${ROLE}/x</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>
<ResponseMetadata><RequestId>${n}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
}

describe("KMS credentials through the AWS SDK", () => {
  let server: Server;
  let endpoint = "";
  const seen: Seen[] = [];
  const env = { ...process.env };
  let cleanup = (): void => undefined;

  beforeEach(async () => {
    seen.length = 0;
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const accessKey = /Credential=([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? "";
        const target = String(req.headers["x-amz-target"] ?? "sts");
        seen.push({ accessKey, target, body });
        if (target === "sts") {
          res.writeHead(200, { "content-type": "text/xml" }).end(assumeRoleXml(seen.filter((x) => x.target === "sts").length));
        } else {
          res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify({ Plaintext: Buffer.alloc(32, 1).toString("base64") }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    cleanup();
    for (const k of ["AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"]) {
      const v = env[k];
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
    await new Promise<void>((resolve) => server.close(() => {
      resolve();
    }));
  });

  it("assumes the key's role through STS with RoleSessionName sops@<host>, then signs KMS calls with the role's credentials", async () => {
    const clients = sdkKmsClientFactory({
      kmsEndpoint: endpoint,
      stsEndpoint: endpoint,
      hostname: "ci-runner-7",
      maxAttempts: 1,
      credentials: { accessKeyId: "AKIDBASE", secretAccessKey: "base" },
    });
    const p = new KmsProvider({ clients });
    const plain = await p.unwrap({ type: "kms", arn: ARN, role: ROLE }, "AAAA");
    expect(plain).toEqual(new Uint8Array(32).fill(1));
    expect(seen.map((s) => [s.target, s.accessKey])).toEqual([
      ["sts", "AKIDBASE"],
      ["TrentService.Decrypt", "ASIAASSUMED1"],
    ]);
    const form = new URLSearchParams(seen[0]!.body);
    expect(form.get("Action")).toBe("AssumeRole");
    expect(form.get("RoleArn")).toBe(ROLE);
    expect(form.get("RoleSessionName")).toBe("sops@cirunner7");
  });

  it("reuses the assumed credentials until they near expiry, then assumes the role again", async () => {
    let now = ISSUED;
    const clients = sdkKmsClientFactory({ kmsEndpoint: endpoint, stsEndpoint: endpoint, maxAttempts: 1, credentials: { accessKeyId: "AKIDBASE", secretAccessKey: "b" }, now: () => now });
    const p = new KmsProvider({ clients });
    const key = { type: "kms", arn: ARN, role: ROLE } as const;
    const signers = (): string[] => seen.map((s) => `${s.target === "sts" ? "sts" : "kms"}:${s.accessKey}`);
    await p.unwrap(key, "AAAA");
    now = ISSUED + 30 * 60_000; // half way: still fresh
    await p.unwrap(key, "AAAA");
    now = ISSUED + 54 * 60_000; // six minutes left: still fresh
    await p.unwrap(key, "AAAA");
    expect(signers()).toEqual(["sts:AKIDBASE", "kms:ASIAASSUMED1", "kms:ASIAASSUMED1", "kms:ASIAASSUMED1"]);
    now = ISSUED + 56 * 60_000; // four minutes left: renewed before the call
    await p.unwrap(key, "AAAA");
    await p.unwrap(key, "AAAA");
    expect(signers().slice(4)).toEqual(["sts:AKIDBASE", "kms:ASIAASSUMED2", "kms:ASIAASSUMED2"]);
  });

  it("shares one AssumeRole between concurrent calls", async () => {
    const clients = sdkKmsClientFactory({ kmsEndpoint: endpoint, stsEndpoint: endpoint, maxAttempts: 1, credentials: { accessKeyId: "AKIDBASE", secretAccessKey: "b" }, now: () => ISSUED });
    const p = new KmsProvider({ clients });
    await Promise.all([1, 2, 3].map(() => p.unwrap({ type: "kms", arn: ARN, role: ROLE }, "AAAA")));
    expect(seen.filter((s) => s.target === "sts")).toHaveLength(1);
  });

  it("signs with the credentials of the key's aws_profile from the shared credentials file", async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const creds = join(t.dir, "credentials");
    writeFileSync(creds, "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\n[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = p\n");
    writeFileSync(join(t.dir, "config"), "");
    // The SDK's default chain reads these from process.env (the one documented exception to "providers never read the environment").
    process.env["AWS_SHARED_CREDENTIALS_FILE"] = creds;
    process.env["AWS_CONFIG_FILE"] = join(t.dir, "config");
    Reflect.deleteProperty(process.env, "AWS_ACCESS_KEY_ID");
    Reflect.deleteProperty(process.env, "AWS_SECRET_ACCESS_KEY");
    Reflect.deleteProperty(process.env, "AWS_PROFILE");
    const p = new KmsProvider({ clients: sdkKmsClientFactory({ kmsEndpoint: endpoint, maxAttempts: 1 }) });
    await p.unwrap({ type: "kms", arn: ARN, awsProfile: "prod" }, "AAAA");
    await p.unwrap({ type: "kms", arn: ARN }, "AAAA");
    expect(seen.map((s) => s.accessKey)).toEqual(["AKIDPROD", "AKIDDEFAULT"]);
  });
});
