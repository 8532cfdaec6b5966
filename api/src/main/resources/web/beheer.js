// Beheer page (issue 8): the month's SLA report, incidents, maintenance calendar and afnemers,
// read from the beheer API with the operator token (kept in sessionStorage, this tab only).
'use strict';
(() => {
  const $ = Portaal.$;
  const H = Grafiek.html;
  const tijd = t => t ? new Date(t).toLocaleString('nl-NL', {timeZone: 'Europe/Amsterdam'}) : '—';
  const jaNee = b => b === undefined || b === null ? '—' : (b ? 'ja' : 'nee');

  function laad() {
    const maand = $('maand').value;
    return Portaal.laad(['/api/v1/beheer/sla-rapportages/' + maand, '/api/v1/beheer/incidenten?maand=' + maand,
      '/api/v1/beheer/onderhoudsvensters?maand=' + maand, '/api/v1/beheer/afnemers'],
      (sla, inc, ond, afn) => {
        toonBeschikbaarheid(sla.beschikbaarheid);
        toonIncidenten(sla.incidenten, inc.incidenten);
        toonProductie(sla.productie, sla.performance);
        toonOnderhoud(ond.vensters);
        toonAfnemers(afn.afnemers || afn);
      },
      () => `Maand ${maand}, bijgewerkt om ${new Date().toLocaleTimeString('nl-NL')}.`, 'Dit beheertoken is niet geldig.');
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
    Portaal.start('bbx-beheer', 'token', 'maandformulier', laad);
  });
})();
