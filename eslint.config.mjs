import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  // Tests read JSON answers whose shape the assertions themselves check.
  { files: ["tests/**", "e2e/**"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
  { ignores: [".next/**", "generated/**", "node_modules/**", ".echo/**", "test-results/**", "playwright-report/**", "e2e/artifacts/**", "next-env.d.ts"] },
];

export default config;
