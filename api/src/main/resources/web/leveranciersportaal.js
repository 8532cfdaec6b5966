// Leveranciersportaal (contract §2.6, SNO 4.3): an afnemer's daily offered / processed / rejected
// messages, rejections by verwerkingsCode, and recent batches with their lead time. Reads the
// afnemer API with the key typed in; the key stays in sessionStorage (this tab only).
'use strict';
(() => {
  const $ = Portaal.$;
  const KLEUR = {aangeboden: '#01689b', verwerkt: '#39870c', afgewezen: '#d52b1e'};
  // the engine counts days in Europe/Amsterdam
  const dag = d => d.toLocaleDateString('sv-SE', {timeZone: 'Europe/Amsterdam'});

  function laad() {
    const van = $('vanDatum').value, tot = $('totDatum').value;
    return Portaal.laad([`/api/v1/rapportages/verwerking?vanDatum=${van}&totDatum=${tot}`,
      `/api/v1/batches?vanDatum=${van}&totDatum=${tot}`],
      (rapport, batches) => toon(rapport.dagen, batches.batches),
      () => `Bijgewerkt om ${new Date().toLocaleTimeString('nl-NL')}.`, 'Deze API-sleutel is niet (meer) geldig.');
  }

  function toon(dagen, batches) {
    const som = k => dagen.reduce((s, d) => s + d[k], 0);
    const kern = $('kerncijfers');
    kern.replaceChildren();
    [['aangeboden', 'Aangeboden'], ['verwerkt', 'Verwerkt'], ['afgewezen', 'Afgewezen']].forEach(([k, naam]) => {
      const li = Grafiek.html('li', {id: 'totaal-' + k});
      li.appendChild(Grafiek.html('strong', {}, Grafiek.getal(som(k))));
      li.appendChild(document.createTextNode(naam + ' in de periode'));
      kern.appendChild(li);
    });
    $('per-dag').replaceChildren(Grafiek.staven({
      id: 'grafiek-per-dag', titel: 'Berichten per dag', kolomnaam: 'datum',
      categorieen: dagen.map(d => d.datum),
      reeksen: ['aangeboden', 'verwerkt', 'afgewezen'].map(k => ({naam: k, kleur: KLEUR[k], waarden: dagen.map(d => d[k])}))}));

    const perCode = {};
    dagen.forEach(d => Object.entries(d.perVerwerkingsCode).forEach(([c, n]) => {
      if (c !== 'Verwerkt') perCode[c] = (perCode[c] || 0) + n;
    }));
    const codes = Object.keys(perCode).sort((a, b) => perCode[b] - perCode[a]);
    $('per-code').replaceChildren(codes.length === 0 ? Grafiek.html('p', {}, 'Geen afwijzingen in deze periode.')
      : Grafiek.staven({id: 'grafiek-per-code', titel: 'Afwijzingen per verwerkingsCode', kolomnaam: 'verwerkingsCode',
        categorieen: codes, reeksen: [{naam: 'afgewezen', kleur: KLEUR.afgewezen, waarden: codes.map(c => perCode[c])}]}));

    const recent = batches.slice(0, 20);
    const doorloop = b => Math.max(0, (Date.parse(b.datumVerwerkt) - Date.parse(b.datumOntvangen)) / 1000);
    if (recent.length === 0) {
      $('batches').replaceChildren(Grafiek.html('p', {}, 'Geen batches in deze periode.'));
      return;
    }
    const kolom = recent.slice().reverse();
    $('batches').replaceChildren(
      Grafiek.staven({id: 'grafiek-doorlooptijd', titel: 'Doorlooptijd van ontvangst tot laatste verwerkingsbericht per batch (seconden)',
        kolomnaam: 'batch', eenheid: 's', categorieen: kolom.map(b => b.batchId.slice(0, 8)),
        reeksen: [{naam: 'doorlooptijd', kleur: KLEUR.aangeboden, waarden: kolom.map(b => Math.round(doorloop(b) * 10) / 10)}]}),
      Grafiek.tabel('Recente batches', ['batchId', 'ontvangen', 'totaal', 'verwerkt', 'afgewezen', 'doorlooptijd (s)'],
        recent.map(b => [b.batchId, new Date(b.datumOntvangen).toLocaleString('nl-NL'), Grafiek.getal(b.totaalOntvangen),
          Grafiek.getal(b.verwerkt), Grafiek.getal(b.afgewezen), (Math.round(doorloop(b) * 10) / 10).toLocaleString('nl-NL')])));
  }

  document.addEventListener('DOMContentLoaded', () => {
    const vandaag = new Date();
    $('totDatum').value = dag(vandaag);
    $('vanDatum').value = dag(new Date(vandaag.getTime() - 29 * 86400000));
    Portaal.start('bbx-sleutel', 'sleutel', 'periodeformulier', laad);
  });
})();
