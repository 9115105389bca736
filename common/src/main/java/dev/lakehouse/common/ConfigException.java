package dev.lakehouse.common;

/** A configuration value that cannot be used; the message names the variable. Fails start-up. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
