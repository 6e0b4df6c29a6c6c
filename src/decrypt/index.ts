/**
 * The decrypt area's public face. Other areas import only this file.
 * A plain list of re-exports, one line per format area.
 */
export * from "./sops/index.js";
export * from "./sealed-secrets/index.js";
// Both areas have a `detectFormat`; at this level the name means the SOPS one.
export { detectFormat } from "./sops/index.js";
export { detectFormat as detectManifestFormat } from "./sealed-secrets/index.js";
