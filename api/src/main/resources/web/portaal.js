// What both pages share: the JSON API called with the key or token of this browser tab (kept in
// sessionStorage), signing in and out, and the status line.
'use strict';
const Portaal = (() => {
  const $ = id => document.getElementById(id);
  let opslag;
  let veld;

  async function haal(pad) {
    const r = await fetch(pad, {headers: {Authorization: 'Bearer ' + sessionStorage.getItem(opslag), Accept: 'application/json'}});
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
    $(veld).focus();
  }

  /**
   * Fetches every path, then shows the overview with toon(results) and the status line from
   * status(); a key or token refused brings the sign-in form back with the message geweigerd.
   */
  async function laad(paden, toon, status, geweigerd) {
    $('status').textContent = 'Bezig met laden…';
    let resultaten;
    try {
      resultaten = await Promise.all(paden.map(haal));
    } catch (e) {
      if (e.message === 'aanmelden') {
        sessionStorage.removeItem(opslag);
        toonAanmelden(geweigerd);
      } else {
        $('status').textContent = 'Laden mislukt: ' + e.message;
      }
      return;
    }
    $('aanmelden').classList.add('verborgen');
    $('overzicht').classList.remove('verborgen');
    toon(...resultaten);
    $('status').textContent = status();
  }

  /** Wires the sign-in form (#aanmeldformulier with field veldId), #afmelden and the reload form. */
  function start(opslagNaam, veldId, herlaadFormulier, opnieuw) {
    opslag = opslagNaam;
    veld = veldId;
    $('aanmeldformulier').addEventListener('submit', e => {
      e.preventDefault();
      sessionStorage.setItem(opslag, $(veld).value.trim());
      $(veld).value = '';
      opnieuw();
    });
    $(herlaadFormulier).addEventListener('submit', e => { e.preventDefault(); opnieuw(); });
    $('afmelden').addEventListener('click', () => { sessionStorage.removeItem(opslag); toonAanmelden(''); });
    if (sessionStorage.getItem(opslag)) opnieuw(); else toonAanmelden('');
  }

  return {$, laad, start};
})();
