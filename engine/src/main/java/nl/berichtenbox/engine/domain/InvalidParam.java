package nl.berichtenbox.engine.domain;

/** One bad input field: a JSON-pointer-like name and a reason a sender can act on. */
public record InvalidParam(String name, String reason) {}
