import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The console is served by the service itself under /console/ (src/transport/console-routes.ts).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/console/",
  build: {
    outDir: fileURLToPath(new URL("../dist/console", import.meta.url)),
    emptyOutDir: true,
    // No inline polyfill script: the Content-Security-Policy allows only 'self' scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
