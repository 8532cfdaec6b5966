// Small bar charts as inline SVG, each with a data table beside it (WCAG 1.1.1: the table is the
// text alternative, and is what screen readers and the tests read). No library, no network.
'use strict';
const Grafiek = (() => {
  const NS = 'http://www.w3.org/2000/svg';
  let volgnummer = 0;

  function el(naam, attrs, tekst) {
    const e = document.createElementNS(NS, naam);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (tekst !== undefined) e.textContent = tekst;
    return e;
  }

  function html(naam, attrs, tekst) {
    const e = document.createElement(naam);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (tekst !== undefined) e.textContent = tekst;
    return e;
  }

  const getal = n => Number(n).toLocaleString('nl-NL');

  /** The axis' top: the maximum rounded up to 2, 5 or 10 times a power of ten (at least 2). */
  function mooi(max) {
    if (max <= 2) return 2;
    const macht = Math.pow(10, Math.floor(Math.log10(max)));
    return [1, 2, 5, 10].map(f => f * macht).find(v => v >= max);
  }

  /**
   * A grouped bar chart. opties: {titel, categorieen: [label], reeksen: [{naam, kleur, waarden: [n]}],
   * eenheid?, id?}. Returns a <figure> with the SVG, a legend and the table.
   */
  function staven(opties) {
    const id = opties.id || ('grafiek-' + (++volgnummer));
    const cats = opties.categorieen;
    const reeksen = opties.reeksen;
    const max = mooi(Math.max(0, ...reeksen.flatMap(r => r.waarden)));
    const hoogte = 220, links = 56, onder = 48, boven = 12;
    const groep = Math.max(18, Math.min(cats.length <= 6 ? 170 : 60, Math.floor(720 / Math.max(1, cats.length))));
    const breedte = links + cats.length * groep + 16;
    const staaf = Math.max(3, Math.floor((groep - 6) / reeksen.length));
    const fig = html('figure', {id, class: 'grafiek'});
    fig.appendChild(html('figcaption', {id: id + '-titel'}, opties.titel));
    const svg = el('svg', {viewBox: `0 0 ${breedte} ${hoogte + boven + onder}`, width: breedte, height: hoogte + boven + onder,
      role: 'img', 'aria-labelledby': id + '-titel', 'data-max': max});
    svg.appendChild(el('title', {}, opties.titel));
    // axis with three gridlines
    for (let i = 0; i <= 2; i++) {
      const w = max * i / 2;
      const y = boven + hoogte - Math.round(hoogte * i / 2);
      svg.appendChild(el('line', {x1: links - 4, x2: breedte - 8, y1: y, y2: y, class: 'raster'}));
      svg.appendChild(el('text', {x: links - 8, y: y + 4, 'text-anchor': 'end', class: 'as'}, getal(w)));
    }
    const stap = Math.max(1, Math.ceil(cats.length / 12));
    cats.forEach((c, ci) => {
      const x0 = links + ci * groep + 3;
      reeksen.forEach((r, ri) => {
        const w = r.waarden[ci] || 0;
        const h = Math.round(hoogte * w / max);
        const rect = el('rect', {x: x0 + ri * staaf, y: boven + hoogte - h, width: Math.max(1, staaf - 1), height: h,
          fill: r.kleur, 'data-reeks': r.naam, 'data-categorie': c, 'data-waarde': w});
        rect.appendChild(el('title', {}, `${r.naam}, ${c}: ${getal(w)}${opties.eenheid ? ' ' + opties.eenheid : ''}`));
        svg.appendChild(rect);
      });
      if (ci % stap === 0) {
        svg.appendChild(el('text', {x: x0 + groep / 2 - 3, y: boven + hoogte + 16, 'text-anchor': 'middle', class: 'as'},
          /^\d{4}-\d{2}-\d{2}$/.test(c) ? String(c).slice(5) : String(c)));
      }
    });
    fig.appendChild(svg);
    const legenda = html('ul', {class: 'legenda'});
    reeksen.forEach(r => {
      const li = html('li');
      const vak = li.appendChild(html('span', {class: 'kleur', 'aria-hidden': 'true'}));
      vak.style.backgroundColor = r.kleur; // CSSOM, which the page's CSP allows (a style attribute it would not)
      li.appendChild(document.createTextNode(r.naam));
      legenda.appendChild(li);
    });
    fig.appendChild(legenda);
    fig.appendChild(tabel(opties.titel + ' (tabel)', [opties.kolomnaam || '', ...reeksen.map(r => r.naam)],
      cats.map((c, ci) => [c, ...reeksen.map(r => getal(r.waarden[ci] || 0))])));
    return fig;
  }

  /** A table with a caption and column headers; rows are arrays of text. */
  function tabel(bijschrift, koppen, rijen) {
    const t = html('table');
    t.appendChild(html('caption', {}, bijschrift));
    const kop = html('tr');
    koppen.forEach(k => kop.appendChild(html('th', {scope: 'col'}, k)));
    t.appendChild(html('thead')).appendChild(kop);
    const body = t.appendChild(html('tbody'));
    rijen.forEach(r => {
      const tr = html('tr');
      r.forEach((v, i) => tr.appendChild(i === 0 ? html('th', {scope: 'row'}, v) : html('td', {}, v)));
      body.appendChild(tr);
    });
    return t;
  }

  return {staven, tabel, getal, html};
})();
