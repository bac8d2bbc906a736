import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Arrows only point down: app/ → lib/api → domains → infrastructure (lib/clickhouse, lib/db) and the
// shared kernel (lib/errors.ts, lib/settings.ts, lib/time.ts, lib/keys.ts, lib/jobs.ts). Pure cores
// import nothing of ours outside themselves.
const layers = [
  { target: "./lib", from: "./app", message: "lib/ never imports app/." },
  { target: "./lib/!(api)/**/*", from: "./lib/api", message: "Domains throw lib/errors.ts errors; only lib/api speaks HTTP." },
  { target: "./lib/!(api|runtime)/**/*", from: "./lib/runtime", message: "lib/runtime starts the process; nothing below depends on it." },
  { target: "./lib/clickhouse/**/*", from: "./lib/!(clickhouse)/**/*", message: "Infrastructure never imports a domain." },
  { target: "./lib/db/**/*", from: "./lib/!(db)/**/*", message: "Infrastructure never imports a domain." },
  { target: "./lib/stats/**/*", from: "./lib/!(stats)/**/*", message: "lib/stats is a pure core." },
  { target: "./lib/assignment/**/*", from: "./lib/!(assignment)/**/*", message: "lib/assignment is a pure core." },
];

const config = [
  ...nextVitals,
  ...nextTs,
  {
    files: ["**/*.ts", "**/*.tsx"],
    rules: {
      // No import cycles anywhere (a cycle is two modules that cannot be understood one at a time).
      "import/no-cycle": ["error", { ignoreExternal: true }],
      "import/no-restricted-paths": ["error", { zones: layers }],
      "max-len": ["error", { code: 140, ignoreUrls: true, ignorePattern: "^\\s*(import|export) .* from " }],
    },
  },
  // Tests read JSON answers whose shape the assertions themselves check.
  { files: ["tests/**", "e2e/**"], rules: { "@typescript-eslint/no-explicit-any": "off", "max-len": "off" } },
  {
    ignores: [
      ".next/**",
      "generated/**",
      "node_modules/**",
      ".echo/**",
      "test-results/**",
      "playwright-report/**",
      "e2e/artifacts/**",
      "next-env.d.ts",
    ],
  },
];

export default config;
