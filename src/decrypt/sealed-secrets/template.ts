/**
 * Rendering `spec.template.data`: each value is a template executed with
 * the map of decrypted values (keyed by `encryptedData` key). Only a
 * documented, safe subset of Go `text/template` + Sprig is supported; any
 * other construct fails with `sealed.template_failed` naming the key.
 */
import { SigilError } from "../../core/index.js";
import { FUNCTIONS, NIL, TEMPLATE_FUNCTIONS, TemplateExecError, str } from "./template-funcs.js";
import type { TValue } from "./template-funcs.js";
import { TemplateSyntaxError, parseTemplate } from "./template-parse.js";
import type { Command, Operand, Pipeline } from "./template-parse.js";

export { TEMPLATE_FUNCTIONS } from "./template-funcs.js";

/** Go prints a missing map key as this. */
const NO_VALUE = Buffer.from("<no value>");

function evalOperand(op: Operand, data: ReadonlyMap<string, Buffer>): TValue {
  switch (op.kind) {
    case "dot":
      return { t: "dot" };
    case "string":
      return str(op.value);
    case "field": {
      const value = data.get(op.name);
      return value === undefined ? NIL : str(value);
    }
    case "group":
      return evalPipeline(op.pipeline, data);
    case "func":
      return callFunction(op.name, [], data);
  }
}

function callFunction(name: string, args: readonly TValue[], data: ReadonlyMap<string, Buffer>): TValue {
  const fn = FUNCTIONS.get(name);
  if (fn === undefined) throw new TemplateExecError(`an unknown function is called (supported: ${TEMPLATE_FUNCTIONS.join(", ")})`);
  return fn(args, data);
}

function evalCommand(command: Command, piped: TValue | undefined, data: ReadonlyMap<string, Buffer>): TValue {
  const [head, ...rest] = command;
  if (head === undefined) throw new TemplateExecError("empty command");
  if (head.kind !== "func") {
    if (rest.length > 0 || piped !== undefined) throw new TemplateExecError("can't give argument to non-function");
    return evalOperand(head, data);
  }
  const args = rest.map((op) => evalOperand(op, data));
  if (piped !== undefined) args.push(piped);
  return callFunction(head.name, args, data);
}

function evalPipeline(pipeline: Pipeline, data: ReadonlyMap<string, Buffer>): TValue {
  let value: TValue | undefined;
  for (const command of pipeline) value = evalCommand(command, value, data);
  if (value === undefined) throw new TemplateExecError("empty pipeline");
  return value;
}

function printable(value: TValue): Buffer {
  if (value.t === "nil") return NO_VALUE;
  if (value.t === "dot") throw new TemplateExecError("printing the whole data map is not supported");
  return value.v;
}

/** Where a template comes from, for the error message. */
export interface TemplateContext {
  /** The template's key in `spec.template.data`. */
  readonly key: string;
  /** `SealedSecret/ns/name` (or a file) the template belongs to. */
  readonly subject: string;
}

/**
 * Render one template against the decrypted values.
 * @throws SigilError `sealed.template_failed` naming the key, for a syntax error or an unsupported construct.
 */
export function renderTemplate(source: string, data: ReadonlyMap<string, Buffer>, context: TemplateContext): Buffer {
  try {
    const out: Buffer[] = [];
    for (const node of parseTemplate(source)) {
      out.push(node.kind === "text" ? Buffer.from(node.text, "utf8") : printable(evalPipeline(node.pipeline, data)));
    }
    return Buffer.concat(out);
  } catch (err) {
    if (err instanceof TemplateSyntaxError || err instanceof TemplateExecError) {
      throw new SigilError("sealed.template_failed", `template for key "${context.key}" failed: ${err.message}`, { subject: context.subject });
    }
    throw err;
  }
}
