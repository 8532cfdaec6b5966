// Beheer page (issue 8): the month's SLA report, incidents, maintenance calendar and afnemers,
// read from the beheer API with the operator token (kept in sessionStorage, this tab only).
'use strict';
(() => {
  const $ = id => document.getElementById(id);
  const H = Grafiek.html;
  const tijd = t => t ? new Date(t).toLocaleString('nl-NL', {timeZone: 'Europe/Amsterdam'}) : '—';
  const jaNee = b => b === undefined || b === null ? '—' : (b ? 'ja' : 'nee');

  async function haal(pad) {
    const r = await fetch(pad, {headers: {Authorization: 'Bearer ' + sessionStorage.getItem('bbx-beheer'), Accept: 'application/json'}});
    if (r.status === 401 || r.status === 403) throw new Error('aanmelden');
    if (!r.ok) {
      const p = await r.json().catch(() => ({}));
      throw new Error(p.detail || ('HTTP ' + r.status));
    }
    return r.json();
  }

  function toonAanmelden(fout) {
    $('overzicht').classList.add('verborgen');
    $('aanmelden').classList.remove('verborgen');
    $('aanmeldfout').textContent = fout || '';
    $('token').focus();
  }

  async function laad() {
    const maand = $('maand').value;
    $('status').textContent = 'Bezig met laden…';
    let sla, inc, ond, afn;
    try {
      [sla, inc, ond, afn] = await Promise.all([haal('/api/v1/beheer/sla-rapportages/' + maand),
        haal('/api/v1/beheer/incidenten?maand=' + maand), haal('/api/v1/beheer/onderhoudsvensters?maand=' + maand),
        haal('/api/v1/beheer/afnemers')]);
    } catch (e) {
      if (e.message === 'aanmelden') {
        sessionStorage.removeItem('bbx-beheer');
        toonAanmelden('Dit beheertoken is niet geldig.');
      } else {
        $('status').textContent = 'Laden mislukt: ' + e.message;
      }
      return;
    }
    $('aanmelden').classList.add('verborgen');
    $('overzicht').classList.remove('verborgen');
    toonBeschikbaarheid(sla.beschikbaarheid);
    toonIncidenten(sla.incidenten, inc.incidenten);
    toonProductie(sla.productie, sla.performance);
    toonOnderhoud(ond.vensters);
    toonAfnemers(afn.afnemers || afn);
    $('status').textContent = `Maand ${maand}, bijgewerkt om ${new Date().toLocaleTimeString('nl-NL')}.`;
  }

  function kern(lijst, items) {
    lijst.replaceChildren(...items.map(([id, waarde, tekst]) => {
      const li = H('li', {id});
      li.appendChild(H('strong', {}, waarde));
      li.appendChild(document.createTextNode(tekst));
      return li;
    }));
  }

  function toonBeschikbaarheid(b) {
    kern($('beschikbaarheid'), [
      ['beschikbaarheid-procent', b.procent === undefined ? '—' : b.procent.toLocaleString('nl-NL') + ' %',
        `beschikbaar (norm ${b.normProcent} %) — ${b.binnenNorm ? 'binnen' : 'buiten'} de norm`],
      ['beschikbaarheid-uitval', Grafiek.getal(b.ongeplandeUitvalMinuten) + ' min', 'ongeplande uitval'],
      ['beschikbaarheid-rest', Grafiek.getal(b.resterendBudgetMinuten) + ' min', `over van het budget (${Grafiek.getal(b.budgetMinuten)} min)`],
      ['beschikbaarheid-onderhoud', Grafiek.getal(b.geplandOnderhoudMinuten) + ' min', 'gepland onderhoud met downtime']]);
    $('budget').replaceChildren(Grafiek.staven({id: 'grafiek-budget', titel: 'Uitvalbudget van de maand (minuten)',
      kolomnaam: 'soort', eenheid: 'min', categorieen: ['budget', 'ongepland', 'in onderhoud', 'niet gereed'],
      reeksen: [{naam: 'minuten', kleur: '#01689b', waarden: [b.budgetMinuten, b.ongeplandeUitvalMinuten, b.uitvalInOnderhoudMinuten,
        Object.values(b.gereedheidsstoringenMinuten || {}).reduce((s, n) => s + n, 0)]}]}));
  }

  function toonIncidenten(samenvatting, lijst) {
    const per = samenvatting.perPrioriteit || [];
    $('incidenten-grafiek').replaceChildren(Grafiek.staven({id: 'grafiek-incidenten',
      titel: `Incidenten per prioriteit binnen de norm (${samenvatting.normProcent} % van de maand)`, kolomnaam: 'prioriteit',
      categorieen: per.map(p => 'P' + p.prioriteit),
      reeksen: [{naam: 'binnen norm', kleur: '#39870c', waarden: per.map(p => p.binnenNorm)},
        {naam: 'buiten norm', kleur: '#d52b1e', waarden: per.map(p => p.beoordeeld - p.binnenNorm)},
        {naam: 'open', kleur: '#535353', waarden: per.map(p => p.aantal - p.beoordeeld)}]}));
    $('incidenten').replaceChildren(lijst.length === 0 ? H('p', {}, 'Geen incidenten gemeld in deze maand.')
      : Grafiek.tabel('Incidenten van de maand', ['omschrijving', 'prioriteit', 'gemeld', 'deadline', 'opgelost', 'binnen norm'],
        lijst.map(i => [i.omschrijving, 'P' + i.prioriteit, tijd(i.gemeldOp), tijd(i.deadline), tijd(i.opgelostOp), jaNee(i.binnenNorm)])));
  }

  function toonProductie(p, perf) {
    const rijen = [['verwerkte berichten', Grafiek.getal(p.verwerkteBerichten)], ['aangeboden berichten', Grafiek.getal(p.aangebodenBerichten)],
      ['actieve berichtenboxen', Grafiek.getal(p.actieveBerichtenboxen)], ['actieve afnemers', Grafiek.getal(p.actieveAfnemers)]];
    if (p.bezoekers !== undefined) rijen.push(['bezoekers (unieke burgers)', Grafiek.getal(p.bezoekers)]);
    for (const [k, v] of Object.entries(perf || {})) {
      if (v && typeof v === 'object') {
        for (const [m, w] of Object.entries(v)) if (typeof w === 'number') rijen.push([`${k} ${m}`, Grafiek.getal(w)]);
      }
    }
    $('productie').replaceChildren(Grafiek.tabel('Productie en prestaties van de maand', ['meting', 'waarde'], rijen));
  }

  function toonOnderhoud(vensters) {
    $('onderhoud').replaceChildren(Grafiek.tabel('Onderhoudsvensters van de maand',
      ['soort', 'van', 'tot', 'met downtime', 'gepland', 'verplaatst (aangekondigd op)'],
      vensters.map(v => [v.soort, tijd(v.van), tijd(v.tot), jaNee(v.metDowntime), jaNee(v.gepland),
        v.verplaatst ? `van ${tijd(v.verplaatst.oorspronkelijkVan)} (${tijd(v.verplaatst.aangekondigdOp)})` : '—'])));
  }

  function toonAfnemers(lijst) {
    $('afnemers').replaceChildren(Grafiek.tabel(`Afnemers (${lijst.length})`, ['OIN', 'naam', 'actief', 'limiet per seconde'],
      lijst.map(a => [a.oin, a.naam, jaNee(a.actief), a.limietPerSeconde === undefined ? '—' : String(a.limietPerSeconde)])));
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('maand').value = new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Amsterdam'}).slice(0, 7);
    $('aanmeldformulier').addEventListener('submit', e => {
      e.preventDefault();
      sessionStorage.setItem('bbx-beheer', $('token').value.trim());
      $('token').value = '';
      laad();
    });
    $('maandformulier').addEventListener('submit', e => { e.preventDefault(); laad(); });
    $('afmelden').addEventListener('click', () => { sessionStorage.removeItem('bbx-beheer'); toonAanmelden(''); });
    if (sessionStorage.getItem('bbx-beheer')) laad(); else toonAanmelden('');
  });
})();
