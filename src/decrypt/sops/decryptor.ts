/**
 * The SOPS decryptor the reconciler calls: a cheap, pure `matches` that
 * recognises a sops-encrypted file (or parsed object) without decrypting
 * anything, and `decrypt`, which verifies the MAC before returning plaintext.
 */
import type { ProviderRegistry } from "../../providers/index.js";
import { decryptFile } from "./engine/decrypt.js";
import type { DecryptOptions, DecryptResult } from "./engine/decrypt.js";
import { detectFormat } from "./stores/index.js";
import type { SopsFormat } from "./stores/index.js";

/** A file as the reconciler holds it. */
export interface SopsSource {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** Format override (default: by extension). */
  readonly format?: SopsFormat | undefined;
}

export interface SopsDecryptor {
  readonly kind: "sops";
  /** True when `input` (a `SopsSource`, or an already-parsed document) carries sops metadata. Pure and cheap. */
  matches(input: unknown): boolean;
  /**
   * Decrypt a source.
   * @throws SigilError as `decryptFile`.
   */
  decrypt(source: SopsSource): Promise<DecryptResult>;
}

const MARKERS: Record<SopsFormat, RegExp> = {
  yaml: /^sops:[ \t]*(?:#.*)?\r?$/m,
  json: /"sops"\s*:\s*\{/,
  dotenv: /^sops_mac=/m,
  ini: /^\s*\[sops\]/m,
  binary: /"sops"\s*:\s*\{/,
};

function isSource(v: unknown): v is SopsSource {
  return typeof v === "object" && v !== null && "bytes" in v && v.bytes instanceof Uint8Array && "path" in v && typeof v.path === "string";
}

function parsedHasMetadata(v: unknown): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const md = (v as Record<string, unknown>)["sops"];
  return typeof md === "object" && md !== null && "mac" in md && "lastmodified" in md;
}

/** Does `source` look sops-encrypted? Looks only at bytes (first 5 MiB), never decrypts. */
export function looksEncrypted(source: SopsSource): boolean {
  const format = source.format ?? detectFormat(source.path);
  const text = Buffer.from(source.bytes.buffer, source.bytes.byteOffset, Math.min(source.bytes.byteLength, 5 * 1024 * 1024)).toString("latin1");
  return MARKERS[format].test(text) && text.includes("ENC[AES256_GCM,");
}

/** Build the decryptor with the providers (and options) the reconciler uses. */
export function sopsDecryptor(options: Partial<DecryptOptions> & { registry: ProviderRegistry }): SopsDecryptor {
  return {
    kind: "sops",
    matches: (input) => (isSource(input) ? looksEncrypted(input) : parsedHasMetadata(input)),
    decrypt: (source) => decryptFile(source.bytes, { ...options, path: source.path, format: source.format ?? detectFormat(source.path) }),
  };
}
