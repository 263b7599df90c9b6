package io.mailer.ctl;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Where the API is and which key to use: a flag wins over the environment ({@code MAILER_URL},
 * {@code MAILER_API_KEY}), which wins over the profile file (properties: {@code <profile>.url},
 * {@code <profile>.api-key}). The URL may be given with or without {@code /api/v1}.
 */
record Config(URI apiBase, String apiKey) {

    static final String DEFAULT_PROFILE = "default";

    static Config resolve(String flagUrl, String flagKey, String flagProfile, Map<String, String> env, Path profileFile) {
        String profile = first(flagProfile, env.get("MAILER_PROFILE"), DEFAULT_PROFILE);
        Properties file = load(profileFile, profile, flagProfile != null || env.get("MAILER_PROFILE") != null);
        String url = first(flagUrl, env.get("MAILER_URL"), file.getProperty(profile + ".url"));
        String key = first(flagKey, env.get("MAILER_API_KEY"), file.getProperty(profile + ".api-key"));
        if (url == null) {
            throw new Failures.BadInput("no API URL: pass --url, set MAILER_URL or put " + profile + ".url in " + profileFile);
        }
        if (key == null) {
            throw new Failures.BadInput("no API key: pass --api-key, set MAILER_API_KEY or put " + profile + ".api-key in "
                    + profileFile);
        }
        return new Config(apiBase(url), key);
    }

    private static URI apiBase(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        if (u.endsWith("/api/v1")) {
            u = u.substring(0, u.length() - "/api/v1".length());
        }
        URI uri;
        try {
            uri = URI.create(u + "/api/v1");
        } catch (IllegalArgumentException e) {
            throw new Failures.BadInput("not a URL: " + url);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new Failures.BadInput("not an http(s) URL: " + url);
        }
        return uri;
    }

    /** A profile named explicitly must exist; the default profile may be absent (then flags/env must do). */
    private static Properties load(Path file, String profile, boolean named) {
        Properties props = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                props.load(r);
            } catch (IOException e) {
                throw new Failures.BadInput("cannot read the profile file " + file + ": " + e.getMessage());
            }
        }
        if (named && props.stringPropertyNames().stream().noneMatch(k -> k.startsWith(profile + "."))) {
            throw new Failures.BadInput("profile '" + profile + "' is not in " + file);
        }
        return props;
    }

    /** The first value that is set (flag, environment, file…), or null. */
    static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
