package io.mailer.platform.settings;

import java.net.URI;
import java.util.Set;

/** Reusable value checks for {@link Setting}s. */
public final class Checks {

    private Checks() {
    }

    public static final Setting.Check ANY = value -> null;

    public static final Setting.Check NON_BLANK = value -> value.isBlank() ? "must not be blank" : null;

    public static final Setting.Check PORT = value -> {
        Integer port = parseInt(value);
        return port == null || port < 0 || port > 65535 ? "must be a port number 0-65535, got '" + value + "'" : null;
    };

    public static final Setting.Check POSITIVE_INT = value -> {
        Integer n = parseInt(value);
        return n == null || n <= 0 ? "must be a positive integer, got '" + value + "'" : null;
    };

    public static final Setting.Check POSITIVE_NUMBER = value -> {
        try {
            return Double.parseDouble(value.trim()) > 0 ? null : "must be a positive number, got '" + value + "'";
        } catch (NumberFormatException e) {
            return "must be a positive number, got '" + value + "'";
        }
    };

    public static final Setting.Check BOOLEAN = value ->
            Set.of("true", "false").contains(value.trim().toLowerCase()) ? null : "must be true or false, got '" + value + "'";

    /** A comma-separated list of host:port pairs. */
    public static final Setting.Check HOST_PORT_LIST = value -> {
        for (String part : value.split(",")) {
            String p = part.trim();
            int colon = p.lastIndexOf(':');
            if (colon <= 0 || parseInt(p.substring(colon + 1)) == null) {
                return "must be a comma-separated list of host:port, got '" + value + "'";
            }
        }
        return null;
    };

    public static final Setting.Check HTTP_URL = value -> {
        try {
            URI uri = URI.create(value.trim());
            boolean ok = ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
            return ok ? null : "must be an http(s) URL, got '" + value + "'";
        } catch (IllegalArgumentException e) {
            return "must be an http(s) URL, got '" + value + "'";
        }
    };

    public static final Setting.Check DATABASE_URL = value -> {
        try {
            DatabaseUrl.parse(value);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    };

    /** An email address, optionally with a display name: {@code Name <a@b.c>}. */
    public static final Setting.Check MAILBOX = value -> {
        String v = value.trim();
        int lt = v.indexOf('<');
        String address = lt >= 0 && v.endsWith(">") ? v.substring(lt + 1, v.length() - 1) : v;
        int at = address.indexOf('@');
        return at > 0 && at < address.length() - 1 && !address.contains(" ") ? null
                : "must be an email address, got '" + value + "'";
    };

    private static Integer parseInt(String value) {
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
