package org.jtrove.model.guest;

import java.util.Set;
import org.jtrove.model.JtroveException;

/** The datastore managers jtrove has guest plugins for, and Trove's answer to an operation one does not have. */
public final class Managers {
    private static final Set<String> KNOWN = Set.of("postgresql", "mysql", "mariadb", "redis");

    private Managers() {}

    public static String checkKnown(String manager) {
        if (!KNOWN.contains(manager)) {
            throw JtroveException.notImplemented("Datastore manager " + manager + " is not supported; use one of "
                    + new java.util.TreeSet<>(KNOWN) + ".");
        }
        return manager;
    }

    /** Databases and users exist only on managers with {@link NameRules}: Trove's SQL family. */
    public static boolean hasDatabasesAndUsers(String manager) {
        return NameRules.find(manager).isPresent();
    }

    /** The port a manager's servers listen on (each instance has an address of its own). */
    public static int port(String manager) {
        return switch (manager) {
            case "postgresql" -> 5432;
            case "mysql", "mariadb" -> 3306;
            case "redis" -> 6379;
            default -> throw checkKnownFailure(manager);
        };
    }

    /** Whether a manager's replicas start from a snapshot of the source (Redis copies over replication itself). */
    public static boolean replicaNeedsSnapshot(String manager) {
        return !"redis".equals(manager);
    }

    /** Whether a manager's sources can wait for a replica at commit (jtrove's replication_mode; PostgreSQL only). */
    public static boolean hasSynchronousReplication(String manager) {
        return "postgresql".equals(manager);
    }

    private static JtroveException checkKnownFailure(String manager) {
        checkKnown(manager);
        return JtroveException.notImplemented("Datastore manager " + manager + " has no port.");
    }

    /** Trove's DatastoreOperationNotSupported, answered with 501. */
    public static JtroveException operationNotSupported(String operation, String manager) {
        return JtroveException.notImplemented("The '" + operation + "' operation is not supported for the '"
                + manager + "' datastore.");
    }
}
