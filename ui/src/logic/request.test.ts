import { describe, expect, test } from "vitest";
import { request } from "./request";

describe("a request to a screen", () => {
  test("sent before the screen exists, it is delivered once when the screen registers", () => {
    const r = request<string[]>();
    r.send(["/a.xlsx"]);
    const seen: string[][] = [];
    r.handle((paths) => seen.push(paths));
    expect(seen).toEqual([["/a.xlsx"]]);
    // Registering again (e.g. the screen re-created) does not replay it.
    r.handle((paths) => seen.push(paths));
    expect(seen).toEqual([["/a.xlsx"]]);
  });

  test("sent while the screen exists, it is delivered at once", () => {
    const r = request<number>();
    const seen: number[] = [];
    r.handle((n) => seen.push(n));
    r.send(1);
    r.send(2);
    expect(seen).toEqual([1, 2]);
  });

  test("only the latest request waits for the screen", () => {
    const r = request<string>();
    r.send("first");
    r.send("second");
    const seen: string[] = [];
    r.handle((s) => seen.push(s));
    expect(seen).toEqual(["second"]);
  });

  test("after the handler is removed, requests wait again", () => {
    const r = request<string>();
    const seen: string[] = [];
    const remove = r.handle((s) => seen.push(`old:${s}`));
    remove();
    r.send("x");
    expect(seen).toEqual([]);
    r.handle((s) => seen.push(`new:${s}`));
    expect(seen).toEqual(["new:x"]);
  });

  test("removing a handler that was replaced leaves the new one in place", () => {
    const r = request<string>();
    const seen: string[] = [];
    const removeOld = r.handle((s) => seen.push(`old:${s}`));
    r.handle((s) => seen.push(`new:${s}`));
    removeOld();
    r.send("y");
    expect(seen).toEqual(["new:y"]);
  });
});
