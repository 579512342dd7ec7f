/** A tiny DOM builder: text always goes through textContent, never innerHTML. */
type Attrs = Record<string, string | number | boolean | undefined | null>;
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'style') throw new Error('inline styles are not allowed (CSP); use a class');
    el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function $(selector: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

/** Announces a message to screen readers and shows it in the status line. */
export function announce(text: string): void {
  const el = document.getElementById('announcer');
  if (el) el.textContent = text;
}

export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...a: A) => {
    if (t) clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}

/** Runs `fn` at most once per `ms`, on an animation frame (coalesces bursts of updates). */
export function frameThrottle(fn: () => void, ms: number): () => void {
  let last = 0;
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    const wait = Math.max(0, last + ms - performance.now());
    setTimeout(() => {
      requestAnimationFrame(() => {
        scheduled = false;
        last = performance.now();
        fn();
      });
    }, wait);
  };
}
