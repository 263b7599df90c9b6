package io.mailer.schemas.settings;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code DATABASE_URL} in any of the accepted forms — {@code postgres://user:pass@host:port/db},
 * {@code postgresql://...}, {@code jdbc:postgresql://host:port/db?user=..&password=..} or
 * {@code r2dbc:postgresql://user:pass@host:port/db} — split into what JDBC and R2DBC need.
 * Credentials are kept out of the URLs so they never end up in a log line.
 */
public record DatabaseUrl(String host, int port, String database, String username, String password) {

    public static DatabaseUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("must not be blank");
        }
        String s = raw.trim();
        if (s.startsWith("jdbc:")) {
            s = s.substring(5);
        } else if (s.startsWith("r2dbc:")) {
            s = s.substring(6);
        }
        URI uri;
        try {
            uri = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be a URL like postgres://user:pass@host:5432/db");
        }
        if (!"postgres".equals(uri.getScheme()) && !"postgresql".equals(uri.getScheme())) {
            throw new IllegalArgumentException("must be a postgres:// (or jdbc:postgresql://, r2dbc:postgresql://) URL");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("must name a host, like postgres://user:pass@host:5432/db");
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (path.isBlank()) {
            throw new IllegalArgumentException("must name a database, like postgres://user:pass@host:5432/db");
        }
        Map<String, String> query = query(uri.getRawQuery());
        String user = query.get("user");
        String password = query.get("password");
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : password;
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("must include a user, like postgres://user:pass@host:5432/db");
        }
        return new DatabaseUrl(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), path, user,
                password == null ? "" : password);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String r2dbcUrl() {
        return "r2dbc:postgresql://" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + host + ":" + port + "/" + database + " as " + username + "]";
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
