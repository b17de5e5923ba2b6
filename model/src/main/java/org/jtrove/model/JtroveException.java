package org.jtrove.model;

/**
 * An error a caller can act on, carrying the HTTP status it maps to in Trove's error format.
 * It crosses the message bus as plain data (status + message), so guest errors reach the API intact.
 */
public class JtroveException extends RuntimeException {
    private final int status;

    public JtroveException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static JtroveException badRequest(String message) {
        return new JtroveException(400, message);
    }

    public static JtroveException notFound(String message) {
        return new JtroveException(404, message);
    }

    public static JtroveException conflict(String message) {
        return new JtroveException(409, message);
    }

    public static JtroveException unprocessable(String message) {
        return new JtroveException(422, message);
    }

    public static JtroveException overLimit(String message) {
        return new JtroveException(413, message);
    }

    public static JtroveException notImplemented(String message) {
        return new JtroveException(501, message);
    }
}
