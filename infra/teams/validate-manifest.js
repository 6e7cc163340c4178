#!/usr/bin/env node
// Validates Teams app manifests offline, against the JSON schema bundled in @microsoft/app-manifest for each
// manifest's own manifestVersion. It uses the same validator, set up the same way, as that package's
// AppManifestUtils.validateAgainstSchema (ajv for draft-04 with the uri, email and regex formats, all errors),
// but compiles each schema once rather than once per manifest.
//
//   node infra/teams/validate-manifest.js manifest.json [more.json ...]   ("-" reads standard input)
//
// Prints one JSON object, {"<file>": ["<error>", ...]}, and exits 0 when every manifest is valid, 1 when one is
// not, 2 when a file cannot be read or names a manifestVersion whose schema is not bundled.
"use strict";

const fs = require("fs");
const path = require("path");

const PACKAGE = path.dirname(require.resolve("@microsoft/app-manifest"));
// Resolved from @microsoft/app-manifest's own folder: the validator it depends on, whatever npm hoisted.
const fromPackage = (name) => require(require.resolve(name, { paths: [PACKAGE] }));
const Ajv04 = fromPackage("ajv-draft-04").default;
const addFormats = fromPackage("ajv-formats").default;
const SCHEMAS = path.join(PACKAGE, "json-schemas", "teams");
const compiled = new Map();

function validatorFor(manifest) {
  const version = String(manifest.manifestVersion || "");
  const file = path.join(SCHEMAS, `v${version}`, "MicrosoftTeams.schema.json");
  if (!/^\d+\.\d+$/.test(version) || !fs.existsSync(file)) {
    throw new Error(`no bundled schema for manifestVersion ${JSON.stringify(version)}`);
  }
  if (!compiled.has(file)) {
    const ajv = new Ajv04({ allErrors: true, strictTypes: false });
    addFormats(ajv, ["uri", "email", "regex"]);
    compiled.set(file, ajv.compile(JSON.parse(fs.readFileSync(file, "utf8"))));
  }
  return compiled.get(file);
}

function errorsOf(manifest) {
  const validate = validatorFor(manifest);
  if (validate(manifest)) return [];
  return validate.errors.map(
    (error) => `${error.instancePath} ${error.message || ""}. Details: ${JSON.stringify(error.params || {})}`,
  );
}

function main(files) {
  if (files.length === 0) {
    process.stderr.write("usage: validate-manifest.js manifest.json [...]\n");
    return 2;
  }
  const report = {};
  let status = 0;
  for (const file of files) {
    try {
      const text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
      report[file] = errorsOf(JSON.parse(text.replace(/^\uFEFF/, "")));
      if (report[file].length > 0 && status === 0) status = 1;
    } catch (error) {
      report[file] = [`cannot validate: ${error.message}`];
      status = 2;
    }
  }
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  return status;
}

process.exitCode = main(process.argv.slice(2));
