/**
 * Produced Secrets: the ownership rules for writing a Secret a controller
 * makes, and the fingerprints (inputs digest, keyed data MAC) that let it
 * see, without decrypting, that the Secret is still what it wrote. Shared by
 * the SealedSecret controller, the ExternalSecret controller and the
 * reconciler.
 */
export { canonicalJson, signData, verifyData } from "./mac.js";
export type { MacKey } from "./mac.js";
export { controllerReference, isControlledBy, mergeSecret, sameSecret, writeMode, writeSecret } from "./write.js";
export type { ProducerPolicy, WriteMode, WriteResult } from "./write.js";
