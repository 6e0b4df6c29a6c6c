/** ESO's template engine v2, the subset Sigil implements (see docs/external-secrets-compatibility.md). */
export { FUNCTIONS, goPrint, lookupFunction } from "./functions.js";
export type { TplValue } from "./functions.js";
export { parseTemplate } from "./parse.js";
export type { Command, Operand, Pipeline, TemplateNode } from "./parse.js";
export { renderTemplate } from "./exec.js";
