#!/usr/bin/env node
// The repository's `berth` (npx berth): a file that exists before the build, so that npm links it
// into node_modules/.bin at install time; it runs the built CLI. The packed tarball points its bin
// at dist/main.js directly (scripts/pack.mjs).
import '../dist/main.js';
