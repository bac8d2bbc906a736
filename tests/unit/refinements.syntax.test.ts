import { describe, expect, it } from "vitest";
import {
  checkRefinementSyntax,
  checkSyntax,
  errorTouches,
  firstLines,
  introducesErrors,
  lastLines,
  SYNTAX_LANGUAGES,
  syntaxErrors,
  syntaxGrammar,
} from "@/lib/refinements/syntax";

// Real snippets per grammar: one that parses and the same with a typical slip.
const SNIPPETS: Record<string, { ok: string; broken: string }> = {
  typescript: {
    ok: "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
    broken: "export function add(a: number, b: number): number {\n  return a + ;\n}\n",
  },
  tsx: {
    ok: 'export const List = ({ items }: Props) => <ul className="list">{items.map((i) => <li key={i}>{i}</li>)}</ul>;\n',
    broken: 'export const List = ({ items }: Props) => <ul className="list">{items.map((i) => <li key={i}>{i}</li>}</ul>;\n',
  },
  javascript: {
    ok: "const doubled = [1, 2, 3].map((x) => x * 2);\nexport default doubled;\n",
    broken: "const doubled = [1, 2, 3.map((x) => x * 2);\nexport default doubled;\n",
  },
  python: {
    ok: "def load(path):\n    with open(path) as fh:\n        return json.load(fh)\n",
    broken: "def load(path:\n    with open(path) as fh:\n        return json.load(fh)\n",
  },
  go: {
    ok: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}\n',
    broken: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello"\n}\n',
  },
  java: {
    ok: "class Counter {\n  private int n;\n  int next() { return ++n; }\n}\n",
    broken: "class Counter {\n  private int n;\n  int next() { return ++n }\n}\n",
  },
  rust: {
    ok: 'fn main() {\n    let v: Vec<i32> = vec![1, 2];\n    println!("{:?}", v);\n}\n',
    broken: "fn main() {\n    let v: Vec<i32> = ;\n}\n",
  },
  ruby: {
    ok: 'def greet(name)\n  puts "hi #{name}"\nend\n',
    broken: 'def greet(name)\n  puts "hi #{name}"\n',
  },
  csharp: {
    ok: "class Counter { int n; int Next() { return ++n; } }\n",
    broken: "class Counter { int n; int Next() { return ++n } }\n",
  },
  cpp: {
    ok: "#include <vector>\nint main() { std::vector<int> v{1, 2}; return v.size(); }\n",
    broken: "#include <vector>\nint main() { std::vector<int> v{1, 2}; return v.size() }\n",
  },
  bash: {
    ok: 'for f in *.txt; do\n  echo "$f"\ndone\n',
    broken: 'for f in *.txt; do\n  echo "$f"\n',
  },
  css: {
    ok: ".card { color: red; margin: 0 auto; }\n",
    broken: ".card { color: red; margin: 0 auto;\n",
  },
};

describe("checkSyntax with tree-sitter grammars", () => {
  it("covers every grammar it declares", () => {
    expect(Object.keys(SNIPPETS).sort()).toEqual([...SYNTAX_LANGUAGES].sort());
  });

  it.each(Object.entries(SNIPPETS))("parses valid %s and finds the error in broken %s", async (language, { ok, broken }) => {
    expect(await checkSyntax(language, ok)).toBe("ok");
    expect(await checkSyntax(language, broken)).toBe("error");
  });

  it("leaves languages without a grammar unchecked", async () => {
    expect(await checkSyntax("cobol", "IDENTIFICATION DIVISION.")).toBe("unchecked");
    expect(await checkSyntax(null, "x")).toBe("unchecked");
    expect(await syntaxErrors("", "x")).toBeNull();
  });

  it("maps IDE language ids and extensions to grammars", () => {
    expect(syntaxGrammar("TypeScript")).toBe("typescript");
    expect(syntaxGrammar("typescriptreact")).toBe("tsx");
    expect(syntaxGrammar("javascriptreact")).toBe("javascript");
    expect(syntaxGrammar("py")).toBe("python");
    expect(syntaxGrammar("golang")).toBe("go");
    expect(syntaxGrammar("c#")).toBe("csharp");
    expect(syntaxGrammar("shellscript")).toBe("bash");
    expect(syntaxGrammar("c")).toBeNull();
    expect(syntaxGrammar(undefined)).toBeNull();
  });

  it("parses JSX with the JavaScript grammar", async () => {
    expect(await checkSyntax("javascriptreact", "const a = <App title={t} />;\n")).toBe("ok");
  });

  it("reports where the errors are, in UTF-16 code units", async () => {
    const errors = await syntaxErrors("python", 's = "é😀"\ndef f(:\n    pass\n');
    expect(errors?.length).toBeGreaterThan(0);
    expect(errors![0].start).toBeGreaterThanOrEqual(10);
  });
});

describe("checkRefinementSyntax: only errors the target introduces", () => {
  // A cut-off context: the prefix starts inside a method, the suffix ends inside the next one.
  const prefix = "        return self.items[i]\n\n    def total(self):\n        ";
  const suffix = "\n\n    def clear(self):\n        self.items = [";

  it("the context alone does not parse", async () => {
    expect(await checkSyntax("python", prefix + "return sum(self.items)" + suffix)).toBe("error");
  });

  it("is ok when the target adds no error to those of the context", async () => {
    expect(
      await checkRefinementSyntax("python", {
        prefix,
        suffix,
        proposal: "return sum(self.items)",
        target: "return sum(x.price for x in self.items)",
      }),
    ).toBe("ok");
  });

  it("is an error when the target introduces one", async () => {
    expect(
      await checkRefinementSyntax("python", {
        prefix,
        suffix,
        proposal: "return sum(self.items)",
        target: "return sum(x.price for x in self.items",
      }),
    ).toBe("error");
  });

  it.each([
    ["typescript", "function f(xs: number[]) {\n  ", "const n = xs.length;", "const n = xs.length + ;", "\n  return n;\n"],
    ["go", "func (s *Store) Get(k string) string {\n\t", "v := s.m[k]", "v := s.m[k", "\n\treturn v\n"],
    ["java", "  public int size() {\n    ", "return items.size();", "return items.size(;", "\n  }\n"],
    ["javascript", "  render() {\n    ", "return this.items.map(render);", "return this.items.map(render;", "\n  }\n}\n"],
  ])("in %s, a cut-off context with a broken target is an error and with a fixed one ok", async (language, pre, proposal, broken, post) => {
    expect(await checkRefinementSyntax(language, { prefix: pre, suffix: post, proposal, target: broken })).toBe("error");
    expect(await checkRefinementSyntax(language, { prefix: pre, suffix: post, proposal: broken, target: proposal })).toBe("ok");
  });

  it("is ok without any error, and unchecked without a grammar", async () => {
    expect(
      await checkRefinementSyntax("go", {
        prefix: "package main\n\nfunc f() int {\n\t",
        suffix: "\n}\n",
        proposal: "return 1",
        target: "return 2",
      }),
    ).toBe("ok");
    expect(await checkRefinementSyntax("cobol", { proposal: "a", target: "b" })).toBe("unchecked");
  });
});

describe("the rules' parts", () => {
  it("tells whether an error touches a range, empty MISSING nodes at its edges included", () => {
    expect(errorTouches({ kind: "ERROR", start: 2, end: 5 }, 10, 15)).toBe(false);
    expect(errorTouches({ kind: "ERROR", start: 8, end: 12 }, 10, 15)).toBe(true);
    expect(errorTouches({ kind: "ERROR", start: 0, end: 40 }, 10, 15)).toBe(true);
    expect(errorTouches({ kind: "MISSING )", start: 10, end: 10 }, 10, 15)).toBe(true);
    expect(errorTouches({ kind: "MISSING )", start: 15, end: 15 }, 10, 15)).toBe(true);
    expect(errorTouches({ kind: "ERROR", start: 15, end: 20 }, 10, 15)).toBe(false);
  });

  it("counts an error as introduced when it touches the target and none touched the proposal, or when there are more", () => {
    const lengths = { prefix: 10, proposal: 5, target: 8 };
    const contextError = { kind: "ERROR", start: 0, end: 3 };
    expect(introducesErrors([contextError], [contextError, { kind: "MISSING ]", start: 14, end: 14 }], lengths)).toBe(true);
    expect(introducesErrors([contextError], [{ kind: "ERROR", start: 12, end: 16 }], lengths)).toBe(true);
    expect(introducesErrors([{ kind: "ERROR", start: 11, end: 12 }], [{ kind: "ERROR", start: 12, end: 16 }], lengths)).toBe(false);
    expect(introducesErrors([contextError], [{ kind: "ERROR", start: 25, end: 26 }], lengths)).toBe(false);
  });

  it("cuts context windows by lines", () => {
    expect(lastLines("a\nb\nc", 1)).toBe("c");
    expect(lastLines("a\nb\nc", 2)).toBe("b\nc");
    expect(lastLines("a\nb\nc", 5)).toBe("a\nb\nc");
    expect(lastLines("a\nb\n", 1)).toBe("");
    expect(lastLines("\nabc", 2)).toBe("\nabc");
    expect(firstLines("a\nb\nc", 1)).toBe("a");
    expect(firstLines("a\nb\nc", 2)).toBe("a\nb");
    expect(firstLines("a\nb\nc", 5)).toBe("a\nb\nc");
    expect(firstLines("\nb", 1)).toBe("");
  });
});
