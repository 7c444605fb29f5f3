import tseslint from "typescript-eslint";

const infrastructure = [
  "@aws-sdk/*",
  "sst",
  "sst/*",
  "hono",
  "hono/*",
  "@hono/*",
  "node:fs",
  "node:fs/*",
  "fs",
  "fs/*",
  "better-sqlite3",
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".genq/",
      ".sst/",
      "**/*.mjs",
      "sst-env.d.ts",
      "bench/results/",
      "bench/.cache/",
      "packages/console/dist/",
      "test-results/",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "TSEnumDeclaration",
          message: "House style: use a union of string literals or a zod enum, not `enum`.",
        },
        { selector: "TSModuleDeclaration[kind='namespace']", message: "House style: no namespaces." },
      ],
    },
  },
  {
    // A cast to never silenced a dropped event-rule filter once: infrastructure code states its types.
    files: ["infra/**/*.ts", "stacks/**/*.ts", "sst.config.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "TSEnumDeclaration",
          message: "House style: use a union of string literals or a zod enum, not `enum`.",
        },
        { selector: "TSModuleDeclaration[kind='namespace']", message: "House style: no namespaces." },
        {
          selector: "TSAsExpression > TSNeverKeyword",
          message: "No `as never` in infrastructure: it hides arguments SST components ignore.",
        },
      ],
    },
  },
  {
    files: ["packages/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: infrastructure,
              message:
                "packages/core is pure domain code: no AWS SDK, sst, hono, node:fs or better-sqlite3 (see the dependency rule).",
            },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "process", message: "Core never reads process.env; config is parsed by the composition roots." },
      ],
    },
  },
);
