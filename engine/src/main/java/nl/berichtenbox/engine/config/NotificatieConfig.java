package nl.berichtenbox.engine.config;

import java.time.Duration;

/** The notifier's settings (issue 6), part of {@link EngineConfig}. */
public record NotificatieConfig(
    String smtpUrl,
    String smtpCa,
    int perUur,
    int perDag,
    Duration bundelvenster,
    Duration herinneringNa,
    String afzender,
    String onderwerp,
    String herinneringOnderwerp,
    String portalUrl,
    int smtpVerbindingen,
    Duration backoffBasis,
    Duration backoffMax,
    Duration opgevenNa,
    Duration lease) {}
