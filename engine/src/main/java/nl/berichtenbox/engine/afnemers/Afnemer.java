package nl.berichtenbox.engine.afnemers;

/** An authenticated sending organisation. */
public record Afnemer(
    String oin, String naam, boolean actief, Integer limietPerSeconde, boolean testmodus) {}
