/** Error helpers shared by unit and integration tests. */
import { SigilError } from "../../src/core/index.js";

/**
 * The SigilError `p` rejects with. Throws (failing the test) when `p`
 * resolves, and rethrows any rejection that is not a SigilError.
 */
export async function rejection(p: Promise<unknown>): Promise<SigilError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SigilError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}
