/**
 * Accessibility checks that run inside the page (page.evaluate), on what Chromium
 * actually rendered: computed colours after the theme, real backgrounds, real sizes.
 * Self-contained functions: they are serialised into the page, so they may use
 * nothing from this module's scope.
 */

/** A text that fails WCAG 2.1 SC 1.4.3 (contrast, minimum), described for a failure message. */
export interface ContrastFailure {
  ratio: number;
  needed: number;
  text: string;
  element: string;
  color: string;
  background: string;
}

/**
 * Every visible element with text of its own, against the background it is drawn
 * on (semi-transparent layers blended up to the first opaque one). The thresholds
 * and formulas are WCAG 2.1's: relative luminance (definition), contrast ratio
 * (L1 + 0.05) / (L2 + 0.05), at least 4.5:1, or 3:1 for large text (18 pt, or
 * 14 pt bold: 24 px, 18.66 px). Disabled controls are exempt (SC 1.4.3, "incidental").
 */
export function contrastFailures(): ContrastFailure[] {
  type Rgba = { r: number; g: number; b: number; a: number };
  const parse = (c: string): Rgba | undefined => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m?.[1]) return undefined;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: p[0] ?? 0, g: p[1] ?? 0, b: p[2] ?? 0, a: p[3] ?? 1 };
  };
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (c: Rgba) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const over = (top: Rgba, under: Rgba): Rgba => ({ r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1 });
  const backgroundOf = (el: Element): Rgba => {
    const layers: Rgba[] = [];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
    // The canvas under the page is white unless the root paints it.
    return layers.reverse().reduce<Rgba>((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
  };
  const out: ContrastFailure[] = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
    if (!own) continue;
    const cs = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (cs.visibility === 'hidden' || cs.display === 'none' || box.width === 0 || box.height === 0 || Number(cs.opacity) === 0) continue;
    if (el.closest('[disabled], [aria-disabled="true"]')) continue;
    const svgText = el instanceof SVGElement;
    const fg = parse(svgText ? cs.fill : cs.color);
    if (!fg) continue;
    const bg = backgroundOf(el);
    const [hi, lo] = [luminance(over(fg, bg)), luminance(bg)].sort((a, b) => b - a) as [number, number];
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = Number.parseFloat(cs.fontSize);
    const large = size >= 24 || (Number(cs.fontWeight) >= 700 && size >= 18.66);
    const needed = large ? 3 : 4.5;
    if (ratio < needed) {
      const cls = typeof el.className === 'string' ? el.className : '';
      out.push({ ratio: Math.round(ratio * 100) / 100, needed, text: (el.textContent ?? '').trim().slice(0, 40), element: `${el.tagName.toLowerCase()}${cls ? `.${cls.split(/\s+/).join('.')}` : ''}`, color: cs.color, background: `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})` });
    }
  }
  return out;
}

/**
 * Form controls and buttons without an accessible name (WCAG 2.1 SC 4.1.2, name,
 * role, value; SC 3.3.2, labels): a label element, aria-label, aria-labelledby or
 * title for a control; its text, aria-label or title for a button or a link.
 */
export function unnamedControls(): string[] {
  const out: string[] = [];
  const visible = (el: Element) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const describe = (el: Element) => el.outerHTML.slice(0, 120);
  for (const el of document.querySelectorAll('input:not([type="hidden"]), select, textarea')) {
    if (!visible(el)) continue;
    const labelled = ((el as HTMLInputElement).labels?.length ?? 0) > 0 || el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby') || el.getAttribute('title')?.trim();
    if (!labelled) out.push(describe(el));
  }
  for (const el of document.querySelectorAll('button, a[href], [role="button"]')) {
    if (!visible(el)) continue;
    const named = (el.textContent ?? '').trim() || el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby') || el.getAttribute('title')?.trim();
    if (!named) out.push(describe(el));
  }
  return out;
}
