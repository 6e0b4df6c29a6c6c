/**
 * age recipient strings: classification and validation. Sigil wraps data keys
 * for native X25519 (`age1…`) and hybrid post-quantum (`age1pq1…`)
 * recipients; plugin (`age1<name>1…`) and SSH (`ssh-…`) recipients are
 * recognised so the error can say exactly what is unsupported. Validation
 * does not load `age-encryption`: it decodes Bech32 itself and checks what
 * typage's recipient constructors check (prefix and key length).
 */
import { SigilError } from "../../core/index.js";
import { decodeBech32 } from "./bech32.js";
import type { AgeKeyRef } from "../types.js";

/** The kinds of recipient string sops accepts. */
export type AgeRecipientKind = "x25519" | "hybrid" | "plugin" | "ssh" | "unknown";

/** Recipient kinds Sigil can encrypt to. */
export const SUPPORTED_AGE_RECIPIENT_KINDS: readonly AgeRecipientKind[] = ["x25519", "hybrid"];

/** Classify a recipient string the way sops does (prefix and number of `1`s). Never throws. */
export function ageRecipientKind(recipient: string): AgeRecipientKind {
  if (recipient.startsWith("ssh-")) return "ssh";
  if (recipient.startsWith("age1pq1")) return "hybrid";
  if (!recipient.startsWith("age1")) return "unknown";
  return recipient.split("1").length - 1 > 1 ? "plugin" : "x25519";
}

/**
 * Validate one recipient string (surrounding whitespace is trimmed, as sops
 * does) and return the key reference for it.
 * @throws SigilError `provider.invalid_key` when the string is not a valid
 *   `age1…` / `age1pq1…` recipient, or names a plugin or SSH recipient, which
 *   Sigil does not support.
 */
export function ageRecipientRef(recipient: string): AgeKeyRef {
  const trimmed = recipient.trim();
  const kind = ageRecipientKind(trimmed);
  if (kind === "plugin" || kind === "ssh") {
    throw new SigilError("provider.invalid_key", `age ${kind} recipients are not supported: '${trimmed}'`, { subject: trimmed });
  }
  if (kind === "unknown") {
    throw new SigilError("provider.invalid_key", `not an age recipient (expected 'age1…'): '${trimmed}'`, { subject: trimmed });
  }
  const problem = recipientProblem(trimmed, kind);
  if (problem !== undefined) {
    throw new SigilError("provider.invalid_key", `invalid age recipient '${trimmed}': bad bech32 encoding or key length`, {
      subject: trimmed,
      cause: new Error(problem),
    });
  }
  return { type: "age", recipient: trimmed };
}

/** typage's limits: X25519 recipients are at most 90 characters and hold 32 bytes; hybrid ones are unlimited and hold 1216. */
const RECIPIENT_SHAPES = {
  x25519: { limit: 90, prefix: "age", bytes: 32 },
  hybrid: { limit: false, prefix: "age1pq", bytes: 1216 },
} as const;

/** Why a recipient of a supported kind is invalid, or `undefined` when it is valid. */
function recipientProblem(recipient: string, kind: "x25519" | "hybrid"): string | undefined {
  const shape = RECIPIENT_SHAPES[kind];
  const decoded = decodeBech32(recipient, shape.limit);
  if ("problem" in decoded) return decoded.problem;
  if (decoded.prefix !== shape.prefix) return "wrong prefix";
  if (decoded.bytes.length !== shape.bytes) return `${decoded.bytes.length} key bytes, expected ${shape.bytes}`;
  return undefined;
}

/**
 * Parse a comma-separated recipient list (`--age a,b`, `SOPS_AGE_RECIPIENTS`,
 * `.sops.yaml` `age:`). Empty items are dropped.
 * @throws SigilError `provider.invalid_key` for the first invalid recipient.
 */
export function parseAgeRecipients(list: string): AgeKeyRef[] {
  return list
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map(ageRecipientRef);
}
