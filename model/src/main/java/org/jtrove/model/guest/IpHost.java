package org.jtrove.model.guest;

import java.util.regex.Pattern;

/**
 * Trove's check of a MySQL user host (hostname_require_valid_ip, on by default): with each '%' read as a digit,
 * the host must be an IP address or network, as netaddr.IPNetwork reads it. IPv4 addresses may be abbreviated
 * ('10.0.%' reads as 10.0.1), networks carry a prefix length or a netmask; IPv6 addresses are hexadecimal groups.
 */
final class IpHost {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){0,3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private IpHost() {}

    static boolean isValid(String host) {
        String h = host.replace('%', '1');
        int slash = h.indexOf('/');
        String address = slash < 0 ? h : h.substring(0, slash);
        String mask = slash < 0 ? null : h.substring(slash + 1);
        if (IPV4.matcher(address).matches()) {
            return octets(address) && (mask == null || prefix(mask, 32)
                    || address.chars().filter(c -> c == '.').count() == 3 && mask.chars().filter(c -> c == '.').count() == 3
                    && IPV4.matcher(mask).matches() && octets(mask));
        }
        return IPV6.matcher(address).matches() && ipv6(address) && (mask == null || prefix(mask, 128));
    }

    private static boolean octets(String dotted) {
        for (String part : dotted.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean prefix(String mask, int max) {
        return mask.matches("\\d{1,3}") && Integer.parseInt(mask) <= max;
    }

    /** Eight groups of 1-4 hex digits, or fewer with one "::". */
    private static boolean ipv6(String address) {
        int gap = address.indexOf("::");
        if (gap >= 0 && address.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        String[] groups = address.replace("::", ":x:").split(":", -1);
        int count = 0;
        for (String g : groups) {
            if (g.equals("x") || g.isEmpty() && gap >= 0) {
                continue;
            }
            if (!g.matches("[0-9A-Fa-f]{1,4}")) {
                return false;
            }
            count++;
        }
        return gap >= 0 ? count < 8 : count == 8;
    }
}
