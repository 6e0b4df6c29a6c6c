/**
 * Limits every parser and recursive walk applies to input (issue 7; the
 * full list is in docs/security.md). One place, so that the commands that
 * produce a file and the commands that read it agree.
 */

/**
 * How deep any input may nest: mappings and lists in YAML and JSON (after
 * alias expansion), parentheses in a SealedSecret template. Deeper input is
 * refused with the parser's `*.parse_failed` / `input.invalid` code, long
 * before a recursive walk could overflow the stack.
 */
export const MAX_NESTING_DEPTH = 1000;

/** Most bytes `sigil seal` reads by default (a Kubernetes Secret holds at most 1 MiB; `--max-input-size` raises it). */
export const SEAL_MAX_INPUT_BYTES = 8 * 1024 * 1024;

/**
 * Most keys (`data` plus `stringData`) one Secret may have to be sealed:
 * each key costs one RSA-OAEP encryption, so time stays bounded.
 */
export const SEAL_MAX_KEYS = 10_000;

/**
 * Most bytes `sigil unseal` (and `seal --recovery-unseal`, `--validate`,
 * `--re-encrypt`) reads by default: what seal's limits can produce (8 MiB of
 * values, re-encoded, plus about 720 bytes per key for 10,000 keys) with room
 * to spare.
 */
export const UNSEAL_MAX_INPUT_BYTES = 32 * 1024 * 1024;

/**
 * Whether JSON `text` nests objects and arrays deeper than `max`, found by one
 * linear scan before parsing (brackets inside strings do not count), so that
 * a parser never recurses that deep. The text need not be valid JSON.
 */
export function jsonNestsDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
