import type { TreeIndex } from './tree-index.js';

/** Root files of stacks berth does not build, with what they mean. */
const FOREIGN: [RegExp, string][] = [
  [/^mix\.exs$/, 'Elixir (Mix)'],
  [/^rebar\.config$/, 'Erlang (rebar)'],
  [/^build\.sbt$/, 'Scala (sbt)'],
  [/^(?:project\.clj|deps\.edn)$/, 'Clojure'],
  [/^(?:stack\.yaml|cabal\.project|[\w-]+\.cabal)$/, 'Haskell'],
  [/^pubspec\.yaml$/, 'Dart'],
  [/^Package\.swift$/, 'Swift'],
  [/^build\.zig$/, 'Zig'],
  [/^shard\.yml$/, 'Crystal'],
  [/^deno\.jsonc?$/, 'Deno'],
  [/^CMakeLists\.txt$/, 'C/C++ (CMake)'],
  [/^meson\.build$/, 'C/C++ (Meson)'],
  [/^[\w-]+\.nimble$/, 'Nim'],
  [/^dune-project$/, 'OCaml (dune)'],
  [/^(?:cpanfile|Makefile\.PL)$/, 'Perl'],
  [/^gleam\.toml$/, 'Gleam'],
];

/** Whether a file's name marks a stack berth does not build. */
export function isForeignManifest(name: string): boolean {
  return FOREIGN.some(([pattern]) => pattern.test(name));
}

export interface ForeignManifest {
  file: string;
  stack: string;
}

export function foreignManifests(tree: TreeIndex): ForeignManifest[] {
  const out: ForeignManifest[] = [];
  for (const file of tree.rootFiles()) {
    const hit = FOREIGN.find(([pattern]) => pattern.test(file));
    if (hit) out.push({ file, stack: hit[1] });
  }
  return out;
}
