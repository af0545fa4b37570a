/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { Page } from '@playwright/test';

/**
 * What overflows on the page as drawn: a card (or a grid cell holding one) whose content is wider than the
 * card, the page itself scrolling sideways, and a scroll box nested in another scroll box. Scroll frames
 * (overflow auto/scroll, e.g. a table's own frame) may be wider inside: that is what they are for. Returns
 * readable problems (empty when fine).
 */
export async function overflowProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const describe = (el: Element): string => {
      const testId = el.closest('[data-testid]')?.getAttribute('data-testid');
      const label =
        el.getAttribute('aria-label') ?? el.querySelector('h2, h3, figcaption')?.textContent ?? '';
      return `${el.tagName.toLowerCase()}${testId ? ` in [data-testid=${testId}]` : ''}${label ? ` "${label.slice(0, 40)}"` : ''}`;
    };
    const scrolls = (el: Element, axis: 'x' | 'y') => {
      const style = getComputedStyle(el);
      const value = axis === 'x' ? style.overflowX : style.overflowY;
      return value === 'auto' || value === 'scroll';
    };
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) {
      problems.push(`the page scrolls sideways (${root.scrollWidth} > ${root.clientWidth} px)`);
    }
    const cards = document.querySelectorAll(
      'main .mantine-Paper-root, main .mantine-SimpleGrid-root > *, main .mantine-Grid-col, [role="dialog"] .mantine-Paper-root',
    );
    for (const card of cards) {
      if (scrolls(card, 'x')) continue;
      if (card.scrollWidth > card.clientWidth + 1) {
        problems.push(
          `${describe(card)} overflows: content ${card.scrollWidth} px in ${card.clientWidth} px`,
        );
      }
    }
    // Nested vertical scroll boxes: a wheel over the inner one scrolls it, then stops, then the outer one moves.
    const boxes = [...document.querySelectorAll('main *, [role="dialog"] *')].filter(
      (el) => scrolls(el, 'y') && el.scrollHeight > el.clientHeight + 1 && el.clientHeight > 0,
    );
    for (const inner of boxes) {
      const outer = boxes.find((b) => b !== inner && b.contains(inner));
      if (outer) problems.push(`${describe(inner)} scrolls inside ${describe(outer)}`);
    }
    // A scroll frame that scrolls sideways is for a table only; anything else should wrap.
    const sideways = [...document.querySelectorAll('main *, [role="dialog"] *')].filter(
      (el) => scrolls(el, 'x') && el.scrollWidth > el.clientWidth + 1 && !el.querySelector('table, svg'),
    );
    for (const el of sideways) {
      problems.push(`${describe(el)} scrolls sideways (${el.scrollWidth} > ${el.clientWidth} px)`);
    }
    // Two scroll boxes in one card: the wheel stops at each one's end.
    for (const card of document.querySelectorAll('main section.mantine-Paper-root')) {
      const inner = boxes.filter((b) => card.contains(b));
      if (inner.length > 1) problems.push(`${describe(card)} has ${inner.length} scroll boxes`);
    }
    return problems;
  });
}
