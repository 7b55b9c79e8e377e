// The core's shape, measured the way the conventions state it: the largest source file in lines
// and the median function body in lines (functions, methods, constructors, accessors and arrows
// with a block body; a body's lines run from its first statement to its last, so an empty body
// has nothing to measure and is left out). Tests beside the code are not the core's source.
// Usage: node scripts/core-shape.mjs [--json] [folder, default packages/core/src]
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

/** Every non-test .ts file under `dir`. */
function sourceFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .sort();
}

const FUNCTION_KINDS = new Set([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.ArrowFunction,
]);

function lineOf(sf, pos) {
  return sf.getLineAndCharacterOfPosition(pos).line;
}

/** Lines from the body's first statement to its last; undefined for no block body or an empty one. */
function bodyLines(sf, node) {
  const body = node.body;
  if (!body || !ts.isBlock(body) || body.statements.length === 0) return undefined;
  const first = body.statements[0];
  const last = body.statements[body.statements.length - 1];
  return lineOf(sf, last.getEnd()) - lineOf(sf, first.getStart(sf)) + 1;
}

function nameOf(sf, node) {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText(sf);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))) {
    return parent.name.getText(sf);
  }
  return '(anonymous)';
}

/** Each function of one file with its body's length. */
function functionsOf(file, root) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out = [];
  const visit = (node) => {
    if (FUNCTION_KINDS.has(node.kind)) {
      const lines = bodyLines(sf, node);
      const at = `${relative(root, file)}:${lineOf(sf, node.getStart(sf)) + 1}`;
      if (lines !== undefined) out.push({ name: nameOf(sf, node), at, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), functions: out };
}

function median(sorted) {
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The figures for the folder: largest file, median body, the longest functions. */
export function measureCore(dir = join(ROOT, 'packages/core/src'), root = ROOT) {
  const files = sourceFiles(dir).map((file) => ({ file: relative(root, file), ...functionsOf(file, root) }));
  const functions = files.flatMap((f) => f.functions);
  const largest = files.reduce((a, b) => (b.lines > a.lines ? b : a), { file: '(none)', lines: 0 });
  const byLength = [...functions].sort((a, b) => b.lines - a.lines);
  return {
    files: files.length,
    largestFile: { file: largest.file, lines: largest.lines },
    functions: functions.length,
    medianFunctionLines: median(byLength.map((f) => f.lines).reverse()),
    longest: byLength.slice(0, 10),
  };
}

function main(args) {
  const json = args.includes('--json');
  const dir = args.find((a) => !a.startsWith('--'));
  const shape = measureCore(dir ? join(process.cwd(), dir) : undefined);
  if (json) {
    console.log(JSON.stringify(shape, null, 2));
    return;
  }
  console.log(`${shape.files} files, ${shape.functions} functions`);
  console.log(`largest file: ${shape.largestFile.file} (${shape.largestFile.lines} lines)`);
  console.log(`median function: ${shape.medianFunctionLines} lines`);
  console.log('longest functions:');
  for (const f of shape.longest) console.log(`  ${String(f.lines).padStart(4)}  ${f.name}  ${f.at}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
