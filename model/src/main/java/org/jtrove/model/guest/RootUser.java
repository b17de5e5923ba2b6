package org.jtrove.model.guest;

/** The datastore's root user as root enable returns it: its name and its (new) password. */
public record RootUser(String name, String password) {
    @Override
    public String toString() {
        return "RootUser[" + name + "]";
    }
}
