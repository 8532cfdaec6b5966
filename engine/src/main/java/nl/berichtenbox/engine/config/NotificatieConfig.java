package nl.berichtenbox.engine.config;

import java.time.Duration;

/** The notifier's settings (issue 6), part of {@link EngineConfig}. */
public record NotificatieConfig(
    String smtpUrl,
    String smtpCa,
    int perHour,
    int perDay,
    Duration bundleWindow,
    Duration herinneringNa,
    String afzender,
    String onderwerp,
    String herinneringOnderwerp,
    String portalUrl,
    int smtpConnections,
    Duration backoffBase,
    Duration backoffMax,
    Duration giveUpAfter,
    Duration lease) {}
