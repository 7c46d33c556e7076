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
