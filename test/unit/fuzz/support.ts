/**
 * Shared pieces of the bounded fuzz tests (issue 7): token alphabets that
 * reach the interesting states of each parser quickly, and the property
 * every parser must keep on any input: it returns, or throws a SigilError
 * with a code whose printed form quotes no canary; never a stack overflow,
 * never an uncoded error.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { SigilError, describeError } from "../../../src/core/index.js";

/** A value that must never appear in an error. Not registered with the redactor, so an echo would show. */
export const FUZZ_CANARY = "FUZZcanary7q";

/** Every run is reproducible and bounded: a few seconds for the whole fuzz set. */
export function runs(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, seed: 20_261_203, endOnFailure: true };
}

/** Text built from `tokens` (up to `max` of them). */
export function tokens(alphabet: readonly string[], max = 40): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((parts) => parts.join(""));
}

export const YAML_TOKENS = ["a", "b", ":", ": ", " ", "  ", "\n", "- ", "[", "]", "{", "}", ", ", "*", "&", "!", "!!int ", "|", ">", "'", '"', "#", "\t", "? ", "%", "@", "`", "\\", FUZZ_CANARY, "---\n", "...\n", "0x1", "1e999", "~", "<<: ", "\r\n", "\u0007"];
export const JSON_TOKENS = ["{", "}", "[", "]", ":", ",", '"', '"a"', '"b"', " ", "\n", "1", "-", "1e999", ".5", "true", "null", "\\", "\\u12", FUZZ_CANARY, `"${FUZZ_CANARY}"`];
export const DOTENV_TOKENS = ["A", "b_c", "=", " ", "\n", "#", "export ", "'", '"', "\\n", FUZZ_CANARY, "sops_", "__map_", "__list_0"];
export const INI_TOKENS = ["[", "]", "s", "k", "=", ":", " ", "\n", "#", ";", '"', "`", '"""', "\\", FUZZ_CANARY, "[sops]\n", "version=1\n"];

/**
 * Run `fn`; when it throws, the error must be a SigilError with a code,
 * its printed form (with the cause chain) must not quote the canary, and it
 * must not be a stack overflow.
 */
export function expectCodedOrOk(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expectCoded(err);
  }
}

/** As `expectCodedOrOk`, for an async `fn`. */
export async function expectCodedOrOkAsync(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    expectCoded(err);
  }
}

function expectCoded(err: unknown): void {
  const text = describeError(err);
  expect(err, text).toBeInstanceOf(SigilError);
  expect(text).not.toContain(FUZZ_CANARY);
  expect(text).not.toMatch(/call stack/i);
}
