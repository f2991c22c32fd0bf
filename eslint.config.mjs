// ESLint with typescript-eslint's recommended rules, as `npm run lint` (run by `make test` and CI).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["dist/", "node_modules/", ".tools/", ".floor/", ".pulumi-state/", ".bench/", "**/node_modules/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: {
            globals: {
                process: "readonly",
                require: "readonly",
                module: "writable",
                __dirname: "readonly",
                console: "readonly",
                Buffer: "readonly",
                setTimeout: "readonly",
                clearTimeout: "readonly",
                setInterval: "readonly",
                clearInterval: "readonly",
                setImmediate: "readonly",
                fetch: "readonly",
                URL: "readonly",
                AbortController: "readonly",
                TextDecoder: "readonly",
                TextEncoder: "readonly",
            },
        },
        rules: {
            // Unused arguments of provider methods are part of the engine's signature: prefix them with _.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
            // `interface GetXOutputArgs extends InputArgs<GetXArgs> {}` names the Output form's arguments, as Pulumi SDKs do.
            "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
        },
    },
    {
        // CommonJS configuration files.
        files: ["**/*.js", "**/*.cjs"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // Tests and scripts load TypeScript modules on demand (ts-node) and build throwaway shapes.
        files: ["tests/**/*.ts", "scripts/**/*.ts", "examples/**/*.ts", "tests/**/*.js"],
        rules: {
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-explicit-any": "off",
        },
    },
);
