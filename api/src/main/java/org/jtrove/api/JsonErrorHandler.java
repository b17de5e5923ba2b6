package org.jtrove.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.jtrove.model.Json;

/**
 * Errors that Jetty answers before a request reaches jtrove (unparseable or ambiguous URIs such as NUL bytes
 * or dot segments) also get Trove's JSON error body instead of an HTML page, and a request id.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(AccessLog.HEADER, AccessLog.newRequestId());
        return ByteBuffer.wrap(body(status).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        AccessLog.assignRequestId(request, response);
        int status = response.getStatus() >= 400 ? response.getStatus() : 400;
        response.setStatus(status);
        response.setContentType("application/json");
        response.getOutputStream().write(body(status).getBytes(StandardCharsets.UTF_8));
        baseRequest.setHandled(true);
    }

    private static String body(int status) {
        String message = status == 400
                ? "The request URI or headers could not be understood (NUL bytes and dot segments are refused)."
                : "The request could not be handled.";
        return Json.write(Faults.body(status, message));
    }
}
