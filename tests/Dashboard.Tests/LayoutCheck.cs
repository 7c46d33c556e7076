using Microsoft.Playwright;

namespace Dggrn.Dashboard.Tests;

/// <summary>
/// What "the layout holds" means, measured in the browser: the app bar and the navigation drawer leave the content
/// alone, nothing sticks out to the right or hides behind a horizontal scroll bar, no ordinary word is squeezed across
/// two lines, and every chart keeps most of its box for the plot itself (not for its legend).
/// </summary>
public static class LayoutCheck
{
    /// <summary>The smallest share of a chart's width its plotting area may have, and the smallest plot in pixels.</summary>
    public const double MinPlotShare = 0.6;

    /// <summary>Plot area at least this many pixels wide and high.</summary>
    public const int MinPlotWidth = 200, MinPlotHeight = 150;

    // Returns one line per problem; an empty list when the layout holds.
    const string Script = """
        ([minShare, minW, minH]) => {
          const problems = [];
          const name = el => el.tagName.toLowerCase() + (el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : '')
            + (el.id ? `#${el.id}` : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : '')
            + ` "${(el.textContent || '').trim().slice(0, 40)}"`;
          const de = document.documentElement;
          if (de.scrollWidth > de.clientWidth + 1) {
            // Name what makes it wide (the outermost elements past the window's edge, anywhere, Plotly's layers included).
            const wide = [];
            for (const el of document.body.querySelectorAll('*'))
              if (!wide.some(w => w.contains(el)) && el.getBoundingClientRect().right > de.clientWidth + 1) wide.push(el);
            problems.push(`the page scrolls sideways: ${de.scrollWidth} px wide in a ${de.clientWidth} px window; past its edge: ` +
              (wide.map(el => `${name(el)} (to x=${Math.round(el.getBoundingClientRect().right)})`).join(', ') || 'nothing measurable'));
          }
          const content = document.querySelector('.mud-main-content > .mud-container').getBoundingClientRect();
          const bar = document.querySelector('.mud-appbar').getBoundingClientRect();
          if (content.top < bar.bottom - 1) problems.push(`the app bar (to y=${bar.bottom}) covers the content (from y=${content.top})`);
          const drawer = document.querySelector('.mud-drawer');
          if (drawer) {
            const d = drawer.getBoundingClientRect();
            const shown = d.width > 0 && d.right > 0 && getComputedStyle(drawer).visibility !== 'hidden';
            if (shown && d.right > content.left + 1 && d.left < content.right) problems.push(`the navigation (to x=${d.right}) covers the content (from x=${content.left})`);
          }
          const reported = [];   // the outermost offender only: its contents stick out with it
          for (const el of document.querySelectorAll('.mud-main-content *')) {
            if (el.closest('.js-plotly-plot') || reported.some(r => r.contains(el))) continue;   // Plotly's layers are judged below as charts
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            if (r.right > content.right + 1) {
              problems.push(`${name(el)} ends at x=${Math.round(r.right)}, past the content's edge at ${Math.round(content.right)}`);
              reported.push(el);
              continue;
            }
            const o = getComputedStyle(el).overflowX;
            if (o !== 'visible' && el.scrollWidth > el.clientWidth + 1) {
              problems.push(`${name(el)} hides ${el.scrollWidth - el.clientWidth} px of its content sideways (overflow-x: ${o})`);
              reported.push(el);
            }
          }
          // Squeezed columns break ordinary words mid-word ("Ref|used"): only long tokens (hashes, ids, keys) may break.
          const broken = new Set();
          const texts = document.createTreeWalker(document.querySelector('.mud-main-content'), NodeFilter.SHOW_TEXT);
          while (texts.nextNode()) {
            const node = texts.currentNode, owner = node.parentElement;
            if (!owner || broken.has(owner) || owner.closest('.js-plotly-plot, pre, .log-tail') || !owner.getClientRects().length) continue;
            for (const m of node.textContent.matchAll(/[^\s\-\/·,]+/g)) {
              if (m[0].length < 2 || m[0].length > 16) continue;
              const range = document.createRange();
              range.setStart(node, m.index);
              range.setEnd(node, m.index + m[0].length);
              const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
              if (lines.size > 1) { problems.push(`${name(owner)} breaks the word "${m[0]}" across lines`); broken.add(owner); break; }
            }
          }
          for (const plot of document.querySelectorAll('.js-plotly-plot')) {
            const s = plot._fullLayout && plot._fullLayout._size;
            const box = plot.getBoundingClientRect();
            if (!s) { problems.push(`chart ${plot.id} was not drawn`); continue; }
            if (s.w < Math.max(minW, minShare * box.width) || s.h < minH)
              problems.push(`chart ${plot.id}: plot area ${Math.round(s.w)}x${Math.round(s.h)} px in a ${Math.round(box.width)}x${Math.round(box.height)} px box`);
          }
          return problems;
        }
        """;

    /// <summary>How long a page may take to settle into a layout that holds (Plotly and MudBlazor lay out asynchronously).</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The layout problems of the page once it has settled: none as soon as the layout holds, else those it still has
    /// after <see cref="Settle"/>. A chart relaid out after its data or a table filled a frame later can overflow for a
    /// moment under load; what persists is a defect, and is reported with what causes it.
    /// </summary>
    public static async Task<string[]> ProblemsAsync(IPage page)
    {
        var args = new object[] { MinPlotShare, MinPlotWidth, MinPlotHeight };
        try
        {
            await page.WaitForFunctionAsync($"args => ({Script})(args).length === 0", args,
                new() { Timeout = (float)Settle.TotalMilliseconds, PollingInterval = 100 });
            return [];
        }
        catch (TimeoutException)
        {
            return await page.EvaluateAsync<string[]>(Script, args);
        }
    }
}
