// ESLint for the UI (ui/): JavaScript's and typescript-eslint's recommended rules, eslint-plugin-vue's for
// single-file components, and two type-aware rules that catch a forgotten `await` (a promise nobody waits
// for or catches, or one passed where a plain callback is expected). Formatting is Prettier's job alone
// (eslint-config-prettier turns the stylistic rules off). Run: npm run lint.
import { defineConfig, globalIgnores } from "eslint/config";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import vue from "eslint-plugin-vue";
import prettier from "eslint-config-prettier";
import globals from "globals";

export default defineConfig(
  // Built output, and the bindings ts-rs generates from the Rust types (never edited by hand).
  globalIgnores(["ui/dist/", "ui/src/bindings/"]),
  {
    files: ["ui/**/*.{ts,vue}"],
    extends: [js.configs.recommended, tseslint.configs.recommended, vue.configs["flat/recommended"]],
    languageOptions: {
      globals: globals.browser,
      parserOptions: {
        // <script lang="ts"> in .vue files goes to the TypeScript parser, typed by ui/tsconfig.json.
        parser: tseslint.parser,
        extraFileExtensions: [".vue"],
        projectService: true,
        tsconfigRootDir: `${import.meta.dirname}/ui`,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  prettier,
);
