import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { printedVersion, sigilVersion } from "../../../src/cli/version.js";

describe("printedVersion (sigil --version before the program loads)", () => {
  const dir = mkdtempSync(join(tmpdir(), "sigil-version-"));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const withFile = (run: (fd: number) => boolean): { printed: boolean; text: string } => {
    const path = join(dir, `out-${String(Math.random()).slice(2)}`);
    const fd = openSync(path, "w");
    try {
      return { printed: run(fd), text: readFileSync(path, "utf8") };
    } finally {
      closeSync(fd);
    }
  };

  it.each([["--version"], ["-v"]])("prints the package version for %s alone", (flag) => {
    expect(withFile((fd) => printedVersion([flag], fd))).toEqual({ printed: true, text: `${sigilVersion()}\n` });
    expect(sigilVersion()).toBe((JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version);
  });

  it.each([[[]], [["--version", "x"]], [["decrypt", "--version"]], [["--versions"]], [["-V"]]])("leaves any other command line to the program: %j", (argv) => {
    expect(withFile((fd) => printedVersion(argv, fd))).toEqual({ printed: false, text: "" });
  });

  it("leaves a failed write to the program, which reports it with its code (a full disk)", () => {
    const full = openSync("/dev/full", "w");
    try {
      expect(printedVersion(["--version"], full)).toBe(false);
    } finally {
      closeSync(full);
    }
  });
});
