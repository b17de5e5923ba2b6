package org.jtrove.bus.rabbitmq;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The messaging settings, under the names oslo.messaging gives them in {@code trove.conf}, so an operator's (or
 * puppet-oslo's) keys mean the same here. {@link Key} lists every key with its section, default and whether it is
 * secret; {@link #from} builds the record from raw values keyed {@code section/name} (puppet's notation, e.g.
 * {@code oslo_messaging_rabbit/ssl}). Booleans take oslo's spellings (true/false, yes/no, on/off, 1/0).
 *
 * @param transportUrl              {@code [DEFAULT] transport_url}; null means unset (the in-process bus)
 * @param controlExchange           {@code [DEFAULT] control_exchange}: the topic exchange every topic is routed by
 * @param ssl                       {@code [oslo_messaging_rabbit] ssl}: TLS to the broker
 * @param sslCaFile                 PEM CA certificates the broker's certificate must chain to (null: the JDK's)
 * @param sslCertFile               PEM client certificate (with {@code sslKeyFile}) for brokers that require one
 * @param sslKeyFile                PEM PKCS#8 private key of {@code sslCertFile}, unencrypted
 * @param heartbeatTimeoutThreshold AMQP heartbeat timeout: a broker silent this long is taken as gone; zero
 *                                  disables heartbeats
 * @param rabbitQuorumQueue         declare the durable service and guest queues as quorum queues (replicated)
 * @param rabbitQosPrefetchCount    unacknowledged messages a consumer may hold; 0 is unlimited
 * @param managementUrl             the broker's HTTP management API (per-guest users); null: derived, see
 *                                  {@link #management()}
 */
public record MessagingConfig(
        TransportUrl transportUrl,
        String controlExchange,
        boolean ssl,
        Path sslCaFile,
        Path sslCertFile,
        Path sslKeyFile,
        Duration heartbeatTimeoutThreshold,
        boolean rabbitQuorumQueue,
        int rabbitQosPrefetchCount,
        URI managementUrl) {

    /** Every key this record reads, with its oslo section and name and its default as written in a file. */
    public enum Key {
        TRANSPORT_URL("DEFAULT", "transport_url", null, true,
                "rabbit://user:pass@host:port[,host:port...]/vhost; unset runs the bus in-process"),
        CONTROL_EXCHANGE("DEFAULT", "control_exchange", "jtrove", false, "the topic exchange of all topics"),
        SSL("oslo_messaging_rabbit", "ssl", "false", false, "connect to the broker with TLS"),
        SSL_CA_FILE("oslo_messaging_rabbit", "ssl_ca_file", null, false, "PEM CA certificates to trust"),
        SSL_CERT_FILE("oslo_messaging_rabbit", "ssl_cert_file", null, false, "PEM client certificate"),
        SSL_KEY_FILE("oslo_messaging_rabbit", "ssl_key_file", null, false, "PEM (PKCS#8) client key"),
        HEARTBEAT_TIMEOUT_THRESHOLD("oslo_messaging_rabbit", "heartbeat_timeout_threshold", "60", false,
                "seconds of broker silence before the connection is taken as lost; 0 disables heartbeats"),
        RABBIT_QUORUM_QUEUE("oslo_messaging_rabbit", "rabbit_quorum_queue", "false", false,
                "declare durable queues as quorum queues"),
        RABBIT_QOS_PREFETCH_COUNT("oslo_messaging_rabbit", "rabbit_qos_prefetch_count", "1000", false,
                "unacknowledged messages per consumer; 0 is unlimited (oslo's default, jtrove's is bounded)"),
        MANAGEMENT_URL("oslo_messaging_rabbit", "management_url", null, true,
                "the broker's HTTP management API, http[s]://[user:pass@]host:port; default: the first"
                        + " transport_url host on port 15672 with its credentials");

        public final String section;
        public final String name;
        /** The default as a file would spell it; null when the key is unset by default. */
        public final String defaultValue;
        /** Values of secret keys never reach a log. */
        public final boolean secret;
        public final String help;

        Key(String section, String name, String defaultValue, boolean secret, String help) {
            this.section = section;
            this.name = name;
            this.defaultValue = defaultValue;
            this.secret = secret;
            this.help = help;
        }

        /** {@code section/name}, the key of {@link #from}'s map. */
        public String path() {
            return section + "/" + name;
        }
    }

    public MessagingConfig {
        if (controlExchange == null || !controlExchange.matches("[A-Za-z0-9_.:-]+")) {
            throw new IllegalArgumentException("control_exchange must be a non-empty name of letters, digits and"
                    + " _.:- (got '" + controlExchange + "')");
        }
        if ((sslCertFile == null) != (sslKeyFile == null)) {
            throw new IllegalArgumentException("[oslo_messaging_rabbit] ssl_cert_file and ssl_key_file go together;"
                    + " set both or neither");
        }
        if (heartbeatTimeoutThreshold.isNegative()) {
            throw new IllegalArgumentException("heartbeat_timeout_threshold must not be negative");
        }
        if (rabbitQosPrefetchCount < 0 || rabbitQosPrefetchCount > 65535) {
            throw new IllegalArgumentException("rabbit_qos_prefetch_count must be from 0 to 65535, not "
                    + rabbitQosPrefetchCount);
        }
    }

    /** The same settings with another transport URL (a guest agent's, with its own credentials). */
    public MessagingConfig withTransportUrl(TransportUrl url) {
        return new MessagingConfig(url, controlExchange, ssl, sslCaFile, sslCertFile, sslKeyFile,
                heartbeatTimeoutThreshold, rabbitQuorumQueue, rabbitQosPrefetchCount, managementUrl);
    }

    /** Every key at its default. */
    public static MessagingConfig defaults() {
        return from(Map.of());
    }

    /**
     * Builds the record from raw values keyed {@link Key#path()}; absent keys take their defaults, keys of other
     * records are ignored (the file loader checks for unknown keys).
     *
     * @throws IllegalArgumentException naming the key whose value is wrong (never showing a secret value)
     */
    public static MessagingConfig from(Map<String, String> values) {
        Values v = new Values(values);
        String url = v.get(Key.TRANSPORT_URL);
        String management = v.get(Key.MANAGEMENT_URL);
        return new MessagingConfig(
                url == null || url.isBlank() ? null : TransportUrl.parse(url.trim()),
                v.get(Key.CONTROL_EXCHANGE),
                v.bool(Key.SSL),
                v.path(Key.SSL_CA_FILE),
                v.path(Key.SSL_CERT_FILE),
                v.path(Key.SSL_KEY_FILE),
                Duration.ofSeconds(v.integer(Key.HEARTBEAT_TIMEOUT_THRESHOLD)),
                v.bool(Key.RABBIT_QUORUM_QUEUE),
                v.integer(Key.RABBIT_QOS_PREFETCH_COUNT),
                management == null || management.isBlank() ? null : managementUri(management.trim()));
    }

    private static URI managementUri(String text) {
        try {
            URI uri = URI.create(text);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[oslo_messaging_rabbit] management_url must be http[s]://host:port");
        }
    }

    /** The management API to use: {@code management_url}, or the first transport host on port 15672. */
    public ManagementEndpoint management() {
        TransportUrl url = requireTransportUrl();
        if (managementUrl == null) {
            TransportUrl.Host first = url.hosts().get(0);
            String host = first.host().contains(":") ? "[" + first.host() + "]" : first.host();
            return new ManagementEndpoint(URI.create("http://" + host + ":15672"), url.user(), url.password());
        }
        String info = managementUrl.getRawUserInfo();
        URI base = URI.create(managementUrl.getScheme() + "://" + managementUrl.getRawAuthority()
                .substring(info == null ? 0 : info.length() + 1) + stripSlash(managementUrl.getRawPath()));
        if (info == null) {
            return new ManagementEndpoint(base, url.user(), url.password());
        }
        int colon = info.indexOf(':');
        return new ManagementEndpoint(base, decode(colon < 0 ? info : info.substring(0, colon)),
                colon < 0 ? "" : decode(info.substring(colon + 1)));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String stripSlash(String path) {
        return path == null ? "" : path.replaceAll("/+$", "");
    }

    /** The transport URL, which a broker-backed part needs. */
    public TransportUrl requireTransportUrl() {
        if (transportUrl == null) {
            throw new IllegalStateException("[DEFAULT] transport_url is not set; set it to"
                    + " rabbit://user:pass@host:port/");
        }
        return transportUrl;
    }

    /** The port of a host whose URL names none: 5671 with TLS, else 5672. */
    public int port(TransportUrl.Host host) {
        return host.port() > 0 ? host.port() : ssl ? 5671 : 5672;
    }

    @Override
    public String toString() {
        return "MessagingConfig[transport_url=" + transportUrl + ", control_exchange=" + controlExchange
                + ", ssl=" + ssl + ", ssl_ca_file=" + sslCaFile + ", ssl_cert_file=" + sslCertFile
                + ", ssl_key_file=" + sslKeyFile
                + ", heartbeat_timeout_threshold=" + heartbeatTimeoutThreshold.toSeconds()
                + ", rabbit_quorum_queue=" + rabbitQuorumQueue + ", rabbit_qos_prefetch_count=" + rabbitQosPrefetchCount
                + ", management_url=" + (managementUrl == null ? null : "***") + "]";
    }

    /** Raw values with each key's default, read by type. */
    private record Values(Map<String, String> raw) {
        String get(Key k) {
            return raw.getOrDefault(k.path(), k.defaultValue);
        }

        boolean bool(Key k) {
            String s = get(k).trim().toLowerCase(Locale.ROOT);
            return switch (s) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new IllegalArgumentException(wrong(k, "true or false"));
            };
        }

        int integer(Key k) {
            try {
                return Integer.parseInt(get(k).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(wrong(k, "a whole number"));
            }
        }

        Path path(Key k) {
            String s = get(k);
            return s == null || s.isBlank() ? null : Path.of(s.trim());
        }

        private String wrong(Key k, String expected) {
            return "[" + k.section + "] " + k.name + " must be " + expected
                    + (k.secret ? "" : ", not '" + get(k) + "'");
        }
    }
}
