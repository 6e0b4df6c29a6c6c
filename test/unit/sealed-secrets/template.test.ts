import { describe, expect, it } from "vitest";
import { SigilError, isSigilError } from "../../../src/core/index.js";
import { TEMPLATE_FUNCTIONS, renderTemplate } from "../../../src/decrypt/sealed-secrets/index.js";

const data = new Map<string, Buffer>([
  ["user", Buffer.from("admin")],
  ["password", Buffer.from('p"w<&>\n')],
  ["my-key", Buffer.from("dashed")],
  ["spaced", Buffer.from("  padded \n")],
  ["empty", Buffer.alloc(0)],
  ["encoded", Buffer.from("aGVsbG8=")],
  ["Mixed", Buffer.from("MiXeD")],
]);

function render(source: string): string {
  return renderTemplate(source, data, { key: "out", subject: "SealedSecret/ns/name" }).toString("utf8");
}

describe("supported template subset", () => {
  const cases = [
    { source: "plain text", want: "plain text", reason: "text passes through" },
    { source: "{{ .user }}", want: "admin", reason: "field access on the data map" },
    { source: "{{.user}}:{{.Mixed}}", want: "admin:MiXeD", reason: "no spaces, case-sensitive keys" },
    { source: '{{ index . "my-key" }}', want: "dashed", reason: "index for keys that are not identifiers" },
    { source: '{{ index . "absent" }}', want: "", reason: "index of a missing key gives the zero value" },
    { source: "{{ .absent }}", want: "<no value>", reason: "a missing field prints as Go prints it" },
    { source: "{{ toJson .password }}", want: '"p\\"w\\u003c\\u0026\\u003e\\n"', reason: "toJson escapes like Go's encoding/json" },
    { source: "{{ .password | toJson }}", want: '"p\\"w\\u003c\\u0026\\u003e\\n"', reason: "pipelines pass the value as the last argument" },
    { source: "{{ toJson .absent }}", want: "null", reason: "a missing value is JSON null" },
    { source: "{{ .user | b64enc }}", want: "YWRtaW4=", reason: "b64enc" },
    { source: "{{ .encoded | b64dec }}", want: "hello", reason: "b64dec" },
    { source: "{{ .user | quote }}", want: '"admin"', reason: "quote" },
    { source: "{{ .password | quote }}", want: '"p\\"w<&>\\n"', reason: "quote uses Go %q escaping" },
    { source: "{{ .user | squote }}", want: "'admin'", reason: "squote" },
    { source: "{{ .user | upper }}", want: "ADMIN", reason: "upper" },
    { source: "{{ .Mixed | lower }}", want: "mixed", reason: "lower" },
    { source: "[{{ .spaced | trim }}]", want: "[padded]", reason: "trim removes surrounding whitespace" },
    { source: '{{ .empty | default "fallback" }}', want: "fallback", reason: "default replaces an empty value" },
    { source: '{{ .absent | default "fallback" }}', want: "fallback", reason: "default replaces a missing value" },
    { source: '{{ .user | default "fallback" }}', want: "admin", reason: "default keeps a set value" },
    { source: '{{ printf "%s:%s" .user (index . "my-key") }}', want: "admin:dashed", reason: "printf with %s and a parenthesised argument" },
    { source: '{{ printf "%q 100%%" .user }}', want: '"admin" 100%', reason: "printf %q and %%" },
    { source: '{{ print .user "-" .Mixed }}', want: "admin-MiXeD", reason: "print concatenates strings" },
    { source: '{{ .user | trimPrefix "ad" }}{{ .user | trimSuffix "in" }}', want: "minadm", reason: "trimPrefix and trimSuffix" },
    { source: '{{ .user | replace "a" "A" }}', want: "Admin", reason: "replace" },
    { source: "a  {{- .user -}}  b", want: "aadminb", reason: "trim markers remove adjacent whitespace" },
    { source: "a {{/* a comment */}}b", want: "a b", reason: "comments render nothing" },
    { source: "{{ `raw\\n` }}", want: "raw\\n", reason: "raw string literals are not unescaped" },
    { source: '{"user": {{ toJson .user }}, "pw": {{ .password | b64enc | quote }}}', want: '{"user": "admin", "pw": "cCJ3PCY+Cg=="}', reason: "a realistic config file" },
  ];
  for (const c of cases) {
    it(`renders ${JSON.stringify(c.source)} (${c.reason})`, () => {
      expect(render(c.source)).toBe(c.want);
    });
  }

  it("documents the functions it supports", () => {
    expect([...TEMPLATE_FUNCTIONS].sort()).toEqual(
      ["b64dec", "b64enc", "default", "index", "lower", "print", "printf", "quote", "replace", "squote", "toJson", "trim", "trimPrefix", "trimSuffix", "upper"].sort(),
    );
  });

  it("keeps binary values byte-exact", () => {
    const bin = new Map([["bin", Buffer.from([0xff, 0x00, 0x80])]]);
    expect(renderTemplate("{{ .bin }}", bin, { key: "k", subject: "s" }).equals(Buffer.from([0xff, 0x00, 0x80]))).toBe(true);
  });
});

describe("templates that fail to render", () => {
  const cases = [
    { source: "{{ env \"HOME\" }}", reason: "env is removed, as bitnami removes it" },
    { source: "{{ if .user }}x{{ end }}", reason: "control structures are not supported" },
    { source: "{{ range . }}x{{ end }}", reason: "range could print every secret" },
    { source: "{{ . }}", reason: "printing the whole data map would print every secret" },
    { source: "{{ toJson . }}", reason: "serialising the data map would print every secret" },
    { source: "{{ $x := .user }}", reason: "variables are not supported" },
    { source: "{{ .user.name }}", reason: "values are strings, not objects" },
    { source: "{{ .my-key }}", reason: "bad field name (Go rejects it too)" },
    { source: "{{ .user", reason: "unclosed action" },
    { source: "{{ upper .absent }}", reason: "a missing value passed to a string function" },
    { source: "{{ .user | b64dec }}", reason: "b64dec of something that is not base64" },
    { source: '{{ printf "%d" .user }}', reason: "printf verbs other than %s %v %q" },
    { source: '{{ printf "%s %s" .user }}', reason: "printf with too few arguments" },
    { source: "{{ .user .user }}", reason: "arguments to a non-function" },
    { source: "{{ 42 }}", reason: "numbers are not supported" },
    { source: "{{ }}", reason: "empty action" },
    { source: '{{ "unterminated }}', reason: "unterminated string" },
  ];
  for (const c of cases) {
    it(`fails with sealed.template_failed naming the key: ${JSON.stringify(c.source)} (${c.reason})`, () => {
      let caught: unknown;
      try {
        render(c.source);
      } catch (err) {
        caught = err;
      }
      expect(isSigilError(caught, "sealed.template_failed")).toBe(true);
      expect((caught as SigilError).message).toContain('template for key "out" failed');
      expect((caught as SigilError).subject).toBe("SealedSecret/ns/name");
      expect((caught as SigilError).message).not.toContain("admin");
    });
  }
});
