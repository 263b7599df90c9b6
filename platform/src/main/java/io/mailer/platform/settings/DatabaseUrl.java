package io.mailer.platform.settings;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code DATABASE_URL} in any of the accepted forms — {@code postgres://user:pass@host:port/db},
 * {@code postgresql://...}, {@code jdbc:postgresql://host:port/db?user=..&password=..} or
 * {@code r2dbc:postgresql://user:pass@host:port/db} — split into what JDBC and R2DBC need.
 * Credentials are kept out of the URLs so they never end up in a log line.
 *
 * <p>TLS: {@code ?sslmode=require} (or {@code verify-ca}/{@code verify-full}, with
 * {@code &sslrootcert=/path/ca.pem}) is carried into both URLs — managed PostgreSQL such as RDS 15+
 * refuses clear-text connections by default. Any other query parameter is refused at start-up rather
 * than silently dropped.
 */
public record DatabaseUrl(String host, int port, String database, String username, String password,
        String sslMode, String sslRootCert) {

    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");
    private static final Set<String> KNOWN_PARAMETERS = Set.of("user", "password", "sslmode", "sslrootcert");

    /** A URL without TLS parameters (the driver defaults apply). */
    public DatabaseUrl(String host, int port, String database, String username, String password) {
        this(host, port, database, username, password, null, null);
    }

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
        for (String name : query.keySet()) {
            if (!KNOWN_PARAMETERS.contains(name)) {
                throw new IllegalArgumentException("has an unsupported parameter '" + name
                        + "' (supported: sslmode, sslrootcert, user, password)");
            }
        }
        String sslMode = query.get("sslmode");
        if (sslMode != null && !SSL_MODES.contains(sslMode)) {
            throw new IllegalArgumentException("has sslmode=" + sslMode + "; use one of disable, allow, prefer, "
                    + "require, verify-ca, verify-full");
        }
        String sslRootCert = query.get("sslrootcert");
        if (sslRootCert != null && sslRootCert.isBlank()) {
            throw new IllegalArgumentException("has an empty sslrootcert; give the path of the CA certificate (PEM)");
        }
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
                password == null ? "" : password, sslMode, sslRootCert);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database + tls("sslrootcert");
    }

    /** r2dbc-postgresql reads {@code sslmode} under that name too, but the root certificate as {@code sslRootCert}. */
    public String r2dbcUrl() {
        return "r2dbc:postgresql://" + host + ":" + port + "/" + database + tls("sslRootCert");
    }

    private String tls(String rootCertName) {
        StringBuilder q = new StringBuilder();
        if (sslMode != null) {
            q.append("?sslmode=").append(sslMode);
        }
        if (sslRootCert != null) {
            q.append(q.isEmpty() ? '?' : '&').append(rootCertName).append('=')
                    .append(java.net.URLEncoder.encode(sslRootCert, StandardCharsets.UTF_8));
        }
        return q.toString();
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + host + ":" + port + "/" + database + " as " + username
                + (sslMode == null ? "" : " sslmode=" + sslMode) + "]";
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
