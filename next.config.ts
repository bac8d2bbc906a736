import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and WASM engines load files relative to their own modules: keep them out of the bundle.
  serverExternalPackages: ["chdb", "@clickhouse/client", "@electric-sql/pglite", "pglite-prisma-adapter"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
