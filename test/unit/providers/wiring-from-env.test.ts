import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Encrypter, armor } from "age-encryption";
import { afterEach, describe, expect, it } from "vitest";
import { REDACTED, redact } from "../../../src/core/index.js";
import {
  ageIdentitySources,
  ageKeyLocations,
  buildAgeProvider,
  buildKmsProvider,
  buildProviderRegistry,
  defaultAgeKeysFile,
  describeAgeIdentitySearch,
  vaultTokenSource,
} from "../../../src/providers/index.js";
import { terminalPassphrasePrompt } from "../../../src/cli/shared/prompt.js";
import { ProviderRegistry } from "../../../src/providers/index.js";
import { tempDir } from "./helpers.js";

const KEY1 = readFileSync(new URL("../../fixtures/keys/age-1.txt", import.meta.url), "utf8");
const R1 = "age1uhltqrrk67gga0a9l6pj7c9h9fyqa30x5srgtm4r4s45jn4hv49qqs74yv";
const WRAPPED = readFileSync(new URL("../../fixtures/keys/age-1.wrapped-by-age.txt", import.meta.url), "utf8");
const fixed = { homedir: () => "/home/u", platform: "linux" as const };

describe("keys from the environment", () => {
  let cleanup = (): void => undefined;
  afterEach(() => {
    cleanup();
  });

  it("registers the age, kms and hc_vault providers", () => {
    expect(buildProviderRegistry({}, fixed).types().sort()).toEqual(["age", "hc_vault", "kms"]);
  });

  it("looks for age identities in SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and the default keys file, in that order", () => {
    expect(ageKeyLocations({}, fixed)).toEqual(["SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "/home/u/.config/sops/age/keys.txt"]);
    const sources = ageIdentitySources({ SOPS_AGE_KEY: "AGE-SECRET-KEY-1X", SOPS_AGE_KEY_FILE: "/k.txt" }, fixed);
    expect(sources).toEqual([
      { location: "SOPS_AGE_KEY", text: "AGE-SECRET-KEY-1X" },
      { location: "SOPS_AGE_KEY_FILE=/k.txt", path: "/k.txt", required: true },
      { location: "/home/u/.config/sops/age/keys.txt", path: "/home/u/.config/sops/age/keys.txt" },
    ]);
  });

  const defaults = [
    { env: { XDG_CONFIG_HOME: "/xdg" }, platform: "linux" as const, path: "/xdg/sops/age/keys.txt", reason: "XDG_CONFIG_HOME wins" },
    { env: { HOME: "/home/h" }, platform: "linux" as const, path: "/home/h/.config/sops/age/keys.txt", reason: "Linux: ~/.config" },
    { env: {}, platform: "linux" as const, path: "/home/u/.config/sops/age/keys.txt", reason: "no HOME: the injected home directory" },
    {
      env: { HOME: "/Users/m" },
      platform: "darwin" as const,
      path: "/Users/m/Library/Application Support/sops/age/keys.txt",
      reason: "macOS without XDG_CONFIG_HOME",
    },
    { env: { XDG_CONFIG_HOME: "/xdg" }, platform: "darwin" as const, path: "/xdg/sops/age/keys.txt", reason: "macOS honours XDG_CONFIG_HOME" },
  ];
  it.each(defaults)("default keys file: $reason", ({ env, platform, path }) => {
    expect(defaultAgeKeysFile(env, { ...fixed, platform })).toBe(path);
  });

  it("finds identities in the default keys file and unwraps with them", async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    mkdirSync(join(t.dir, "sops", "age"), { recursive: true });
    writeFileSync(join(t.dir, "sops", "age", "keys.txt"), KEY1);
    const registry = buildProviderRegistry({ XDG_CONFIG_HOME: t.dir }, fixed);
    const plain = await registry.require({ type: "age", recipient: R1 }).unwrap({ type: "age", recipient: R1 }, WRAPPED);
    expect(Buffer.from(plain!).toString()).toBe("known-answer data key for age-1!");
    expect(await describeAgeIdentitySearch(registry)).toBe(
      `'SOPS_AGE_KEY' (not set), 'SOPS_AGE_KEY_FILE' (not set), '${join(t.dir, "sops", "age", "keys.txt")}' (1 identity)`,
    );
  });

  it("gives no search report for a registry it did not build", async () => {
    expect(await describeAgeIdentitySearch(new ProviderRegistry())).toBeUndefined();
  });

  describe("passphrase-protected SOPS_AGE_KEY_FILE", () => {
    async function protectedFile(): Promise<string> {
      const t = tempDir();
      cleanup = t.cleanup;
      const e = new Encrypter();
      e.setPassphrase("s3cret pass");
      e.setScryptWorkFactor(10);
      const path = join(t.dir, "keys.age");
      writeFileSync(path, armor.encode(await e.encrypt(KEY1)));
      return path;
    }

    it("takes the passphrase from SIGIL_AGE_PASSPHRASE without prompting", async () => {
      const path = await protectedFile();
      const age = buildAgeProvider({ SOPS_AGE_KEY_FILE: path, SIGIL_AGE_PASSPHRASE: "s3cret pass", HOME: "/nonexistent" }, {
        ...fixed,
        prompt: () => Promise.reject(new Error("must not prompt")),
      });
      expect(await age.unwrap({ type: "age", recipient: R1 }, WRAPPED)).not.toBeNull();
    });

    it("asks the injected prompt, naming the file, when SIGIL_AGE_PASSPHRASE is not set", async () => {
      const path = await protectedFile();
      const asked: string[] = [];
      const age = buildAgeProvider({ SOPS_AGE_KEY_FILE: path, HOME: "/nonexistent" }, {
        ...fixed,
        prompt: (msg) => {
          asked.push(msg);
          return Promise.resolve("s3cret pass");
        },
      });
      expect(await age.unwrap({ type: "age", recipient: R1 }, WRAPPED)).not.toBeNull();
      expect(asked).toEqual([`Enter passphrase for identity 'SOPS_AGE_KEY_FILE=${path}': `]);
    });

    it("says to set SIGIL_AGE_PASSPHRASE when there is no prompt", async () => {
      const path = await protectedFile();
      const age = buildAgeProvider({ SOPS_AGE_KEY_FILE: path, HOME: "/nonexistent" }, fixed);
      expect(await age.unwrap({ type: "age", recipient: R1 }, WRAPPED)).toBeNull();
      expect(await age.searchReport()).toContain("set SIGIL_AGE_PASSPHRASE");
    });
  });

  describe("vault token", () => {
    it("uses VAULT_TOKEN first and registers it as a secret", async () => {
      const token = await vaultTokenSource({ VAULT_TOKEN: "hvs.from-env-token", HOME: "/nonexistent" }, fixed)();
      expect(token).toBe("hvs.from-env-token");
      expect(redact("t=hvs.from-env-token")).toBe(`t=${REDACTED}`);
    });

    it("falls back to the trimmed ~/.vault-token", async () => {
      const t = tempDir();
      cleanup = t.cleanup;
      writeFileSync(join(t.dir, ".vault-token"), "  hvs.file-token\n");
      expect(await vaultTokenSource({ HOME: t.dir }, fixed)()).toBe("hvs.file-token");
    });

    it("gives undefined when there is no token anywhere", async () => {
      expect(await vaultTokenSource({ HOME: "/nonexistent" }, fixed)()).toBeUndefined();
    });
  });

  describe("KMS endpoint override", () => {
    const saved = { ...process.env };
    afterEach(() => {
      const id = saved["AWS_ACCESS_KEY_ID"];
      const secret = saved["AWS_SECRET_ACCESS_KEY"];
      if (id === undefined) delete process.env["AWS_ACCESS_KEY_ID"];
      else process.env["AWS_ACCESS_KEY_ID"] = id;
      if (secret === undefined) delete process.env["AWS_SECRET_ACCESS_KEY"];
      else process.env["AWS_SECRET_ACCESS_KEY"] = secret;
    });

    it("sends KMS calls to AWS_ENDPOINT_URL_KMS, which wins over AWS_ENDPOINT_URL", async () => {
      // The SDK's default credential chain reads process.env; give it throw-away credentials.
      process.env["AWS_ACCESS_KEY_ID"] = "AKIDTEST";
      process.env["AWS_SECRET_ACCESS_KEY"] = "test";
      const targets: string[] = [];
      const server = createServer((req, res) => {
        targets.push(String(req.headers["x-amz-target"]));
        req.resume();
        req.on("end", () =>
          res.writeHead(400, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify({ __type: "NotFoundException", message: "no key" })),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      cleanup = () => {
        server.close();
      };
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const kms = buildKmsProvider({ AWS_ENDPOINT_URL_KMS: endpoint, AWS_ENDPOINT_URL: "http://127.0.0.1:1" }, fixed);
      const key = { type: "kms" as const, arn: "arn:aws:kms:eu-west-2:111122223333:key/abc" };
      await expect(kms.unwrap(key, "AAAA")).rejects.toMatchObject({ code: "provider.failed" });
      expect(targets).toEqual(["TrentService.Decrypt"]);
    });
  });
});

describe("terminal passphrase prompt", () => {
  function fakeTty(isTTY = true) {
    const stdin = Object.assign(new PassThrough(), { isTTY, raw: [] as boolean[], setRawMode(mode: boolean) {
      stdin.raw.push(mode);
      return stdin;
    } });
    const written: string[] = [];
    return { io: { stdin, stderr: { write: (c: string) => written.push(c) } }, stdin, written };
  }

  it("is not offered when stdin is not a terminal", () => {
    expect(terminalPassphrasePrompt(fakeTty(false).io)).toBeUndefined();
  });

  it("reads without echo until Enter, honours Backspace, and restores the terminal", async () => {
    const { io, stdin, written } = fakeTty();
    const answer = terminalPassphrasePrompt(io)!("Enter passphrase: ");
    stdin.write("pasz\u007fs");
    stdin.write("word\rignored");
    expect(await answer).toBe("password");
    expect(written.join("")).toBe("Enter passphrase: \n");
    expect(stdin.raw).toEqual([true, false]);
  });

  it("rejects when the user presses Ctrl-C", async () => {
    const { io, stdin } = fakeTty();
    const answer = terminalPassphrasePrompt(io)!("p: ");
    stdin.write("ab\u0003");
    await expect(answer).rejects.toMatchObject({ code: "input.invalid" });
  });
});
