import { describe, expect, it } from "vitest";
import {
  checkRefinementSyntax,
  checkRefinementSyntaxInContext,
  checkSyntax,
  errorTouches,
  firstLines,
  introducesErrors,
  lastLines,
  SYNTAX_LANGUAGES,
  syntaxErrors,
  syntaxGrammar,
  TOP_LEVEL_SEARCH_LINES,
  topLevelWindow,
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

// Files of several functions with the cursor inside one of them: the context a plugin sends is the file around it.
const FILES: Record<
  string,
  { before: string; cursorPrefix: string; proposal: string; cursorSuffix: string; after: string; targets: string[] }
> = {
  python: {
    before:
      "import json\n\n\nclass Store:\n    def __init__(self):\n        self.items = []\n\n    def add(self, item):\n        self.items.append(item)\n\n\n",
    cursorPrefix: "def load(path):\n    with open(path) as fh:\n        ",
    proposal: "return json.load(fh)",
    cursorSuffix: "\n",
    after: "\n\ndef save(path, data):\n    with open(path, 'w') as fh:\n        json.dump(data, fh)\n",
    targets: [
      "data = json.load(fh)\n        return data",
      "return json.load(fh",
      "return [json.load(fh)",
      "return json.load(fh) if fh else None",
      'return """',
      "return (\n",
    ],
  },
  typescript: {
    before: 'import { readFileSync } from "node:fs";\n\nexport interface Item {\n  id: string;\n  price: number;\n}\n\n',
    cursorPrefix: "export function total(items: Item[]): number {\n  ",
    proposal: "return items.reduce((a, b) => a + b.price, 0);",
    cursorSuffix: "\n}\n",
    after: '\nexport function load(path: string): Item[] {\n  return JSON.parse(readFileSync(path, "utf8"));\n}\n',
    targets: [
      "return items.reduce((sum, item) => sum + item.price, 0);",
      "return items.reduce((sum, item) => sum + item.price, 0;",
      "if (!items.length) {\n    return 0;",
      "return `${items.length}",
      "/* items */ return 0;",
    ],
  },
  go: {
    before: 'package store\n\nimport (\n\t"fmt"\n\t"os"\n)\n\ntype Store struct {\n\tpath string\n}\n\n',
    cursorPrefix: "func (s *Store) Read() ([]byte, error) {\n\t",
    proposal: "return os.ReadFile(s.path)",
    cursorSuffix: "\n}\n",
    after: "\nfunc (s *Store) Write(data []byte) error {\n\treturn os.WriteFile(s.path, data, 0o644)\n}\n",
    targets: [
      'data, err := os.ReadFile(s.path)\n\tif err != nil {\n\t\treturn nil, fmt.Errorf("read: %w", err)\n\t}\n\treturn data, nil',
      "return os.ReadFile(s.path",
      "if s == nil {",
      "return nil, nil }\n}\nfunc x() {",
    ],
  },
  java: {
    before: "package shop;\n\nimport java.util.List;\n\n",
    cursorPrefix:
      "class Cart {\n  private final List<Integer> prices;\n\n  Cart(List<Integer> prices) { this.prices = prices; }\n\n  int total() {\n    ",
    proposal: "return prices.stream().mapToInt(p -> p).sum();",
    cursorSuffix: "\n  }\n}\n",
    after: '\nclass Receipt {\n  String render(Cart cart) { return "total: " + cart.total(); }\n}\n',
    targets: [
      "return prices == null ? 0 : prices.stream().mapToInt(p -> p).sum();",
      "return prices.stream().mapToInt(p -> p).sum(;",
      "if (prices.isEmpty()) {",
      "return 0; } }",
    ],
  },
};

describe("checkRefinementSyntax in the construct around the cursor", () => {
  it("cuts the context at the lines that start the constructs before and after the cursor's", () => {
    const { before, cursorPrefix, cursorSuffix, after } = FILES.python;
    expect(topLevelWindow(before + cursorPrefix, cursorSuffix + after)).toEqual({ prefix: cursorPrefix, suffix: "\n\n\n" });
    const ts = FILES.typescript;
    expect(topLevelWindow(ts.before + ts.cursorPrefix, ts.cursorSuffix + ts.after)).toEqual({ prefix: ts.cursorPrefix, suffix: "\n}\n\n" });
    // A method's window is its class: indented lines start nothing, and a closing bracket at column 0 ends nothing.
    const java = FILES.java;
    expect(topLevelWindow(java.before + java.cursorPrefix, java.cursorSuffix + java.after)).toEqual({
      prefix: java.cursorPrefix,
      suffix: "\n  }\n}\n\n",
    });
    // The cursor's own line counts when it starts at column 0; the rest of it, after the cursor, never ends the window.
    expect(topLevelWindow("a = 1\nb = ", "2\nc = 3\n")).toEqual({ prefix: "b = ", suffix: "2\n" });
    expect(topLevelWindow("x", "def f(): pass\n")).toEqual({ prefix: "x", suffix: "def f(): pass\n" });
    // Ruby's `end` closes: the window goes on to the next definition.
    expect(topLevelWindow("def a\n  ", "\nend\ndef b\nend\n")).toEqual({ prefix: "def a\n  ", suffix: "\nend\n" });
    expect(topLevelWindow("  indented\n  only", "\n  here")).toEqual({ prefix: "  indented\n  only", suffix: "\n  here" });
  });

  it("keeps a side whole when no construct starts within the lines it searches", () => {
    const body = "    x += 1\n".repeat(TOP_LEVEL_SEARCH_LINES + 5);
    const prefix = "def f(x):\n" + body + "    ";
    expect(topLevelWindow(prefix, "").prefix).toBe(prefix);
    const near = "import os\ndef g():\n" + "    y = 1\n".repeat(10) + "    ";
    expect(topLevelWindow(near, "").prefix).toBe(near.slice("import os\n".length));
    const suffix = "\n" + body + "def g():\n    pass\n";
    expect(topLevelWindow("", suffix).suffix).toBe(suffix);
  });

  it.each(Object.keys(FILES))("in %s, gives every target the verdict of the whole file", async (language) => {
    const file = FILES[language];
    const prefix = file.before + file.cursorPrefix;
    const suffix = file.cursorSuffix + file.after;
    expect(await checkSyntax(language, prefix + file.proposal + suffix)).toBe("ok");
    const verdicts: string[] = [];
    for (const target of file.targets) {
      const input = { prefix, suffix, proposal: file.proposal, target };
      const verdict = await checkRefinementSyntax(language, input);
      expect(verdict, target).toBe(await checkRefinementSyntaxInContext(language, input));
      verdicts.push(verdict);
    }
    // Both verdicts occur: the first target is a clean refinement, the second leaves a bracket open.
    expect(verdicts.slice(0, 2)).toEqual(["ok", "error"]);
    // The window decides the clean one alone: with the rest of the file broken, the whole file's rules
    // would still find the target's own text clean in a narrower window, and the window says so first.
    const broken = { prefix: "def (((\n" + prefix, suffix: suffix + "\n}}} (((\n", proposal: file.proposal, target: file.targets[0] };
    expect(await checkRefinementSyntax(language, broken)).toBe("ok");
  });
});

describe("the window's blind spot", () => {
  it("takes a column-0 line inside a multi-line string for a declaration, and judges the target from there", async () => {
    // In the file, the target drops the string's closing quotes; from `class A:` on, its text parses.
    const input = {
      prefix: 'def f():\n    s = """\nclass A:\n    ',
      suffix: "\n",
      proposal: 'pass\n    """\n    return s',
      target: "pass\n    return s",
    };
    expect(topLevelWindow(input.prefix, input.suffix).prefix).toBe("class A:\n    ");
    expect(await checkRefinementSyntaxInContext("python", input)).toBe("error");
    expect(await checkRefinementSyntax("python", input)).toBe("ok");
  });
});
