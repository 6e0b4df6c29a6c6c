/**
 * Loading age identities from the places sops looks: inline key text
 * (`SOPS_AGE_KEY`), key files (`SOPS_AGE_KEY_FILE`, the default keys file),
 * and passphrase-protected (scrypt) key files. Where to look is decided at
 * start-up and passed in as data; reading files and asking for a passphrase
 * are injected. Every identity (and every decrypted key file) is registered
 * with the redactor before it is returned. `age-encryption` is imported on
 * first use (see `typage.ts`).
 */
import { SigilError, registerSecret } from "../../core/index.js";
import { describeError } from "../../core/index.js";
import type { AgeIdentityLoaderDeps, AgeIdentitySource } from "./config.js";
import { x25519IdentityOf } from "./native-armor.js";
import { encodeBech32 } from "./bech32.js";
import type { NativeX25519Identity } from "./native-x25519.js";
import { loadTypage } from "./typage.js";

/** One usable identity and the recipient it decrypts for. */
export interface LoadedAgeIdentity {
  /** `AGE-SECRET-KEY-1…` or `AGE-SECRET-KEY-PQ-1…` (registered as a secret). */
  readonly identity: string;
  /** The matching `age1…` / `age1pq1…` recipient. */
  readonly recipient: string;
  /** The location it came from. */
  readonly location: string;
  /** An X25519 identity's key pair, imported once when it was loaded. */
  readonly native?: NativeX25519Identity;
}

/** What was found at one location (never contains key material). */
export interface AgeSearchEntry {
  readonly location: string;
  /** How many identities were loaded from it. */
  readonly found: number;
  /** `not set`, `not found`, `no identities`, `N identities`, or the problem. */
  readonly outcome: string;
  /** True when the location was configured but could not be used. */
  readonly problem: boolean;
}

export interface AgeIdentitySet {
  readonly identities: readonly LoadedAgeIdentity[];
  readonly searched: readonly AgeSearchEntry[];
}

/** The largest key file read (sops uses the same limit for encrypted key files). */
export const MAX_KEY_FILE_BYTES = 16 * 1024 * 1024;

const ENCRYPTED_PREFIXES = ["age-encryption", "-----BEGIN AGE"] as const;

/**
 * Load identities from every source, in order. Problems with one source are
 * recorded in `searched` and do not stop the others (as in sops).
 * Never throws for a bad source; rethrows only unexpected programming errors.
 */
export async function loadAgeIdentities(sources: readonly AgeIdentitySource[], deps: AgeIdentityLoaderDeps): Promise<AgeIdentitySet> {
  const identities: LoadedAgeIdentity[] = [];
  const searched: AgeSearchEntry[] = [];
  for (const source of sources) {
    const entry = await loadSource(source, deps);
    identities.push(...entry.identities);
    searched.push(entry.entry);
  }
  return { identities, searched };
}

/** One line per location, for error messages: `SOPS_AGE_KEY (not set); /x/keys.txt (not found)`. */
export function describeAgeSearch(searched: readonly AgeSearchEntry[]): string {
  if (searched.length === 0) return "no locations were configured";
  return searched.map((s) => `'${s.location}' (${s.outcome})`).join(", ");
}

interface SourceResult {
  readonly identities: LoadedAgeIdentity[];
  readonly entry: AgeSearchEntry;
}

function outcome(location: string, text: string, problem = false): SourceResult {
  return { identities: [], entry: { location, found: 0, outcome: text, problem } };
}

async function loadSource(source: AgeIdentitySource, deps: AgeIdentityLoaderDeps): Promise<SourceResult> {
  if (source.text !== undefined) return parseSource(source.location, Buffer.from(source.text, "utf8"), deps);
  if (source.path === undefined) return outcome(source.location, "not set");
  let bytes: Uint8Array;
  try {
    bytes = await deps.readFile(source.path);
  } catch (err) {
    if (isNotFound(err)) return outcome(source.location, "not found", source.required === true);
    return outcome(source.location, `could not be read: ${errnoText(err)}`, true);
  }
  if (bytes.byteLength > MAX_KEY_FILE_BYTES) return outcome(source.location, "file too large", true);
  return parseSource(source.location, Buffer.from(bytes), deps);
}

async function parseSource(location: string, bytes: Buffer, deps: AgeIdentityLoaderDeps): Promise<SourceResult> {
  let plain = bytes.toString("utf8");
  if (ENCRYPTED_PREFIXES.some((p) => bytes.subarray(0, p.length).toString("latin1") === p)) {
    const opened = await openEncryptedKeyFile(location, bytes, deps);
    if (typeof opened !== "string") return opened;
    plain = opened;
  }
  try {
    const identities = await parseIdentityLines(location, plain);
    const count = identities.length;
    const note = count === 0 ? "no identities" : `${count} ${count === 1 ? "identity" : "identities"}`;
    return { identities, entry: { location, found: count, outcome: note, problem: false } };
  } catch (err) {
    return outcome(location, err instanceof SigilError ? err.message : "could not be parsed", true);
  }
}

/** Decrypt a passphrase-protected key file; returns its text, or the failure outcome. */
async function openEncryptedKeyFile(location: string, bytes: Buffer, deps: AgeIdentityLoaderDeps): Promise<string | SourceResult> {
  const { Decrypter, armor } = await loadTypage();
  let file: Uint8Array;
  try {
    file = bytes.subarray(0, 5).toString("latin1") === "-----" ? armor.decode(bytes.toString("utf8")) : bytes;
  } catch {
    return outcome(location, "passphrase-protected key file has invalid armor", true);
  }
  if (deps.passphrase === undefined) {
    return outcome(location, "passphrase-protected, and no passphrase source is configured", true);
  }
  let passphrase: string;
  try {
    passphrase = await deps.passphrase(location);
    registerSecret(passphrase, { pin: true });
  } catch (err) {
    return outcome(location, `passphrase-protected, and no passphrase was obtained: ${describeError(err)}`, true);
  }
  try {
    const decrypter = new Decrypter();
    decrypter.addPassphrase(passphrase);
    const plain = await decrypter.decrypt(file, "text");
    registerSecret(plain, { pin: true });
    return plain;
  } catch (err) {
    const msg = err instanceof Error ? err.message : "";
    if (msg.includes("no identity matched")) return outcome(location, "incorrect passphrase", true);
    if (msg.includes("work factor")) return outcome(location, "scrypt work factor is too high", true);
    return outcome(location, "passphrase-protected key file could not be decrypted", true);
  }
}

/**
 * Parse key-file text: `#` lines and empty lines are ignored; a line may hold
 * several whitespace-separated identities (as `SOPS_AGE_KEY` allows).
 * Identity text is never put into an error message.
 * @throws SigilError `provider.invalid_key` naming the location and line.
 */
export async function parseIdentityLines(location: string, text: string): Promise<LoadedAgeIdentity[]> {
  const out: LoadedAgeIdentity[] = [];
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    for (const token of line.split(/\s+/)) {
      registerSecret(token, { pin: true }); // identities live as long as the process
      const native = x25519IdentityOf(token);
      if (native !== undefined) out.push({ identity: token, recipient: encodeBech32("age", native.publicKey), location, native });
      else out.push({ identity: token, recipient: await recipientOf(location, index + 1, token), location });
    }
  }
  return out;
}

async function recipientOf(location: string, line: number, token: string): Promise<string> {
  if (token.startsWith("AGE-PLUGIN-")) {
    throw new SigilError("provider.invalid_key", `line ${line} holds an age plugin identity, which is not supported`, { subject: location });
  }
  if (!token.startsWith("AGE-SECRET-KEY-1") && !token.startsWith("AGE-SECRET-KEY-PQ-1")) {
    throw new SigilError("provider.invalid_key", `line ${line} is not an age identity (expected AGE-SECRET-KEY-1…)`, { subject: location });
  }
  const { identityToRecipient } = await loadTypage();
  try {
    return await identityToRecipient(token);
  } catch {
    throw new SigilError("provider.invalid_key", `line ${line} holds a malformed age identity`, { subject: location });
  }
}

function errCode(err: unknown): unknown {
  return typeof err === "object" && err !== null && "code" in err ? err.code : undefined;
}

function isNotFound(err: unknown): boolean {
  return errCode(err) === "ENOENT";
}

function errnoText(err: unknown): string {
  const code = errCode(err);
  return typeof code === "string" ? code : "unknown error";
}
