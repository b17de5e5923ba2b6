package org.jtrove.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), or a single address
 * ({@code 192.0.2.7}, meaning /32 or /128), parsed strictly: dotted-quad IPv4 without leading zeros, IPv6 in its
 * standard text forms, a decimal prefix length within the family's bits, and no host bits set beyond the prefix.
 * No name is ever resolved. {@code text} is the form given; {@link #network()} and {@link #prefix()} are canonical.
 */
public record Cidr(String text, InetAddress network, int prefix) {
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern PREFIX = Pattern.compile("0|[1-9][0-9]{0,2}");

    /** Parses {@code text}; throws {@link JtroveException} 400 naming the field {@code what} when it is not a network. */
    public static Cidr parse(String text, String what) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = literal(addressText);
        if (address == null) {
            throw JtroveException.badRequest("Validation error: " + what + " '" + printable(text)
                    + "' is not an IPv4 or IPv6 address or network (such as 203.0.113.0/24 or 2001:db8::/32).");
        }
        if (addressText.indexOf(':') >= 0 && address.getAddress().length == 4) {
            throw JtroveException.badRequest("Validation error: " + what + " '" + printable(text)
                    + "' is an IPv4-mapped IPv6 address; write it in IPv4 form (such as 203.0.113.0/24).");
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String prefixText = text.substring(slash + 1);
            if (!PREFIX.matcher(prefixText).matches() || Integer.parseInt(prefixText) > bits) {
                throw JtroveException.badRequest("Validation error: " + what + " '" + printable(text)
                        + "' has an invalid prefix length; it must be 0 to " + bits + ".");
            }
            prefix = Integer.parseInt(prefixText);
        }
        InetAddress network = masked(address, prefix);
        if (!network.equals(address)) {
            throw JtroveException.badRequest("Validation error: " + what + " '" + printable(text)
                    + "' has host bits set beyond its /" + prefix + " prefix; did you mean "
                    + network.getHostAddress() + "/" + prefix + "?");
        }
        return new Cidr(text, network, prefix);
    }

    /** True for an IPv6 network, false for an IPv4 one. */
    public boolean isIpv6() {
        return network.getAddress().length == 16;
    }

    /** The canonical {@code network/prefix} text, as nftables and most tools write it. */
    public String canonical() {
        return network.getHostAddress() + "/" + prefix;
    }

    /** An IPv4 or IPv6 literal, or null: nothing else reaches the resolver. */
    public static InetAddress literal(String text) {
        boolean v4 = IPV4.matcher(text).matches();
        boolean v6 = !v4 && text.indexOf(':') >= 0 && IPV6_CHARS.matcher(text).matches();
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(v6 ? "[" + text + "]" : text);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static InetAddress masked(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String printable(String text) {
        String cut = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
