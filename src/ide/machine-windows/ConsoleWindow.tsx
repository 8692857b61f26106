// The Console window: TelOS's COM1 in an xterm.js terminal. Output streams from the machine
// worker; typing goes to COM1; the terminal fits its window, keeps 10,000 lines of
// scrollback, and copies and pastes with Ctrl+Shift+C / Ctrl+Shift+V (or the buttons).
import '@xterm/xterm/css/xterm.css';
import './machine.css';
import { useEffect, useRef } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { machineLink } from './machine-link';

const SCROLLBACK = 10_000;

/** Open terminals, so scripted checks can read the whole console (scrollback included). */
const terminals = new Set<Terminal>();

function terminalText(term: Terminal): string {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) {
    const line = buf.getLine(i);
    if (!line) continue;
    const text = line.translateToString(true);
    if (line.isWrapped && lines.length) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  return lines.join('\n').replace(/\n+$/, '');
}

(globalThis as unknown as { telosConsole: unknown }).telosConsole = {
  /** The text of the first open Console window, as it shows it (scrollback included). */
  text: (): string => {
    const first = terminals.values().next().value as Terminal | undefined;
    return first ? terminalText(first) : '';
  },
};

/** Colours of the terminal. TelOS sends its kernel's and servers' log lines in grey (ANSI
 * bright black, see TELOS_LOG_STYLE in the guest's abi.h) and the monitor's prompt and answers
 * in the default colour; both keep at least 4.5:1 contrast on the background. */
function theme(): { background: string; foreground: string; cursor: string; selectionBackground: string; brightBlack: string } {
  const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  return dark
    ? { background: '#111418', foreground: '#d8dee9', cursor: '#88c0d0', selectionBackground: '#3b4252', brightBlack: '#8d96a3' }
    : { background: '#fbfbf8', foreground: '#1d232b', cursor: '#2e6fba', selectionBackground: '#c9d8ee', brightBlack: '#5e6671' };
}

async function copySelection(term: Terminal): Promise<void> {
  const text = term.getSelection();
  if (text) await navigator.clipboard.writeText(text).catch(() => undefined);
}

async function pasteClipboard(term: Terminal): Promise<void> {
  const text = await navigator.clipboard.readText().catch(() => '');
  if (text) term.paste(text);
}

export function ConsoleWindow() {
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const term = new Terminal({
      scrollback: SCROLLBACK,
      convertEol: true,
      cursorBlink: true,
      fontSize: 12,
      fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace",
      theme: theme(),
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    termRef.current = term;
    terminals.add(term);
    const link = machineLink();
    const typing = term.onData((data) => link.type(data));
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
      if (e.key === 'C' || e.key === 'c') {
        void copySelection(term);
        return false;
      }
      if (e.key === 'V' || e.key === 'v') {
        void pasteClipboard(term);
        return false;
      }
      return true;
    });
    const stop = link.onConsole((data, reset) => {
      if (reset) term.reset();
      if (data) term.write(data);
    });
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // Not laid out yet (collapsed window): the next resize fits it.
      }
    };
    const observer = new ResizeObserver(refit);
    observer.observe(el);
    refit();
    return () => {
      observer.disconnect();
      stop();
      typing.dispose();
      terminals.delete(term);
      termRef.current = null;
      term.dispose();
    };
  }, []);

  const withTerm = (f: (t: Terminal) => Promise<void> | void) => () => {
    const t = termRef.current;
    if (t) void f(t);
  };

  return (
    <section className="console-window" role="region" aria-label="Console">
      <div className="toolbar" role="toolbar" aria-label="Console actions">
        <button type="button" title="Copy the selection (Ctrl+Shift+C)" onClick={withTerm(copySelection)}>
          Copy
        </button>
        <button type="button" title="Paste to COM1 (Ctrl+Shift+V)" onClick={withTerm(pasteClipboard)}>
          Paste
        </button>
        <button type="button" title="Clear the screen (the machine keeps running)" onClick={withTerm((t) => t.clear())}>
          Clear
        </button>
        <span className="muted">COM1</span>
      </div>
      <div ref={host} className="console-terminal" />
    </section>
  );
}
