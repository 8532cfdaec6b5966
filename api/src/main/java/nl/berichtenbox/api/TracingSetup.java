package nl.berichtenbox.api;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.tracing.Tracing;

/**
 * Tracing from the standard OpenTelemetry variables: off unless {@code OTEL_TRACES_EXPORTER} names
 * an exporter (e.g. {@code otlp}, with {@code OTEL_EXPORTER_OTLP_ENDPOINT}); then the SDK's own
 * autoconfiguration reads every other {@code OTEL_*} setting (sampler, resource, batch sizes).
 * Metrics and logs are not exported this way unless asked: /metrics and the log are theirs.
 */
final class TracingSetup {
  private final OpenTelemetrySdk sdk;
  final Tracing tracing;

  private TracingSetup(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
    this.tracing = sdk == null ? Tracing.off() : Tracing.of(sdk);
  }

  static TracingSetup fromEnvironment(Map<String, String> env) {
    String exporter = env.get("OTEL_TRACES_EXPORTER");
    if (exporter == null || exporter.isBlank() || exporter.trim().equals("none")) {
      return new TracingSetup(null);
    }
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> Map.of(
            "otel.service.name", "berichtenbox",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none"))
        .disableShutdownHook() // closed after the drain (Main), so the last spans go out
        .build()
        .getOpenTelemetrySdk();
    return new TracingSetup(sdk);
  }

  /** Sends what is buffered and stops. */
  void close() {
    if (sdk != null) {
      sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
