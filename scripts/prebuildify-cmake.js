#!/usr/bin/env node
'use strict';
// prebuildify has no cmake-js backend: it runs this script as its "node-gyp" with node-gyp-like
// arguments; we build with cmake-js into build/Release, where prebuildify picks the .node up (a
// binary to ship: SIGPROP_PREBUILD, no build-machine RUNPATH).
const { spawnSync } = require('child_process');
const path = require('path');
const r = spawnSync(process.execPath, [path.join(__dirname, 'build.js'), '--CDSIGPROP_PREBUILD=ON'], { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
