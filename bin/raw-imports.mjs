// Lets Node import a file's text with `?raw` (`import text from './vm/prelude.js?raw'`), as Vite
// and vitest do, so the same source runs in the page, in tests and in the `telos` command.
// Import this after tsx has registered its own hooks: Node runs the last registered first.
import { register } from 'node:module';

register('./raw-imports-hooks.mjs', import.meta.url);
