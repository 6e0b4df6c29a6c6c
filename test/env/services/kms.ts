/** local-kms (AWS KMS emulator) on loopback, seeded with fixed keys so committed fixtures stay decryptable. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KmsState } from "../state.js";
import { freePort, startDaemon, waitUntil } from "../proc.js";
import type { Daemon } from "../proc.js";

export const KMS_REGION = "eu-west-2";
export const KMS_ACCOUNT = "111122223333";
/** Fixed test keys: throw-away material, public on purpose. */
export const KMS_KEYS = [
  { id: "6f1b0a3e-5d2c-4c8e-9a41-0b7e2f9d3c11", backing: "5cdaead27fe7da2de47945d73cd6d79e36494e73802f3cd3869f1d2cb0b5d7a9" },
  { id: "2a9c4e7f-1b3d-4f5a-8c6e-9d0b1a2c3e4f", backing: "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0" },
] as const;
export const KMS_ALIAS = "alias/sigil-test";

function seedYaml(): string {
  const keys = KMS_KEYS.map((k) => `        - Metadata: {KeyId: ${k.id}}\n          BackingKeys: [${k.backing}]\n`).join("");
  return `Keys:\n  Symmetric:\n    Aes:\n${keys}Aliases:\n  - {AliasName: ${KMS_ALIAS}, TargetKeyId: ${KMS_KEYS[0].id}}\n`;
}

export async function startKms(dir: string, localKms: string): Promise<{ state: KmsState; daemons: Daemon[] }> {
  const port = await freePort();
  const seed = join(dir, "kms-seed.yaml");
  writeFileSync(seed, seedYaml());
  const endpoint = `http://127.0.0.1:${port}`;
  const daemon = startDaemon("local-kms", localKms, [], {
    log: join(dir, "logs", "local-kms.log"),
    env: {
      ...process.env,
      KMS_ADDR: `127.0.0.1:${port}`,
      KMS_REGION,
      KMS_ACCOUNT_ID: KMS_ACCOUNT,
      KMS_SEED_PATH: seed,
      KMS_DATA_PATH: join(dir, "kms-data"),
    },
  });
  await waitUntil("local-kms", async () => {
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "X-Amz-Target": "TrentService.ListKeys", "Content-Type": "application/x-amz-json-1.1" },
      body: "{}",
      signal: AbortSignal.timeout(1000),
    });
    return res.status === 200;
  }, { timeoutMs: 15_000, daemon });
  const prefix = `arn:aws:kms:${KMS_REGION}:${KMS_ACCOUNT}:`;
  return {
    daemons: [daemon],
    state: {
      endpoint,
      region: KMS_REGION,
      accountId: KMS_ACCOUNT,
      keyArns: KMS_KEYS.map((k) => `${prefix}key/${k.id}`),
      aliasArn: `${prefix}${KMS_ALIAS}`,
    },
  };
}
