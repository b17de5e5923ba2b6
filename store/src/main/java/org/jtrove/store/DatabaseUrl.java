package org.jtrove.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code [database] connection} URL in oslo.db's (SQLAlchemy's) form, mapped to what the JDBC driver needs:
 * {@code dialect[+driver]://[user[:password]@][host][:port]/database[?option=value&...]}.
 *
 * <ul>
 *   <li>{@code mysql}, {@code mariadb} (any {@code +driver}, e.g. {@code mysql+pymysql}): MariaDB's driver,
 *       port 3306, host {@code localhost} when none is given;</li>
 *   <li>{@code postgresql} (e.g. {@code postgresql+psycopg2}): pgjdbc, port 5432, a host is required;</li>
 *   <li>{@code sqlite} and everything else are refused.</li>
 * </ul>
 * The user and password are percent-decoded as SQLAlchemy does ({@code %40} is {@code @}, {@code +} stays
 * {@code +}); query values are form-decoded. The {@code +driver} names a Python driver and is ignored.
 *
 * <p>Options (refused if unknown, so a typo does not pass silently). MariaDB: {@code charset} (utf8, utf8mb3 or
 * utf8mb4: the driver always talks utf8mb4), {@code ssl_ca} (TLS with the server's certificate checked against
 * this CA file, host name too unless {@code ssl_check_hostname=false}), {@code connect_timeout},
 * {@code read_timeout}, {@code write_timeout} (seconds), {@code unix_socket}. PostgreSQL (libpq's names):
 * {@code sslmode}, {@code sslrootcert}, {@code connect_timeout} (seconds), {@code application_name},
 * {@code client_encoding} (utf8). Client certificates ({@code ssl_cert}, {@code ssl_key}, {@code sslcert},
 * {@code sslkey}) are refused: connect with a password, over TLS if need be.
 *
 * @param jdbcUrl          the driver's URL, without credentials or options
 * @param user             the decoded user name, or null
 * @param password         the decoded password, or null
 * @param driverProperties the driver's connection properties the options map to
 */
public record DatabaseUrl(String jdbcUrl, String user, String password, Map<String, String> driverProperties) {
    // SQLAlchemy's grammar: the user ends at ':' or '/', the password at the first '@'; an IPv6 host is bracketed.
    private static final Pattern URL = Pattern.compile("(?<dialect>[A-Za-z0-9_]+)(?:\\+(?<driver>[A-Za-z0-9_]+))?://"
            + "(?:(?<user>[^:/]*)(?::(?<password>[^@]*))?@)?"
            + "(?:\\[(?<ipv6>[^/?\\]]+)\\]|(?<host>[^/:?\\[\\]]+))?(?::(?<port>[^/?]*))?"
            + "(?:/(?<database>[^?]*))?(?:\\?(?<query>.*))?");
    private static final Pattern SECRET = Pattern.compile("(://[^:/@]*:)[^@]*@|((?i:password)=)[^&;]*");
    private static final Pattern DATABASE = Pattern.compile("[A-Za-z0-9_$-]{1,64}");
    private static final Set<String> UTF8 = Set.of("utf8", "utf8mb3", "utf8mb4");
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");
    private static final Set<String> CLIENT_CERTIFICATE = Set.of("ssl_cert", "ssl_key", "sslcert", "sslkey");

    public DatabaseUrl {
        driverProperties = Map.copyOf(driverProperties);
    }

    /**
     * Maps an oslo.db URL.
     *
     * @throws IllegalArgumentException with what to write instead, for a URL jtrove cannot use
     */
    public static DatabaseUrl parse(String url) {
        Matcher m = URL.matcher(url == null ? "" : url.trim());
        if (!m.matches()) {
            // not echoed: what does not parse may hold a password that redact() cannot find
            throw invalid(null, "is not a URL of the form dialect://user:password@host:port/database, e.g."
                    + " mysql+pymysql://trove:secret@127.0.0.1/trove");
        }
        String dialect = m.group("dialect").toLowerCase();
        String host = m.group("ipv6") != null ? "[" + m.group("ipv6") + "]" : m.group("host");
        String database = decodePath(url, m.group("database"));
        Map<String, String> query = query(url, m.group("query"));
        String user = m.group("user") == null || m.group("user").isEmpty() ? null : decodePath(url, m.group("user"));
        String password = decodePath(url, m.group("password"));
        switch (dialect) {
            case "mysql", "mariadb" -> {
                int port = port(url, m.group("port"), 3306);
                Map<String, String> props = mariadbOptions(url, query);
                return new DatabaseUrl("jdbc:mariadb://" + (host == null ? "localhost" : host) + ":" + port + "/"
                        + required(url, database), user, password, props);
            }
            case "postgresql" -> {
                int port = port(url, m.group("port"), 5432);
                if (host == null) {
                    throw invalid(url, "name the PostgreSQL server's host (jtrove connects over TCP, not through a"
                            + " local socket), e.g. postgresql://trove:secret@127.0.0.1/trove");
                }
                Map<String, String> props = postgresqlOptions(url, query);
                return new DatabaseUrl("jdbc:postgresql://" + host + ":" + port + "/" + required(url, database), user,
                        password, props);
            }
            case "postgres" -> throw invalid(url, "the dialect is named postgresql (postgresql://...)");
            case "sqlite" -> throw invalid(url, "SQLite is not supported: for one host, leave [database] connection"
                    + " unset and jtrove keeps its metadata in an embedded file store; for several, use MariaDB"
                    + " (mysql+pymysql://...) or PostgreSQL (postgresql://...)");
            default -> throw invalid(url, "jtrove's metadata store runs on MariaDB (mysql+pymysql://..., mariadb://...)"
                    + " or PostgreSQL (postgresql://...), not " + dialect);
        }
    }

    /** {@code url} (oslo.db or JDBC form) with its password replaced by {@code ***}, for messages and logs. */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        Matcher m = SECRET.matcher(url);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) != null ? m.group(1) + "***@" : m.group(2) + "***"));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                + ", " + driverProperties + "]";
    }

    private static Map<String, String> mariadbOptions(String url, Map<String, String> query) {
        Map<String, String> props = new LinkedHashMap<>();
        boolean checkHost = bool(url, query, "ssl_check_hostname", true);
        for (Map.Entry<String, String> e : query.entrySet()) {
            String value = e.getValue();
            switch (e.getKey()) {
                case "charset" -> {
                    if (!UTF8.contains(value.toLowerCase())) {
                        throw invalid(url, "charset must be utf8 or utf8mb4 (jtrove always talks utf8mb4 to MariaDB),"
                                + " not " + value);
                    }
                }
                case "ssl_ca" -> {
                    props.put("sslMode", checkHost ? "verify-full" : "verify-ca");
                    props.put("serverSslCert", value);
                }
                case "ssl_check_hostname" -> { }
                case "connect_timeout" -> props.put("connectTimeout", String.valueOf(seconds(url, e) * 1000));
                case "read_timeout", "write_timeout" -> props.merge("socketTimeout",
                        String.valueOf(seconds(url, e) * 1000), (a, b) -> Long.parseLong(a) >= Long.parseLong(b) ? a : b);
                case "unix_socket" -> props.put("localSocket", value);
                default -> throw unknownOption(url, e.getKey(), "charset, ssl_ca, ssl_check_hostname, connect_timeout,"
                        + " read_timeout, write_timeout, unix_socket");
            }
        }
        return props;
    }

    private static Map<String, String> postgresqlOptions(String url, Map<String, String> query) {
        Map<String, String> props = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : query.entrySet()) {
            String value = e.getValue();
            switch (e.getKey()) {
                case "sslmode" -> {
                    if (!SSL_MODES.contains(value)) {
                        throw invalid(url, "sslmode must be one of " + SSL_MODES + ", not " + value);
                    }
                    props.put("sslmode", value);
                }
                case "sslrootcert" -> props.put("sslrootcert", value);
                case "connect_timeout" -> props.put("connectTimeout", String.valueOf(seconds(url, e)));
                case "application_name" -> props.put("ApplicationName", value);
                case "client_encoding" -> {
                    if (!value.replace("-", "").equalsIgnoreCase("utf8")) {
                        throw invalid(url, "client_encoding must be utf8, not " + value);
                    }
                }
                default -> throw unknownOption(url, e.getKey(), "sslmode, sslrootcert, connect_timeout, application_name,"
                        + " client_encoding");
            }
        }
        return props;
    }

    private static Map<String, String> query(String url, String query) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decodeForm(url, eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decodeForm(url, pair.substring(eq + 1));
            if (CLIENT_CERTIFICATE.contains(key)) {
                throw invalid(url, "client certificates (" + key + ") are not supported: connect with a password,"
                        + " over TLS with ssl_ca (MariaDB) or sslmode and sslrootcert (PostgreSQL)");
            }
            if (out.put(key, value) != null) {
                throw invalid(url, "option " + key + " is given twice");
            }
        }
        return out;
    }

    private static String decodeForm(String url, String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(url, "a '%' must start an escape such as %2F (" + e.getMessage() + ")");
        }
    }

    private static boolean bool(String url, Map<String, String> query, String key, boolean absent) {
        String v = query.get(key);
        if (v == null) {
            return absent;
        }
        return switch (v.toLowerCase()) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw invalid(url, key + " must be true or false, not " + v);
        };
    }

    private static long seconds(String url, Map.Entry<String, String> option) {
        try {
            long s = Long.parseLong(option.getValue());
            if (s > 0 && s <= 86_400) {
                return s;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw invalid(url, option.getKey() + " is a number of seconds from 1 to 86400, not " + option.getValue());
    }

    private static int port(String url, String port, int standard) {
        if (port == null || port.isEmpty()) {
            return standard;
        }
        try {
            int p = Integer.parseInt(port);
            if (p > 0 && p < 65536) {
                return p;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw invalid(url, "the port must be a number from 1 to 65535, not " + port);
    }

    private static String required(String url, String database) {
        if (database == null || database.isEmpty()) {
            throw invalid(url, "name the database after the host, e.g. mysql+pymysql://trove:secret@127.0.0.1/trove");
        }
        if (!DATABASE.matcher(database).matches()) {
            throw invalid(url, "the database name may hold letters, digits, '_', '$' and '-' only");
        }
        return database;
    }

    /** Percent-decoding that keeps '+' (SQLAlchemy decodes user, password and database with unquote). */
    private static String decodePath(String url, String s) {
        try {
            return s == null ? null : URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(url, "a '%' must start an escape such as %40 (" + e.getMessage() + ")");
        }
    }

    private static IllegalArgumentException unknownOption(String url, String key, String known) {
        return invalid(url, "unknown option " + key + "; jtrove understands " + known);
    }

    private static IllegalArgumentException invalid(String url, String what) {
        return new IllegalArgumentException("[database] connection " + (url == null ? what : redact(url) + ": " + what));
    }
}
