// The layout rules of README's Layout section, as ESLint rules, so that they hold by themselves:
//  - `public-faces`: a file under src/ may import from another folder of src/ only that folder's
//    public face (index.ts, or its Node-only node.ts or browser-only browser.ts), never a file
//    behind it. Folders are the subsystems directly under src/; their subfolders are theirs.
//  - `pure-world`: src/world imports nothing of the app (packages such as acorn are fine).
// Only relative specifiers are looked at: the project has no path aliases.
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const src = path.join(root, 'src');

/** The faces another folder may import: file paths relative to the folder, without extension. */
const FACES = new Set(['index', 'node', 'browser']);
/** Sub-faces beside the folder's index: store/harness is shared by vitest, Chromium and the bench. */
const EXTRA_FACES = { store: new Set(['harness/index']) };

/** Where a relative import from `file` lands, relative to the repository root; null for a package. */
function target(file, specifier) {
  if (!specifier.startsWith('.')) return null;
  const bare = specifier.replace(/[?#].*$/, '');
  return path.resolve(path.dirname(file), bare);
}

/** The subsystem folder (first segment under src/) of an absolute path, or null outside src/. */
function subsystem(abs) {
  const rel = path.relative(src, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep)[0];
}

/** Calls `check(node, specifier)` for every import, re-export and dynamic import with a literal source. */
function visitImports(check) {
  const withSource = (node) => {
    if (node.source && typeof node.source.value === 'string') check(node.source, node.source.value);
  };
  return {
    ImportDeclaration: withSource,
    ExportNamedDeclaration: withSource,
    ExportAllDeclaration: withSource,
    ImportExpression: withSource,
  };
}

const publicFaces = {
  meta: {
    type: 'problem',
    docs: { description: "another folder's files are imported only through its index.ts (or node.ts / browser.ts)" },
    messages: {
      pastFace:
        "'{{specifier}}' reaches past the public face of src/{{folder}}: import it from src/{{folder}}/index.ts (or node.ts / browser.ts), exporting it there if it is meant to be public",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = subsystem(file);
    return visitImports((node, specifier) => {
      const abs = target(file, specifier);
      if (!abs) return;
      const folder = subsystem(abs);
      if (!folder || folder === from) return;
      const rest = path.relative(path.join(src, folder), abs).split(path.sep).join('/');
      const face = rest.replace(/\.(ts|tsx|js|mjs)$/, '');
      if (face === '' || FACES.has(face) || EXTRA_FACES[folder]?.has(face)) return;
      // A folder import (`../store/harness`) means its index.
      if (EXTRA_FACES[folder]?.has(`${face}/index`)) return;
      context.report({ node, messageId: 'pastFace', data: { specifier, folder } });
    });
  },
};

const pureWorld = {
  meta: {
    type: 'problem',
    docs: { description: 'src/world depends on nothing else of the app' },
    messages: { appImport: "src/world imports nothing of the app, but '{{specifier}}' is outside src/world" },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const world = path.join(src, 'world');
    return visitImports((node, specifier) => {
      const abs = target(file, specifier);
      if (!abs) return;
      if (abs === world || abs.startsWith(world + path.sep)) return;
      context.report({ node, messageId: 'appImport', data: { specifier } });
    });
  },
};

export default { meta: { name: 'telos-boundaries' }, rules: { 'public-faces': publicFaces, 'pure-world': pureWorld } };
