package org.jtrove.bus.rabbitmq;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * oslo.messaging's {@code transport_url} for RabbitMQ: {@code rabbit://user:pass@host1:port1,host2:port2/vhost}.
 * Several hosts are tried in turn (a cluster); every host uses the same credentials (a host without its own takes
 * the first one's; two different ones are refused). No credentials means {@code guest:guest}, as in kombu; an
 * empty path is the default virtual host {@code /}; user, password and virtual host are percent-decoded.
 * {@link #toString()} hides the password; {@link #format()} writes it (for a guest's boot file).
 *
 * @param hosts    at least one; a port of -1 means the default (5672, or 5671 with {@code ssl})
 * @param password never logged
 */
public record TransportUrl(List<Host> hosts, String user, String password, String virtualHost) {
    private static final String SCHEME = "rabbit://";

    /** One broker address. */
    public record Host(String host, int port) {
        String format() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return port < 0 ? h : h + ":" + port;
        }
    }

    public TransportUrl {
        hosts = List.copyOf(hosts);
    }

    /**
     * Parses a transport URL.
     *
     * @throws IllegalArgumentException naming what is wrong (the message never contains the password)
     */
    public static TransportUrl parse(String url) {
        if (url == null || !url.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            String scheme = url == null || !url.contains("://") ? "none" : url.substring(0, url.indexOf("://"));
            throw new IllegalArgumentException("transport_url must start with rabbit:// (scheme " + scheme
                    + "); jtrove talks to RabbitMQ only");
        }
        String rest = url.substring(SCHEME.length());
        if (rest.contains("?")) {
            throw new IllegalArgumentException("transport_url: query options are not supported; set TLS and the"
                    + " other options in [oslo_messaging_rabbit]");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : decode(rest.substring(slash + 1));
        String user = null;
        String password = null;
        List<Host> hosts = new ArrayList<>();
        for (String part : authority.split(",", -1)) {
            int at = part.lastIndexOf('@');
            if (at >= 0) {
                String info = part.substring(0, at);
                int colon = info.indexOf(':');
                String u = decode(colon < 0 ? info : info.substring(0, colon));
                String p = colon < 0 ? "" : decode(info.substring(colon + 1));
                if (user != null && (!user.equals(u) || !password.equals(p))) {
                    throw new IllegalArgumentException("transport_url: every host must use the same user and password");
                }
                user = u;
                password = p;
            }
            hosts.add(host(part.substring(at + 1)));
        }
        return new TransportUrl(hosts, user == null ? "guest" : user, user == null ? "guest" : password,
                path.isEmpty() ? "/" : path);
    }

    private static Host host(String hostPort) {
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("transport_url: unclosed [ in host " + hostPort);
            }
            host = hostPort.substring(1, close);
            if (hostPort.length() > close + 1) {
                if (hostPort.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("transport_url: bad host " + hostPort);
                }
                port = hostPort.substring(close + 2);
            }
        } else {
            int colon = hostPort.indexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            port = colon < 0 ? null : hostPort.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("transport_url: a host is empty");
        }
        if (port == null || port.isEmpty()) {
            return new Host(host, -1);
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return new Host(host, p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("transport_url: port " + port + " of host " + host
                    + " is not a number from 1 to 65535");
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The same brokers with other credentials (a guest agent's own broker user). */
    public TransportUrl withCredentials(String newUser, String newPassword) {
        return new TransportUrl(hosts, newUser, newPassword, virtualHost);
    }

    /** The URL with its password, for a file only its owner reads. */
    public String format() {
        return text(encode(password));
    }

    /** The URL with the password hidden. */
    @Override
    public String toString() {
        return text("***");
    }

    private String text(String pass) {
        String info = encode(user) + ":" + pass + "@";
        return SCHEME + hosts.stream().map(h -> info + h.format()).collect(Collectors.joining(","))
                + "/" + ("/".equals(virtualHost) ? "" : encode(virtualHost));
    }
}
