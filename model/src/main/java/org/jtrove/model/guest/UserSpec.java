package org.jtrove.model.guest;

import java.util.List;

/** A database user, with the databases it may access. The password is never logged. */
public record UserSpec(String name, String host, String password, List<String> databases) {
    public UserSpec {
        host = host == null || host.isEmpty() ? "%" : host;
        databases = databases == null ? List.of() : List.copyOf(databases);
    }

    @Override
    public String toString() {
        return "UserSpec[" + name + "@" + host + ", databases=" + databases + "]";
    }
}
