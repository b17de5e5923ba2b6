package org.jtrove.guestagent;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.jtrove.model.config.ConfigParameter;

/** Helpers the datastore plugins share for configuration groups. */
public final class ConfigFiles {
    private ConfigFiles() {}

    /**
     * Replaces {@code file} (in a directory the database user owns) with {@code content}, readable by that user.
     * Written beside it and renamed over it, so a link planted in its place is replaced, not followed.
     */
    public static void replace(Path file, String content, GuestHost host) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.writeString(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        host.giveToDatabaseUser(tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A value as the server shows it (e.g. "8192", "on", "ON", "1.5"), typed like the catalogue entry. */
    public static Object typed(ConfigParameter p, String shown) {
        if (shown == null) {
            return null;
        }
        try {
            return switch (p.type()) {
                case "integer" -> Long.parseLong(shown.trim());
                case "float" -> Double.parseDouble(shown.trim());
                case "boolean" -> switch (shown.trim().toLowerCase(Locale.ROOT)) {
                    case "on", "1", "true", "yes" -> true;
                    default -> false;
                };
                default -> shown;
            };
        } catch (NumberFormatException e) {
            return shown;
        }
    }

    /** Whether a wanted value (from a group) and a typed server value are the same setting. */
    public static boolean same(Object wanted, Object actual) {
        if (wanted instanceof Number a && actual instanceof Number b) {
            return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
        }
        if (wanted instanceof String a && actual instanceof String b) {
            return a.equalsIgnoreCase(b);
        }
        return wanted != null && wanted.equals(actual);
    }
}
