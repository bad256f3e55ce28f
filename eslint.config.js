// @ts-check
import js from "@eslint/js"
import tseslint from "typescript-eslint"

const sqlModules = [
  "@effect/sql",
  "@effect/sql/*",
  "@effect/sql-pg",
  "@effect/sql-pg/*",
  "pg",
  "@videoag/domain/sql"
]
const fileSystemModules = [
  "fs",
  "fs/*",
  "node:fs",
  "node:fs/*",
  "@effect/platform/FileSystem",
  "@effect/platform-node/NodeFileSystem"
]

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", ".tools/**", "data/**", "coverage/**", "**/build/**"]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }
      ],
      "@typescript-eslint/no-explicit-any": ["error", { ignoreRestArgs: true }],
      "@typescript-eslint/consistent-type-imports": "error",
      // `{}` is how Data.TaggedEnum spells a variant without fields.
      "@typescript-eslint/no-empty-object-type": ["error", { allowObjectTypes: "always" }],
      "no-console": "error"
    }
  },
  {
    // Workers touch media files and never the database (see docs/architecture.md).
    files: ["packages/workers/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: sqlModules, message: "Workers must not use the database." }] }
      ]
    }
  },
  {
    // The API server reads and writes PostgreSQL and never reads the media root.
    files: ["packages/server/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: fileSystemModules, message: "The API server must not read media files." }
          ]
        }
      ]
    }
  },
  {
    files: ["**/*.test.ts", "**/test/**/*.ts", "dev/**/*.ts", "dev/**/*.mjs"],
    rules: {
      "no-console": "off"
    }
  },
  {
    // Plain Node scripts that run before the TypeScript tooling is available.
    files: ["dev/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } }
  }
)
