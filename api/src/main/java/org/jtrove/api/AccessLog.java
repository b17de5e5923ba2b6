package org.jtrove.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.jtrove.model.AuthContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per API request, written by Jetty when the response is complete (so requests that Jetty itself refuses
 * are logged too; for a request its parser refused, the path is Jetty's placeholder "/"): method, path, status, duration in ms, the token's project and user, the request id and, when
 * the client sent one, its global request id. Example:
 * {@code GET /v1.0/p1/instances 200 12 ms project=p1 user=u1 request_id=req-... remote=127.0.0.1}.
 *
 * <p>Request ids follow oslo.middleware's RequestId: every response carries a new {@code X-Openstack-Request-Id:
 * req-<uuid>}; an incoming {@code X-Openstack-Request-Id} is not echoed, but kept as the global request id when it
 * is well formed ({@code req-} and a lower-case UUID) and dropped otherwise.
 *
 * <p>Nothing secret is logged: no header (tokens travel in X-Auth-Token / X-Subject-Token), no body (passwords),
 * and the values of query parameters whose names look secret are replaced by {@code ***}.
 */
final class AccessLog implements RequestLog {
    static final String HEADER = "X-Openstack-Request-Id";
    static final String REQUEST_ID = "jtrove.requestId";
    private static final String GLOBAL_REQUEST_ID = "jtrove.globalRequestId";
    private static final Pattern ID_FORMAT =
            Pattern.compile("req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}");
    private static final Pattern SECRET_NAME =
            Pattern.compile("pass|secret|token|key|auth|credential|signature", Pattern.CASE_INSENSITIVE);
    private static final int MAX_TARGET = 2000;
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);

    /** Gives the request its id (response header and request attribute) once; keeps a valid incoming one as global id. */
    static void assignRequestId(HttpServletRequest req, HttpServletResponse res) {
        if (req.getAttribute(REQUEST_ID) != null) {
            return;
        }
        String id = newRequestId();
        req.setAttribute(REQUEST_ID, id);
        res.setHeader(HEADER, id);
        String incoming = req.getHeader(HEADER);
        if (incoming != null && ID_FORMAT.matcher(incoming).matches()) {
            req.setAttribute(GLOBAL_REQUEST_ID, incoming);
        }
    }

    /** A new request id, for a response Jetty's parser refused before any request object existed. */
    static String newRequestId() {
        return "req-" + UUID.randomUUID();
    }

    @Override
    public void log(Request request, Response response) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        AuthContext auth = request.getAttribute(Auth.ATTRIBUTE) instanceof AuthContext a ? a : null;
        MetaData.Response sent = response.getCommittedMetaData();
        Object id = request.getAttribute(REQUEST_ID);
        if (id == null && sent != null && sent.getFields() != null) {
            id = sent.getFields().get(HEADER);   // a request Jetty's parser refused (JsonErrorHandler.badMessageError)
        }
        Object global = request.getAttribute(GLOBAL_REQUEST_ID);
        long ms = Math.max(0, System.currentTimeMillis() - request.getTimeStamp());
        int status = sent != null ? sent.getStatus() : response.getStatus();
        LOG.info("{} {} {} {} ms project={} user={} request_id={}{} remote={}", request.getMethod(),
                target(request.getRequestURI(), request.getQueryString()), status, ms,
                auth == null ? "-" : printable(auth.projectId()), auth == null ? "-" : printable(auth.userId()),
                id == null ? "-" : id, global == null ? "" : " global_request_id=" + global, request.getRemoteAddr());
    }

    /** The path and query as sent (percent-encoded), values of secret-looking parameters masked, at most 2000 chars. */
    static String target(String path, String query) {
        StringBuilder out = new StringBuilder(path == null ? "-" : path);
        if (query != null && !query.isEmpty()) {
            String sep = "?";
            for (String part : query.split("&", -1)) {
                int eq = part.indexOf('=');
                String name = eq < 0 ? part : part.substring(0, eq);
                out.append(sep).append(eq >= 0 && SECRET_NAME.matcher(decode(name)).find() ? name + "=***" : part);
                sep = "&";
            }
        }
        String s = printable(out.toString());
        return s.length() > MAX_TARGET ? s.substring(0, MAX_TARGET) + "..." : s;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** No control characters or spaces reach the line, so a request cannot forge log lines. */
    private static String printable(String s) {
        return s == null ? "-" : s.replaceAll("[\\p{Cntrl}\\s]", "?");
    }
}
