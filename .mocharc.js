// Tests are TypeScript run through ts-node with tests/tsconfig.json (mocha's globals on top of the package's settings).
process.env.TS_NODE_PROJECT = require("path").join(__dirname, "tests", "tsconfig.json");
module.exports = {
    require: ["ts-node/register"],
    extension: ["ts"],
    timeout: 20000,
};
