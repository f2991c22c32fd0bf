/**
 * Preloaded into the dynamic-provider host with NODE_OPTIONS="--require <this file>" by
 * tests/bench/profile.ts. `--cpu-prof` writes its profile only when Node exits by itself, but the
 * engine stops plugin processes with a signal; this starts the V8 profiler through the inspector
 * and writes `<pid>.cpuprofile` into CPU_PROFILE_DIR when the process ends, signal or not.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const inspector = require("node:inspector");

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
    const session = new inspector.Session();
    session.connect();
    session.post("Profiler.setSamplingInterval", { interval: 1000 });
    session.post("Profiler.enable");
    session.post("Profiler.start");
    let written = false;
    const write = () => {
        if (written) return;
        written = true;
        session.post("Profiler.stop", (err, result) => {
            if (!err) fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
        });
    };
    process.on("exit", write);
    for (const signal of ["SIGINT", "SIGTERM"]) {
        process.on(signal, () => {
            write();
            process.exit(0);
        });
    }
}
