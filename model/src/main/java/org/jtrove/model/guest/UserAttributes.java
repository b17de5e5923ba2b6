package org.jtrove.model.guest;

/** Trove's user attributes update: a new name, host or password (null: unchanged). */
public record UserAttributes(String name, String host, String password) {
    @Override
    public String toString() {
        return "UserAttributes[" + name + "@" + host + (password == null ? "" : ", password") + "]";
    }
}
