/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// `vite ui` / `vite build ui` take this folder as root; Tauri serves ui/dist.
export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  // Relative asset URLs work under both the dev server and tauri://localhost.
  base: "./",
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    chunkSizeWarningLimit: 2000,
  },
  define: {
    // vue-i18n: JIT message compilation (no eval; CSP-safe) and no legacy API.
    __VUE_I18N_LEGACY_API__: "false",
    __VUE_I18N_FULL_INSTALL__: "false",
    __INTLIFY_PROD_DEVTOOLS__: "false",
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
