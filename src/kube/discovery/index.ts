/** Discovery and REST mapping: group/version/kind → resource and scope. */
export { RestMapper, defaultRestMapperOptions, discoveryPath } from "./rest-mapper.js";
export type { RestMapperOptions } from "./rest-mapper.js";
export { apiVersionOf, describeGvk, gvkOf } from "./types.js";
export type { GroupVersionKind, ResourceMapping } from "./types.js";
