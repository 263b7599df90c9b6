package io.mailer.ctl;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.node.ObjectNode;

/**
 * The request body of {@code send}, produced while it is uploaded: the message line, then one
 * recipient per line — NDJSON lines as they are, CSV rows converted ({@code email} column; others
 * become variables, {@code metadata.*} columns metadata). Counts the file's bytes read and the
 * recipients written, which the progress bar shows. Nothing is held beyond the current line, so
 * a file of any size streams in constant memory.
 */
final class RecipientStream extends InputStream {

    enum Format {
        NDJSON, CSV;

        static Format of(Path file, String explicit) {
            String name = explicit != null ? explicit : extension(file);
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "ndjson", "jsonl", "json" -> NDJSON;
                case "csv" -> CSV;
                default -> throw new Failures.BadInput("cannot tell the format of " + file
                        + ": name it .ndjson or .csv, or pass --format ndjson|csv");
            };
        }

        private static String extension(Path file) {
            String n = file.getFileName().toString();
            int dot = n.lastIndexOf('.');
            return dot < 0 ? "" : n.substring(dot + 1);
        }
    }

    private final Format format;
    private final CountingStream counted;
    private final BufferedReader reader;
    private byte[] current;
    private int position;
    private long lineNumber;
    private long recipients;
    private List<String> header;
    private volatile boolean ended;

    RecipientStream(Path file, Format format, byte[] messageLine) throws IOException {
        this.format = format;
        this.counted = new CountingStream(Files.newInputStream(file));
        this.reader = new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8), 64 * 1024);
        this.current = messageLine;
    }

    long bytesRead() {
        return counted.count;
    }

    long recipients() {
        return recipients;
    }

    boolean ended() {
        return ended;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (current != null && position >= current.length) {
            current = nextLine();
            position = 0;
        }
        if (current == null) {
            ended = true;
            return -1;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    /** The next recipient as an NDJSON line, or null at the end; bad lines stop the upload. */
    private byte[] nextLine() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String json = format == Format.NDJSON ? ndjson(line) : csv(line);
            if (json == null) {
                continue;
            }
            recipients++;
            return (json + "\n").getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }

    private String ndjson(String line) throws IOException {
        String s = line.strip();
        if (!s.startsWith("{") || !s.endsWith("}")) {
            throw bad("not a JSON object (one {\"email\",\"variables\",\"metadata\"} per line)");
        }
        return s;
    }

    private String csv(String line) throws IOException {
        List<String> fields;
        try {
            fields = Csv.fields(line, lineNumber);
        } catch (Failures.BadInput e) {
            throw new IOException(e.getMessage(), e);
        }
        if (header == null) {
            header = fields.stream().map(f -> f.toLowerCase(Locale.ROOT).equals("email") ? "email" : f).toList();
            if (!header.contains("email")) {
                throw bad("the CSV header has no email column (found: " + String.join(",", fields) + ")");
            }
            return null;
        }
        if (fields.size() != header.size()) {
            throw bad(fields.size() + " fields, the header has " + header.size());
        }
        ObjectNode recipient = Json.object();
        ObjectNode variables = Json.object();
        ObjectNode metadata = Json.object();
        for (int i = 0; i < fields.size(); i++) {
            String column = header.get(i);
            if (column.equals("email")) {
                recipient.put("email", fields.get(i));
            } else if (column.startsWith("metadata.")) {
                metadata.put(column.substring("metadata.".length()), fields.get(i));
            } else {
                variables.put(column, fields.get(i));
            }
        }
        if (!variables.isEmpty()) {
            recipient.set("variables", variables);
        }
        if (!metadata.isEmpty()) {
            recipient.set("metadata", metadata);
        }
        return recipient.toString();
    }

    private IOException bad(String problem) {
        // wrapped in an IOException: the HTTP client aborts the upload with it; Failures shows the cause
        return new IOException("line " + lineNumber + ": " + problem,
                new Failures.BadInput("line " + lineNumber + " of the recipient file: " + problem));
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    private static final class CountingStream extends FilterInputStream {
        volatile long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
