/** `--shamir-secret-sharing-threshold`, as `encrypt` and `updatekeys` read it. */
import { SigilError } from "../../core/index.js";

/**
 * The threshold from the flag, or 0 when it is not given (the caller then takes the creation rule's).
 * @throws SigilError `input.invalid` for a threshold that is not a whole number.
 */
export function parseThreshold(s: string | undefined): number {
  if (s === undefined || s === "") return 0;
  if (!/^\d+$/.test(s)) throw new SigilError("input.invalid", `--shamir-secret-sharing-threshold must be a number, got '${s}'`);
  return Number(s);
}
