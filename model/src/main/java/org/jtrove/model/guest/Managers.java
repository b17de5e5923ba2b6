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

    /** Trove's DatastoreOperationNotSupported, answered with 501. */
    public static JtroveException operationNotSupported(String operation, String manager) {
        return JtroveException.notImplemented("The '" + operation + "' operation is not supported for the '"
                + manager + "' datastore.");
    }
}
