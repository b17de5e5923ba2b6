package org.jtrove.server.config;

/** A key's place: {@code section/name}. */
record KeyRef(String section, String name) {
    static KeyRef of(Key key) {
        return new KeyRef(key.section(), key.name());
    }

    String id() {
        return section + "/" + name;
    }
}
