// Saves text the server produced as a file (table exports).
window.dggrnDownload = (name, mime, text) => {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url; a.download = name; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
};

// Saves a Plotly chart as PNG or SVG (Plotly.downloadImage renders it in the browser; nothing leaves the machine).
window.dggrnSaveChart = (id, format, name, height) => {
  const el = document.getElementById(id);
  if (el && window.Plotly) Plotly.downloadImage(el, { format, filename: name, width: 1200, height });
};

// Width in pixels of an element (a chart's panel, before its first plot).
window.dggrnWidth = id => { const el = document.getElementById(id); return el ? el.clientWidth : 0; };

// Zoomable charts (ZoomChart): points arrive as binary float64 arrays (steps, values) and go to Plotly as typed arrays,
// without a JSON detour, which cost more than drawing them at 5*10^4 points. After every zoom, pan, reset or resize the
// chart tells .NET which x range it shows and how wide its plot area is, so the server can send that view's points.
window.dggrnZoom = (() => {
  // plotly.js comes from Plotly.Blazor's package, loaded the way its charts load it (same module, same script element),
  // so a page with both kinds of chart loads it once. REVIEW: tied to Plotly.Blazor 7.2.0's file names and element id.
  let loading = null;
  const ensurePlotly = () => loading ??= (async () => {
    if (window.Plotly) return;
    const interop = await import('./_content/Plotly.Blazor/plotly-interop-7.2.0.js');
    if (!document.getElementById('plotly-import'))
      await interop.importScript('plotly-import', './_content/Plotly.Blazor/plotly-basic-3.7.0.min.js');
    while (!window.Plotly) await new Promise(r => requestAnimationFrame(r));
  })();
  const floats = bytes => { const b = bytes.slice(); return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8); };
  const layoutOf = o => ({
    height: o.height, uirevision: 'zoom', hovermode: o.hovermode, showlegend: o.showLegend,
    margin: { l: o.marginLeft, r: o.marginRight, t: 10, b: 40 },
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: 1.02, yanchor: 'bottom', maxheight: 0.2 },
    xaxis: { title: { text: 'step' } }, yaxis: { title: { text: o.yTitle }, type: o.logY ? 'log' : 'linear' },
  });
  const watch = (el, dotnet) => {
    el.on('plotly_relayout', ev => {
      const keys = Object.keys(ev || {});
      if (!keys.some(k => k.startsWith('xaxis.range') || k === 'xaxis.autorange' || k === 'autosize' || k === 'width')) return;
      const xa = el._fullLayout.xaxis;
      // A zoom or pan names the range; a double-click names autorange; a resize keeps whichever the axis had.
      const zoomed = keys.some(k => k.startsWith('xaxis.range'));
      const auto = !zoomed && (ev['xaxis.autorange'] === true || !(el.layout.xaxis && el.layout.xaxis.autorange === false));
      dotnet.invokeMethodAsync('OnViewChanged', Number(xa.range[0]), Number(xa.range[1]), auto, el._fullLayout._size.w);
    });
  };
  return {
    // Draws (or redraws, keeping the user's zoom) the curves: trace i is steps/values[offset_i .. offset_i + counts[i]).
    async draw(id, options, series, steps, values, counts, dotnet) {
      await ensurePlotly();
      const el = document.getElementById(id);
      if (!el) return;
      const xs = floats(steps), ys = floats(values);
      let at = 0;
      const data = series.map((s, i) => {
        const n = counts[i];
        const t = { type: 'scatter', mode: 'lines', name: s.name, x: xs.subarray(at, at + n), y: ys.subarray(at, at + n),
          line: { color: s.colour || undefined, dash: s.dash || undefined } };
        at += n;
        return t;
      });
      const first = !el._fullLayout;
      await Plotly.react(el, data, el.layout && !first ? el.layout : layoutOf(options), { responsive: true, displaylogo: false });
      if (first) watch(el, dotnet);
    },
    async logY(id, log) {
      const el = document.getElementById(id);
      if (el && el._fullLayout) await Plotly.relayout(el, { 'yaxis.type': log ? 'log' : 'linear' });
    },
  };
})();
