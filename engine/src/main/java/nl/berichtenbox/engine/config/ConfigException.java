package nl.berichtenbox.engine.config;

/** Invalid configuration; the message names the setting, its sources and what is wrong. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
