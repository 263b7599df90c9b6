package io.mailer.ingress.batch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without ever holding more than one line (at most
 * {@code maxLineBytes}): a client cannot make the service buffer an unbounded line. Handles
 * {@code \n} and {@code \r\n}; the buffer is reused, so a line is valid until the next call.
 */
final class BoundedLineReader {

    static final class LineTooLongException extends IOException {
        LineTooLongException(int max) {
            super("is longer than " + max + " bytes");
        }
    }

    private final InputStream in;
    private final byte[] chunk = new byte[64 * 1024];
    private int chunkPos;
    private int chunkLen;
    private byte[] line = new byte[8 * 1024];
    private int lineLen;
    private int lineNumber;
    private int maxLineBytes;

    BoundedLineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    void maxLineBytes(int max) {
        this.maxLineBytes = max;
    }

    /** Reads the next line; false at the end of the stream. */
    boolean next() throws IOException {
        lineLen = 0;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkLen) {
                chunkLen = in.read(chunk, 0, chunk.length);
                chunkPos = 0;
                if (chunkLen <= 0) {
                    chunkLen = 0;
                    if (any) {
                        lineNumber++;
                        return true;
                    }
                    return false;
                }
            }
            any = true;
            int start = chunkPos;
            while (chunkPos < chunkLen && chunk[chunkPos] != '\n') {
                chunkPos++;
            }
            append(start, chunkPos - start);
            if (chunkPos < chunkLen) {
                chunkPos++; // the '\n'
                if (lineLen > 0 && line[lineLen - 1] == '\r') {
                    lineLen--;
                }
                lineNumber++;
                return true;
            }
        }
    }

    private void append(int from, int length) throws LineTooLongException {
        if (lineLen + length > maxLineBytes) {
            lineNumber++;
            throw new LineTooLongException(maxLineBytes);
        }
        if (lineLen + length > line.length) {
            line = Arrays.copyOf(line, Math.min(Math.max(line.length * 2, lineLen + length), maxLineBytes));
        }
        System.arraycopy(chunk, from, line, lineLen, length);
        lineLen += length;
    }

    byte[] bytes() {
        return line;
    }

    int length() {
        return lineLen;
    }

    int lineNumber() {
        return lineNumber;
    }

    boolean isBlank() {
        for (int i = 0; i < lineLen; i++) {
            if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
