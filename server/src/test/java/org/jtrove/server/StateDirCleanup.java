package org.jtrove.server;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Removes the state directories a test class made once the class is done (after its @AfterAll closed its
 * servers), so that they do not pile up until the JVM exits. Registered for every class by JUnit's extension
 * auto-detection (src/test/resources/junit-platform.properties and META-INF/services).
 */
public final class StateDirCleanup implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        TestServers.removeAll();
    }
}
