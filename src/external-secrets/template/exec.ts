/** Render a parsed template over string data (ESO's `missingkey=error`). */
import { SigilError } from "../../core/index.js";
import { goPrint, lookupFunction } from "./functions.js";
import type { TplValue } from "./functions.js";
import { parseTemplate } from "./parse.js";
import type { Operand, Pipeline } from "./parse.js";

const MAX_OUTPUT = 1024 * 1024;

function field(dot: TplValue, path: readonly string[], name: string): TplValue {
  let cur = dot;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) throw new SigilError("es.template_failed", `can't evaluate field ${key}`, { subject: name });
    if (!Object.hasOwn(cur, key)) throw new SigilError("es.template_failed", `map has no entry for key ${JSON.stringify(key)}`, { subject: name });
    cur = cur[key] ?? null;
  }
  return cur;
}

function evalOperand(op: Operand, dot: TplValue, name: string): TplValue {
  switch (op.kind) {
    case "field": return field(dot, op.path, name);
    case "root": return dot;
    case "literal": return op.value;
    case "pipe": return evalPipeline(op.pipe, dot, name);
    case "func": return lookupFunction(op.name, name)([], name);
  }
}

function evalPipeline(pipe: Pipeline, dot: TplValue, name: string): TplValue {
  let piped: TplValue | undefined;
  for (const cmd of pipe) {
    const [head, ...rest] = cmd;
    if (head === undefined) throw new SigilError("es.template_failed", "empty command", { subject: name });
    if (head.kind === "func") {
      const args = rest.map((o) => evalOperand(o, dot, name));
      if (piped !== undefined) args.push(piped);
      piped = lookupFunction(head.name, name)(args, name);
    } else {
      if (rest.length > 0 || piped !== undefined) throw new SigilError("es.template_failed", "can't give argument to non-function", { subject: name });
      piped = evalOperand(head, dot, name);
    }
  }
  return piped ?? null;
}

/**
 * Render `source` with `data` as dot.
 * @throws SigilError `es.template_failed`, `es.template_unsupported`.
 */
export function renderTemplate(source: string, data: Readonly<Record<string, string>>, name: string): string {
  let out = "";
  const dot: TplValue = { ...data };
  for (const node of parseTemplate(source, name)) {
    out += node.kind === "text" ? node.text : goPrint(evalPipeline(node.pipe, dot, name));
    if (out.length > MAX_OUTPUT) throw new SigilError("input.too_large", `template output over ${MAX_OUTPUT} characters`, { subject: name });
  }
  return out;
}
